"""Batching for variable-length examples: optional seeded shuffle, length bucketing, padding."""

import tensorflow as tf


def _check_boundaries(bucket_boundaries):
    boundaries = list(bucket_boundaries)
    if not boundaries:
        raise ValueError("bucket_boundaries must hold at least one length")
    for value in boundaries:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"bucket_boundaries must be positive integers, got {boundaries}")
    if any(a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError(f"bucket_boundaries must be strictly increasing, got {boundaries}")
    return boundaries


def batch_dataset(dataset, batch_size, length_fn=None, bucket_boundaries=None, shuffle_buffer=0, seed=None,
                  drop_remainder=False):
    """Shuffles (optionally), groups by length (optionally) and pads examples into batches.

    With `bucket_boundaries`, examples are routed by `length_fn(example)` into buckets
    `[0, b0), [b0, b1), ..., [b_last, inf)` (`tf.data.Dataset.bucket_by_sequence_length`), and each
    batch holds examples of one bucket only, padded to its longest member; without boundaries
    consecutive examples are padded together (`padded_batch`). Strings pad with `""`, numbers with 0.

    Args:
        dataset: a `tf.data.Dataset` of tensors or dicts of tensors (variable-length rank-1 fields allowed).
        batch_size: examples per batch (the same for every bucket).
        length_fn: `example -> scalar integer tensor`; required with `bucket_boundaries`.
        bucket_boundaries: increasing positive lengths that separate the buckets.
        shuffle_buffer: size of the shuffle buffer; 0 disables shuffling.
        seed: shuffle seed; the same seed gives the same order in every fresh pipeline
            (later epochs of one pipeline reshuffle, deterministically).
        drop_remainder: drop the last, smaller batch (of each bucket).

    Returns:
        The batched `tf.data.Dataset`, prefetched.

    Example:
    ```python
    batches = batch_dataset(conll_dataset("train.txt"), batch_size=32,
                            length_fn=lambda x: tf.shape(x["tokens"])[0],
                            bucket_boundaries=[16, 32, 64], shuffle_buffer=10_000, seed=0)
    ```
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if shuffle_buffer < 0:
        raise ValueError(f"shuffle_buffer must be >= 0, got {shuffle_buffer!r}")
    if shuffle_buffer:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if bucket_boundaries is None:
        dataset = dataset.padded_batch(batch_size, drop_remainder=drop_remainder)
    else:
        boundaries = _check_boundaries(bucket_boundaries)
        if length_fn is None:
            raise ValueError("bucket_boundaries needs length_fn (example -> length) to route examples")
        dataset = dataset.bucket_by_sequence_length(
            element_length_func=lambda *example: tf.cast(length_fn(*example), tf.int32),
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            drop_remainder=drop_remainder,
        )
    return dataset.prefetch(tf.data.AUTOTUNE)
