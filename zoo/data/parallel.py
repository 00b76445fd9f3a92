"""Parallel text for translation: two line-aligned files, or one `source<TAB>target` file."""

import tensorflow as tf

from zoo.data.errors import DataError, quote
from zoo.data.io import iter_lines
from zoo.data.tensors import examples_to_dataset


def _read_lines(path):
    lines = []
    for line_number, line in iter_lines(path):
        lines.append(line)
    # A file that ends with "\n" has no extra empty line; a stray final blank line is tolerated too.
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DataError(path, "at least one non-blank line", "only blank lines", line=1)
    return lines


def read_parallel(source_path, target_path):
    """Reads two line-aligned files (e.g. `train.en.gz`, `train.de.gz`) into sentence pairs.

    Args:
        source_path: source-language file, one sentence a line (`.gz` read transparently).
        target_path: target-language file with the same number of lines.

    Returns:
        A list of dicts `{"source": str, "target": str}`.

    Raises:
        DataError: when the line counts differ (naming both files and counts), or for an empty
            sentence (naming the file and line), an empty file or invalid UTF-8.
    """
    sources = _read_lines(source_path)
    targets = _read_lines(target_path)
    if len(sources) != len(targets):
        raise DataError(source_path, f"as many lines as {target_path} ({len(targets)} lines)",
                        f"{len(sources)} lines", line=min(len(sources), len(targets)) + 1)
    examples = []
    for index, (source, target) in enumerate(zip(sources, targets)):
        for path, text in ((source_path, source), (target_path, target)):
            if not text.strip():
                raise DataError(path, "a non-empty sentence aligned with the other file", quote(text),
                                line=index + 1)
        examples.append({"source": source, "target": target})
    return examples


def read_parallel_tsv(path, source_column=0, target_column=1, delimiter="\t"):
    """Reads one file of `source<TAB>target` lines (blank lines skipped) into sentence pairs.

    Every non-blank line must have the same number of columns as the first. Returns a list of
    `{"source": str, "target": str}`; raises `DataError` naming the line for a wrong column count or
    an empty side.
    """
    num_columns = None
    examples = []
    for line_number, line in iter_lines(path):
        if not line.strip():
            continue
        columns = line.split(delimiter)
        if num_columns is None:
            num_columns = len(columns)
            for role, column in (("source", source_column), ("target", target_column)):
                if not -num_columns <= column < num_columns:
                    raise DataError(path, f"a column {column} for {role}_column separated by {delimiter!r}",
                                    f"{num_columns} columns", line=line_number)
        if len(columns) != num_columns:
            raise DataError(path, f"{num_columns} columns separated by {delimiter!r}", f"{len(columns)} columns",
                            line=line_number)
        example = {}
        for role, column in (("source", source_column), ("target", target_column)):
            text = columns[column]
            if not text.strip():
                raise DataError(path, "a non-empty sentence", quote(text), line=line_number,
                                field=f"column {column} ({role})")
            example[role] = text
        examples.append(example)
    if not examples:
        raise DataError(path, "at least one sentence pair", "only blank lines", line=1)
    return examples


_SPEC = {"source": (tf.string, False), "target": (tf.string, False)}


def parallel_dataset(source_path, target_path):
    """`read_parallel` as a `tf.data.Dataset` of `{"source": tf.string, "target": tf.string}`."""
    return examples_to_dataset(read_parallel(source_path, target_path), _SPEC)


def parallel_tsv_dataset(path, source_column=0, target_column=1, delimiter="\t"):
    """`read_parallel_tsv` as a `tf.data.Dataset` of `{"source": tf.string, "target": tf.string}`."""
    examples = read_parallel_tsv(path, source_column=source_column, target_column=target_column,
                                 delimiter=delimiter)
    return examples_to_dataset(examples, _SPEC)
