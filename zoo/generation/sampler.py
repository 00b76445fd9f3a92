"""The sampler protocol: one XLA decode loop over a preallocated key/value cache; subclasses pick the token."""

import math
import numbers

from typing import NamedTuple

import tensorflow as tf

from zoo.generation.prompts import positive_int  # noqa: F401  (re-exported for the samplers)

#: Added to the logits of tokens a sampler must not pick (finite, so `-inf - -inf` never makes a NaN).
NEG_INF = -1e9


class DecodeInputs(NamedTuple):
    """What every sampler's loop starts from, once `Sampler.__call__` has laid out the buffer and prefilled."""

    token_ids: tf.Tensor  # int32 (batch, total_length): prompts, then padding
    prompt_lengths: tf.Tensor  # int32 (batch,)
    start: tf.Tensor  # first position the loop fills (the shortest prompt's end)
    end: tf.Tensor  # position the loop stops before
    max_new_tokens: tf.Tensor
    total_length: int
    stop_token_ids: tf.Tensor  # int32 (num_stop_tokens,)
    pad_token_id: tf.Tensor  # int32 scalar
    seed: tf.Tensor  # int32 (2,)


class Sampler:
    """Drives a model's `next(token_ids, cache, index) -> (logits, cache)` function to the end of a batch.

    The whole loop is a `tf.while_loop` meant to run inside one `tf.function(jit_compile=True)`. Prompts are
    right-padded in a `(batch, prompt_length)` tensor with their true lengths beside it (keras-hub style):
    the prompt block is prefilled into the cache at index 0, decoding starts at the shortest prompt's end,
    and a row whose prompt is longer keeps its prompt token instead of the sampled one until its prompt ends.
    A row stops after `max_new_tokens` new tokens or at a stop token (kept in the output); a finished row
    emits `pad_token_id`. The loop ends when every row has finished.

    Subclasses override only `get_next_token(logits, seed)`; beam search replaces the loop (`decode`).

    Args:
        temperature: logits are divided by it before sampling (ignored by `GreedySampler`).

    Call arguments:
        next_fn: `next(token_ids (batch, length), cache, index) -> (logits (batch, vocab), cache)`.
        prompt_ids: int32 `(batch, prompt_length)`, right-padded prompts.
        prompt_lengths: int32 `(batch,)`, true prompt lengths (>= 1).
        cache: the model's empty cache for `total_length` positions (any nest of tensors whose first axis is
            the batch).
        max_new_tokens: int32 scalar, new tokens per row at most.
        total_length: python int, the cache length (>= longest prompt + `max_new_tokens`).
        stop_token_ids: int32 `(num_stop_tokens,)`, possibly empty.
        pad_token_id: int32 scalar written after a row has finished.
        seed: int32 `(2,)`, seed of the stateless random ops (same seed -> same tokens).

    Returns:
        dict with `token_ids` int32 `(batch, total_length)` (prompt, then new tokens, then padding) and
        `num_new_tokens` int32 `(batch,)` (stop token included).

    Example:
    >>> sampler = TopKSampler(k=5, temperature=0.8)
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=sampler, seed=1)  # doctest: +SKIP
    """

    #: Rows of the model batch per prompt (beam search uses `num_beams`).
    num_beams = 1

    def __init__(self, temperature=1.0):
        self.temperature = positive_float(temperature, "temperature")

    def get_next_token(self, logits, seed):
        """int32 `(batch,)` token ids chosen from float32 `logits` `(batch, vocab)` with stateless `seed`."""
        raise NotImplementedError

    def get_config(self):
        return {"temperature": self.temperature}

    def cache_key(self):
        """Hashable description of what the compiled loop depends on."""
        return (type(self).__name__, tuple(sorted(self.get_config().items())))

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def scaled(self, logits):
        if self.temperature == 1.0:
            return logits
        return logits / tf.cast(self.temperature, logits.dtype)

    def __call__(
        self,
        next_fn,
        prompt_ids,
        prompt_lengths,
        cache,
        max_new_tokens,
        total_length,
        stop_token_ids,
        pad_token_id,
        seed,
    ):
        token_ids, prompt_lengths, start, end = prepare_buffer(
            prompt_ids, prompt_lengths, max_new_tokens, total_length, pad_token_id
        )
        # Prefill: the whole (bucketed) prompt block at index 0, one row per beam. Positions past a row's prompt
        # hold padding keys/values; each is overwritten by the step that writes that position, before any query
        # can see it.
        prompt_block = tf.cast(prompt_ids, tf.int32)
        if self.num_beams > 1:
            prompt_block = tf.repeat(prompt_block, self.num_beams, axis=0)  # (batch * beams, prompt)
        _, cache = next_fn(prompt_block, cache, 0)
        inputs = DecodeInputs(
            token_ids, prompt_lengths, start, end, max_new_tokens, total_length, stop_token_ids,
            tf.cast(pad_token_id, tf.int32), seed,
        )
        return self.decode(next_fn, cache, inputs)

    def decode(self, next_fn, cache, inputs):
        """The loop after the prefill: `cache` holds the prompt block, `inputs` is a `DecodeInputs`."""
        token_ids, prompt_lengths, end = inputs.token_ids, inputs.prompt_lengths, inputs.end
        max_new_tokens, stop_token_ids, pad = inputs.max_new_tokens, inputs.stop_token_ids, inputs.pad_token_id
        batch = tf.shape(token_ids)[0]

        def cond(index, token_ids, cache, done):
            return tf.logical_and(index < end, tf.logical_not(tf.reduce_all(done)))

        def body(index, token_ids, cache, done):
            # `index` is the position being filled; the token before it is fed at `index - 1`.
            previous = tf.slice(token_ids, [0, index - 1], [batch, 1])  # (batch, 1)
            logits, cache = next_fn(previous, cache, index - 1)  # (batch, vocab)
            # A hash of (seed, index): seeds s and s + 2**31 give independent streams, not one stream shifted.
            step_seed = tf.random.experimental.stateless_fold_in(inputs.seed, index)
            sampled = tf.cast(self.get_next_token(tf.cast(logits, tf.float32), step_seed), tf.int32)
            in_prompt = index < prompt_lengths  # (batch,)
            current = tf.squeeze(tf.slice(token_ids, [0, index], [batch, 1]), 1)
            sampled = tf.where(done, pad, sampled)
            next_token = tf.where(in_prompt, current, sampled)
            token_ids = tf.tensor_scatter_nd_update(
                token_ids,
                tf.stack([tf.range(batch), tf.fill([batch], index)], axis=1),
                next_token,
            )
            generated = tf.logical_not(in_prompt)
            is_stop = tf.reduce_any(next_token[:, None] == stop_token_ids[None, :], axis=1)
            at_limit = index + 1 >= prompt_lengths + max_new_tokens
            new_done = tf.logical_or(done, tf.logical_and(generated, tf.logical_or(is_stop, at_limit)))
            new_done.set_shape(done.shape)  # keep a static batch of 1 static through the loop
            return index + 1, token_ids, cache, new_done

        done = tf.zeros([batch], tf.bool)
        index, token_ids, _, _ = tf.while_loop(
            cond, body, (inputs.start, token_ids, cache, done), maximum_iterations=inputs.total_length
        )
        return {"token_ids": token_ids, "num_new_tokens": count_new_tokens(
            token_ids, prompt_lengths, index, max_new_tokens, stop_token_ids
        )}


def positive_float(value, name, at_most=None):
    """`value` as a float after checking it is a finite real number > 0 (and <= `at_most`); bools are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if at_most is not None and value > at_most:
        raise ValueError(f"{name} must be in (0, {at_most}], got {value!r}")
    return float(value)


def top_k_mask(logits, k):
    """True where a logit is at least the k-th largest of its row: ties at the k-th value are all kept, as
    transformers' `TopKLogitsWarper` does (so a row may keep more than k tokens)."""
    k = min(k, logits.shape[-1]) if logits.shape[-1] is not None else k
    kth = tf.math.top_k(logits, k=k).values[:, -1:]
    return logits >= kth


def prepare_buffer(prompt_ids, prompt_lengths, max_new_tokens, total_length, pad_token_id):
    """The `(batch, total_length)` token buffer (prompts, then padding), and the loop's first and end index."""
    prompt_ids = tf.cast(prompt_ids, tf.int32)
    prompt_lengths = tf.cast(prompt_lengths, tf.int32)
    prompt_length = tf.shape(prompt_ids)[1]
    positions = tf.range(prompt_length)[None, :]
    pad = tf.cast(pad_token_id, tf.int32)
    prompt_ids = tf.where(positions < prompt_lengths[:, None], prompt_ids, pad)
    token_ids = tf.pad(prompt_ids, [[0, 0], [0, total_length - prompt_length]], constant_values=pad)
    start = tf.reduce_min(prompt_lengths)
    end = tf.minimum(tf.reduce_max(prompt_lengths) + max_new_tokens, total_length)
    return token_ids, prompt_lengths, start, end


def count_new_tokens(token_ids, prompt_lengths, end_index, max_new_tokens, stop_token_ids):
    """Per row, tokens after the prompt up to and including the first stop token, at most `max_new_tokens`
    and not past `end_index` (the position the loop stopped at)."""
    total_length = tf.shape(token_ids)[1]
    positions = tf.range(total_length)[None, :]
    generated = tf.logical_and(positions >= prompt_lengths[:, None], positions < end_index)
    generated = tf.logical_and(generated, positions < (prompt_lengths + max_new_tokens)[:, None])
    is_stop = tf.reduce_any(token_ids[:, :, None] == stop_token_ids[None, None, :], axis=2)
    stop_seen_before = tf.cumsum(tf.cast(tf.logical_and(is_stop, generated), tf.int32), axis=1, exclusive=True)
    keep = tf.logical_and(generated, stop_seen_before == 0)
    return tf.reduce_sum(tf.cast(keep, tf.int32), axis=1)
