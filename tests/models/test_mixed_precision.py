"""Mixed precision: attention scores survive float16 overflow, a reloaded model keeps its policy and loss scaling."""

import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend)
import keras

from zoo.layers.attention import MultiHeadAttention
from zoo.models import BertBackbone, TextClassifier


def attention_output(dtype, inputs, weights):
    layer = MultiHeadAttention(num_heads=2, head_dim=4, dtype=dtype)
    layer(inputs)
    layer.set_weights(weights)
    return keras.ops.convert_to_numpy(keras.ops.cast(layer(inputs), "float32"))


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_attention_scores_beyond_float16_range_stay_finite_and_match_float32(policy):
    keras.utils.set_random_seed(3)
    inputs = np.random.default_rng(3).normal(size=(2, 5, 8)).astype("float32")
    reference = MultiHeadAttention(num_heads=2, head_dim=4)
    reference(inputs)
    weights = reference.get_weights()  # query kernel, bias, key kernel, bias, value..., output...
    weights[0] = weights[0] * 400.0  # q and k kernels scaled until q.k/sqrt(head_dim) passes 65504
    weights[2] = weights[2] * 400.0
    q = inputs @ weights[0] + weights[1]
    k = inputs @ weights[2] + weights[3]
    scores = np.einsum("bqd,bkd->bqk", q[..., :4], k[..., :4]) / 2.0
    assert np.abs(scores).max() > 65504  # float16 scores would overflow
    expected = attention_output("float32", inputs, weights)
    actual = attention_output(policy, inputs, weights)
    assert np.isfinite(actual).all()
    np.testing.assert_allclose(actual, expected, atol=0.02 * np.abs(expected).max())


def test_reloaded_float16_model_keeps_its_policy_and_compile_uses_loss_scaling(tmp_path):
    keras.config.set_dtype_policy("mixed_float16")
    try:
        keras.utils.set_random_seed(1)
        model = TextClassifier(BertBackbone.from_preset("bert_tiny"), num_classes=2, dropout=0.0)
        model.save(tmp_path / "model.keras")
    finally:
        keras.config.set_dtype_policy("float32")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # in a float32 default, as a new process is
    assert reloaded.dtype_policy.name == "mixed_float16"
    assert reloaded.backbone.compute_dtype == "float16"
    reloaded.compile(learning_rate=1e-3, total_steps=5, jit_compile=False)
    assert isinstance(reloaded.optimizer, keras.optimizers.LossScaleOptimizer)
    inputs = {"token_ids": np.arange(2, 18, dtype="int32").reshape(2, 8)}
    logs = reloaded.train_on_batch(inputs, np.array([0, 1]), return_dict=True)
    assert np.isfinite(logs["loss"])
