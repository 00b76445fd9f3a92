"""Sampler token choice: greedy argmax, top-k / top-p never leave the allowed set, seeds are reproducible."""

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from zoo.generation import BeamSampler, GreedySampler, TemperatureSampler, TopKSampler, TopPSampler, get_sampler

LOGITS = np.random.default_rng(0).normal(scale=3.0, size=(4, 50)).astype("float32")


def draw(sampler, seeds=200):
    draw_fn = tf.function(lambda seed: sampler.get_next_token(tf.constant(LOGITS), seed), jit_compile=True)
    return np.stack([draw_fn(tf.constant([s, 7])).numpy() for s in range(seeds)])  # (seeds, batch)


def top_p_sets(logits, p, temperature=1.0):
    allowed = []
    for row in logits / temperature:
        probabilities = np.exp(row - row.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-probabilities)
        before = np.cumsum(probabilities[order]) - probabilities[order]
        allowed.append(set(order[before < p].tolist()))
    return allowed


def test_greedy_is_argmax():
    assert draw(GreedySampler(), seeds=3).tolist() == [np.argmax(LOGITS, -1).tolist()] * 3


@pytest.mark.parametrize("k", [1, 3, 10])
def test_top_k_stays_in_top_k(k):
    tokens = draw(TopKSampler(k=k, temperature=1.5))
    for row in range(LOGITS.shape[0]):
        allowed = set(np.argsort(-LOGITS[row])[:k].tolist())
        assert set(tokens[:, row].tolist()) <= allowed
        if k > 1:
            assert len(set(tokens[:, row].tolist())) > 1  # it does sample


@pytest.mark.parametrize("p,k", [(0.5, None), (0.9, None), (0.9, 20)])
def test_top_p_stays_in_nucleus(p, k):
    tokens = draw(TopPSampler(p=p, temperature=1.2, k=k))
    for row, allowed in enumerate(top_p_sets(LOGITS, p, temperature=1.2)):
        assert set(tokens[:, row].tolist()) <= allowed
    assert any(len(set(tokens[:, row].tolist())) > 1 for row in range(LOGITS.shape[0]))


def test_temperature_sampling_follows_the_distribution():
    tokens = draw(TemperatureSampler(temperature=0.5), seeds=400)
    most_likely = np.argmax(LOGITS, -1)
    # With temperature 0.5 the argmax dominates, yet other tokens appear.
    assert (tokens == most_likely).mean() > 0.4
    assert (tokens != most_likely).any()


def test_same_seed_same_tokens():
    sampler = TopKSampler(k=10)
    assert np.array_equal(draw(sampler, seeds=5), draw(sampler, seeds=5))


@pytest.mark.parametrize(
    "make",
    [lambda: TopKSampler(k=0), lambda: TopPSampler(p=0.0), lambda: TopPSampler(p=1.5),
     lambda: TemperatureSampler(temperature=0.0), lambda: BeamSampler(num_beams=0),
     lambda: BeamSampler(num_beams=2, num_return_sequences=3), lambda: get_sampler("nucleus")],
)
def test_bad_sampler_arguments(make):
    with pytest.raises(ValueError):
        make()
