"""`keras.layers.Dense` with a matmul bias gradient (see `zoo.layers.broadcast_gradients`)."""

import keras
from keras import ops

from zoo.layers.broadcast_gradients import add_bias


class Dense(keras.layers.Dense):
    """A `keras.layers.Dense` (same arguments, variables and outputs) whose bias gradient is a product, not a
    reduction, for XLA on CPU. Quantized or Keras-LoRA layers take `keras.layers.Dense`'s own path.

    Example:
    >>> Dense(4)(keras.ops.ones((2, 3, 8))).shape
    TensorShape([2, 3, 4])
    """

    def call(self, inputs, training=None):
        if self.bias is None or self.lora_enabled or self.quantization_mode is not None:
            return super().call(inputs, training=training)
        x = add_bias(ops.matmul(inputs, self.kernel), ops.cast(self.bias, self.compute_dtype))
        return x if self.activation is None else self.activation(x)
