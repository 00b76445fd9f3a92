"""File access shared by the readers: transparent `.gz`, strict UTF-8 with line numbers, clear errors."""

import gzip
import os
import zlib

from zoo.data.errors import DataError

_BOM = "\ufeff"


def _check_exists(path):
    if not os.path.exists(path):
        raise FileNotFoundError(2, f"data file not found: {path}", str(path))
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"expected a data file, found a directory: {path}", str(path))


def _open_binary(path):
    _check_exists(path)
    if str(path).endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _gzip_error(path, error):
    return DataError(path, "a readable gzip file (the name ends in .gz)", f"{type(error).__name__}: {error}", line=1)


def iter_lines(path):
    """Yields `(line_number, text)` for each line of a UTF-8 (optionally gzipped) text file.

    Line numbers are 1-based; the line ending (`\\n` or `\\r\\n`) is removed; a byte-order mark at the
    start of the file is dropped. Only `\\n` ends a line, so characters such as U+2028 inside a line
    do not shift the numbering.

    Raises:
        FileNotFoundError: naming the path, if it does not exist.
        DataError: for an empty file, invalid UTF-8 (naming the line and byte) or a corrupt gzip file.
    """
    line_number = 0
    with _open_binary(path) as stream:
        try:
            for raw in stream:
                line_number += 1
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise DataError(
                        path,
                        "UTF-8 text",
                        f"invalid byte {raw[error.start:error.start + 1]!r} at byte {error.start + 1} of the line",
                        line=line_number,
                    ) from None
                if text.endswith("\n"):
                    text = text[:-1]
                    if text.endswith("\r"):
                        text = text[:-1]
                if line_number == 1 and text.startswith(_BOM):
                    text = text[1:]
                yield line_number, text
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise _gzip_error(path, error) from None
    if line_number == 0:
        raise DataError(path, "at least one line", "an empty file", line=1)


def read_text(path):
    """Returns the whole (optionally gzipped) file as a string, decoded as strict UTF-8.

    Invalid UTF-8 is reported with its line number; an empty file raises `DataError`.
    """
    with _open_binary(path) as stream:
        try:
            data = stream.read()
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise _gzip_error(path, error) from None
    if not data.strip():
        raise DataError(path, "some content", "an empty file", line=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DataError(
            path,
            "UTF-8 text",
            f"invalid byte {data[error.start:error.start + 1]!r} at byte {column} of the line",
            line=line,
        ) from None
    return text[1:] if text.startswith(_BOM) else text

