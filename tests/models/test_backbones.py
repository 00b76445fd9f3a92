"""Backbone contracts: config round trip, .keras round trip, XLA and mixed-precision train steps, bad configs."""

import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend)
import keras

from zoo.models import (BertBackbone, CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone, TextClassifier)

PRESETS = [(BertBackbone, "bert_tiny"), (GPTBackbone, "gpt_tiny"), (T5Backbone, "t5_tiny"),
           (T5Backbone, "t5_v1_1_tiny")]


def batch_for(backbone, batch_size=2, length=6, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, backbone.vocabulary_size, size=(batch_size, length)).astype("int32")
    mask = np.ones((batch_size, length), bool)
    mask[1, -2:] = False
    if isinstance(backbone, T5Backbone):
        return {"encoder_token_ids": ids, "encoder_padding_mask": mask, "decoder_token_ids": ids[:, ::-1].copy(),
                "decoder_padding_mask": np.ones_like(mask)}
    inputs = {"token_ids": ids, "padding_mask": mask}
    if isinstance(backbone, BertBackbone):
        inputs["segment_ids"] = (np.arange(length)[None, :] >= length // 2).astype("int32").repeat(batch_size, 0)
    return inputs


def task_model_for(backbone):
    if isinstance(backbone, GPTBackbone):
        return CausalLM(backbone)
    if isinstance(backbone, T5Backbone):
        return Seq2SeqLM(backbone)
    return TextClassifier(backbone, num_classes=3)


def labels_for(model, inputs):
    if isinstance(model, TextClassifier):
        return np.array([0, 2], "int32")
    ids = inputs.get("decoder_token_ids", inputs.get("token_ids"))
    return np.roll(ids, -1, axis=1)


def outputs_of(backbone, inputs):
    return {k: keras.ops.convert_to_numpy(v) for k, v in backbone(inputs).items()}


@pytest.mark.parametrize("cls,preset", PRESETS)
def test_config_round_trip_gives_same_outputs(cls, preset):
    backbone = cls.from_preset(preset, dropout=0.0)
    clone = cls.from_config(backbone.get_config())
    clone.set_weights(backbone.get_weights())
    assert clone.get_config() == backbone.get_config()
    inputs = batch_for(backbone)
    for key, value in outputs_of(backbone, inputs).items():
        np.testing.assert_allclose(outputs_of(clone, inputs)[key], value, atol=1e-6)


@pytest.mark.parametrize("cls,preset", PRESETS)
def test_keras_file_round_trip(cls, preset, tmp_path):
    model = task_model_for(cls.from_preset(preset, dropout=0.0))
    inputs = batch_for(model.backbone)
    expected = keras.ops.convert_to_numpy(model(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is type(model)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(inputs)), expected, atol=1e-6)


@pytest.mark.parametrize("cls,preset", PRESETS)
def test_xla_train_step_reduces_loss(cls, preset):
    keras.utils.set_random_seed(1)
    model = task_model_for(cls.from_preset(preset, dropout=0.0))
    model.compile(learning_rate=1e-2, total_steps=20, jit_compile=True)
    inputs = batch_for(model.backbone)
    labels = labels_for(model, inputs)
    first = model.train_on_batch(inputs, labels, return_dict=True)["loss"]
    for _ in range(5):
        last = model.train_on_batch(inputs, labels, return_dict=True)["loss"]
    assert np.isfinite(first) and last < first


MIXED = [(cls, preset, "mixed_bfloat16") for cls, preset in PRESETS] + [
    (BertBackbone, "bert_tiny", "mixed_float16"), (GPTBackbone, "gpt_tiny", "mixed_float16")]


@pytest.mark.parametrize("cls,preset,policy", MIXED)
def test_mixed_precision_train_step(cls, preset, policy):
    keras.config.set_dtype_policy(policy)
    try:
        model = task_model_for(cls.from_preset(preset))
        assert model.backbone.compute_dtype == policy.split("_")[1]
        # XLA is covered above; a graph-mode step keeps this test fast.
        model.compile(learning_rate=1e-3, total_steps=10, jit_compile=False)
        inputs = batch_for(model.backbone)
        logits = model(inputs)
        assert keras.backend.standardize_dtype(logits.dtype) == "float32"
        logs = model.train_on_batch(inputs, labels_for(model, inputs), return_dict=True)
        assert np.isfinite(logs["loss"])
        assert all(np.isfinite(keras.ops.convert_to_numpy(w)).all() for w in model.trainable_weights)
    finally:
        keras.config.set_dtype_policy("float32")


def test_unknown_config_field_is_named():
    config = BertBackbone.from_preset("bert_tiny").get_config()
    config["hidden_size"] = 32
    with pytest.raises(ValueError, match="hidden_size"):
        BertBackbone.from_config(config)


def test_unknown_preset_lists_available():
    with pytest.raises(ValueError, match="gpt_tiny"):
        GPTBackbone.from_preset("gpt_huge")


def test_heads_must_divide_hidden_dim():
    with pytest.raises(ValueError, match="divisible"):
        GPTBackbone(vocabulary_size=10, num_layers=1, num_heads=3, hidden_dim=8, intermediate_dim=8)


@pytest.mark.parametrize("cls,preset,key", [(BertBackbone, "bert_tiny", "token_ids"),
                                            (GPTBackbone, "gpt_tiny", "token_ids"),
                                            (T5Backbone, "t5_tiny", "encoder_token_ids")])
def test_wrong_rank_names_the_input(cls, preset, key):
    backbone = cls.from_preset(preset)
    inputs = backbone.dummy_inputs()
    inputs[key] = np.ones((4,), "int32")
    with pytest.raises(ValueError, match=rf"{key} must have shape \(batch, length\)"):
        backbone(inputs)


@pytest.mark.parametrize("cls,preset", [(BertBackbone, "bert_tiny"), (GPTBackbone, "gpt_tiny")])
def test_too_long_input_names_max_sequence_length(cls, preset):
    backbone = cls.from_preset(preset)
    with pytest.raises(ValueError, match="more than max_sequence_length=128"):
        backbone({"token_ids": np.ones((1, 129), "int32")})


@pytest.mark.parametrize("hidden_dim, num_heads", [(64, 4), (256, 4)])
def test_t5_attention_scores_start_at_unit_scale(hidden_dim, num_heads):
    """T5 attends without 1/sqrt(head_dim); its initialisation puts that factor in the query kernel instead, so a
    model trained from scratch does not start with saturated attention (scores of std sqrt(head_dim))."""
    from zoo.models import T5Backbone

    keras.utils.set_random_seed(0)
    backbone = T5Backbone(vocabulary_size=50, num_layers=1, num_heads=num_heads, hidden_dim=hidden_dim,
                          intermediate_dim=hidden_dim, dropout=0.0)
    x = np.random.default_rng(0).normal(size=(4, 32, hidden_dim)).astype("float32")  # unit-RMS, as after RMSNorm
    for attention in (backbone.encoder_layers[0].self_attention, backbone.decoder_layers[0].cross_attention):
        q = attention._split_heads(attention.query_dense(x))
        k = attention._split_heads(attention.key_dense(x))
        scores = np.einsum("bhqd,bhkd->bhqk", q, k)
        assert 0.8 < scores.std() < 1.25, scores.std()
