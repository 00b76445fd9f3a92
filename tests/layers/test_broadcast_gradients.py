"""The matmul-gradient Dense and LayerNormalization give Keras' values and gradients under XLA (products from
`MIN_PRODUCT_ROWS` rows, sums below), and are Keras' own ops outside it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.layers import Dense, LayerNormalization
from zoo.layers.broadcast_gradients import MIN_PRODUCT_ROWS, add_bias


def outputs_and_gradients(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * tf.cos(y))  # a non-constant upstream gradient
    return [y, *tape.gradient(loss, [x, *layer.trainable_weights])]


def values_and_gradients(layer, x, jit_compile=True):
    run = tf.function(lambda x: outputs_and_gradients(layer, x), jit_compile=jit_compile)
    return [tensor.numpy() for tensor in run(x)]


def op_types(function, x):
    return sorted(op.type for op in function.get_concrete_function(x).graph.get_operations())


def built_alike(ours, reference, x):
    """Builds both layers for `x` and gives `reference` the weights of `ours`."""
    ours.build(x.shape)
    reference.build(x.shape)
    reference.set_weights(ours.get_weights())


def assert_close(ours, reference, x):
    """`[output, input gradient, *parameter gradients]` alike. A parameter gradient is a float32 sum over the rows of
    `x`, whose rounding grows with the square root of their count and depends on the summation order (a product's
    or a reduction's, split across threads as the machine's load has it): its tolerance grows so from 16 rows."""
    rows = x.shape[0] * x.shape[1]
    for index, (a, b) in enumerate(zip(ours, reference, strict=True)):
        scale = max(1.0, float(np.abs(b).max()))
        summed = max(1.0, np.sqrt(rows / 16)) if index >= 2 else 1.0
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5 * scale * summed)


def inputs(batch, length):
    return tf.constant(np.random.default_rng(0).standard_normal((batch, length, 8)).astype("float32") * 3 + 1)


@pytest.fixture(params=[(3, 5), (4, MIN_PRODUCT_ROWS // 4)], ids=["sums", "products"])
def x(request):
    """15 rows (under XLA, the broadcasts stay sums) and `MIN_PRODUCT_ROWS` rows (they become products)."""
    return inputs(*request.param)


@pytest.mark.parametrize("activation", [None, "tanh"])
def test_dense_matches_keras_dense(x, activation):
    ours = Dense(4, activation=activation, bias_initializer="random_normal")
    reference = keras.layers.Dense(4, activation=activation)
    built_alike(ours, reference, x)
    assert_close(values_and_gradients(ours, x), values_and_gradients(reference, x, jit_compile=False), x)


def test_layer_norm_matches_keras_layer_norm(x):
    ours = LayerNormalization(epsilon=1e-12, gamma_initializer="random_normal", beta_initializer="random_normal")
    reference = keras.layers.LayerNormalization(epsilon=1e-12)
    built_alike(ours, reference, x)
    assert_close(values_and_gradients(ours, x), values_and_gradients(reference, x, jit_compile=False), x)


@pytest.mark.parametrize("make", [lambda keras_module: keras_module.Dense(4),
                                  lambda keras_module: keras_module.LayerNormalization(epsilon=1e-12)],
                         ids=["dense", "layer_norm"])
def test_outside_xla_the_graph_is_keras_own_and_under_xla_the_gradients_are_products(x, make):
    from zoo import layers

    ours, reference = make(layers), make(keras.layers)
    built_alike(ours, reference, x)
    plain, keras_plain = (tf.function(lambda x, layer=layer: outputs_and_gradients(layer, x))
                          for layer in (ours, reference))
    assert op_types(plain, x) == op_types(keras_plain, x)
    eager = [tensor.numpy() for tensor in outputs_and_gradients(ours, x)]
    for a, b in zip(eager, [tensor.numpy() for tensor in outputs_and_gradients(reference, x)], strict=True):
        np.testing.assert_array_equal(a, b)
    compiled = tf.function(lambda x: outputs_and_gradients(ours, x), jit_compile=True)
    products = op_types(compiled, x).count("MatMul") - op_types(keras_plain, x).count("MatMul")
    assert (products > 0) == (x.shape[0] * x.shape[1] >= MIN_PRODUCT_ROWS)


@pytest.mark.parametrize("rows", [MIN_PRODUCT_ROWS - 1, MIN_PRODUCT_ROWS])
def test_under_xla_products_start_at_min_product_rows(rows):
    table = tf.constant(np.arange(8, dtype="float32"))
    run = tf.function(lambda x: add_bias(x, table), jit_compile=True)
    x = tf.ones((rows, 8))
    assert ("MatMul" in op_types(run, x)) == (rows >= MIN_PRODUCT_ROWS)
    np.testing.assert_array_equal(run(x).numpy(), (x + table).numpy())


def test_mixed_precision_dense_keeps_float32_bias_gradient():
    x = inputs(4, MIN_PRODUCT_ROWS // 4)  # the bias broadcast as a product
    layer = Dense(4, dtype="mixed_bfloat16", bias_initializer="ones")

    @tf.function(jit_compile=True)
    def run(x):
        with tf.GradientTape() as tape:
            y = layer(x)
            loss = tf.reduce_sum(tf.cast(y, "float32"))
        return y, tape.gradient(loss, [layer.kernel, layer.bias])[1]

    layer.build(x.shape)
    y, bias_gradient = run(x)
    assert y.dtype == tf.bfloat16 and bias_gradient.dtype == tf.float32
    np.testing.assert_allclose(bias_gradient.numpy(), np.full(4, float(MIN_PRODUCT_ROWS)), rtol=1e-6)


def test_xla_gradients_match_keras_and_forward_values_are_identical(x):
    ours = LayerNormalization(epsilon=1e-12, gamma_initializer="random_normal", beta_initializer="random_normal")
    reference = keras.layers.LayerNormalization(epsilon=1e-12)
    built_alike(ours, reference, x)
    ours_values = [t.numpy() for t in tf.function(lambda x: outputs_and_gradients(ours, x), jit_compile=True)(x)]
    reference_values = [t.numpy() for t in
                        tf.function(lambda x: outputs_and_gradients(reference, x), jit_compile=True)(x)]
    np.testing.assert_array_equal(ours_values[0], reference_values[0])  # Keras' arithmetic, exactly
    assert_close(ours_values, reference_values, x)


def test_add_bias_takes_position_tables_and_dynamic_batches():
    table = tf.constant(np.random.default_rng(1).standard_normal((5, 8)).astype("float32"))
    run = tf.function(lambda x: add_bias(x, table), input_signature=[tf.TensorSpec((None, 5, 8))],
                      jit_compile=True)  # rows unknown while tracing: a product
    assert "MatMul" in op_types(run, tf.ones((3, 5, 8)))
    for batch in (3, 1, 0):
        x = tf.ones((batch, 5, 8))
        np.testing.assert_array_equal(run(x).numpy(), (x + table).numpy())
