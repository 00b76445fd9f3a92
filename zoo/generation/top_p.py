"""Top-p (nucleus) sampling: sample among the smallest set of tokens whose probability reaches p."""

import tensorflow as tf

from zoo.generation.sampler import NEG_INF, Sampler


class TopPSampler(Sampler):
    """Samples from the temperature-scaled softmax restricted to the nucleus: tokens sorted by probability
    are kept while the probability mass before them is below `p` (the most likely token is always kept).

    Args:
        p: nucleus mass in (0, 1].
        temperature: > 0, divides the logits before the softmax that defines the nucleus.
        k: optional cap on the candidates sorted (the full vocabulary by default); a cheaper sort when the
            nucleus is known to be small.

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

    def get_next_token(self, logits, seed):
        vocabulary_size = logits.shape[-1]
        k = vocabulary_size if self.k is None else min(self.k, vocabulary_size)
        scaled = self.scaled(logits)
        sorted_logits, sorted_indices = tf.math.top_k(scaled, k=k)  # (batch, k), descending
        # Probabilities over the whole vocabulary, also when only the top k are sorted.
        probabilities = tf.exp(sorted_logits - tf.reduce_logsumexp(scaled, axis=-1, keepdims=True))
        mass_before = tf.cumsum(probabilities, axis=-1, exclusive=True)
        nucleus = mass_before < self.p
        choice = tf.random.stateless_categorical(
            tf.where(nucleus, sorted_logits, NEG_INF), 1, seed, dtype=tf.int32
        )
        return tf.gather(sorted_indices, choice, batch_dims=1)[:, 0]

    def get_config(self):
        return {"p": self.p, "temperature": self.temperature, "k": self.k}
