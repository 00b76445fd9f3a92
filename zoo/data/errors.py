"""`DataError`: the one exception every reader raises for bad input, with a precise location."""


class DataError(ValueError):
    """A malformed input file: names the file, where in it, which field, and expected vs found.

    The message reads like
    `data/train.tsv, line 12, column 1 (label): expected an integer label, found 'pos'`.
    The parts are also kept as attributes so callers and tests can inspect them.

    Args:
        path: the file (str or path-like) that holds the bad input.
        expected: what the reader expected, in words.
        found: what it found instead, in words (use `quote(value)` to show a value).
        line: 1-based line number, for line-oriented files.
        record: record path or index, for structured files (e.g. `data[3].paragraphs[0].qas[5]`).
        field: the column index, column name or JSON field concerned.

    Example:
    ```python
    try:
        read_tsv("train.tsv")
    except DataError as error:
        print(error.path, error.line, error.field)
    ```
    """

    def __init__(self, path, expected, found, line=None, record=None, field=None):
        self.path = str(path)
        self.expected = expected
        self.found = found
        self.line = line
        self.record = record
        self.field = field
        super().__init__(self._format())

    def _format(self):
        parts = [self.path]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        return f"{', '.join(parts)}: expected {self.expected}, found {self.found}"

    def __reduce__(self):
        return (
            type(self),
            (self.path, self.expected, self.found, self.line, self.record, self.field),
        )


def quote(value, limit=80):
    """`repr` of a found value, cut to `limit` characters so one bad line cannot flood a message."""
    text = repr(value)
    if len(text) > limit:
        return text[:limit] + f"... ({len(text)} characters)"
    return text


class SourceUnavailableError(RuntimeError):
    """A remote data source (`tfds:...`, `hf:...`) cannot be used here: its package is missing or the
    network/hub is unreachable. The message names the source, the package and the way out."""
