"""TF Model Garden BertEncoderV2 checkpoint import: parity with the garden encoder's own outputs."""

import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert import ConversionError
from zoo.convert.model_garden import load_bert_encoder_v2

from tests.parity import assert_close, bound, max_abs_diff

GEOMETRY = dict(vocab_size=99, hidden_size=32, num_layers=2, num_attention_heads=4, inner_dim=37,
                max_sequence_length=16, type_vocab_size=2)


def garden_encoder(**overrides):
    """A small BertEncoderV2 whose every variable (including norms and biases) is random."""
    networks = pytest.importorskip(
        "official.nlp.modeling.networks", reason="tf-models-official (extra `garden`) is not installed"
    )
    encoder = networks.BertEncoderV2(**{**GEOMETRY, **overrides})
    inputs = garden_inputs()
    encoder(inputs)  # build
    rng = np.random.default_rng(0)
    for variable in encoder.variables:
        scale = 1.0 if "gamma" in variable.name else 0.3
        base = 1.0 if "gamma" in variable.name else 0.0
        variable.assign(base + scale * rng.standard_normal(variable.shape).astype("float32"))
    return encoder


def garden_inputs():
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 99, size=(3, 10)).astype("int32")
    mask = np.ones_like(ids)
    mask[1, 7:] = 0
    mask[2, 4:] = 0
    segments = np.zeros_like(ids)
    segments[0, 5:] = 1
    return {"input_word_ids": ids * mask, "input_mask": mask, "input_type_ids": segments}


def ours(inputs):
    return {"token_ids": inputs["input_word_ids"], "padding_mask": inputs["input_mask"],
            "segment_ids": inputs["input_type_ids"]}


def save(encoder, tmp_path):
    return tf.train.Checkpoint(encoder=encoder).write(str(tmp_path / "ckpt"))


def test_bert_encoder_v2_parity(tmp_path):
    encoder = garden_encoder()  # default inner_activation: tanh-approximate GELU, norm epsilon 1e-12
    inputs = garden_inputs()
    expected = encoder(inputs)
    backbone = load_bert_encoder_v2(save(encoder, tmp_path), num_layers=2)
    assert (backbone.num_layers, backbone.num_heads, backbone.intermediate_dim) == (2, 4, 37)
    assert (backbone.max_sequence_length, backbone.num_segments) == (16, 2)
    outputs = backbone(ours(inputs))
    assert_close(outputs["sequence_output"], expected["sequence_output"], "garden sequence_output")
    assert_close(outputs["pooled_output"], expected["pooled_output"], "garden pooled_output")


def test_exact_gelu_encoder_needs_matching_activation(tmp_path):
    import tf_keras

    encoder = garden_encoder(inner_activation=lambda x: tf_keras.activations.gelu(x, approximate=False))
    inputs = garden_inputs()
    expected = encoder(inputs)["sequence_output"]
    prefix = save(encoder, tmp_path)
    exact = load_bert_encoder_v2(prefix, activation="gelu")
    assert_close(exact(ours(inputs))["sequence_output"], expected, "exact-GELU garden sequence_output")
    # The checkpoint does not record the activation: the wrong one fails the parity check (here by ~8x).
    approximate = load_bert_encoder_v2(prefix)
    assert max_abs_diff(approximate(ours(inputs))["sequence_output"], expected) > bound(expected)


def test_layer_count_mismatch(tmp_path):
    prefix = save(garden_encoder(), tmp_path)
    with pytest.raises(ConversionError, match="has 2 transformer layers, but num_layers=3"):
        load_bert_encoder_v2(prefix, num_layers=3)


def test_not_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a readable TF checkpoint"):
        load_bert_encoder_v2(str(tmp_path / "missing"))


def test_checkpoint_without_encoder(tmp_path):
    prefix = tf.train.Checkpoint(step=tf.Variable(3)).write(str(tmp_path / "other"))
    with pytest.raises(ConversionError, match="no BertEncoderV2"):
        load_bert_encoder_v2(prefix)


def test_extra_encoder_variable_is_an_error(tmp_path):
    encoder = garden_encoder()
    extra = tf.Variable(np.zeros((32,), "float32"))
    checkpoint = tf.train.Checkpoint(encoder=encoder)
    encoder._pooler_layer.extra_scale = extra  # an encoder variable our BertBackbone has no place for
    prefix = checkpoint.write(str(tmp_path / "ckpt"))
    with pytest.raises(ConversionError, match="extra_scale"):
        load_bert_encoder_v2(prefix)
