"""Top-p (nucleus) sampling: sample among the smallest set of tokens whose probability reaches p."""

import tensorflow as tf

from zoo.generation.sampler import NEG_INF, Sampler

#: Tokens sorted first; the whole vocabulary is sorted only when these hold less than p of the mass in some row.
CANDIDATES = 64


class TopPSampler(Sampler):
    """Samples from the temperature-scaled softmax restricted to the nucleus: tokens sorted by probability
    are kept while the probability mass before them is below `p` (the most likely token is always kept).

    Exact without sorting the whole vocabulary in the common case: the `CANDIDATES` (64) most likely tokens are
    taken first, and when they hold at least `p` of the mass in every row the nucleus lies among them (the
    next token's mass before it is already >= p); otherwise the whole vocabulary is sorted. Peaked
    distributions (trained models) take the fast path, flat ones (random models, high temperatures) the slow.

    Args:
        p: nucleus mass in (0, 1].
        temperature: > 0, divides the logits before the softmax that defines the nucleus.
        k: optional cap on the candidates: the nucleus is then cut to the `k` most likely tokens (no longer
            exact when they hold less than `p`); by default the exact nucleus.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TopPSampler(p=0.9), seed=3)  # doctest: +SKIP
    """

    def __init__(self, p, temperature=1.0, k=None):
        super().__init__(temperature)
        if not 0.0 < p <= 1.0:
            raise ValueError(f"p must be in (0, 1], got {p}")
        if k is not None and int(k) < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.p = float(p)
        self.k = None if k is None else int(k)

    def _choose(self, sorted_logits, sorted_indices, log_total, seed):
        """A token from the nucleus of `sorted_logits` `(batch, k)` (descending; `log_total` the log of the
        softmax denominator over the whole vocabulary)."""
        probabilities = tf.exp(sorted_logits - log_total)
        nucleus = tf.cumsum(probabilities, axis=-1, exclusive=True) < self.p
        choice = tf.random.stateless_categorical(
            tf.where(nucleus, sorted_logits, NEG_INF), 1, seed, dtype=tf.int32
        )
        return tf.gather(sorted_indices, choice, batch_dims=1)[:, 0]

    def get_next_token(self, logits, seed):
        vocabulary_size = logits.shape[-1]
        scaled = self.scaled(logits)
        log_total = tf.reduce_logsumexp(scaled, axis=-1, keepdims=True)
        k = min(self.k or CANDIDATES, vocabulary_size)
        top_logits, top_indices = tf.math.top_k(scaled, k=k)  # (batch, k), descending
        if self.k is not None or k == vocabulary_size:
            return self._choose(top_logits, top_indices, log_total, seed)
        # Summed as the nucleus test sums them, so both paths agree on the token after the candidates.
        mass = tf.cumsum(tf.exp(top_logits - log_total), axis=-1)[:, -1]  # (batch,)
        return tf.cond(
            tf.reduce_all(mass >= self.p),
            lambda: self._choose(top_logits, top_indices, log_total, seed),
            lambda: self._choose(*tf.math.top_k(scaled, k=vocabulary_size), log_total, seed),
        )

    def get_config(self):
        return {"p": self.p, "temperature": self.temperature, "k": self.k}
