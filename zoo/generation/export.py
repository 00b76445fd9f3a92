"""Decode loops as `tf.function`s with an input signature, for `tf.saved_model.save` / TF Serving.

The outer function (plain graph: input checks, padding, tokenization) calls the same `jit_compile=True`
decode loop that `generate` uses, with the prompt padded to a fixed `max_prompt_length` and a cache of
`max_prompt_length + max_new_tokens` positions.
"""

import tensorflow as tf

from zoo.generation.generate import (
    _seed,
    _stop_ids,
    causal_lm_decode_function,
    get_sampler,
    seq2seq_lm_decode_function,
)


def _gather_new_tokens(token_ids, starts, counts, max_new_tokens, pad_token_id):
    """`(batch, max_new_tokens)` new tokens from `(batch, total_length)` rows starting at `starts`."""
    total_length = tf.shape(token_ids)[-1]
    offsets = tf.range(max_new_tokens)[None, :]
    positions = tf.minimum(starts[:, None] + offsets, total_length - 1)
    new = tf.gather(token_ids, positions, batch_dims=1)
    return tf.where(offsets < counts[:, None], new, pad_token_id)


def _pad_prompts(token_ids, lengths, max_prompt_length, pad_token_id):
    token_ids = tf.convert_to_tensor(token_ids, tf.int32)
    checks = [
        tf.debugging.assert_less_equal(
            tf.shape(token_ids)[1], max_prompt_length,
            message=f"prompts must have at most max_prompt_length={max_prompt_length} tokens",
        ),
        tf.debugging.assert_positive(lengths, message="every prompt needs at least one token"),
        tf.debugging.assert_less_equal(
            lengths, tf.shape(token_ids)[1], message="lengths must not exceed the token_ids width"
        ),
    ]
    with tf.control_dependencies(checks):
        width = tf.shape(token_ids)[1]
        token_ids = tf.pad(token_ids, [[0, 0], [0, max_prompt_length - width]], constant_values=pad_token_id)
    return tf.ensure_shape(token_ids, [None, max_prompt_length])


def _outputs(outputs, starts, max_new_tokens, pad_token_id, sampler):
    token_ids, counts = outputs["token_ids"], outputs["num_new_tokens"]
    if sampler.num_beams > 1:  # the best hypothesis
        token_ids, counts = token_ids[:, 0], counts[:, 0]
    new = _gather_new_tokens(token_ids, starts, counts, max_new_tokens, pad_token_id)
    result = {"token_ids": new, "num_new_tokens": counts}
    if "scores" in outputs:
        result["scores"] = outputs["scores"][:, 0]
    return result


def _tokenize(tokenizer, strings, max_prompt_length):
    ids = tokenizer(strings)
    if isinstance(ids, dict):
        ids = ids["token_ids"]
    ids = tf.cast(ids[:, :max_prompt_length], tf.int32)
    return ids.to_tensor(shape=[None, max_prompt_length]), tf.cast(ids.row_lengths(), tf.int32)


def _detokenize(tokenizer, result):
    ragged = tf.RaggedTensor.from_tensor(result["token_ids"], lengths=result["num_new_tokens"])
    return tokenizer.detokenize(ragged)


def causal_lm_export_function(model, sampler="greedy", max_prompt_length=64, max_new_tokens=32,
                              stop_token_ids=None, pad_token_id=0, seed=0, tokenizer=None):
    """A `tf.function` with an input signature running `model`'s decode loop.

    Without `tokenizer`: `f(token_ids int32 (batch, <= max_prompt_length) right-padded, lengths int32 (batch,))`
    -> `{"token_ids": (batch, max_new_tokens) new tokens, padded, "num_new_tokens": (batch,)}` (+ `scores` for
    beam search). With `tokenizer` (a layer mapping strings to ragged ids, with `detokenize`):
    `f(strings (batch,))` -> `{"text": (batch,) generated text, ...}`.
    """
    sampler = get_sampler(sampler)
    limit = getattr(model.backbone, "max_sequence_length", None)
    total_length = max_prompt_length + max_new_tokens
    if max_new_tokens <= 0 or max_prompt_length <= 0:
        raise ValueError("max_prompt_length and max_new_tokens must be > 0")
    if limit is not None and total_length > limit:
        raise ValueError(
            f"max_prompt_length ({max_prompt_length}) + max_new_tokens ({max_new_tokens}) exceeds "
            f"max_sequence_length {limit}"
        )
    decode = causal_lm_decode_function(model, sampler)
    stop = tf.constant(_stop_ids(stop_token_ids))
    seed = tf.constant(_seed(seed))

    def run(token_ids, lengths):
        token_ids = _pad_prompts(token_ids, lengths, max_prompt_length, pad_token_id)
        outputs = decode(token_ids, lengths, tf.constant(max_new_tokens), stop, tf.constant(pad_token_id), seed,
                         total_length)
        return _outputs(outputs, lengths, max_new_tokens, pad_token_id, sampler)

    return _with_signature(run, tokenizer, max_prompt_length)


def seq2seq_lm_export_function(model, sampler="greedy", max_prompt_length=64, max_new_tokens=32,
                               stop_token_ids=(1,), pad_token_id=0, decoder_start_token_id=0, seed=0,
                               tokenizer=None):
    """Like `causal_lm_export_function` for a `Seq2SeqLM`: `f(token_ids, lengths)` are encoder inputs."""
    sampler = get_sampler(sampler)
    if max_new_tokens <= 0 or max_prompt_length <= 0:
        raise ValueError("max_prompt_length and max_new_tokens must be > 0")
    decode = seq2seq_lm_decode_function(model, sampler)
    stop = tf.constant(_stop_ids(stop_token_ids))
    seed = tf.constant(_seed(seed))

    def run(token_ids, lengths):
        token_ids = _pad_prompts(token_ids, lengths, max_prompt_length, pad_token_id)
        mask = tf.range(max_prompt_length)[None, :] < lengths[:, None]
        outputs = decode(token_ids, mask, tf.constant(max_new_tokens), stop, tf.constant(pad_token_id),
                         tf.constant(decoder_start_token_id), seed, 1 + max_new_tokens)
        starts = tf.ones_like(lengths)
        return _outputs(outputs, starts, max_new_tokens, pad_token_id, sampler)

    return _with_signature(run, tokenizer, max_prompt_length)


def _with_signature(run, tokenizer, max_prompt_length):
    """`run(token_ids, lengths)` as a `tf.function` with an input signature: ids and lengths, or raw strings
    (tokenized in the graph, with the new tokens detokenized into `text`) when a tokenizer is given."""
    if tokenizer is None:
        signature = [tf.TensorSpec([None, None], tf.int32, "token_ids"), tf.TensorSpec([None], tf.int32, "lengths")]
        return tf.function(run, input_signature=signature)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, "inputs")])
    def generate_text(strings):
        token_ids, lengths = _tokenize(tokenizer, strings, max_prompt_length)
        result = run(token_ids, lengths)
        result["text"] = _detokenize(tokenizer, result)
        return result

    return generate_text
