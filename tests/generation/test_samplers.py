"""Sampler token choice: greedy argmax, top-k / top-p never leave the allowed set, seeds are reproducible."""

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from zoo.generation.decode import loop_arguments
from zoo.generation.sampler import NEG_INF
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
     lambda: BeamSampler(num_beams=2, num_return_sequences=3), lambda: BeamSampler(early_stopping="false"),
     lambda: BeamSampler(early_stopping=1), lambda: get_sampler("nucleus")],
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


# transformers' warpers, written in float64 NumPy: temperature -> TopKLogitsWarper (ties at the k-th value
# kept) -> TopPLogitsWarper (ascending sort, drop while the cumulative mass is <= 1 - p, keep >= 1 token).
def hf_kept(logits, temperature=1.0, k=None, p=1.0):
    logits = np.asarray(logits, np.float64) / temperature
    kept = np.ones(logits.shape, bool)
    if k is not None:
        kth = np.sort(logits, axis=-1)[:, -min(k, logits.shape[-1])][:, None]
        kept &= logits >= kth
    if p < 1.0:
        for row in range(logits.shape[0]):
            masked = np.where(kept[row], logits[row], -np.inf)
            probabilities = np.exp(masked - masked.max())
            probabilities /= probabilities.sum()
            order = np.argsort(probabilities, kind="stable")
            removed = np.cumsum(probabilities[order]) <= 1.0 - p
            removed[-1] = False
            kept[row, order[removed]] = False
    return kept


def kept_by(sampler, logits):
    """The tokens `sampler` may draw: those its `filter_logits` leaves above `NEG_INF` (compiled, as in decoding)."""
    filtered = tf.function(sampler.filter_logits, jit_compile=True)(tf.constant(logits, tf.float32))
    return filtered.numpy() > NEG_INF / 2


def test_top_k_keeps_ties_at_the_kth_logit_like_transformers():
    logits = np.array([[3.0, 2.0, 1.0, 1.0, 1.0, 0.0, -1.0, -2.0]], np.float32)
    expected = hf_kept(logits, k=3)
    assert expected.sum() == 5  # the three tokens tied at the third logit are all kept
    np.testing.assert_array_equal(kept_by(TopKSampler(k=3), logits), expected)
    np.testing.assert_array_equal(kept_by(TopPSampler(p=0.999, k=3), logits), hf_kept(logits, k=3, p=0.999))
    # and the draws follow: over many seeds, each of the five appears, nothing else does
    drawn = set(tf.function(lambda s: TopKSampler(k=3).get_next_token(tf.constant(logits), s))(
        tf.constant([0, 0])).numpy().tolist())
    for s in range(1, 200):
        drawn |= set(TopKSampler(k=3).get_next_token(tf.constant(logits), tf.constant([s, 0])).numpy().tolist())
    assert drawn == {0, 1, 2, 3, 4}


def test_top_k_then_renormalise_then_top_p_like_transformers():
    rng = np.random.default_rng(4)
    logits = rng.normal(scale=2.0, size=(6, 40)).astype(np.float32)
    smaller = False
    for k, p in [(10, 0.5), (5, 0.9), (20, 0.7), (8, 0.95)]:
        expected = hf_kept(logits, temperature=1.3, k=k, p=p)
        # The nucleus of the renormalised top-k can be smaller than the full-distribution nucleus cut at k.
        cut = hf_kept(logits, temperature=1.3, p=p) & hf_kept(logits, temperature=1.3, k=k)
        smaller |= bool((expected.sum(-1) < cut.sum(-1)).any())
        np.testing.assert_array_equal(kept_by(TopPSampler(p=p, temperature=1.3, k=k), logits), expected)
    assert smaller  # the cases do tell the two orders apart


@pytest.mark.parametrize("p", [1.0, 0.999])
def test_top_p_over_a_large_vocabulary_is_the_exact_nucleus(p):
    # 50,257 tokens: a float32 running sum from the top reaches 1.0 early and drops tail tokens.
    rng = np.random.default_rng(5)
    logits = rng.normal(scale=2.0, size=(3, 50257)).astype(np.float32)
    expected = hf_kept(logits, p=p)
    np.testing.assert_array_equal(kept_by(TopPSampler(p=p), logits), expected)


def run_loop(sampler, seed, steps=40, vocabulary_size=50):
    """The decode loop on a model whose logits never change (uniform): the tokens are the seed's raw stream."""
    def next_fn(token_ids, cache, index):
        return tf.zeros([tf.shape(token_ids)[0], vocabulary_size]), cache

    arguments = loop_arguments(steps, None, 0, seed)
    outputs = tf.function(lambda a: sampler(next_fn, tf.constant([[1]]), tf.constant([1]), tf.zeros([1]),
                                            total_length=steps + 1, **a), jit_compile=True)(arguments)
    return outputs["token_ids"].numpy()[0, 1:]


def test_seed_none_draws_fresh_tokens_and_a_fixed_seed_reproduces():
    sampler = TemperatureSampler()
    assert not np.array_equal(run_loop(sampler, None), run_loop(sampler, None))
    np.testing.assert_array_equal(run_loop(sampler, 12), run_loop(sampler, 12))


@pytest.mark.parametrize("seed", [0, 7, 2**31 - 1])
def test_seeds_s_and_s_plus_2_to_31_give_independent_streams(seed):
    sampler = TemperatureSampler()
    first, second = run_loop(sampler, seed), run_loop(sampler, seed + 2**31)
    # Not the same stream shifted by a step (the old `seed[1] + index` step seeds), and no more agreement than
    # chance (1/50 per token; 40 tokens).
    for shift in range(4):
        assert (first[shift:] == second[:len(second) - shift]).mean() < 0.3
        assert (second[shift:] == first[:len(first) - shift]).mean() < 0.3


@pytest.mark.parametrize(
    "make,message",
    [(lambda: TopKSampler(k=2.7), "k must be a positive int"), (lambda: TopKSampler(k=True), "k must be a positive int"),
     (lambda: TopKSampler(k="3"), "k must be a positive int"),
     (lambda: TemperatureSampler(float("inf")), "temperature must be a finite number"),
     (lambda: TemperatureSampler(float("nan")), "temperature must be a finite number"),
     (lambda: TemperatureSampler(True), "temperature must be a finite number"),
     (lambda: TopPSampler(p=-0.1), "p must be a finite number > 0"), (lambda: TopPSampler(p=1.01), r"p must be in \(0, 1"),
     (lambda: TopPSampler(p=0.9, k=1.5), "k must be a positive int")],
)
def test_sampler_arguments_are_validated(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_beam_early_stopping_bound():
    """transformers' `_check_early_stop_heuristic`: the best running score over num_new_tokens ** length_penalty
    ("never", length_penalty > 0: over max_new_tokens) against the worst finished score; a row with an
    unfinished slot can always improve."""
    running = tf.constant([[-2.0, -3.0]] * 3)  # best first
    finished_scores = tf.constant([[-0.3, -0.45], [-0.3, -0.55], [-0.3, -1e9]])
    finished_flags = tf.constant([[True, True], [True, True], [True, False]])

    def can_improve(early_stopping, length_penalty=1.0):
        sampler = BeamSampler(num_beams=2, length_penalty=length_penalty, early_stopping=early_stopping)
        return sampler.can_improve(running, finished_scores, finished_flags, tf.constant([4, 4, 4]),
                                   tf.constant(10)).numpy().tolist()

    assert can_improve(False) == [False, True, True]  # -2 / 4 = -0.5
    assert can_improve("never") == [True, True, True]  # -2 / 10 = -0.2
    assert can_improve("never", length_penalty=0.0) == [False, False, True]  # -2 / 1: the current length
    assert can_improve(False, length_penalty=2.0) == [True, True, True]  # -2 / 16 = -0.125


@pytest.mark.parametrize("written", [1, 16, 37, 80])
def test_beam_reorder_under_xla_moves_the_written_positions_like_a_gather(written):
    from zoo.generation.beam import reorder_rows

    rng = np.random.default_rng(0)
    cache = tuple(tuple(tf.constant(rng.normal(size=(6, 2, 80, 3)), tf.float32) for _ in range(2)) for _ in range(2))
    order = tf.constant([1, 1, 0, 5, 3, 3])  # rows may repeat: two beams can continue one
    moved = tf.function(lambda cache, order: reorder_rows(cache, order, tf.constant(written), 80),
                        jit_compile=True)(cache, order)
    assert tf.nest.map_structure(lambda tensor: tensor.shape, moved) == tf.nest.map_structure(
        lambda tensor: tensor.shape, cache)
    end = -(-written // 16) * 16  # blocks of 16: the block of the last written position moves whole
    for before, after in zip(tf.nest.flatten(cache), tf.nest.flatten(moved)):
        expected = tf.gather(before, order).numpy()
        np.testing.assert_array_equal(after.numpy()[:, :, :end], expected[:, :, :end])
        np.testing.assert_array_equal(after.numpy()[:, :, end:], before.numpy()[:, :, end:])  # later ones stay
    # Outside XLA: a gather of the whole tensor.
    np.testing.assert_array_equal(reorder_rows(cache, order, written, 80)[1][0].numpy(),
                                  tf.gather(cache[1][0], order).numpy())


@pytest.mark.parametrize("total_length, block", [(80, 16), (96, 16), (24, 8), (36, 4), (33, 1)])
def test_beam_reorder_blocks_divide_the_cache_length(total_length, block):
    from zoo.generation.beam import block_length

    assert block_length(total_length) == block
