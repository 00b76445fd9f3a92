import pytest
import tensorflow as tf

from zoo.data import DataError, read_csv, read_tsv, tsv_dataset


@pytest.mark.parametrize("name", ["train.tsv", "train.tsv.gz"])
def test_read_tsv(write_file, name):
    path = write_file(name, "a good film\t1\nbad \"quoted\" one\t0\n\n")
    assert read_tsv(path) == [{"text": "a good film", "label": 1}, {"text": 'bad "quoted" one', "label": 0}]


def test_label_names_accept_names_and_ids(write_file):
    path = write_file("x.tsv", "1\tfine\tpositive\n2\tawful\t0\n")
    examples = read_tsv(path, text_column=1, label_column=-1, label_names=["negative", "positive"])
    assert examples == [{"text": "fine", "label": 1}, {"text": "awful", "label": 0}]


def test_header_and_pair_columns_by_name(write_file):
    path = write_file("pairs.tsv", "label\tpremise\thypothesis\nentailment\tA dog.\tAn animal.\n")
    examples = read_tsv(path, text_column="premise", text_pair_column="hypothesis", label_column="label",
                        header=True, label_names=["entailment", "contradiction"])
    assert examples == [{"text": "A dog.", "text_pair": "An animal.", "label": 0}]


def test_csv_quoting(write_file):
    path = write_file("x.csv", 'text,label\n"hello, world",1\n')
    assert read_csv(path, header=True) == [{"text": "hello, world", "label": 1}]


def test_unlabelled(write_file):
    path = write_file("x.tsv", "only text\n")
    assert read_tsv(path, label_column=None) == [{"text": "only text"}]


def test_wrong_column_count(write_file):
    path = write_file("x.tsv", "good\t1\nbad\t0\textra\n")
    with pytest.raises(DataError) as info:
        read_tsv(path)
    message = str(info.value)
    assert path in message and "line 2" in message and "expected 2 columns" in message and "found 3" in message


def test_label_outside_label_set(write_file):
    path = write_file("x.tsv", "good\tpositive\nmeh\tneutral\n")
    with pytest.raises(DataError) as info:
        read_tsv(path, label_names=["negative", "positive"])
    message = str(info.value)
    assert path in message and "line 2" in message and "'neutral'" in message and "column 1" in message
    assert "['negative', 'positive']" in message


def test_label_id_out_of_range(write_file):
    path = write_file("x.tsv", "good\t2\n")
    with pytest.raises(DataError, match=r"line 1.*integer id in \[0, 2\).*found '2'"):
        read_tsv(path, label_names=["negative", "positive"])


def test_non_integer_label_without_names(write_file):
    path = write_file("x.tsv", "good\tpos\n")
    with pytest.raises(DataError, match=r"line 1.*non-negative integer label.*'pos'"):
        read_tsv(path)


def test_empty_text(write_file):
    path = write_file("x.tsv.gz", "fine\t1\n  \t0\n")
    with pytest.raises(DataError, match=r"x\.tsv\.gz, line 2, field column 0 \(text\): expected a non-empty text"):
        read_tsv(path)


def test_empty_missing_and_blank_files(tmp_path, write_file):
    with pytest.raises(DataError, match="empty file"):
        read_tsv(write_file("empty.tsv", ""))
    with pytest.raises(DataError, match="at least one example"):
        read_tsv(write_file("blank.tsv", "\n\n"))
    with pytest.raises(FileNotFoundError, match="missing.tsv"):
        read_tsv(str(tmp_path / "missing.tsv"))


def test_invalid_utf8(write_file):
    path = write_file("x.tsv", b"ok\t1\nno\xe9\t0\n")
    with pytest.raises(DataError, match=r"x\.tsv, line 2: expected UTF-8 text"):
        read_tsv(path)


def test_tsv_dataset(write_file):
    path = write_file("x.tsv", "a\t1\nb\t0\n")
    dataset = tsv_dataset(path)
    assert dataset.element_spec["label"].dtype == tf.int32
    rows = [(x["text"].numpy(), int(x["label"])) for x in dataset]
    assert rows == [(b"a", 1), (b"b", 0)]
