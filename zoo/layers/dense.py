"""`keras.layers.Dense` with a matmul bias gradient (see `zoo.layers.broadcast_gradients`)."""

import keras
from keras import ops

from zoo.layers.broadcast_gradients import add_bias
from zoo.layers.xla import compiling_with_xla


class Dense(keras.layers.Dense):
    """A `keras.layers.Dense` (same arguments, variables and outputs) whose bias gradient is a product, not a
    reduction, when compiled with XLA (for its CPU lowering). Outside XLA (`compiling_with_xla`), and for
    quantized or Keras-LoRA layers, `keras.layers.Dense`'s own path.

    Example:
    >>> Dense(4)(keras.ops.ones((2, 3, 8))).shape
    TensorShape([2, 3, 4])
    """

    def call(self, inputs, training=None):
        if (not compiling_with_xla() or self.bias is None or self.lora_enabled
                or self.quantization_mode is not None):
            return super().call(inputs, training=training)
        x = add_bias(ops.matmul(inputs, self.kernel), ops.cast(self.bias, self.compute_dtype))
        return x if self.activation is None else self.activation(x)
