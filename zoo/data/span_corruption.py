"""T5 span corruption (Raffel et al. 2020, section 3.1.4), batched and in the TensorFlow graph.

A fraction `noise_density` (15%) of each row's tokens is dropped in spans of mean length `mean_span_length`
(3). The encoder input keeps the other tokens and writes one sentinel in place of each dropped span; the
target lists the sentinels, each followed by the span it stands for:

    tokens:  the  quick  brown  fox  jumps  over  the  lazy  dog
    inputs:  the  <X>  fox  jumps  over  <Y>  dog  </s>
    targets: <X>  quick  brown  <Y>  the  lazy  </s>

Sentinels count down from the top of the vocabulary (`<extra_id_0>` is the largest id), as in T5. Rows of one
length have the same number of noise tokens and spans, so a dense `(batch, length)` batch corrupts into dense
inputs and targets, of the lengths `span_corruption_lengths` gives.
"""

import tensorflow as tf


def _noise_counts(length, noise_density, mean_span_length):
    """(noise tokens, noise spans) of a row of `length` tokens, as T5's `random_spans_noise_mask`."""
    length = max(int(length), 2)
    num_noise = min(max(int(round(length * noise_density)), 1), length - 1)
    num_spans = max(int(round(num_noise / mean_span_length)), 1)
    return num_noise, num_spans


def span_corruption_lengths(tokens_length, noise_density=0.15, mean_span_length=3.0):
    """`(inputs_length, targets_length)` after corrupting rows of `tokens_length` tokens (EOS included)."""
    num_noise, num_spans = _noise_counts(tokens_length, noise_density, mean_span_length)
    return tokens_length - num_noise + num_spans + 1, num_noise + num_spans + 1


def tokens_length_for_inputs(inputs_length, noise_density=0.15, mean_span_length=3.0):
    """The longest raw row whose corrupted input (EOS included) fits in `inputs_length` tokens (T5's
    `random_spans_helper`)."""
    if inputs_length < 3:
        raise ValueError(f"inputs_length must be at least 3 (a token, a sentinel and EOS), got {inputs_length}")
    length = 2
    while span_corruption_lengths(length + 1, noise_density, mean_span_length)[0] <= inputs_length:
        length += 1
    return length


def _random_segment_lengths(batch, num_items, num_segments, seed):
    """`(batch, num_segments)` random positive lengths summing to `num_items` in every row: the segment starts
    are `num_segments - 1` distinct cut points drawn uniformly among the `num_items - 1` gaps."""
    scores = tf.random.stateless_uniform([batch, num_items - 1], seed)
    ranks = tf.argsort(tf.argsort(scores, axis=1), axis=1)  # a random permutation of 0..n-2 per row
    is_cut = tf.cast(ranks < num_segments - 1, tf.int32)
    first_in_segment = tf.pad(is_cut, [[0, 0], [1, 0]])  # (batch, num_items)
    segment = tf.cumsum(first_in_segment, axis=1)  # segment id of each item
    return tf.reduce_sum(tf.one_hot(segment, num_segments, dtype=tf.int32), axis=1)


def random_spans_noise_mask(batch, length, noise_density=0.15, mean_span_length=3.0, seed=(0, 0)):
    """Bool `(batch, length)`: True at the noise tokens. Each row alternates non-noise and noise spans, starting
    with non-noise, with exactly the same counts in every row (`_noise_counts`); span lengths are random.

    Args:
        batch, length: python ints (`length` >= 1).
        noise_density: fraction of noise tokens.
        mean_span_length: mean length of a noise span.
        seed: int32 pair of the stateless random ops.
    """
    num_noise, num_spans = _noise_counts(length, noise_density, mean_span_length)
    padded_length = max(length, 2)
    seed = tf.convert_to_tensor(seed, tf.int32)
    noise_lengths = _random_segment_lengths(batch, num_noise, num_spans, seed)
    keep_lengths = _random_segment_lengths(batch, padded_length - num_noise, num_spans, seed + [0, 1])
    interleaved = tf.reshape(tf.stack([keep_lengths, noise_lengths], axis=2), [batch, 2 * num_spans])
    span_starts = tf.cumsum(interleaved, axis=1)[:, :-1]  # (batch, 2 * spans - 1)
    is_start = tf.reduce_sum(tf.one_hot(span_starts, padded_length, dtype=tf.int32), axis=1)
    span_number = tf.cumsum(is_start, axis=1)
    return tf.equal(span_number % 2, 1)[:, :length]


def _replace_spans(token_ids, mask, sentinel_ids, eos_id):
    """Each run of True in `mask` becomes one sentinel (counting down per run); other tokens are kept; EOS is
    appended. Every row keeps the same number of tokens, so the result is dense."""
    previous = tf.pad(mask[:, :-1], [[0, 0], [1, 0]])
    starts = tf.logical_and(mask, tf.logical_not(previous))
    sentinel = sentinel_ids - (tf.cumsum(tf.cast(starts, tf.int32), axis=1) - 1)
    ids = tf.where(starts, sentinel, token_ids)
    keep = tf.logical_or(tf.logical_not(mask), starts)
    batch = tf.shape(token_ids)[0]
    kept = tf.reshape(tf.boolean_mask(ids, keep), [batch, -1])
    return tf.concat([kept, tf.fill([batch, 1], tf.cast(eos_id, kept.dtype))], axis=1)


def corrupt_spans(token_ids, first_sentinel_id, eos_id, noise_density=0.15, mean_span_length=3.0,
                    seed=(0, 0)):
    """Corrupts a dense batch of equal-length rows (no padding) into T5 encoder inputs and decoder targets.

    Args:
        token_ids: int32 `(batch, length)`, `length` a static int.
        first_sentinel_id: the id of `<extra_id_0>`; span `k` of a row gets `first_sentinel_id - k` (at most
            `length * noise_density / mean_span_length` spans, rounded, and at least 1).
        eos_id: appended to inputs and targets.
        noise_density, mean_span_length: as `random_spans_noise_mask`.
        seed: int32 pair; draw a fresh one per batch for new masks each step.

    Returns:
        `(inputs, targets)`, int32 `(batch, inputs_length)` and `(batch, targets_length)` as
        `span_corruption_lengths(length)` gives.

    Example:
    >>> ids = tf.constant([[10, 11, 12, 13, 14, 15, 16, 17, 18, 19]])
    >>> inputs, targets = corrupt_spans(ids, first_sentinel_id=99, eos_id=1, noise_density=0.3, seed=(1, 2))
    >>> inputs.shape, targets.shape
    (TensorShape([1, 9]), TensorShape([1, 5]))
    """
    token_ids = tf.convert_to_tensor(token_ids, tf.int32)
    length = token_ids.shape[1]
    if token_ids.shape.rank != 2 or length is None:
        raise ValueError(f"token_ids must be (batch, length) with a static length, got shape {token_ids.shape}")
    num_spans = _noise_counts(length, noise_density, mean_span_length)[1]
    if first_sentinel_id - num_spans + 1 <= eos_id:
        raise ValueError(f"{num_spans} sentinels counting down from id {first_sentinel_id} would reach the "
                         f"special ids (eos {eos_id}); use shorter rows or more sentinels")
    mask = random_spans_noise_mask(tf.shape(token_ids)[0], length, noise_density, mean_span_length, seed)
    inputs_length, targets_length = span_corruption_lengths(length, noise_density, mean_span_length)
    inputs = _replace_spans(token_ids, mask, first_sentinel_id, eos_id)
    targets = _replace_spans(token_ids, tf.logical_not(mask), first_sentinel_id, eos_id)
    return tf.ensure_shape(inputs, [None, inputs_length]), tf.ensure_shape(targets, [None, targets_length])
