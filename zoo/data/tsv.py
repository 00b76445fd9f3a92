"""Delimited text classification files (TSV/CSV): one example a line, `text[, text_pair], label`."""

import csv

import tensorflow as tf

from zoo.data.errors import DataError, quote
from zoo.data.io import iter_lines
from zoo.data.labels import LabelSet, parse_int
from zoo.data.tensors import examples_to_dataset


def _split(line, delimiter, path, line_number):
    if delimiter == "\t":
        # TSV as used by GLUE/SST: no quoting, a tab always separates columns.
        return line.split("\t")
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration) as error:
        raise DataError(path, f"a well-formed {delimiter!r}-delimited row", f"a CSV error: {error}",
                        line=line_number) from None


def _resolve(column, role, header, num_columns, path):
    """Column index (possibly negative or a header name) -> non-negative index."""
    if isinstance(column, str):
        if header is None:
            raise ValueError(f"{role}={column!r} names a column, which needs header=True")
        if column not in header:
            raise DataError(path, f"a header column named {column!r} ({role})", f"columns {header}", line=1)
        return header.index(column)
    if not isinstance(column, int) or isinstance(column, bool):
        raise TypeError(f"{role} must be an int or a header name, got {column!r}")
    index = column + num_columns if column < 0 else column
    if not 0 <= index < num_columns:
        return None
    return index


def read_tsv(path, text_column=0, label_column=1, text_pair_column=None, delimiter="\t", header=False,
             label_names=None, label_ids=True, string_labels=False):
    """Reads a delimited classification file into validated examples.

    Blank lines are skipped. Every other line must have the same number of columns (the header's, or
    else the first line's).

    Args:
        path: the file; a name ending in `.gz` is decompressed on the fly.
        text_column: index (negative counts from the end) or, with `header=True`, name of the text column.
        label_column: the label column, or None for unlabelled files.
        text_pair_column: an optional second text column (sentence-pair tasks).
        delimiter: `"\\t"` splits on tabs without quoting; any other delimiter uses CSV quoting rules.
        header: whether the first line names the columns.
        label_names: optional list of label names; a label may then be a name or (with `label_ids`) an
            integer id. Without it labels must be non-negative integers.
        label_ids: with `label_names`, also accept an integer id in place of a name.
        string_labels: keep every label as its stripped, non-empty text (e.g. to collect a training file's
            label set); `label_names` is then ignored.

    Returns:
        A list of dicts `{"text": str, "label": int}` (+ `"text_pair"` when `text_pair_column` is set,
        no `"label"` when `label_column` is None, a `str` label with `string_labels`).

    Raises:
        DataError: naming the file, line and column, for a wrong column count, an empty text or a label
            outside the label set; also for an empty file or invalid UTF-8.
    """
    labels = LabelSet(label_names) if label_names is not None else None
    header_names = None
    num_columns = None
    indices = None
    examples = []
    for line_number, line in iter_lines(path):
        if not line.strip():
            continue
        columns = _split(line, delimiter, path, line_number)
        if header and header_names is None:
            header_names = [name.strip() for name in columns]
            num_columns = len(columns)
            continue
        if num_columns is None:
            num_columns = len(columns)
        if indices is None:
            roles = {"text": text_column, "label": label_column, "text_pair": text_pair_column}
            indices = {}
            for role, column in roles.items():
                if column is None:
                    continue
                index = _resolve(column, f"{role}_column", header_names, num_columns, path)
                if index is None:
                    raise DataError(path, f"a column {column} for {role}_column", f"{num_columns} columns",
                                    line=line_number)
                indices[role] = index
        if len(columns) != num_columns:
            raise DataError(path, f"{num_columns} columns separated by {delimiter!r}", f"{len(columns)} columns",
                            line=line_number)
        example = {}
        for role in ("text", "text_pair"):
            if role in indices:
                text = columns[indices[role]]
                if not text.strip():
                    raise DataError(path, "a non-empty text", quote(text), line=line_number,
                                    field=f"column {indices[role]} ({role})")
                example[role] = text
        if "label" in indices:
            raw = columns[indices["label"]].strip()
            field = f"column {indices['label']} (label)"
            if string_labels:
                if not raw:
                    raise DataError(path, "a non-empty label", quote(columns[indices["label"]]), line=line_number,
                                    field=field)
                example["label"] = raw
            elif labels is not None:
                example["label"] = labels.id_of(raw, path, line=line_number, field=field, allow_ids=label_ids)
            else:
                value = parse_int(raw)
                if value is None or value < 0:
                    raise DataError(path, "a non-negative integer label (pass label_names for named labels)",
                                    quote(raw), line=line_number, field=field)
                example["label"] = value
        examples.append(example)
    if not examples:
        raise DataError(path, "at least one example line", "only blank or header lines", line=1)
    return examples


def read_csv(path, text_column=0, label_column=1, text_pair_column=None, delimiter=",", header=False,
             label_names=None):
    """`read_tsv` with a comma delimiter and CSV quoting rules."""
    return read_tsv(path, text_column=text_column, label_column=label_column, text_pair_column=text_pair_column,
                    delimiter=delimiter, header=header, label_names=label_names)


def tsv_dataset(path, text_column=0, label_column=1, text_pair_column=None, delimiter="\t", header=False,
                label_names=None):
    """`read_tsv` as a `tf.data.Dataset` of `{"text": tf.string, "label": tf.int32[, "text_pair"]}`."""
    examples = read_tsv(path, text_column=text_column, label_column=label_column,
                        text_pair_column=text_pair_column, delimiter=delimiter, header=header,
                        label_names=label_names)
    spec = {key: ((tf.int32 if key == "label" else tf.string), False) for key in examples[0]}
    return examples_to_dataset(examples, spec)


def csv_dataset(path, text_column=0, label_column=1, text_pair_column=None, delimiter=",", header=False,
                label_names=None):
    """`read_csv` as a `tf.data.Dataset` (see `tsv_dataset`)."""
    return tsv_dataset(path, text_column=text_column, label_column=label_column, text_pair_column=text_pair_column,
                       delimiter=delimiter, header=header, label_names=label_names)
