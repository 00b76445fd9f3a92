"""Prompt preparation for the decode loops, apart from the loops themselves: ragged prompts to a right-padded
batch, vocabulary and length checks, length buckets, and raw strings through a tokenizer or preprocessor.

`prepare_prompts` is the eager path of `generate` (NumPy, Python errors naming the prompt); `pad_prompts` is
the in-graph path of the exported functions (`tf.debugging` checks, a fixed prompt width). Both end in the
same right-padded `token_ids` with their lengths that a `Sampler` takes; `tokenize` serves both.
"""

import dataclasses

import numpy as np
import tensorflow as tf

#: Prompt and cache lengths are rounded up to a multiple of this, so calls within a bucket reuse one trace.
LENGTH_BUCKET = 16


def bucket(length, multiple=LENGTH_BUCKET, limit=None):
    """`length` rounded up to a multiple of `multiple`, but not beyond `limit`."""
    rounded = max(multiple, -(-int(length) // multiple) * multiple)
    return rounded if limit is None else min(rounded, limit)


def positive_int(value, name):
    """`value` as an int, or a ValueError naming `name` when it is not an int > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return int(value)


def check_fits(name, length, max_new_tokens, max_sequence_length):
    """A causal LM writes `length` prompt tokens and `max_new_tokens` new ones into one sequence."""
    if max_sequence_length is not None and length + max_new_tokens > max_sequence_length:
        raise ValueError(
            f"{name} ({length}) + max_new_tokens ({max_new_tokens}) exceeds max_sequence_length "
            f"{max_sequence_length}"
        )


def to_padded(inputs, name="inputs"):
    """Token ids as a list of lists (any lengths), a padded array, or a dict `{"token_ids", "padding_mask"}`
    -> right-padded int32 `(batch, length)` and int32 lengths `(batch,)`. Empty prompts are errors."""
    if isinstance(inputs, dict):
        if "token_ids" not in inputs:
            raise ValueError(f"{name}: a dict input needs 'token_ids' (and optionally 'padding_mask')")
        ids = np.asarray(inputs["token_ids"])
        mask = inputs.get("padding_mask")
        if ids.ndim != 2:
            raise ValueError(f"{name}: token_ids must be (batch, length), got shape {ids.shape}")
        mask = np.ones(ids.shape, bool) if mask is None else np.asarray(mask).astype(bool)
        if mask.shape != ids.shape:
            raise ValueError(f"{name}: padding_mask shape {mask.shape} != token_ids shape {ids.shape}")
        lengths = mask.sum(axis=1)
        if not np.array_equal(mask, np.arange(ids.shape[1])[None, :] < lengths[:, None]):
            raise ValueError(f"{name}: padding_mask must be right padding (ones then zeros in every row)")
        rows = [ids[i, : lengths[i]].tolist() for i in range(ids.shape[0])]
    elif isinstance(inputs, (np.ndarray, tf.Tensor)):
        ids = np.asarray(inputs)
        if ids.ndim == 1:
            ids = ids[None, :]
        if ids.ndim != 2:
            raise ValueError(f"{name}: token_ids must be (batch, length), got shape {ids.shape}")
        rows = ids.tolist()
    elif isinstance(inputs, (list, tuple)):
        if inputs and all(isinstance(x, (int, np.integer)) for x in inputs):
            inputs = [inputs]
        rows = [list(row) for row in inputs]
    else:
        raise ValueError(f"{name}: expected token ids (list of lists, array or dict), got {type(inputs).__name__}")
    if not rows:
        raise ValueError(f"{name}: the batch is empty")
    for i, row in enumerate(rows):
        if len(row) == 0:
            raise ValueError(f"{name}: prompt {i} is empty; every prompt needs at least one token")
        for token in row:
            if isinstance(token, bool) or not isinstance(token, (int, np.integer)):
                raise ValueError(f"{name}: prompt {i} holds {token!r}, expected int token ids")
    lengths = np.array([len(row) for row in rows], np.int32)
    padded = np.zeros([len(rows), lengths.max()], np.int32)
    for i, row in enumerate(rows):
        padded[i, : len(row)] = row
    return padded, lengths


def check_vocabulary(token_ids, lengths, vocabulary_size, name="inputs"):
    """A ValueError naming the first prompt that holds an id outside `[0, vocabulary_size)`."""
    for i, length in enumerate(lengths):
        row = token_ids[i, :length]
        bad = row[(row < 0) | (row >= vocabulary_size)]
        if bad.size:
            raise ValueError(f"{name}: prompt {i} holds token id {int(bad[0])} outside [0, {vocabulary_size})")


def is_text(inputs):
    """True for a string or a non-empty list/tuple of strings."""
    return isinstance(inputs, str) or (
        isinstance(inputs, (list, tuple)) and bool(inputs) and all(isinstance(x, str) for x in inputs)
    )


def tokenize(preprocessor, strings):
    """Strings `(batch,)` through a tokenizer (ragged or dense ids) or a preprocessor (a dict of packed ids and
    a padding mask; T5's `encoder_*`) -> right-padded int32 `token_ids` and bool `padding_mask`, both
    `(batch, length)`. Runs eagerly or in a graph."""
    ids = preprocessor(strings)
    if isinstance(ids, tuple):  # (x, labels, sample_weight) from a preprocessor given targets
        ids = ids[0]
    if isinstance(ids, dict):
        prefix = "encoder_" if "encoder_token_ids" in ids else ""
        return tf.cast(ids[prefix + "token_ids"], tf.int32), tf.cast(ids[prefix + "padding_mask"], tf.bool)
    if isinstance(ids, tf.RaggedTensor):
        ids = tf.cast(ids, tf.int32)
        return ids.to_tensor(), tf.ones_like(ids, tf.bool).to_tensor()
    ids = tf.cast(ids, tf.int32)  # dense ids: every position is a token
    return ids, tf.ones_like(ids, tf.bool)


@dataclasses.dataclass(frozen=True)
class Prompts:
    """A batch of prompts ready for a decode loop.

    Attributes:
        token_ids: int32 `(batch, length)`, right-padded with `pad_token_id` to a length bucket.
        lengths: int32 `(batch,)`, the true prompt lengths.
        strings: the prompts came as text (the outputs are detokenized).
        as_lists: the prompts came as lists or text (the outputs are lists, else arrays).
    """

    token_ids: np.ndarray
    lengths: np.ndarray
    strings: bool
    as_lists: bool

    @property
    def padding_mask(self):
        return np.arange(self.token_ids.shape[1])[None, :] < self.lengths[:, None]


def prepare_prompts(inputs, preprocessor, vocabulary_size, max_sequence_length, pad_token_id, max_new_tokens=0):
    """`inputs` (token ids in any form `to_padded` takes, or strings with a `preprocessor`) as `Prompts`,
    checked against the vocabulary and `max_sequence_length` and padded to a length bucket.

    `max_new_tokens`: tokens written after the prompt in the same sequence (a causal LM); 0 when the prompt has
    a sequence of its own (an encoder's).
    """
    strings = is_text(inputs)
    as_lists = strings or isinstance(inputs, (list, tuple))
    if strings:
        if preprocessor is None:
            raise ValueError("generate: got strings but no `preprocessor`/tokenizer to turn them into token ids")
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        token_ids, padding_mask = tokenize(preprocessor, tf.constant(texts))
        inputs = {"token_ids": token_ids.numpy(), "padding_mask": padding_mask.numpy()}
    token_ids, lengths = to_padded(inputs, "inputs")
    check_vocabulary(token_ids, lengths, vocabulary_size, "inputs")
    longest = int(lengths.max())
    if max_sequence_length is not None and longest > max_sequence_length:
        raise ValueError(
            f"inputs: a prompt has {longest} tokens, longer than max_sequence_length {max_sequence_length}"
        )
    if max_new_tokens:
        check_fits("inputs: longest prompt", longest, max_new_tokens, max_sequence_length)
    width = bucket(longest, limit=max_sequence_length)
    token_ids = np.pad(token_ids, [[0, 0], [0, width - token_ids.shape[1]]], constant_values=pad_token_id)
    return Prompts(token_ids, lengths, strings, as_lists)


def pad_prompts(token_ids, padding_mask, max_prompt_length, pad_token_id, vocabulary_size):
    """In-graph: right-padded `token_ids` with their `padding_mask` (at most `max_prompt_length` wide) ->
    int32 `(batch, max_prompt_length)` ids padded with `pad_token_id`, and int32 lengths `(batch,)`.
    Bad input fails the call with a `tf.errors.InvalidArgumentError` saying what is wrong."""
    token_ids = tf.convert_to_tensor(token_ids, tf.int32)
    padding_mask = tf.cast(padding_mask, tf.bool)
    same_shape = tf.debugging.assert_equal(
        tf.shape(padding_mask), tf.shape(token_ids), message="padding_mask must have the shape of token_ids"
    )
    with tf.control_dependencies([same_shape]):
        width = tf.shape(token_ids)[1]
        lengths = tf.reduce_sum(tf.cast(padding_mask, tf.int32), axis=1)
        right_padded = tf.reduce_all(tf.equal(padding_mask, tf.range(width)[None, :] < lengths[:, None]))
        real = tf.boolean_mask(token_ids, padding_mask)  # (number of prompt tokens,)
    checks = [
        tf.debugging.assert_less_equal(
            width, max_prompt_length, message=f"prompts must have at most max_prompt_length={max_prompt_length} tokens"
        ),
        tf.debugging.assert_positive(lengths, message="every prompt needs at least one token"),
        tf.debugging.Assert(right_padded, ["padding_mask must be right padding (ones then zeros in every row)"]),
        tf.debugging.assert_non_negative(real, message="token ids must be >= 0"),
        tf.debugging.assert_less(real, vocabulary_size, message=f"token ids must be < {vocabulary_size}"),
    ]
    with tf.control_dependencies(checks):
        token_ids = tf.where(padding_mask, token_ids, pad_token_id)
        token_ids = tf.pad(token_ids, [[0, 0], [0, max_prompt_length - width]], constant_values=pad_token_id)
    return tf.ensure_shape(token_ids, [None, max_prompt_length]), lengths
