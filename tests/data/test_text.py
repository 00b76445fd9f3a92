"""Plain-text document reader (pretraining corpora)."""

import pytest

from zoo.data import DataError, read_documents


def test_read_documents_errors(write_file):
    with pytest.raises(DataError, match="blank.txt"):
        read_documents(write_file("blank.txt", "\n  \n\n"))
    with pytest.raises(DataError, match="line 3"):
        read_documents(write_file("bad.txt", b"fine line\n\nbad \xff byte\n"))
    assert read_documents(write_file("two.txt", "a b\nc d\n\n\ne f\n")) == [["a b", "c d"], ["e f"]]
