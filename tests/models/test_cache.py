"""Cached decoding equals full recomputation, step by step, for GPT and the T5 decoder."""

import numpy as np

import zoo  # noqa: F401
import keras

from tests.parity import assert_close
from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone


def t5_inputs(rng, masked_from, decoder_shape):
    """Two sources of 7 tokens (the second padded from `masked_from`) and random decoder ids."""
    encoder_ids = rng.integers(2, 1000, size=(2, 7)).astype("int32")
    encoder_mask = np.ones((2, 7), bool)
    encoder_mask[1, masked_from:] = False
    return encoder_ids, encoder_mask, rng.integers(2, 1000, size=decoder_shape).astype("int32")


def full_logits(model, encoder_ids, encoder_mask, decoder_ids):
    """Logits of one uncached forward pass, each source repeated for its consecutive decoder rows."""
    rows = len(decoder_ids) // len(encoder_ids)
    return keras.ops.convert_to_numpy(model({
        "encoder_token_ids": np.repeat(encoder_ids, rows, axis=0),
        "encoder_padding_mask": np.repeat(encoder_mask, rows, axis=0), "decoder_token_ids": decoder_ids,
    }))


def test_gpt_cached_decoding_matches_full_recomputation():
    keras.utils.set_random_seed(3)
    model = CausalLM(GPTBackbone.from_preset("gpt_tiny", dropout=0.0))
    ids = np.random.default_rng(0).integers(1, 1000, size=(2, 9)).astype("int32")
    full = keras.ops.convert_to_numpy(model({"token_ids": ids}))  # (batch, 9, vocab)
    cache = model.init_cache(batch_size=2, max_length=12)
    # Prefill 4 tokens, then decode one token at a time.
    logits, cache = model({"token_ids": ids[:, :4]}, cache=cache, cache_update_index=0)
    assert_close(logits, full[:, :4], what="prefill")
    for index in range(4, 9):
        step_logits, cache = model.next(ids[:, index : index + 1], cache, index)
        assert_close(step_logits, full[:, index], what=f"step {index}")


def test_t5_cached_decoding_matches_full_recomputation():
    keras.utils.set_random_seed(4)
    model = Seq2SeqLM(T5Backbone.from_preset("t5_v1_1_tiny", dropout=0.0))
    encoder_ids, encoder_mask, decoder_ids = t5_inputs(np.random.default_rng(1), 5, (2, 6))
    full = full_logits(model, encoder_ids, encoder_mask, decoder_ids)
    encoder_output = model.encode(encoder_ids, encoder_mask)
    cache = model.init_cache(encoder_output, max_length=8)
    for index in range(6):
        logits, cache = model.decode(decoder_ids[:, index : index + 1], encoder_output, encoder_mask,
                                     cache=cache, cache_update_index=index)
        assert_close(keras.ops.convert_to_numpy(logits)[:, 0], full[:, index], what=f"step {index}")


def test_t5_v1_0_prefill_matches_full_recomputation():
    keras.utils.set_random_seed(5)
    model = Seq2SeqLM(T5Backbone.from_preset("t5_tiny", dropout=0.0))
    ids = np.random.default_rng(2).integers(2, 1000, size=(1, 5)).astype("int32")
    mask = np.ones_like(ids, bool)
    full = keras.ops.convert_to_numpy(model({"encoder_token_ids": ids, "encoder_padding_mask": mask,
                                             "decoder_token_ids": ids}))
    encoder_output = model.encode(ids, mask)
    cache = model.init_cache(encoder_output, max_length=7)
    logits, _ = model.decode(ids, encoder_output, mask, cache=cache, cache_update_index=0)
    assert_close(logits, full, what="prefill")


def test_t5_decoder_rows_grouped_per_source_attend_their_own_source():
    # Beam search: 3 decoder rows per source, cross-attention keys/values computed once per source. Each row
    # must equal full recomputation with its source repeated (rows grouped source-major, as beams are).
    keras.utils.set_random_seed(6)
    model = Seq2SeqLM(T5Backbone.from_preset("t5_tiny", dropout=0.0))
    encoder_ids, encoder_mask, decoder_ids = t5_inputs(np.random.default_rng(3), 4, (6, 5))
    full = full_logits(model, encoder_ids, encoder_mask, decoder_ids)
    encoder_output = model.encode(encoder_ids, encoder_mask)
    cache = model.init_cache(encoder_output, max_length=8)
    cache = {"self": keras.tree.map_structure(lambda empty: keras.ops.repeat(empty, 3, axis=0), cache["self"]),
             "cross": cache["cross"]}
    logits, cache = model.decode(decoder_ids[:, :2], encoder_output, encoder_mask, cache=cache,
                                 cache_update_index=0)  # prefill two tokens per row
    assert_close(logits, full[:, :2], what="prefill")
    for index in range(2, 5):
        logits, cache = model.decode(decoder_ids[:, index : index + 1], encoder_output, encoder_mask,
                                     cache=cache, cache_update_index=index)
        assert_close(keras.ops.convert_to_numpy(logits)[:, 0], full[:, index], what=f"step {index}")
