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


@pytest.mark.parametrize("scale,nucleus_size", [(8.0, "small"), (0.3, "large")])
def test_top_p_takes_the_exact_nucleus_without_a_full_sort_when_candidates_suffice(scale, nucleus_size):
    """Peaked logits (nucleus among the first 64 candidates) and flat ones (full sort): the same tokens as a
    sampler that sorts the whole vocabulary (`k=vocabulary`), seed by seed, and never outside the nucleus."""
    logits = tf.constant(np.random.default_rng(1).normal(scale=scale, size=(3, 500)).astype("float32"))
    sets = top_p_sets(logits.numpy(), 0.9)
    assert all((len(allowed) < 64) == (nucleus_size == "small") for allowed in sets)
    exact, full_sort = TopPSampler(p=0.9), TopPSampler(p=0.9, k=500)
    choose = tf.function(exact.get_next_token)  # not XLA: the draws then do not depend on the candidate count
    for seed in range(40):
        tokens = choose(logits, tf.constant([seed, 1])).numpy()
        assert tokens.tolist() == full_sort.get_next_token(logits, tf.constant([seed, 1])).numpy().tolist()
        assert all(token in allowed for token, allowed in zip(tokens.tolist(), sets))


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


def test_sampler_names():
    assert isinstance(get_sampler("temperature"), TemperatureSampler)
    assert get_sampler("top_k").k == 50 and get_sampler("top_p").p == 0.9
    # "random" was the old alias of "temperature": no silent alias, an error listing the valid names.
    names = r"one of \['beam', 'greedy', 'temperature', 'top_k', 'top_p'\], got 'random'"
    with pytest.raises(ValueError, match=names):
        get_sampler("random")
