"""Greedy and beam search token-identical to transformers `generate()` on the tiny GPT-2 / T5 fixtures.

HF decoded each prompt alone; here the 3 prompts (lengths 3/5/8) run in ONE right-padded batch.
"""

import os

import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert.hf import load_task_model
from zoo.generation import BeamSampler

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
