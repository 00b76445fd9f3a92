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
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    if any(ragged for _, ragged in spec.values()):
        # Slices of a RaggedTensor carry a RaggedTensorSpec, which `padded_batch` rejects; inside `map`
        # they are plain rank-1 tensors, so an identity map turns the spec into TensorSpec([None]).
        dataset = dataset.map(lambda example: {key: tf.identity(value) for key, value in example.items()})
    return dataset


def _infer_spec(examples):
    first = examples[0]
    spec = {}
    for field, value in first.items():
        ragged = isinstance(value, (list, tuple))
        sample = next((item for example in examples for item in example[field]), "") if ragged else value
        if isinstance(sample, bool):
            dtype = tf.bool
        elif isinstance(sample, int):
            dtype = tf.int32
        elif isinstance(sample, float):
            dtype = tf.float32
        elif isinstance(sample, str):
            dtype = tf.string
        else:
            raise TypeError(f"field {field!r}: cannot make a tensor from {type(sample).__name__} values")
        spec[field] = (dtype, ragged)
    return spec


def to_dataset(examples):
    """Builds a `tf.data.Dataset` from a reader's (or `load_source`'s) examples, inferring dtypes.

    str -> tf.string, int -> tf.int32, float -> tf.float32, bool -> tf.bool; list fields become
    variable-length rank-1 tensors. Every example must have the keys of the first.

    Example:
    ```python
    dataset = to_dataset([{"text": "good", "label": 1}, {"text": "bad", "label": 0}])
    ```
    """
    if not examples:
        raise ValueError("to_dataset needs at least one example")
    keys = set(examples[0])
    for index, example in enumerate(examples):
        if set(example) != keys:
            raise ValueError(f"example {index} has keys {sorted(example)}, expected {sorted(keys)} like example 0")
    return examples_to_dataset(examples, _infer_spec(examples))
