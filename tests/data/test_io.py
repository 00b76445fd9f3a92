import pickle

import pytest

from zoo.data import DataError, iter_lines, read_text


@pytest.mark.parametrize("name", ["plain.txt", "packed.txt.gz"])
def test_iter_lines_numbers_lines_and_strips_endings(write_file, name):
    path = write_file(name, "\ufefffirst\r\nsecond\u2028still second\n\nlast")
    assert list(iter_lines(path)) == [(1, "first"), (2, "second\u2028still second"), (3, ""), (4, "last")]


@pytest.mark.parametrize("name", ["bad.txt", "bad.txt.gz"])
def test_invalid_utf8_names_file_and_line(write_file, name):
    path = write_file(name, b"ok\nfine\nbro\xffken\n")
    with pytest.raises(DataError) as info:
        list(iter_lines(path))
    message = str(info.value)
    assert path in message and "line 3" in message and "UTF-8" in message and "\\xff" in message
    assert info.value.line == 3


def test_read_text_invalid_utf8_reports_line(write_file):
    path = write_file("bad.json", b'{\n "a":\n "\xc3("\n}')
    with pytest.raises(DataError, match=r"line 3.*expected UTF-8 text"):
        read_text(path)


@pytest.mark.parametrize("name", ["empty.txt", "empty.txt.gz"])
def test_empty_file(write_file, name):
    path = write_file(name, b"")
    with pytest.raises(DataError, match="empty file") as info:
        list(iter_lines(path))
    assert path in str(info.value)
    with pytest.raises(DataError, match="empty file"):
        read_text(path)


def test_missing_file_names_path(tmp_path):
    path = str(tmp_path / "nowhere.tsv")
    with pytest.raises(FileNotFoundError, match="nowhere.tsv"):
        list(iter_lines(path))


def test_corrupt_gzip(tmp_path):
    path = str(tmp_path / "fake.txt.gz")
    (tmp_path / "fake.txt.gz").write_bytes(b"this is not gzip data\n")  # not compressed despite the name
    with pytest.raises(DataError, match="gzip") as info:
        list(iter_lines(path))
    assert path in str(info.value)


def test_data_error_is_value_error_and_pickles():
    error = DataError("f.tsv", "2 columns", "3 columns", line=7, field="column 1 (label)")
    assert isinstance(error, ValueError)
    assert str(error) == "f.tsv, line 7, field column 1 (label): expected 2 columns, found 3 columns"
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.line == 7
