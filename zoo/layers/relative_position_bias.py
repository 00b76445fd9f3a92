"""T5 relative position bias: log-spaced distance buckets, one learned bias per bucket and head."""

import math

import keras
from keras import ops

from zoo.layers.dtypes import at_least_float32


class RelativePositionBias(keras.layers.Layer):
    """Additive attention bias from bucketed key-minus-query distances (T5).

    Args:
        num_heads: number of attention heads.
        num_buckets: number of distance buckets.
        max_distance: distances beyond this share the last bucket.
        bidirectional: True in the encoder, False (only the past) in the decoder.

    Call arguments:
        query_positions: int vector `(query_length,)`.
        key_positions: int vector `(key_length,)`.

    Returns:
        `(1, num_heads, query_length, key_length)` bias (float32 under mixed precision).

    Example:
    >>> bias = RelativePositionBias(num_heads=2)
    >>> bias(keras.ops.arange(3), keras.ops.arange(5)).shape
    TensorShape([1, 2, 3, 5])
    """

    def __init__(self, num_heads, num_buckets=32, max_distance=128, bidirectional=True, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.num_buckets = num_buckets
        self.max_distance = max_distance
        self.bidirectional = bidirectional

    def build(self, *args):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.num_buckets, self.num_heads), initializer="glorot_uniform"
        )
        self.built = True

    def bucket(self, relative_position):
        num_buckets = self.num_buckets
        buckets = ops.zeros_like(relative_position)
        if self.bidirectional:
            num_buckets //= 2
            buckets = buckets + ops.cast(relative_position > 0, "int32") * num_buckets
            distance = ops.abs(relative_position)
        else:
            distance = -ops.minimum(relative_position, 0)
        max_exact = num_buckets // 2
        is_small = distance < max_exact
        # Guard log(0): small distances take the exact branch anyway.
        scaled = ops.log(ops.cast(ops.maximum(distance, 1), "float32") / max_exact) / math.log(
            self.max_distance / max_exact
        )
        large = max_exact + ops.cast(scaled * (num_buckets - max_exact), "int32")
        large = ops.minimum(large, num_buckets - 1)
        return buckets + ops.where(is_small, distance, large)

    def call(self, query_positions, key_positions):
        relative = ops.cast(key_positions, "int32")[None, :] - ops.cast(query_positions, "int32")[:, None]
        buckets = self.bucket(relative)  # (query_length, key_length)
        dtype = at_least_float32(self.compute_dtype)
        bias = ops.take(ops.cast(self.embeddings, dtype), buckets, axis=0)  # (q, k, heads)
        return ops.expand_dims(ops.transpose(bias, (2, 0, 1)), 0)  # (1, heads, q, k)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            num_buckets=self.num_buckets,
            max_distance=self.max_distance,
            bidirectional=self.bidirectional,
        )
        return config
