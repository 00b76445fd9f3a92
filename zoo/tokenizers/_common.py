"""Helpers shared by the in-graph tokenizers: vocabulary file reading and input canonicalisation."""

import os

import tensorflow as tf


def read_lines(path, what):
    """Reads a UTF-8 text file into a list of lines (newline stripped), with errors naming the file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{what} file not found: {path!r}")
    with open(path, "rb") as f:
        raw = f.read()
    lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{what} file {path!r}, line {number}: expected UTF-8 text, got invalid bytes ({error.reason} "
                f"at byte {error.start})"
            ) from None
        lines.append(text.rstrip("\r"))
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def to_string_tensor(inputs):
    """Converts python strings/bytes/lists or tensors to a `tf.string` tensor, checking the dtype."""
    if isinstance(inputs, tf.RaggedTensor):
        raise ValueError(f"Expected a dense string tensor of rank 0 or 1, got a RaggedTensor: {inputs}")
    inputs = tf.convert_to_tensor(inputs)
    if inputs.dtype != tf.string:
        raise ValueError(f"Expected string inputs, got dtype {inputs.dtype.name}")
    if inputs.shape.rank is not None and inputs.shape.rank > 1:
        raise ValueError(f"Expected a string scalar or a rank-1 batch of strings, got shape {inputs.shape}")
    return inputs


def sanitize_utf8(strings):
    """Replaces every invalid UTF-8 byte sequence with U+FFFD, so the graph never fails on bad bytes.

    One unconditional transcode: a `tf.cond` that skipped it for valid batches made every tokenizer three to
    seven times slower inside `tf.data` (the branch functions run uninlined there), for a pass that costs
    little."""
    return tf.strings.unicode_transcode(
        strings, input_encoding="UTF-8", output_encoding="UTF-8", errors="replace", replacement_char=0xFFFD
    )


def regex_escape(text):
    """Escapes RE2 metacharacters, so `text` matches literally."""
    return "".join("\\" + c if c in r"\.^$|?*+()[]{}" else c for c in text)


def to_ids_tensor(ids):
    """Converts python lists / numpy arrays / tensors of ids to an int32 (possibly ragged) tensor."""
    if isinstance(ids, (tf.Tensor, tf.RaggedTensor)):
        return tf.cast(ids, tf.int32)
    if isinstance(ids, (list, tuple)) and ids and isinstance(ids[0], (list, tuple)):
        return tf.ragged.constant(ids, dtype=tf.int32)
    return tf.convert_to_tensor(ids, dtype=tf.int32)
