"""Greedy and beam search token-identical to transformers `generate()` on the tiny GPT-2 / T5 fixtures.

HF decoded each prompt alone; here the 3 prompts (lengths 3/5/8) run in ONE right-padded batch.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert.hf import load_task_model
from zoo.generation import BeamSampler, causal_lm_export_function, seq2seq_lm_export_function

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "models")
MODELS = ["gpt2_tiny", "t5_v1_0_tiny", "t5_v1_1_tiny"]
_LOADED = {}


def model_and_reference(name):
    if name not in _LOADED:
        directory = os.path.join(FIXTURES, name)
        _LOADED[name] = load_task_model(directory), np.load(os.path.join(directory, "reference.npz"))
    return _LOADED[name]


def expected(reference, key):
    return [reference[f"{key}_{k}"].tolist() for k in range(3)]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("eos_key", ["generation_eos_id", "greedy_eos_id"])
def test_greedy_matches_transformers_in_one_batch(name, eos_key):
    model, reference = model_and_reference(name)
    prompts = expected(reference, "greedy_prompt")
    assert len({len(p) for p in prompts}) == 3  # really different lengths in one batch
    outputs = model.generate(prompts, max_new_tokens=int(reference["max_new_tokens"]),
                             stop_token_ids=[int(reference[eos_key])], pad_token_id=int(reference["pad_token_id"]))
    key = "greedy_output" if eos_key == "generation_eos_id" else "greedy_eos_output"
    assert outputs == expected(reference, key)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("eos_key", ["generation_eos_id", "greedy_eos_id"])
def test_beam_search_matches_transformers_in_one_batch(name, eos_key):
    model, reference = model_and_reference(name)
    prompts = expected(reference, "greedy_prompt")
    lengths = np.array([len(p) for p in prompts])
    ids = np.zeros([3, lengths.max()], np.int32)
    for i, p in enumerate(prompts):
        ids[i, : len(p)] = p
    outputs = model.generate(
        {"token_ids": ids, "padding_mask": np.arange(ids.shape[1]) < lengths[:, None]},
        max_new_tokens=int(reference["max_new_tokens"]),
        sampler=BeamSampler(num_beams=int(reference["num_beams"]), length_penalty=1.0),
        stop_token_ids=[int(reference[eos_key])],
    )
    prefix = "beam" if eos_key == "generation_eos_id" else "beam_eos"
    for k, tokens in enumerate(expected(reference, f"{prefix}_output")):
        n = len(tokens)
        assert outputs["token_ids"][k, :n].tolist() == tokens
        assert not outputs["padding_mask"][k, n:].any()
        np.testing.assert_allclose(outputs["scores"][k], reference[f"{prefix}_score_{k}"], rtol=1e-4, atol=1e-5)


# early_stopping: setting key in early_stopping.npz -> (BeamSampler early_stopping, length_penalty).
EARLY_STOPPING = {"true": (True, 1.0), "false": (False, 1.0), "never": ("never", 1.5)}
# The setting whose references must differ from each one's on some prompt, so that the test tells them apart.
DIFFERENT_FROM = {"true": "false", "false": "true", "never": "false_lp15"}


def early_stopping_case(name, setting):
    """(model, prompts, eos id, max_new_tokens, sampler, HF's outputs) of one `early_stopping` setting."""
    model, _ = model_and_reference(name)
    reference = np.load(os.path.join(FIXTURES, name, "early_stopping.npz"))
    eos, limit = int(reference["eos_id"]), int(reference["max_new_tokens"])
    wanted = expected(reference, f"{setting}_output")
    assert wanted != expected(reference, f"{DIFFERENT_FROM[setting]}_output")
    if setting != "never":  # beams really finish early: every output ends with the EOS before the limit
        assert all(len(tokens) < limit and tokens[-1] == eos for tokens in wanted)
    early_stopping, length_penalty = EARLY_STOPPING[setting]
    sampler = BeamSampler(num_beams=int(reference["num_beams"]), length_penalty=length_penalty,
                          early_stopping=early_stopping)
    return model, expected(reference, "prompt"), eos, limit, sampler, wanted


@pytest.mark.parametrize("name", ["gpt2_tiny", "t5_v1_1_tiny"])
@pytest.mark.parametrize("setting", sorted(EARLY_STOPPING))
def test_beam_early_stopping_matches_transformers_in_one_batch(name, setting):
    model, prompts, eos, limit, sampler, wanted = early_stopping_case(name, setting)
    assert model.generate(prompts, max_new_tokens=limit, sampler=sampler, stop_token_ids=[eos]) == wanted


@pytest.mark.parametrize("name", ["gpt2_tiny", "t5_v1_1_tiny"])
def test_beam_early_stopping_in_the_serving_graph(name):
    """The exported decode loop (plain graph, no XLA, as TF Serving runs it) goes on as transformers does."""
    model, prompts, eos, limit, sampler, wanted = early_stopping_case(name, "false")
    export = causal_lm_export_function if name.startswith("gpt2") else seq2seq_lm_export_function
    function = export(model, sampler, max_prompt_length=8, max_new_tokens=limit, stop_token_ids=[eos])
    ids, lengths = np.zeros([3, 8], np.int32), np.array([len(prompt) for prompt in prompts])
    for i, prompt in enumerate(prompts):
        ids[i, : len(prompt)] = prompt
    outputs = function(tf.constant(ids), tf.constant(np.arange(8) < lengths[:, None]))
    counts = outputs["num_new_tokens"].numpy()
    assert [outputs["token_ids"][i, : counts[i]].numpy().tolist() for i in range(3)] == wanted
