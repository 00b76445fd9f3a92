"""zoo Dropout: Keras' contract (rate, scaling, seeding, inference identity) with 16-bit draws."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers import Dropout


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5])
def test_drops_the_rate_and_keeps_the_expectation(rate):
    x = np.ones((200, 501), "float32")  # odd size: the last 32-bit word is half used
    y = Dropout(rate, seed=3)(x, training=True).numpy()
    kept = y != 0
    n = x.size
    assert abs((1 - kept.mean()) - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    quantized = round(rate * 65536) / 65536
    np.testing.assert_allclose(y[kept], 1 / (1 - quantized), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(rate / (1 - rate) / n)


def test_masks_differ_between_calls_and_positions_and_repeat_with_the_seed():
    x = np.ones((64, 64), "float32")
    first, second = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    a, b = first(x, training=True).numpy(), first(x, training=True).numpy()
    assert (a != b).mean() > 0.3  # the seed generator advances
    np.testing.assert_array_equal(second(x, training=True).numpy(), a)  # same seed, same first mask
    halves = a.reshape(-1, 2)  # the two 16-bit halves of a word are different draws
    assert 0.3 < (halves[:, 0] != halves[:, 1]).mean() < 0.7


def test_identity_unless_training_and_noise_shape_takes_keras_path():
    x = tf.random.normal((4, 6))
    np.testing.assert_array_equal(Dropout(0.5)(x, training=False).numpy(), x.numpy())
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True).numpy(), x.numpy())
    y = Dropout(0.5, noise_shape=(4, 1), seed=1)(tf.ones((4, 6)), training=True).numpy()
    assert all(len(set(row)) == 1 for row in y)  # whole rows kept or dropped, as in Keras


def test_runs_under_xla_and_in_bfloat16():
    layer = Dropout(0.3, seed=2, dtype="mixed_bfloat16")
    y = tf.function(lambda x: layer(x, training=True), jit_compile=True)(tf.ones((8, 33)))
    assert y.dtype == tf.bfloat16
    assert 0.1 < float(tf.reduce_mean(tf.cast(y == 0, "float32"))) < 0.5
    assert isinstance(layer, keras.layers.Dropout)
