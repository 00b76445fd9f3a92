"""Ancestral sampling from the temperature-scaled softmax."""

import tensorflow as tf

from zoo.generation.sampler import Sampler


class TemperatureSampler(Sampler):
    """Samples from `softmax(logits / temperature)` over the whole vocabulary with a stateless seed.

    Args:
        temperature: > 0; below 1 sharpens, above 1 flattens the distribution.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TemperatureSampler(0.7), seed=3)  # doctest: +SKIP
    """

    def get_next_token(self, logits, seed):
        samples = tf.random.stateless_categorical(self.scaled(logits), 1, seed, dtype=tf.int32)  # (batch, 1)
        return samples[:, 0]
