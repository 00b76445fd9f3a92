"""zoo Dropout: Keras' contract (rate, scaling, seeding, inference identity) with 16-bit draws under XLA, and
Keras' own Dropout outside it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers import Dropout


def compiled(layer, training=True):
    """`layer(x, training=...)` as an XLA-compiled function (where the 16-bit draws apply)."""
    return tf.function(lambda x: layer(x, training=training), jit_compile=True)


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5])
def test_drops_the_rate_and_keeps_the_expectation(rate):
    x = np.ones((200, 501), "float32")  # odd size: the last 32-bit word is half used
    y = compiled(Dropout(rate, seed=3))(x).numpy()
    kept = y != 0
    n = x.size
    assert abs((1 - kept.mean()) - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    quantized = round(rate * 65536) / 65536
    np.testing.assert_allclose(y[kept], 1 / (1 - quantized), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(rate / (1 - rate) / n)


def test_masks_differ_between_calls_and_positions_and_repeat_with_the_seed():
    x = np.ones((64, 64), "float32")
    first, second = compiled(Dropout(0.5, seed=7)), compiled(Dropout(0.5, seed=7))
    a, b = first(x).numpy(), first(x).numpy()
    assert (a != b).mean() > 0.3  # the seed generator advances
    np.testing.assert_array_equal(second(x).numpy(), a)  # same seed, same first mask
    halves = a.reshape(-1, 2)  # the two 16-bit halves of a word are different draws
    assert 0.3 < (halves[:, 0] != halves[:, 1]).mean() < 0.7


def test_outside_xla_it_is_keras_dropout():
    x = tf.ones((16, 33))
    for run in (lambda layer: layer(x, training=True), tf.function(lambda layer: layer(x, training=True))):
        np.testing.assert_array_equal(run(Dropout(0.3, seed=5)).numpy(),
                                      run(keras.layers.Dropout(0.3, seed=5)).numpy())


def test_identity_unless_training_and_noise_shape_takes_keras_path():
    x = tf.random.normal((4, 6))
    np.testing.assert_array_equal(compiled(Dropout(0.5), training=False)(x).numpy(), x.numpy())
    np.testing.assert_array_equal(compiled(Dropout(0.0))(x).numpy(), x.numpy())
    y = compiled(Dropout(0.5, noise_shape=(4, 1), seed=1))(tf.ones((4, 6))).numpy()
    assert all(len(set(row)) == 1 for row in y)  # whole rows kept or dropped, as in Keras


def test_runs_under_xla_and_in_bfloat16():
    layer = Dropout(0.3, seed=2, dtype="mixed_bfloat16")
    y = compiled(layer)(tf.ones((8, 33)))
    assert y.dtype == tf.bfloat16
    assert 0.1 < float(tf.reduce_mean(tf.cast(y == 0, "float32"))) < 0.5
    assert isinstance(layer, keras.layers.Dropout)
