"""Greedy decoding: the most likely token at every step."""

import tensorflow as tf

from zoo.generation.sampler import Sampler


class GreedySampler(Sampler):
    """Picks the argmax of the logits (no softmax is computed; temperature does not change the argmax).

    Example:
    >>> model.generate([[5, 6, 7], [8]], max_new_tokens=4, sampler=GreedySampler())  # doctest: +SKIP
    """

    def __init__(self):
        super().__init__(temperature=1.0)

    def get_next_token(self, logits, seed):
        return tf.argmax(logits, axis=-1, output_type=tf.int32)

    def get_config(self):
        return {}
