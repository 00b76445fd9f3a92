"""Ancestral sampling from the temperature-scaled softmax."""

import tensorflow as tf

from zoo.generation.sampler import Sampler


class TemperatureSampler(Sampler):
    """Samples from `softmax(logits / temperature)` over the whole vocabulary with a stateless seed.

    Subclasses (top-k, top-p) override only `filter_logits`, as transformers' logits warpers do.

    Args:
        temperature: finite and > 0; below 1 sharpens, above 1 flattens the distribution.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TemperatureSampler(0.7), seed=3)  # doctest: +SKIP
    """

    def filter_logits(self, logits):
        """The `(batch, vocab)` logits sampled from: scaled, with tokens that may not be drawn at `NEG_INF`."""
        return self.scaled(logits)

    def get_next_token(self, logits, seed):
        samples = tf.random.stateless_categorical(self.filter_logits(logits), 1, seed, dtype=tf.int32)
        return samples[:, 0]
