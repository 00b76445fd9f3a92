"""JSON Lines files for sequence-to-sequence tasks (summarization, generation): one JSON object a line."""

import json

import tensorflow as tf

from zoo.data.errors import DataError, quote
from zoo.data.io import iter_lines
from zoo.data.tensors import examples_to_dataset


def _text_field(record, field, path, line_number):
    """The string in `record[field]`; a list of strings is joined with single spaces."""
    if field not in record:
        raise DataError(path, f"a field {field!r}", f"fields {sorted(record)}", line=line_number, field=repr(field))
    value = record[field]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        value = " ".join(item.strip() for item in value)
    if not isinstance(value, str):
        raise DataError(path, "a string or a non-empty list of strings", f"{type(value).__name__} {quote(value)}",
                        line=line_number, field=repr(field))
    if not value.strip():
        raise DataError(path, "a non-empty text", quote(value), line=line_number, field=repr(field))
    return value


def _records(path):
    """`(line number, JSON object)` of each non-blank line; DataError for invalid JSON or a non-object line."""
    for line_number, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(path, "one JSON object per line", f"invalid JSON ({error.msg} at column {error.colno})",
                            line=line_number) from None
        if not isinstance(record, dict):
            raise DataError(path, "a JSON object", f"a JSON {type(record).__name__}", line=line_number)
        yield line_number, record


def read_jsonl(path, source_field, target_field, extra_fields=()):
    """Reads a JSON Lines file into `{"source": str, "target": str}` examples.

    Args:
        path: the file; a name ending in `.gz` is decompressed on the fly. Blank lines are skipped.
        source_field: the field holding the input text (e.g. `"dialogue"`).
        target_field: the field holding the output text (e.g. `"summary"`).
        extra_fields: more text fields to keep under their own names (e.g. extra references
            `("ann0", "ann1")`), validated like the others.

    A field holding a list of strings (SciTLDR's sentence lists) is joined with single spaces.

    Returns:
        A list of dicts `{"source": str, "target": str, **extra}`.

    Raises:
        DataError: naming the file, line and field, for invalid JSON, a line that is not an object, a
            missing field, a field of the wrong type or an empty text.
    """
    examples = []
    for line_number, record in _records(path):
        example = {
            "source": _text_field(record, source_field, path, line_number),
            "target": _text_field(record, target_field, path, line_number),
        }
        for field in extra_fields:
            example[field] = _text_field(record, field, path, line_number)
        examples.append(example)
    if not examples:
        raise DataError(path, "at least one JSON line", "only blank lines", line=1)
    return examples


def read_jsonl_references(path, source_field, reference_fields):
    """Reads a JSON Lines evaluation file whose records have one or several reference texts.

    Args:
        path: the file (`.gz` decompressed on the fly); blank lines are skipped.
        source_field: the field holding the input text.
        reference_fields: the fields that may hold a reference (e.g. DialogSum's `("summary", "summary1",
            "summary2", "summary3")`: `summary` in dev, `summary1..3` in test). Each record needs at least one
            and keeps all it has, in this order.

    Returns:
        A list of dicts `{"source": str, "references": [str, ...]}`.

    Raises:
        DataError: naming the file, line and field, as `read_jsonl`, and for a record with none of
            `reference_fields`.
    """
    reference_fields = tuple(reference_fields)
    if not reference_fields:
        raise ValueError("reference_fields must name at least one field")
    examples = []
    for line_number, record in _records(path):
        present = [field for field in reference_fields if field in record]
        if not present:
            raise DataError(path, f"a reference in one of the fields {list(reference_fields)}",
                            f"fields {sorted(record)}", line=line_number)
        examples.append({"source": _text_field(record, source_field, path, line_number),
                         "references": [_text_field(record, field, path, line_number) for field in present]})
    if not examples:
        raise DataError(path, "at least one JSON line", "only blank lines", line=1)
    return examples


def jsonl_dataset(path, source_field, target_field, extra_fields=()):
    """`read_jsonl` as a `tf.data.Dataset` of string tensors `{"source", "target", *extra_fields}`."""
    examples = read_jsonl(path, source_field, target_field, extra_fields=extra_fields)
    return examples_to_dataset(examples, {key: (tf.string, False) for key in examples[0]})
