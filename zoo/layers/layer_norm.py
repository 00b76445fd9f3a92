"""`keras.layers.LayerNormalization` with matmul scale/shift gradients (see `zoo.layers.broadcast_gradients`)."""

import keras
from keras import ops

from zoo.layers.broadcast_gradients import normalize
from zoo.layers.dtypes import at_least_float32
from zoo.layers.xla import compiling_with_xla


class LayerNormalization(keras.layers.LayerNormalization):
    """A `keras.layers.LayerNormalization` over the last axis (same arguments, variables and arithmetic) whose
    `gamma`/`beta` gradients are products, not reductions, when compiled with XLA (for its CPU lowering).
    Statistics are computed in at least float32, as Keras does. Outside XLA (`compiling_with_xla`), other axes,
    RMS scaling or a missing scale or centre take the Keras path.

    Example:
    >>> LayerNormalization(epsilon=1e-12)(keras.ops.ones((2, 3, 8))).shape
    TensorShape([2, 3, 8])
    """

    def call(self, inputs):
        rank = len(inputs.shape)
        if (not compiling_with_xla() or self.axis not in ([-1], [rank - 1]) or self.rms_scaling
                or not (self.scale and self.center)):
            return super().call(inputs)
        x = ops.cast(inputs, at_least_float32(inputs.dtype))
        mean, variance = ops.moments(x, axes=[-1], keepdims=True)
        outputs = normalize(x, mean, ops.rsqrt(variance + self.epsilon), ops.cast(self.gamma, x.dtype),
                            ops.cast(self.beta, x.dtype))
        return ops.cast(outputs, self.compute_dtype)
