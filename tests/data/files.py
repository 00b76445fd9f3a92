"""Writes tiny data files for the reader tests; a name ending in `.gz` is gzip-compressed."""

import gzip


def write(directory, name, content):
    """Writes `content` (str as UTF-8, or raw bytes) to `directory/name` and returns the path as str."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = directory / name
    if name.endswith(".gz"):
        with gzip.open(path, "wb") as stream:
            stream.write(data)
    else:
        path.write_bytes(data)
    return str(path)
