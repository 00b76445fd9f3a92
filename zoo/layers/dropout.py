"""`keras.layers.Dropout` drawing 16-bit random numbers, two per 32-bit word of the stateless generator."""

import keras
import tensorflow as tf

from keras.src.backend.tensorflow.random import _cast_seed  # Keras' own seed handling, kept identical
from keras.src.random.seed_generator import draw_seed

from zoo.layers.xla import compiling_with_xla

#: Draws are 16-bit: a rate is applied as `round(rate * 65536) / 65536` (0.1 -> 0.100006).
LEVELS = 1 << 16


class Dropout(keras.layers.Dropout):
    """A `keras.layers.Dropout` (same arguments and seeding) whose mask costs half the random bits.

    Keras draws one float32 uniform per element; the generator (Philox) makes 32 random bits per element, and in
    a BERT training step under XLA on CPU that generation is about 7% of the step. Here each 32-bit word gives
    two 16-bit draws: an element is kept when its draw is at least `round(rate * 65536)`, and kept elements are
    scaled by the exact inverse of that keep probability, so the expected output is the input, as in Keras.
    Only when compiled with XLA: elsewhere (`compiling_with_xla`), and with a `noise_shape`, Keras' path.

    Example:
    >>> Dropout(0.5)(keras.ops.ones((2, 4)), training=True).shape
    TensorShape([2, 4])
    """

    def call(self, inputs, training=False):
        if not (training and 0.0 < self.rate < 1.0) or self.noise_shape is not None or not compiling_with_xla():
            return super().call(inputs, training=training)
        threshold = round(self.rate * LEVELS)
        size = tf.size(inputs)
        words = tf.random.stateless_uniform([(size + 1) // 2], seed=_cast_seed(draw_seed(self.seed_generator)),
                                            minval=None, maxval=None, dtype=tf.uint32)
        draws = tf.reshape(tf.bitcast(words, tf.uint16), [-1])[:size]
        keep = tf.reshape(draws >= threshold, tf.shape(inputs))
        scale = tf.cast(LEVELS / (LEVELS - threshold), inputs.dtype)
        return tf.where(keep, inputs * scale, tf.zeros_like(inputs))
