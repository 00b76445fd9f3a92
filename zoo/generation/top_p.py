"""Top-p (nucleus) sampling: sample among the smallest set of tokens whose probability reaches p."""

import tensorflow as tf

from zoo.generation.sampler import NEG_INF, positive_float, positive_int, top_k_mask
from zoo.generation.temperature import TemperatureSampler

#: Tokens sorted first; the whole vocabulary is sorted only when these hold less than p of the mass in some row.
CANDIDATES = 64


class TopPSampler(TemperatureSampler):
    """Samples from the temperature-scaled softmax restricted to the nucleus: tokens sorted by probability
    are kept while the probability mass before them is below `p` (the most likely token is always kept).

    Semantics of transformers' warpers, applied in their order: temperature, then top-k (ties at the k-th
    logit kept), renormalise, then top-p. `p >= 1.0` keeps every token (no-op). The nucleus is found from the
    tail: a token is dropped when the mass of itself and every less likely token is <= 1 - p, summed from
    the least likely token up, so a float32 sum does not saturate at 1.0 before the tail (the exact nucleus
    also over 50k-token vocabularies). Where we differ on purpose: tokens tied with the last token of the
    nucleus are all kept (transformers keeps whichever its sort put first).

    Exact without sorting the whole vocabulary in the common case: only the `k` candidates are sorted (or the
    `CANDIDATES` (64) most likely tokens without `k`); when the tokens outside them hold at most 1 - p in every
    row (and none ties with the last candidate) the nucleus lies among them, otherwise the whole vocabulary is
    sorted. Peaked distributions (trained models) take the fast path, flat ones (random models) the slow.

    Args:
        p: nucleus mass in (0, 1].
        temperature: finite and > 0, divides the logits before the softmax that defines the nucleus.
        k: optional top-k applied first (an integer >= 1).

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TopPSampler(p=0.9), seed=3)  # doctest: +SKIP
    """

    def __init__(self, p, temperature=1.0, k=None):
        super().__init__(temperature)
        self.p = positive_float(p, "p", at_most=1.0)
        self.k = None if k is None else positive_int(k, "k")

    def filter_logits(self, logits):
        scaled = self.scaled(logits)
        vocabulary_size = scaled.shape[-1]
        if self.k is not None:
            scaled = tf.where(top_k_mask(scaled, self.k), scaled, NEG_INF)
        if self.p >= 1.0:
            return scaled
        log_total = tf.reduce_logsumexp(scaled, axis=-1, keepdims=True)
        num_sorted = min(self.k or CANDIDATES, vocabulary_size)
        if num_sorted == vocabulary_size:
            return self._nucleus(scaled, tf.math.top_k(scaled, k=vocabulary_size).values, log_total)
        candidates = tf.math.top_k(scaled, k=num_sorted).values  # (batch, num_sorted), descending
        no_ties = tf.reduce_sum(tf.cast(scaled >= candidates[:, -1:], tf.int32), axis=-1) == num_sorted
        small_rest = self._rest(scaled, candidates, log_total)[:, 0] <= 1.0 - self.p
        return tf.cond(
            tf.reduce_all(tf.logical_and(no_ties, small_rest)),
            lambda: self._nucleus(scaled, candidates, log_total),
            lambda: self._nucleus(scaled, tf.math.top_k(scaled, k=vocabulary_size).values, log_total),
        )

    @staticmethod
    def _rest(scaled, sorted_logits, log_total):
        """`(batch, 1)` probability mass of the tokens below the last of `sorted_logits`."""
        below = scaled < sorted_logits[:, -1:]
        return tf.reduce_sum(tf.where(below, tf.exp(scaled - log_total), 0.0), axis=-1, keepdims=True)

    def _nucleus(self, scaled, sorted_logits, log_total):
        """`scaled` outside its nucleus set to `NEG_INF`, the nucleus lying among `sorted_logits` (descending)."""
        probabilities = tf.exp(sorted_logits - log_total)
        # Mass of each token and all less likely ones, summed from the smallest up.
        mass_from_here = tf.cumsum(probabilities, axis=-1, reverse=True) + self._rest(scaled, sorted_logits, log_total)
        first = tf.range(tf.shape(sorted_logits)[1])[None, :] == 0
        nucleus = tf.logical_or(mass_from_here > 1.0 - self.p, first)
        # The nucleus is a prefix of the sorted logits: keep every logit >= its last one.
        cutoff = tf.reduce_min(tf.where(nucleus, sorted_logits, sorted_logits[:, :1]), axis=-1, keepdims=True)
        return tf.where(scaled >= cutoff, scaled, NEG_INF)

    def get_config(self):
        return {"p": self.p, "temperature": self.temperature, "k": self.k}
