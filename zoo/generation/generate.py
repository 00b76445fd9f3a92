"""`generate` for causal and encoder-decoder LMs: input checks, length buckets, one compiled loop per bucket,
and exportable decode functions with an input signature."""

import weakref

import numpy as np
import tensorflow as tf

from zoo.generation.beam import BeamSampler
from zoo.generation.greedy import GreedySampler
from zoo.generation.random import TemperatureSampler
from zoo.generation.sampler import Sampler
from zoo.generation.top_k import TopKSampler
from zoo.generation.top_p import TopPSampler

#: Prompt and cache lengths are rounded up to a multiple of this, so calls within a bucket reuse one trace.
LENGTH_BUCKET = 16

_SAMPLERS = {
    "greedy": GreedySampler,
    "temperature": TemperatureSampler,
    "random": TemperatureSampler,
    "top_k": TopKSampler,
    "top_p": TopPSampler,
    "beam": BeamSampler,
}

# model -> {sampler key: tf.function}; weak so that compiled loops die with their model.
_COMPILED = weakref.WeakKeyDictionary()


def get_sampler(sampler):
    """A `Sampler` from an instance or a name ("greedy", "temperature", "top_k", "top_p", "beam")."""
    if isinstance(sampler, Sampler):
        return sampler
    if isinstance(sampler, str) and sampler in _SAMPLERS:
        if sampler == "top_k":
            return TopKSampler(k=50)
        if sampler == "top_p":
            return TopPSampler(p=0.9)
        return _SAMPLERS[sampler]()
    raise ValueError(f"sampler must be a Sampler or one of {sorted(_SAMPLERS)}, got {sampler!r}")


def bucket(length, multiple=LENGTH_BUCKET, limit=None):
    """`length` rounded up to a multiple of `multiple`, but not beyond `limit`."""
    rounded = max(multiple, -(-int(length) // multiple) * multiple)
    return rounded if limit is None else min(rounded, limit)


def _check_max_new_tokens(max_new_tokens):
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, (int, np.integer)):
        raise ValueError(f"max_new_tokens must be a positive int, got {max_new_tokens!r}")
    if max_new_tokens <= 0:
        raise ValueError(f"max_new_tokens must be > 0, got {max_new_tokens}")
    return int(max_new_tokens)


def _stop_ids(stop_token_ids):
    if stop_token_ids is None:
        return np.zeros([0], np.int32)
    if isinstance(stop_token_ids, (int, np.integer)):
        stop_token_ids = [stop_token_ids]
    return np.asarray(list(stop_token_ids), np.int32).reshape([-1])


def _seed(seed):
    seed = 0 if seed is None else int(seed)
    return np.array([seed & 0x7FFFFFFF, (seed >> 31) & 0x7FFFFFFF], np.int32)


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


def _check_vocabulary(ids, lengths, vocabulary_size, name):
    for i, length in enumerate(lengths):
        row = ids[i, :length]
        bad = row[(row < 0) | (row >= vocabulary_size)]
        if bad.size:
            raise ValueError(f"{name}: prompt {i} holds token id {int(bad[0])} outside [0, {vocabulary_size})")


def _compiled(model, key, build):
    functions = _COMPILED.setdefault(model, {})
    if key not in functions:
        functions[key] = build()
    return functions[key]


def causal_lm_decode_function(model, sampler):
    """The compiled loop `f(prompt_ids, prompt_lengths, max_new_tokens, stop_token_ids, pad_token_id, seed,
    total_length)` of a `CausalLM` (`total_length` a python int: one trace per shape bucket)."""
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
    function = tf.function(decode, jit_compile=True, reduce_retracing=False)
    return function


def seq2seq_lm_decode_function(model, sampler):
    """The compiled loop `f(encoder_token_ids, encoder_padding_mask, max_new_tokens, stop_token_ids,
    pad_token_id, decoder_start_token_id, seed, total_length)` of a `Seq2SeqLM`: encoder pass, cross-attention
    cache, then the sampler's decoder loop."""
    sampler = get_sampler(sampler)

    def decode(encoder_token_ids, encoder_padding_mask, max_new_tokens, stop_token_ids, pad_token_id,
               decoder_start_token_id, seed, total_length):
        decode.trace_count += 1
        batch = tf.shape(encoder_token_ids)[0]
        encoder_output = model.encode(encoder_token_ids, encoder_padding_mask)
        if sampler.num_beams > 1:
            encoder_output = tf.repeat(encoder_output, sampler.num_beams, axis=0)
            encoder_padding_mask = tf.repeat(encoder_padding_mask, sampler.num_beams, axis=0)
        cache = model.init_cache(encoder_output, total_length)
        constants = model.decoding_constants()  # computed once, outside the loop

        def next_fn(token_ids, cache, index):
            logits, cache = model.decode(token_ids, encoder_output, encoder_padding_mask, cache=cache,
                                         cache_update_index=index, **constants)
            return logits[:, -1, :], cache

        start = tf.fill([batch, 1], tf.cast(decoder_start_token_id, tf.int32))
        return sampler(
            next_fn, start, tf.ones([batch], tf.int32), cache, max_new_tokens, total_length,
            stop_token_ids, pad_token_id, seed,
        )

    decode.trace_count = 0
    function = tf.function(decode, jit_compile=True, reduce_retracing=False)
    return function


def _new_tokens(outputs, prompt_lengths, max_new_tokens, pad_token_id, beam):
    """Slices the new tokens out of the loop's buffer: `(batch[, n], max_new_tokens)` padded, and counts."""
    token_ids = outputs["token_ids"].numpy()
    counts = outputs["num_new_tokens"].numpy()
    if not beam:
        token_ids, counts = token_ids[:, None], counts[:, None]
    batch, n, _ = token_ids.shape
    new = np.full([batch, n, max_new_tokens], pad_token_id, np.int32)
    for i in range(batch):
        for j in range(n):
            start = prompt_lengths[i]
            new[i, j, : counts[i, j]] = token_ids[i, j, start : start + counts[i, j]]
    return new, counts


def _format(new, counts, as_lists, beam, scores=None):
    if as_lists:
        rows = [[new[i, j, : counts[i, j]].tolist() for j in range(new.shape[1])] for i in range(new.shape[0])]
        if beam and new.shape[1] > 1:
            return rows
        return [row[0] for row in rows]
    if not beam or new.shape[1] == 1:
        new, counts = new[:, 0], counts[:, 0]
        scores = None if scores is None else scores[:, 0]
    result = {"token_ids": new, "padding_mask": np.arange(new.shape[-1]) < counts[..., None]}
    if scores is not None:
        result["scores"] = scores
    return result


def _tokenize(preprocessor, inputs):
    """Raw strings through a tokenizer/preprocessor into (ids, lengths), or None when the input is ids."""
    strings = isinstance(inputs, str) or (
        isinstance(inputs, (list, tuple)) and inputs and all(isinstance(x, str) for x in inputs)
    )
    if not strings:
        return None
    if preprocessor is None:
        raise ValueError("generate: got strings but no `preprocessor`/tokenizer to turn them into token ids")
    texts = [inputs] if isinstance(inputs, str) else list(inputs)
    ids = preprocessor(tf.constant(texts))
    if isinstance(ids, tuple):  # (x, labels, sample_weight) from a preprocessor given targets
        ids = ids[0]
    if isinstance(ids, dict):  # a preprocessor: packed ids with a padding mask (GPT: token_ids, T5: encoder_*)
        prefix = "encoder_" if "encoder_token_ids" in ids else ""
        packed = {"token_ids": np.asarray(ids[prefix + "token_ids"]),
                  "padding_mask": np.asarray(ids[prefix + "padding_mask"])}
        return to_padded(packed, "inputs")
    if isinstance(ids, tf.RaggedTensor):
        ids = ids.to_list()
    return to_padded(ids if isinstance(ids, list) else np.asarray(ids), "inputs")


def _detokenize(preprocessor, rows):
    detokenize = getattr(preprocessor, "detokenize", None) or preprocessor.tokenizer.detokenize
    texts = detokenize(tf.ragged.constant(rows, dtype=tf.int32, row_splits_dtype=tf.int64))
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in np.asarray(texts).tolist()]


def causal_lm_generate(model, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=None, seed=None,
                       pad_token_id=0, preprocessor=None):
    """See `CausalLM.generate`."""
    max_new_tokens = _check_max_new_tokens(max_new_tokens)
    sampler = get_sampler(sampler)
    tokenized = _tokenize(preprocessor, inputs)
    strings = tokenized is not None
    ids, lengths = tokenized if strings else to_padded(inputs)
    as_lists = strings or isinstance(inputs, (list, tuple))
    backbone = model.backbone
    _check_vocabulary(ids, lengths, backbone.vocabulary_size, "inputs")
    limit = getattr(backbone, "max_sequence_length", None)
    longest = int(lengths.max())
    if limit is not None and longest > limit:
        raise ValueError(f"inputs: a prompt has {longest} tokens, longer than max_sequence_length {limit}")
    if limit is not None and longest + max_new_tokens > limit:
        raise ValueError(
            f"inputs: longest prompt ({longest} tokens) + max_new_tokens ({max_new_tokens}) exceeds "
            f"max_sequence_length {limit}"
        )
    prompt_length = bucket(longest, limit=limit)
    total_length = bucket(prompt_length + max_new_tokens, limit=limit)
    ids = np.pad(ids, [[0, 0], [0, prompt_length - ids.shape[1]]], constant_values=pad_token_id)
    function = _compiled(model, ("causal", sampler.cache_key()), lambda: causal_lm_decode_function(model, sampler))
    outputs = function(
        tf.constant(ids), tf.constant(lengths), tf.constant(max_new_tokens, tf.int32),
        tf.constant(_stop_ids(stop_token_ids)), tf.constant(pad_token_id, tf.int32), tf.constant(_seed(seed)),
        total_length,
    )
    return _results(outputs, lengths, max_new_tokens, pad_token_id, sampler, as_lists,
                    preprocessor if strings else None)


def seq2seq_lm_generate(model, inputs, max_new_tokens=32, sampler="greedy", stop_token_ids=(1,), seed=None,
                        pad_token_id=0, decoder_start_token_id=0, preprocessor=None):
    """See `Seq2SeqLM.generate`."""
    max_new_tokens = _check_max_new_tokens(max_new_tokens)
    sampler = get_sampler(sampler)
    tokenized = _tokenize(preprocessor, inputs)
    strings = tokenized is not None
    ids, lengths = tokenized if strings else to_padded(inputs)
    as_lists = strings or isinstance(inputs, (list, tuple))
    _check_vocabulary(ids, lengths, model.backbone.vocabulary_size, "inputs")
    limit = getattr(model.backbone, "max_sequence_length", None)
    if limit is not None and int(lengths.max()) > limit:
        raise ValueError(
            f"inputs: a prompt has {int(lengths.max())} tokens, longer than max_sequence_length {limit}"
        )
    encoder_length = bucket(ids.shape[1])
    ids = np.pad(ids, [[0, 0], [0, encoder_length - ids.shape[1]]], constant_values=pad_token_id)
    mask = np.arange(encoder_length)[None, :] < lengths[:, None]
    total_length = bucket(1 + max_new_tokens)
    function = _compiled(model, ("seq2seq", sampler.cache_key()), lambda: seq2seq_lm_decode_function(model, sampler))
    outputs = function(
        tf.constant(ids), tf.constant(mask), tf.constant(max_new_tokens, tf.int32),
        tf.constant(_stop_ids(stop_token_ids)), tf.constant(pad_token_id, tf.int32),
        tf.constant(decoder_start_token_id, tf.int32), tf.constant(_seed(seed)), total_length,
    )
    starts = np.ones(len(lengths), np.int32)  # new tokens follow the decoder start token
    return _results(outputs, starts, max_new_tokens, pad_token_id, sampler, as_lists,
                    preprocessor if strings else None)


def _results(outputs, starts, max_new_tokens, pad_token_id, sampler, as_lists, preprocessor):
    """The new tokens after `starts` as arrays or lists (n-best lists for beam search), or texts when a
    `preprocessor` detokenizes them."""
    beam = isinstance(sampler, BeamSampler)
    new, counts = _new_tokens(outputs, starts, max_new_tokens, pad_token_id, beam)
    result = _format(new, counts, as_lists, beam, outputs["scores"].numpy() if beam else None)
    if preprocessor is None:
        return result
    n_best = beam and new.shape[1] > 1
    texts = _detokenize(preprocessor, [seq for row in result for seq in row] if n_best else result)
    if n_best:
        return [texts[i * new.shape[1] : (i + 1) * new.shape[1]] for i in range(new.shape[0])]
    return texts


def compiled_decode_functions(model):
    """The compiled decode loops `generate` has built for `model`, by sampler (for tracing checks)."""
    return dict(_COMPILED.get(model, {}))
