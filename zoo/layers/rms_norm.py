"""T5 layer norm: scale-only RMS normalisation, computed in float32."""

import keras
from keras import ops

from zoo.layers.dtypes import at_least_float32


class RMSNorm(keras.layers.Layer):
    """`x / sqrt(mean(x^2) + epsilon) * scale`, no mean subtraction and no bias (T5's LayerNorm).

    Args:
        epsilon: added to the mean square.

    Example:
    >>> RMSNorm()(keras.ops.ones((2, 3, 8))).shape
    TensorShape([2, 3, 8])
    """

    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=(input_shape[-1],), initializer="ones", autocast=False
        )
        self.built = True

    def call(self, x):
        x32 = ops.cast(x, at_least_float32(self.compute_dtype))
        variance = ops.mean(ops.square(x32), axis=-1, keepdims=True)
        x32 = x32 * ops.rsqrt(variance + self.epsilon)
        return ops.cast(x32 * self.scale, self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon)
        return config
