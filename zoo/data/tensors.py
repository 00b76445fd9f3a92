"""Turns validated Python examples into a `tf.data.Dataset` of dicts of tensors."""

import tensorflow as tf


def examples_to_dataset(examples, spec):
    """Builds a dataset with one element per example.

    Args:
        examples: list of dicts.
        spec: dict `field -> (dtype, ragged)`; `ragged=True` fields are lists in the examples and become
            variable-length rank-1 tensors in each element.

    Returns:
        A `tf.data.Dataset` whose elements are dicts of tensors with the keys of `spec`.
    """
    columns = {}
    for field, (dtype, ragged) in spec.items():
        values = [example[field] for example in examples]
        if ragged:
            flat = [item for value in values for item in value]
            lengths = [len(value) for value in values]
            columns[field] = tf.RaggedTensor.from_row_lengths(
                tf.constant(flat, dtype=dtype, shape=[len(flat)]),
                tf.constant(lengths, dtype=tf.int64, shape=[len(lengths)]),
            )
        else:
            columns[field] = tf.constant(values, dtype=dtype, shape=[len(values)])
    return tf.data.Dataset.from_tensor_slices(columns)
