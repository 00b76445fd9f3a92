import pytest
import tensorflow as tf

from zoo.data import DataError, conll_dataset, read_conll

CONLL_2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC

Peter NNP B-NP B-PER
Blackburn NNP B-NP I-PER
"""  # no trailing blank line after the last sentence
TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]


@pytest.mark.parametrize("name", ["train.txt", "train.txt.gz"])
def test_read_conll_2003(write_file, name):
    sentences = read_conll(write_file(name, CONLL_2003), label_names=TAGS)
    assert sentences == [
        {"tokens": ["EU", "rejects", "German"], "tags": ["B-ORG", "O", "B-MISC"]},
        {"tokens": ["Peter", "Blackburn"], "tags": ["B-PER", "I-PER"]},
    ]


def test_file_not_ending_in_newline(write_file):
    sentences = read_conll(write_file("x.txt", "a O\nb O\n\nc O"))
    assert [s["tokens"] for s in sentences] == [["a", "b"], ["c"]]


def test_wnut_style_bom_only_line_and_tabs(write_file):
    text = "Stabilized\tO\n?\tO\n\nDiscovery\tB-corporation\n!\tO\n\ufeff\n"
    sentences = read_conll(write_file("dev.conll", text), delimiter="\t")
    assert sentences == [
        {"tokens": ["Stabilized", "?"], "tags": ["O", "O"]},
        {"tokens": ["Discovery", "!"], "tags": ["B-corporation", "O"]},
    ]


def test_wikiann_prefix_is_stripped(write_file):
    path = write_file("wikiann.tsv", "en:Sioux\tB-ORG\nen:Falls\tI-ORG\nen:(\tO\n\n")
    sentences = read_conll(path, token_prefix="en:")
    assert sentences == [{"tokens": ["Sioux", "Falls", "("], "tags": ["B-ORG", "I-ORG", "O"]}]


def test_missing_prefix(write_file):
    path = write_file("wikiann.tsv", "en:Sioux\tB-ORG\nFalls\tI-ORG\n")
    with pytest.raises(DataError, match=r"wikiann\.tsv, line 2.*starting with 'en:', found 'Falls'"):
        read_conll(path, token_prefix="en:")


def test_inconsistent_column_count(write_file):
    path = write_file("x.txt", "EU NNP B-NP B-ORG\n\nrejects VBZ O\n")
    with pytest.raises(DataError) as info:
        read_conll(path)
    message = str(info.value)
    assert path in message and "line 3" in message and "4 columns, as on line 1" in message and "found 3" in message


def test_unknown_tag(write_file):
    path = write_file("x.txt.gz", "EU B-ORG\nrejects B-VERB\n")
    with pytest.raises(DataError) as info:
        read_conll(path, label_names=TAGS)
    message = str(info.value)
    assert path in message and "line 2" in message and "'B-VERB'" in message and "column -1 (tag)" in message


def test_single_column_and_only_docstart(write_file):
    with pytest.raises(DataError, match="line 1.*at least 2 columns"):
        read_conll(write_file("one.txt", "token\n"))
    with pytest.raises(DataError, match="at least one sentence"):
        read_conll(write_file("doc.txt", "-DOCSTART- -X- -X- O\n\n"))


def test_empty_and_missing_and_bad_utf8(tmp_path, write_file):
    with pytest.raises(DataError, match="empty file"):
        read_conll(write_file("empty.conll.gz", ""))
    with pytest.raises(FileNotFoundError, match="absent.conll"):
        read_conll(str(tmp_path / "absent.conll"))
    with pytest.raises(DataError, match=r"line 2: expected UTF-8"):
        read_conll(write_file("bad.conll", b"a O\n\xff O\n"))


def test_conll_dataset_tag_ids(write_file):
    dataset = conll_dataset(write_file("train.txt", CONLL_2003), label_names=TAGS)
    assert dataset.element_spec["tokens"].shape.as_list() == [None]
    assert dataset.element_spec["tags"].dtype == tf.int32
    elements = list(dataset)
    assert [e["tokens"].numpy().tolist() for e in elements] == [[b"EU", b"rejects", b"German"],
                                                                 [b"Peter", b"Blackburn"]]
    assert [e["tags"].numpy().tolist() for e in elements] == [[3, 0, 5], [1, 2]]


def test_conll_dataset_string_tags(write_file):
    dataset = conll_dataset(write_file("train.txt", CONLL_2003))
    first = next(iter(dataset))
    assert first["tags"].numpy().tolist() == [b"B-ORG", b"O", b"B-MISC"]
