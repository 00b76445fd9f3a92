import pytest

from zoo.data import DataError, parallel_dataset, parallel_tsv_dataset, read_parallel, read_parallel_tsv


def dataset_rows(dataset):
    return [(x["source"].numpy().decode(), x["target"].numpy().decode()) for x in dataset]


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_parallel(write_file, suffix):
    source = write_file("train.en" + suffix, "A man sleeps.\nTwo dogs.\n")
    target = write_file("train.de" + suffix, "Ein Mann schläft.\nZwei Hunde.\n")
    assert read_parallel(source, target) == [
        {"source": "A man sleeps.", "target": "Ein Mann schläft."},
        {"source": "Two dogs.", "target": "Zwei Hunde."},
    ]
    assert dataset_rows(parallel_dataset(source, target)) == [("A man sleeps.", "Ein Mann schläft."),
                                                              ("Two dogs.", "Zwei Hunde.")]


def test_line_count_mismatch_names_both_files(write_file):
    source = write_file("a.en", "one\ntwo\nthree\n")
    target = write_file("a.de.gz", "eins\nzwei\n")
    with pytest.raises(DataError) as info:
        read_parallel(source, target)
    message = str(info.value)
    assert source in message and target in message and "3 lines" in message and "2 lines" in message


def test_empty_sentence(write_file):
    source = write_file("a.en", "one\n\nthree\n")
    target = write_file("a.de", "eins\nzwei\ndrei\n")
    with pytest.raises(DataError, match=r"a\.en, line 2: expected a non-empty sentence"):
        read_parallel(source, target)


def test_missing_and_empty(tmp_path, write_file):
    target = write_file("a.de", "eins\n")
    with pytest.raises(FileNotFoundError, match="nope.en"):
        read_parallel(str(tmp_path / "nope.en"), target)
    with pytest.raises(DataError, match="empty file"):
        read_parallel(write_file("e.en", ""), target)


def test_read_parallel_tsv(write_file):
    path = write_file("pairs.tsv.gz", "hello\thallo\n\nbye\ttschüss\n")
    assert read_parallel_tsv(path) == [{"source": "hello", "target": "hallo"}, {"source": "bye", "target": "tschüss"}]
    assert dataset_rows(parallel_tsv_dataset(path)) == [("hello", "hallo"), ("bye", "tschüss")]


def test_parallel_tsv_errors(write_file):
    with pytest.raises(DataError, match=r"line 2: expected 2 columns.*found 1 columns"):
        read_parallel_tsv(write_file("a.tsv", "hello\thallo\nbye\n"))
    with pytest.raises(DataError, match=r"line 1, field column 1 \(target\): expected a non-empty sentence"):
        read_parallel_tsv(write_file("b.tsv", "hello\t \n"))
    with pytest.raises(DataError, match=r"line 2: expected UTF-8"):
        read_parallel_tsv(write_file("c.tsv", b"a\tb\n\xfe\tc\n"))
