"""The decode loops: one `tf.function` per model kind, driving a sampler over the model's cache, compiled with
XLA unless `xla=False`. `generate` calls them with bucketed shapes (XLA), the exported functions with fixed ones
(without XLA by default: TF Serving runs with XLA compilation disabled)."""

import numpy as np
import tensorflow as tf

from zoo.generation.registry import get_sampler


def loop_arguments(max_new_tokens, stop_token_ids, pad_token_id, seed):
    """The tensor arguments every decode loop takes, by name: `max_new_tokens`, `stop_token_ids` (an int, a
    sequence or None), `pad_token_id` and `seed` (an int, or None for fresh randomness on every call; two
    int32 words for the stateless ops, so seeds s and s + 2**31 differ)."""
    if stop_token_ids is None:
        stop_token_ids = []
    elif isinstance(stop_token_ids, (int, np.integer)):
        stop_token_ids = [stop_token_ids]
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(2, np.uint64)[0])  # OS entropy, new per call
    seed = int(seed)
    return {
        "max_new_tokens": tf.constant(max_new_tokens, tf.int32),
        "stop_token_ids": tf.constant(np.asarray(list(stop_token_ids), np.int32).reshape([-1])),
        "pad_token_id": tf.constant(pad_token_id, tf.int32),
        "seed": tf.constant(np.array([seed & 0x7FFFFFFF, (seed >> 31) & 0x7FFFFFFF], np.int32)),
    }


def causal_lm_decode_function(model, sampler, xla=True):
    """The loop `f(prompt_ids, prompt_lengths, max_new_tokens, stop_token_ids, pad_token_id, seed,
    total_length)` of a `CausalLM` (`total_length` a python int: one trace per shape bucket), XLA-compiled
    when `xla`."""
    sampler = get_sampler(sampler)

    def decode(prompt_ids, prompt_lengths, max_new_tokens, stop_token_ids, pad_token_id, seed, total_length):
        decode.trace_count += 1
        batch = tf.shape(prompt_ids)[0]
        cache = model.init_cache(batch * sampler.num_beams, total_length)
        constants = model.decoding_constants()  # computed once, outside the loop

        def next_fn(token_ids, cache, index):
            return model.next(token_ids, cache, index, **constants)

        return sampler(
            next_fn, prompt_ids, prompt_lengths, cache, max_new_tokens, total_length,
            stop_token_ids, pad_token_id, seed,
        )

    decode.trace_count = 0
    return tf.function(decode, jit_compile=True if xla else None, reduce_retracing=False)


def seq2seq_lm_decode_function(model, sampler, xla=True):
    """The loop `f(encoder_token_ids, encoder_padding_mask, max_new_tokens, stop_token_ids, pad_token_id,
    decoder_start_token_id, seed, total_length)` of a `Seq2SeqLM` (XLA-compiled when `xla`): encoder pass,
    cross-attention cache, then the sampler's decoder loop."""
    sampler = get_sampler(sampler)

    def decode(encoder_token_ids, encoder_padding_mask, max_new_tokens, stop_token_ids, pad_token_id,
               decoder_start_token_id, seed, total_length):
        decode.trace_count += 1
        batch = tf.shape(encoder_token_ids)[0]
        encoder_output = model.encode(encoder_token_ids, encoder_padding_mask)
        cache = model.init_cache(encoder_output, total_length)
        constants = model.decoding_constants()  # computed once, outside the loop
        # Only the self-attention cache (one row per beam) is loop state. The cross-attention keys/values stay
        # one row per source, loop constants: the decoder attends the `num_beams` rows of a source together,
        # and beam reordering (within a source) leaves them as they are.
        cross = cache["cross"]
        self_cache = cache["self"]
        if sampler.num_beams > 1:
            self_cache = tf.nest.map_structure(lambda empty: tf.repeat(empty, sampler.num_beams, axis=0),
                                               self_cache)

        def next_fn(token_ids, self_cache, index):
            logits, cache = model.decode(token_ids, encoder_output, encoder_padding_mask,
                                         cache={"self": self_cache, "cross": cross}, cache_update_index=index,
                                         **constants)
            return logits[:, -1, :], cache["self"]

        start = tf.fill([batch, 1], tf.cast(decoder_start_token_id, tf.int32))
        return sampler(
            next_fn, start, tf.ones([batch], tf.int32), self_cache, max_new_tokens, total_length,
            stop_token_ids, pad_token_id, seed,
        )

    decode.trace_count = 0
    return tf.function(decode, jit_compile=True if xla else None, reduce_retracing=False)
