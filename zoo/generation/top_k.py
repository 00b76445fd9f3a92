"""Top-k sampling: sample among the k most likely tokens (and any token tied with the k-th)."""

import tensorflow as tf

from zoo.generation.sampler import NEG_INF, positive_int, top_k_mask
from zoo.generation.temperature import TemperatureSampler


class TopKSampler(TemperatureSampler):
    """Samples from the temperature-scaled softmax restricted to the `k` largest logits.

    As transformers' `TopKLogitsWarper`: every token tied with the k-th largest logit is kept too.

    Args:
        k: number of candidate tokens, an integer >= 1.
        temperature: finite and > 0, divides the logits.

    Example:
    >>> model.generate([[5, 6, 7]], max_new_tokens=4, sampler=TopKSampler(k=10), seed=3)  # doctest: +SKIP
    """

    def __init__(self, k, temperature=1.0):
        super().__init__(temperature)
        self.k = positive_int(k, "k")

    def filter_logits(self, logits):
        scaled = self.scaled(logits)
        return tf.where(top_k_mask(scaled, self.k), scaled, NEG_INF)

    def get_config(self):
        return {"k": self.k, "temperature": self.temperature}
