"""Decode loops as `tf.function`s with an input signature, for `tf.saved_model.save` / TF Serving.

The outer function (plain graph: input checks, padding, tokenization) calls the decode loop that `generate`
uses, without XLA unless `xla=True` (TF Serving disables XLA unless started with
`--xla_cpu_compilation_enabled=true`), with the prompt padded to a fixed `max_prompt_length` and a cache of
`max_prompt_length + max_new_tokens` positions. Prompt preparation and the new-token slicing are the ones
`generate` uses (`zoo.generation.prompts`, `zoo.generation.outputs`), run in the graph.
"""

import tensorflow as tf

from zoo.generation.decode import causal_lm_decode_function, loop_arguments, seq2seq_lm_decode_function
from zoo.generation.outputs import best, detokenize, new_tokens
from zoo.generation.prompts import check_fits, pad_prompts, positive_int, tokenize
from zoo.generation.registry import get_sampler


def causal_lm_export_function(model, sampler="greedy", max_prompt_length=64, max_new_tokens=32,
                              stop_token_ids=None, pad_token_id=0, seed=0, tokenizer=None, xla=False):
    """A `tf.function` with an input signature running `model`'s decode loop.

    Without `tokenizer`: `f(token_ids int32 (batch, <= max_prompt_length), padding_mask bool (same shape))`,
    right-padded like a preprocessor's output -> `{"token_ids": (batch, max_new_tokens) new tokens, padded,
    "num_new_tokens": (batch,)}` (+ `scores` of the best hypothesis for beam search). With `tokenizer` (a
    layer mapping strings to ids, with `detokenize`): `f(inputs strings (batch,))` -> the same plus
    `{"text": (batch,) generated text}`; prompts longer than `max_prompt_length` are cut to it. `xla`: compile
    the decode loop with XLA (then random samplers draw as `generate` does; without XLA, TF's stateless random
    ops draw other numbers for the same seed).
    """
    sampler = get_sampler(sampler)
    max_prompt_length = positive_int(max_prompt_length, "max_prompt_length")
    max_new_tokens = positive_int(max_new_tokens, "max_new_tokens")
    check_fits("max_prompt_length", max_prompt_length, max_new_tokens,
               getattr(model.backbone, "max_sequence_length", None))
    decode = causal_lm_decode_function(model, sampler, xla=xla)
    arguments = loop_arguments(max_new_tokens, stop_token_ids, pad_token_id, seed)

    def run(token_ids, padding_mask):
        token_ids, lengths = pad_prompts(token_ids, padding_mask, max_prompt_length, pad_token_id,
                                         model.backbone.vocabulary_size)
        outputs = decode(token_ids, lengths, total_length=max_prompt_length + max_new_tokens, **arguments)
        return best(new_tokens(outputs, lengths, max_new_tokens, pad_token_id))

    return _with_signature(run, tokenizer, max_prompt_length)


def seq2seq_lm_export_function(model, sampler="greedy", max_prompt_length=64, max_new_tokens=32,
                               stop_token_ids=(1,), pad_token_id=0, decoder_start_token_id=0, seed=0,
                               tokenizer=None, xla=False):
    """Like `causal_lm_export_function` for a `Seq2SeqLM`: `f(token_ids, padding_mask)` are the encoder
    inputs (`encoder_token_ids`, `encoder_padding_mask` of the model)."""
    sampler = get_sampler(sampler)
    max_prompt_length = positive_int(max_prompt_length, "max_prompt_length")
    max_new_tokens = positive_int(max_new_tokens, "max_new_tokens")
    decode = seq2seq_lm_decode_function(model, sampler, xla=xla)
    arguments = loop_arguments(max_new_tokens, stop_token_ids, pad_token_id, seed)

    def run(token_ids, padding_mask):
        token_ids, lengths = pad_prompts(token_ids, padding_mask, max_prompt_length, pad_token_id,
                                         model.backbone.vocabulary_size)
        mask = tf.range(max_prompt_length)[None, :] < lengths[:, None]
        outputs = decode(token_ids, mask, decoder_start_token_id=tf.constant(decoder_start_token_id, tf.int32),
                         total_length=1 + max_new_tokens, **arguments)
        starts = tf.ones_like(lengths)  # new tokens follow the decoder start token
        return best(new_tokens(outputs, starts, max_new_tokens, pad_token_id))

    return _with_signature(run, tokenizer, max_prompt_length)


def _with_signature(run, tokenizer, max_prompt_length):
    """`run(token_ids, padding_mask)` as a `tf.function` with an input signature: ids and their padding mask,
    or raw strings (tokenized in the graph, with the new tokens detokenized into `text`) when a tokenizer is
    given."""
    if tokenizer is None:
        signature = [tf.TensorSpec([None, None], tf.int32, "token_ids"),
                     tf.TensorSpec([None, None], tf.bool, "padding_mask")]
        return tf.function(run, input_signature=signature)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, "inputs")])
    def generate_text(strings):
        token_ids, padding_mask = tokenize(tokenizer, strings)
        result = run(token_ids[:, :max_prompt_length], padding_mask[:, :max_prompt_length])
        result["text"] = detokenize(tokenizer, result["token_ids"], result["num_new_tokens"])
        return result

    return generate_text
