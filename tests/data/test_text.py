"""Plain-text document reader (pretraining corpora)."""

import pytest

from zoo.data import DataError, read_documents


def test_read_documents_errors(tmp_path):
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n", encoding="utf-8")
    with pytest.raises(DataError, match="blank.txt"):
        read_documents(blank)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n\nbad \xff byte\n")
    with pytest.raises(DataError, match="line 3"):
        read_documents(bad)
    two = tmp_path / "two.txt"
    two.write_text("a b\nc d\n\n\ne f\n", encoding="utf-8")
    assert read_documents(two) == [["a b", "c d"], ["e f"]]
