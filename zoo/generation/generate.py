"""`generate` for causal and encoder-decoder LMs: prepared prompts, one compiled decode loop per model, sampler
and length bucket, and the new tokens back as lists, arrays or text."""

import weakref

import numpy as np
import tensorflow as tf

from zoo.generation.decode import causal_lm_decode_function, loop_arguments, seq2seq_lm_decode_function
from zoo.generation.outputs import new_tokens, to_python
from zoo.generation.prompts import bucket, positive_int, prepare_prompts
from zoo.generation.registry import get_sampler

# model -> {(model kind, sampler key): tf.function}; weak so that compiled loops die with their model.
_COMPILED = weakref.WeakKeyDictionary()


def _compiled(model, kind, sampler, build):
    functions = _COMPILED.setdefault(model, {})
    key = (kind, sampler.cache_key())
    if key not in functions:
        functions[key] = build(model, sampler)
    return functions[key]


def causal_lm_generate(model, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=None, seed=None,
                       pad_token_id=0, preprocessor=None):
    """See `CausalLM.generate`."""
    max_new_tokens = positive_int(max_new_tokens, "max_new_tokens")
    sampler = get_sampler(sampler)
    limit = getattr(model.backbone, "max_sequence_length", None)
    prompts = prepare_prompts(inputs, preprocessor, model.backbone.vocabulary_size, limit, pad_token_id,
                              max_new_tokens=max_new_tokens)
    decode = _compiled(model, "causal", sampler, causal_lm_decode_function)
    outputs = decode(
        tf.constant(prompts.token_ids), tf.constant(prompts.lengths),
        total_length=bucket(prompts.token_ids.shape[1] + max_new_tokens, limit=limit),
        **loop_arguments(max_new_tokens, stop_token_ids, pad_token_id, seed),
    )
    result = new_tokens(outputs, prompts.lengths, max_new_tokens, pad_token_id)
    return to_python(result, prompts.as_lists, preprocessor if prompts.strings else None)


def seq2seq_lm_generate(model, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=(1,), seed=None,
                        pad_token_id=0, decoder_start_token_id=0, preprocessor=None):
    """See `Seq2SeqLM.generate`."""
    max_new_tokens = positive_int(max_new_tokens, "max_new_tokens")
    sampler = get_sampler(sampler)
    limit = getattr(model.backbone, "max_sequence_length", None)
    prompts = prepare_prompts(inputs, preprocessor, model.backbone.vocabulary_size, limit, pad_token_id)
    decode = _compiled(model, "seq2seq", sampler, seq2seq_lm_decode_function)
    outputs = decode(
        tf.constant(prompts.token_ids), tf.constant(prompts.padding_mask),
        decoder_start_token_id=tf.constant(decoder_start_token_id, tf.int32),
        total_length=bucket(1 + max_new_tokens),
        **loop_arguments(max_new_tokens, stop_token_ids, pad_token_id, seed),
    )
    starts = np.ones_like(prompts.lengths)  # new tokens follow the decoder start token
    result = new_tokens(outputs, starts, max_new_tokens, pad_token_id)
    return to_python(result, prompts.as_lists, preprocessor if prompts.strings else None)


def compiled_decode_functions(model):
    """The compiled decode loops `generate` has built for `model`, by (model kind, sampler key), for tracing
    checks."""
    return dict(_COMPILED.get(model, {}))
