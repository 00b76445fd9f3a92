"""TiedEmbedding (token embedding and tied LM head) and PositionEmbedding against NumPy."""

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
import keras

from tests.parity import assert_close
from zoo.layers import PositionEmbedding, TiedEmbedding


def random_tied_embedding(vocabulary_size, hidden_dim):
    layer = TiedEmbedding(vocabulary_size=vocabulary_size, hidden_dim=hidden_dim)
    layer.build()
    table = np.random.default_rng(0).normal(size=(vocabulary_size, hidden_dim)).astype("float32")
    layer.embeddings.assign(table)
    return layer, table


# A square table too: there a transposed head gives the right shape and wrong numbers.
@pytest.mark.parametrize("vocabulary_size,hidden_dim", [(11, 6), (6, 6)])
def test_tied_embedding_and_lm_head_match_numpy(vocabulary_size, hidden_dim):
    layer, table = random_tied_embedding(vocabulary_size, hidden_dim)
    token_ids = np.array([[0, 3, 5, 5], [1, 2, 4, 0]], "int32")
    np.testing.assert_array_equal(layer(token_ids), table[token_ids])
    hidden = np.random.default_rng(1).normal(size=(2, 4, hidden_dim)).astype("float32")
    expected = hidden @ table.T  # (batch, length, vocabulary_size)
    assert_close(layer(hidden, reverse=True), expected, what="tied LM head")
    kernel = layer.reverse_kernel()
    assert tuple(kernel.shape) == (hidden_dim, vocabulary_size)
    assert_close(layer(hidden, reverse=True, reverse_kernel=kernel), expected, what="head from reverse_kernel()")


def test_tied_lm_head_gives_float32_logits_under_mixed_precision(set_dtype_policy):
    set_dtype_policy("mixed_bfloat16")
    layer, table = random_tied_embedding(11, 6)
    embedded = layer(np.array([[1, 2]], "int32"))
    assert embedded.dtype == "bfloat16"
    logits = layer(embedded, reverse=True)
    assert logits.dtype == "float32"
    expected = keras.ops.convert_to_numpy(keras.ops.cast(embedded, "float32")) @ table.T
    # Inside `call` Keras autocasts the table to bfloat16 (8-bit mantissa) before the float32 product.
    assert_close(logits, expected, tolerance=1e-2, what="mixed-precision logits")


def random_position_embedding(max_sequence_length=10, hidden_dim=4):
    layer = PositionEmbedding(max_sequence_length=max_sequence_length)
    layer.build((2, 3, hidden_dim))
    table = np.random.default_rng(2).normal(size=(max_sequence_length, hidden_dim)).astype("float32")
    layer.embeddings.assign(table)
    return layer, table


@pytest.mark.parametrize("start_index", [0, 1, 7])
def test_position_embedding_from_a_start_index(start_index):
    layer, table = random_position_embedding()
    inputs = np.zeros((2, 3, 4), "float32")
    np.testing.assert_array_equal(layer(inputs, start_index=start_index), table[None, start_index : start_index + 3])


def test_position_embedding_with_a_traced_start_index():
    """In the compiled decode loop the start index is a tensor: one trace serves every step."""
    layer, table = random_position_embedding()
    step = tf.function(lambda index: layer(tf.zeros((2, 1, 4)), start_index=index), jit_compile=True)
    for index in (0, 4, 9):
        np.testing.assert_array_equal(step(tf.constant(index)), table[None, index : index + 1])
    assert step.experimental_get_tracing_count() == 1
