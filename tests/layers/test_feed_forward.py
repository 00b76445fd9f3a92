"""FeedForward against NumPy for every activation: exact and tanh GELU, ReLU, and the gated (T5 v1.1) variants."""

import math

import numpy as np
import pytest

import zoo  # noqa: F401

from tests.parity import assert_close
from zoo.layers import FeedForward

DIM, INTERMEDIATE = 8, 16

ACTIVATIONS = {
    "gelu": np.vectorize(lambda x: 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))),
    "gelu_approximate": lambda x: 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3))),
    "relu": lambda x: np.maximum(x, 0.0),
}


def random_feed_forward(activation, use_bias=True, hidden_dim=None):
    """A built block whose every weight, biases included, is random; pre-activations span about [-3, 3], where
    exact and tanh GELU differ most."""
    layer = FeedForward(INTERMEDIATE, hidden_dim=hidden_dim, activation=activation, use_bias=use_bias)
    layer.build((2, 5, DIM))
    rng = np.random.default_rng(0)
    for weight in layer.weights:
        weight.assign(rng.normal(scale=0.6, size=weight.shape).astype("float32"))
    return layer


def numpy_feed_forward(layer, x):
    def dense(sublayer, inputs):
        y = inputs @ np.asarray(sublayer.kernel, np.float64)
        return y + np.asarray(sublayer.bias) if sublayer.use_bias else y

    name = layer.activation.removeprefix("gated-")
    hidden = ACTIVATIONS[name](dense(layer.intermediate_dense, x))  # (batch, length, intermediate)
    if layer.activation.startswith("gated-"):
        hidden = hidden * dense(layer.gate_dense, x)
    return dense(layer.output_dense, hidden)


@pytest.mark.parametrize("activation", ["gelu", "gelu_approximate", "relu", "gated-gelu", "gated-gelu_approximate",
                                        "gated-relu"])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "no_bias"])
def test_matches_numpy(activation, use_bias):
    layer = random_feed_forward(activation, use_bias)
    x = np.random.default_rng(1).normal(size=(2, 5, DIM)).astype("float32")
    assert_close(layer(x), numpy_feed_forward(layer, x), what=activation)


def test_output_width_and_unknown_activation():
    layer = random_feed_forward("gelu", hidden_dim=3)
    x = np.random.default_rng(2).normal(size=(2, 5, DIM)).astype("float32")
    assert_close(layer(x), numpy_feed_forward(layer, x), what="hidden_dim=3")
    assert layer(x).shape == (2, 5, 3)
    with pytest.raises(ValueError, match=r"unknown activation 'gated-silu'.*'gelu', 'gelu_approximate', 'relu'"):
        FeedForward(INTERMEDIATE, activation="gated-silu")


@pytest.mark.parametrize("jit_compile", [True, False], ids=["xla_rational_erf", "tf_erf"])
def test_gelu_erf_is_the_exact_gelu(jit_compile):
    import keras
    import tensorflow as tf

    from zoo.layers.feed_forward import gelu_erf

    run = tf.function(gelu_erf, jit_compile=jit_compile)
    x = np.linspace(-9, 9, 4001).astype("float32")
    expected = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype("float64")])
    got = np.asarray(run(keras.ops.convert_to_tensor(x)))
    error = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
    assert error.max() < 1e-6, (error.max(), x[error.argmax()])
    bf16 = run(keras.ops.convert_to_tensor(x, "bfloat16"))
    assert keras.backend.standardize_dtype(bf16.dtype) == "bfloat16"
    op_types = {op.type for op in run.get_concrete_function(tf.TensorSpec([None])).graph.get_operations()}
    assert bool(op_types & {"Erf", "Erfc"}) != jit_compile  # the rational erf under XLA, TF's kernel outside it


def test_gelu_erf_in_training_under_xla_keeps_its_values_and_takes_the_exact_derivative():
    import keras
    import tensorflow as tf

    from zoo.layers.feed_forward import gelu_erf

    def values_and_gradient(x, training):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = gelu_erf(x, training=training)
        return y, tape.gradient(y, x)

    run = tf.function(values_and_gradient, jit_compile=True)
    x = np.linspace(-9, 9, 4001).astype("float32")
    trained, gradient = (np.asarray(t) for t in run(keras.ops.convert_to_tensor(x), True))
    inferred, _ = run(keras.ops.convert_to_tensor(x), False)
    np.testing.assert_array_equal(trained, np.asarray(inferred))
    x64 = x.astype("float64")
    cdf = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x64])
    expected = cdf + x64 * np.exp(-0.5 * x64**2) / math.sqrt(2 * math.pi)
    error = np.abs(gradient - expected) / np.maximum(1.0, np.abs(expected))
    assert error.max() < 1e-6, (error.max(), x[error.argmax()])


def test_with_derivative_keeps_values_and_takes_the_given_gradient():
    import tensorflow as tf

    from zoo.layers.feed_forward import with_derivative

    x = tf.constant([-2.0, 0.5, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = with_derivative(x, tf.sin(x), tf.constant([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(y.numpy(), np.sin(x.numpy()))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [10.0, 20.0, 30.0])
