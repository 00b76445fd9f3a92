"""MultiHeadAttention against a NumPy reference, and its key/value cache: prefill plus one token at a time gives
what full causal recomputation gives."""

import re

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
import keras

from tests.parity import assert_close
from zoo.layers import MultiHeadAttention, causal_mask, merge_masks

BATCH, LENGTH, DIM, HEADS, HEAD_DIM = 2, 7, 8, 2, 4


def random_attention(seed=0, query_length=LENGTH, value_length=None, **kwargs):
    """A built layer whose every weight, biases included, is random (zero biases would hide a missing term)."""
    layer = MultiHeadAttention(num_heads=HEADS, head_dim=HEAD_DIM, **kwargs)
    value_shape = None if value_length is None else (BATCH, value_length, DIM)
    layer.build((BATCH, query_length, DIM), value_shape)
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(rng.normal(scale=0.5, size=weight.shape).astype("float32"))
    return layer


def numpy_attention(layer, query, value, mask=None, bias=None):
    """softmax(q k^T * scale + bias, masked) v, projected: the textbook formula, per head."""

    def dense(sublayer, x):
        y = x @ np.asarray(sublayer.kernel)
        return y + np.asarray(sublayer.bias) if sublayer.use_bias else y

    def heads(x):  # (batch, length, heads * head_dim) -> (batch, heads, length, head_dim)
        return x.reshape(x.shape[0], x.shape[1], HEADS, HEAD_DIM).transpose(0, 2, 1, 3)

    q, k, v = heads(dense(layer.query_dense, query)), heads(dense(layer.key_dense, value)), heads(
        dense(layer.value_dense, value))
    scale = HEAD_DIM**-0.5 if layer.scale is None else layer.scale
    scores = q @ k.transpose(0, 1, 3, 2) * scale  # (batch, heads, q_len, k_len)
    if bias is not None:
        scores = scores + bias
    if mask is not None:
        scores = np.where(mask[:, None], scores, -np.inf)
    probabilities = np.exp(scores - scores.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    context = (probabilities @ v).transpose(0, 2, 1, 3).reshape(query.shape[0], query.shape[1], -1)
    return dense(layer.output_dense, context)


def inputs(length=LENGTH, seed=1):
    return np.random.default_rng(seed).normal(size=(BATCH, length, DIM)).astype("float32")


def padding_and_causal_mask():
    padding = np.ones((BATCH, LENGTH), bool)
    padding[1, 5:] = False
    return keras.ops.convert_to_numpy(merge_masks(padding, causal_mask(LENGTH, LENGTH)))  # (batch, q, k)


@pytest.mark.parametrize("options", [dict(), dict(use_bias=False, scale=1.0), dict(hidden_dim=6)],
                         ids=["bert_gpt", "t5", "hidden_dim"])
def test_self_attention_matches_numpy(options):
    layer = random_attention(**options)
    x = inputs()
    mask = padding_and_causal_mask()
    bias = np.random.default_rng(2).normal(size=(1, HEADS, LENGTH, LENGTH)).astype("float32")
    output = layer(x, attention_mask=mask, attention_bias=bias)
    assert_close(output, numpy_attention(layer, x, x, mask, bias), what="self-attention")
    assert output.shape == (BATCH, LENGTH, options.get("hidden_dim", DIM))


def outputs_and_gradients(layer, x, mask, jit_compile):
    """Output, and gradients of a weighted sum of it with respect to the input and every weight, traced with or
    without XLA; also the number of matrix products in the traced forward pass."""
    weights = tf.constant(np.random.default_rng(3).normal(size=(BATCH, LENGTH, DIM)).astype("float32"))

    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            output = layer(x, attention_mask=mask, training=True)
            loss = tf.reduce_sum(output * weights)
        return output, tape.gradient(loss, [x, *layer.trainable_variables])

    function = tf.function(run, jit_compile=jit_compile)
    output, gradients = function(x)
    forward = tf.function(lambda x: layer(x, attention_mask=mask), jit_compile=jit_compile)
    products = [op.type for op in forward.get_concrete_function(x).graph.get_operations()
                if op.type in ("MatMul", "BatchMatMulV2", "Einsum")]
    return output, gradients, len(products)


@pytest.mark.parametrize("options", [dict(), dict(use_bias=False, scale=1.0)], ids=["bert_gpt", "t5"])
def test_self_attention_under_xla_projects_in_one_product_with_the_same_outputs_and_gradients(options):
    layer = random_attention(**options)
    x, mask = tf.constant(inputs()), padding_and_causal_mask()
    output, gradients, fused_products = outputs_and_gradients(layer, x, mask, jit_compile=True)
    expected_output, expected_gradients, products = outputs_and_gradients(layer, x, mask, jit_compile=False)
    assert_close(output, expected_output, what="output")
    for variable, gradient, expected in zip(["input", *layer.trainable_variables], gradients, expected_gradients):
        assert_close(gradient, expected, what=f"gradient of {getattr(variable, 'path', variable)}")
    assert fused_products == products - 2  # query, key and value: one product instead of three


def test_self_attention_with_lora_projections_keeps_them_separate_under_xla():
    layer = random_attention()
    layer.query_dense.enable_lora(rank=2)
    layer.query_dense.lora_kernel_b.assign(np.full(layer.query_dense.lora_kernel_b.shape, 0.3, "float32"))
    x, mask = tf.constant(inputs()), padding_and_causal_mask()
    output, _, xla_products = outputs_and_gradients(layer, x, mask, jit_compile=True)
    expected, _, products = outputs_and_gradients(layer, x, mask, jit_compile=False)
    assert_close(output, expected, what="output with LoRA")
    assert_close(output, numpy_attention(layer, x.numpy(), x.numpy(), mask), what="output with LoRA vs NumPy")
    assert xla_products == products


def test_cross_attention_and_its_precomputed_cache_match_numpy():
    layer = random_attention(query_length=3, value_length=5)
    query, memory = inputs(3, seed=3), inputs(5, seed=4)
    memory_mask = np.ones((BATCH, 1, 5), bool)
    memory_mask[0, :, 4:] = False
    expected = numpy_attention(layer, query, memory, np.broadcast_to(memory_mask, (BATCH, 3, 5)))
    assert_close(layer(query, memory, attention_mask=memory_mask), expected, what="cross-attention")
    cache = layer.compute_key_value(memory)  # read-only cache: cache_update_index=None
    output, returned = layer(query, attention_mask=memory_mask, cache=cache, cache_update_index=None)
    assert_close(output, expected, what="cross-attention from its cache")
    for returned_tensor, cached_tensor in zip(returned, cache, strict=True):  # a read-only cache comes back as is
        np.testing.assert_array_equal(returned_tensor, cached_tensor)


def stepper(layer, cache_length, compiled):
    """`step(chunk, cache, index) -> (output, cache)`: attention over the cache, causal from `index` on."""

    def step(chunk, cache, index):
        mask = causal_mask(keras.ops.shape(chunk)[1], cache_length, start_index=index)[None]
        return layer(chunk, attention_mask=mask, cache=cache, cache_update_index=index)

    if not compiled:
        return step
    function = tf.function(step, jit_compile=True)  # as in the generation loop: a traced index, XLA
    return lambda chunk, cache, index: function(chunk, cache, tf.constant(index, "int32"))


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "xla"])
def test_cached_decoding_matches_full_causal_recomputation_step_by_step(compiled):
    layer = random_attention()
    x = inputs()
    full = keras.ops.convert_to_numpy(layer(x, attention_mask=causal_mask(LENGTH, LENGTH)[None]))
    cache_length, prefill = LENGTH + 2, 3
    step = stepper(layer, cache_length, compiled)
    cache = layer.init_cache(BATCH, cache_length)
    output, cache = step(x[:, :prefill], cache, 0)
    assert_close(output, full[:, :prefill], what="prefill")
    for index in range(prefill, LENGTH):
        output, cache = step(x[:, index : index + 1], cache, index)
        assert_close(output[:, 0], full[:, index], what=f"step {index}")
    keys, values = (keras.ops.convert_to_numpy(tensor) for tensor in cache)
    expected_keys, expected_values = (keras.ops.convert_to_numpy(tensor) for tensor in layer.compute_key_value(x))
    assert_close(keys[:, :, :LENGTH], expected_keys, what="cached keys")
    assert_close(values[:, :, :LENGTH], expected_values, what="cached values")
    assert not keys[:, :, LENGTH:].any() and not values[:, :, LENGTH:].any()  # nothing written past the last step


def test_cached_attention_under_xla_reads_the_written_blocks_only():
    layer = random_attention()
    length = 40  # blocks of 16 positions: ends 16, 32 and 40
    x = inputs(length=length)
    full = keras.ops.convert_to_numpy(layer(x, attention_mask=causal_mask(length, length)[None]))
    step = stepper(layer, length, compiled=True)
    cache = layer.init_cache(BATCH, length)
    output, cache = step(x[:, :3], cache, 0)
    assert_close(output, full[:, :3], what="prefill")
    for index in range(3, length):  # every number of written blocks, 1 to 3
        output, cache = step(x[:, index : index + 1], cache, index)
        assert_close(output[:, 0], full[:, index], what=f"step {index}")


@pytest.mark.parametrize("length, branches", [(40, 3), (1024, 8)])
def test_cached_attention_under_xla_compiles_one_branch_per_written_prefix(length, branches):
    """Blocks of 16 positions (ends 16, 32, 40 for 40); longer caches at most 8 branches (blocks of 128)."""
    layer = random_attention()
    mask = causal_mask(1, length, start_index=7)[None]
    compiled = tf.function(lambda chunk, cache, index: layer(chunk, attention_mask=mask, cache=cache,
                                                             cache_update_index=index), jit_compile=True)
    hlo = compiled.experimental_get_compiler_ir(inputs()[:, :1], layer.init_cache(BATCH, length),
                                                tf.constant(7))(stage="hlo")
    found = re.search(r"conditional\([^\n]*branch_computations=\{([^}]*)\}", hlo)
    assert found is not None and len(found.group(1).split(",")) == branches, hlo[:2000]


def test_masking_helpers():
    np.testing.assert_array_equal(causal_mask(2, 5, start_index=2), [[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]])
    merged = merge_masks(np.array([[1, 1, 0]], bool), causal_mask(3, 3))
    np.testing.assert_array_equal(merged, [[[1, 0, 0], [1, 1, 0], [1, 1, 0]]])
    assert merge_masks() is None


@pytest.mark.parametrize("batch", [3, 0])
def test_softmax_is_tensorflow_softmax_under_xla_and_its_kernel_outside(batch):
    from zoo.layers.attention import softmax

    scores = tf.constant(np.random.default_rng(0).normal(scale=4.0, size=(batch, 2, 5, 7)).astype("float32"))
    for jit_compile in (True, False):
        run = tf.function(softmax, jit_compile=jit_compile)
        np.testing.assert_allclose(run(scores).numpy(), tf.nn.softmax(scores).numpy(), rtol=1e-6, atol=1e-7)
        types = [op.type for op in run.get_concrete_function(scores).graph.get_operations()]
        assert ("Softmax" in types) != jit_compile, types


def test_softmax_gradient_under_xla_is_tensorflows():
    from zoo.layers.attention import softmax

    rng = np.random.default_rng(0)
    scores = tf.constant(rng.normal(scale=4.0, size=(3, 2, 5, 7)).astype("float32"))
    weights = tf.constant(rng.normal(size=(3, 2, 5, 7)).astype("float32"))

    def gradient(function, scores):
        with tf.GradientTape() as tape:
            tape.watch(scores)
            loss = tf.reduce_sum(function(scores) * weights)
        return tape.gradient(loss, scores)

    ours = tf.function(lambda s: gradient(softmax, s), jit_compile=True)(scores)
    np.testing.assert_allclose(ours.numpy(), gradient(tf.nn.softmax, scores).numpy(), rtol=1e-5, atol=1e-6)
