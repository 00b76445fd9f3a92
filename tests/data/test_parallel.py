import pytest

from tests.data.files import write
from zoo.data import DataError, parallel_dataset, parallel_tsv_dataset, read_parallel, read_parallel_tsv


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_parallel(tmp_path, suffix):
    source = write(tmp_path, "train.en" + suffix, "A man sleeps.\nTwo dogs.\n")
    target = write(tmp_path, "train.de" + suffix, "Ein Mann schläft.\nZwei Hunde.\n")
    assert read_parallel(source, target) == [
        {"source": "A man sleeps.", "target": "Ein Mann schläft."},
        {"source": "Two dogs.", "target": "Zwei Hunde."},
    ]
    rows = [(x["source"].numpy().decode(), x["target"].numpy().decode()) for x in parallel_dataset(source, target)]
    assert rows[0] == ("A man sleeps.", "Ein Mann schläft.")


def test_line_count_mismatch_names_both_files(tmp_path):
    source = write(tmp_path, "a.en", "one\ntwo\nthree\n")
    target = write(tmp_path, "a.de.gz", "eins\nzwei\n")
    with pytest.raises(DataError) as info:
        read_parallel(source, target)
    message = str(info.value)
    assert source in message and target in message and "3 lines" in message and "2 lines" in message


def test_empty_sentence(tmp_path):
    source = write(tmp_path, "a.en", "one\n\nthree\n")
    target = write(tmp_path, "a.de", "eins\nzwei\ndrei\n")
    with pytest.raises(DataError, match=r"a\.en, line 2: expected a non-empty sentence"):
        read_parallel(source, target)


def test_missing_and_empty(tmp_path):
    target = write(tmp_path, "a.de", "eins\n")
    with pytest.raises(FileNotFoundError, match="nope.en"):
        read_parallel(str(tmp_path / "nope.en"), target)
    with pytest.raises(DataError, match="empty file"):
        read_parallel(write(tmp_path, "e.en", ""), target)


def test_read_parallel_tsv(tmp_path):
    path = write(tmp_path, "pairs.tsv.gz", "hello\thallo\n\nbye\ttschüss\n")
    assert read_parallel_tsv(path) == [{"source": "hello", "target": "hallo"}, {"source": "bye", "target": "tschüss"}]
    assert len(list(parallel_tsv_dataset(path))) == 2


def test_parallel_tsv_errors(tmp_path):
    with pytest.raises(DataError, match=r"line 2: expected 2 columns.*found 1 columns"):
        read_parallel_tsv(write(tmp_path, "a.tsv", "hello\thallo\nbye\n"))
    with pytest.raises(DataError, match=r"line 1, field column 1 \(target\): expected a non-empty sentence"):
        read_parallel_tsv(write(tmp_path, "b.tsv", "hello\t \n"))
    with pytest.raises(DataError, match=r"line 2: expected UTF-8"):
        read_parallel_tsv(write(tmp_path, "c.tsv", b"a\tb\n\xfe\tc\n"))
