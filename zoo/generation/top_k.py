"""Top-k sampling: sample among the k most likely tokens."""

import tensorflow as tf

from zoo.generation.sampler import Sampler


class TopKSampler(Sampler):
    """Samples from the temperature-scaled softmax restricted to the `k` largest logits.

    Args:
        k: number of candidate tokens (>= 1).
        temperature: > 0, divides the logits.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TopKSampler(k=10), seed=3)  # doctest: +SKIP
    """

    def __init__(self, k, temperature=1.0):
        super().__init__(temperature)
        if int(k) < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.k = int(k)

    def get_next_token(self, logits, seed):
        k = min(self.k, logits.shape[-1]) if logits.shape[-1] is not None else self.k
        top_logits, top_indices = tf.math.top_k(logits, k=k)  # (batch, k), sorted descending
        choice = tf.random.stateless_categorical(self.scaled(top_logits), 1, seed, dtype=tf.int32)
        return tf.gather(top_indices, choice, batch_dims=1)[:, 0]

    def get_config(self):
        return {"k": self.k, "temperature": self.temperature}
