"""Backbone contracts: config round trip, .keras round trip, XLA and mixed-precision train steps, bad configs."""

import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend)
import keras

from tests.parity import assert_close
from zoo.models import (BertBackbone, CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone, TextClassifier)


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


OUTPUT_KEYS = {"bert": {"sequence_output", "pooled_output"}, "gpt": {"sequence_output"},
               "t5": {"encoder_sequence_output", "decoder_sequence_output"}}


def test_config_round_trip_gives_same_outputs(tiny_preset, backbone_inputs):
    cls, preset = tiny_preset
    backbone = cls.from_preset(preset, dropout=0.0)
    clone = cls.from_config(backbone.get_config())
    clone.set_weights(backbone.get_weights())
    assert clone.get_config() == backbone.get_config()
    inputs = backbone_inputs(backbone)
    expected, outputs = outputs_of(backbone, inputs), outputs_of(clone, inputs)
    assert set(outputs) == set(expected) >= OUTPUT_KEYS[preset.split("_")[0]]
    for key, value in expected.items():
        assert_close(outputs[key], value, what=key)


def test_keras_file_round_trip(tiny_preset, backbone_inputs, tmp_path):
    cls, preset = tiny_preset
    model = task_model_for(cls.from_preset(preset, dropout=0.0))
    inputs = backbone_inputs(model.backbone)
    expected = keras.ops.convert_to_numpy(model(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is type(model)
    assert_close(restored(inputs), expected, what="reloaded outputs")


def test_xla_train_step_reduces_loss(tiny_preset, backbone_inputs):
    cls, preset = tiny_preset
    keras.utils.set_random_seed(1)
    model = task_model_for(cls.from_preset(preset, dropout=0.0))
    model.compile(learning_rate=1e-2, total_steps=20, jit_compile=True)
    inputs = backbone_inputs(model.backbone)
    labels = labels_for(model, inputs)
    first = model.train_on_batch(inputs, labels, return_dict=True)["loss"]
    for _ in range(5):
        last = model.train_on_batch(inputs, labels, return_dict=True)["loss"]
    assert np.isfinite(first) and last < first


MIXED = [(BertBackbone, "bert_tiny", "mixed_bfloat16"), (GPTBackbone, "gpt_tiny", "mixed_bfloat16"),
         (T5Backbone, "t5_tiny", "mixed_bfloat16"), (T5Backbone, "t5_v1_1_tiny", "mixed_bfloat16"),
         (BertBackbone, "bert_tiny", "mixed_float16"), (GPTBackbone, "gpt_tiny", "mixed_float16")]


@pytest.mark.parametrize("cls,preset,policy", MIXED)
def test_mixed_precision_train_step(cls, preset, policy, set_dtype_policy, backbone_inputs):
    set_dtype_policy(policy)
    model = task_model_for(cls.from_preset(preset))
    assert model.backbone.compute_dtype == policy.split("_")[1]
    # XLA is covered above; a graph-mode step keeps this test fast.
    model.compile(learning_rate=1e-3, total_steps=10, jit_compile=False)
    inputs = backbone_inputs(model.backbone)
    logits = model(inputs)
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    logs = model.train_on_batch(inputs, labels_for(model, inputs), return_dict=True)
    assert np.isfinite(logs["loss"])
    assert model.trainable_weights and all(w.dtype == "float32" for w in model.trainable_weights)  # master weights
    assert all(np.isfinite(keras.ops.convert_to_numpy(w)).all() for w in model.trainable_weights)


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


@pytest.mark.parametrize("norm_first", [False, True])
def test_bert_pooled_only_under_xla_gives_the_eager_full_pass_pooled_output_and_gradients(norm_first):
    """Under XLA, `pooled_only=True` computes the last block at the first token alone (and the layers take their
    XLA forms): same pooled output and same gradients as the eager full pass (Keras' ops), padded rows included."""
    import tensorflow as tf

    backbone = BertBackbone.from_preset("bert_tiny", dropout=0.0, norm_first=norm_first)
    rng = np.random.default_rng(0)
    inputs = {"token_ids": rng.integers(1, backbone.vocabulary_size, (3, 7)).astype("int32"),
              "padding_mask": np.arange(7)[None, :] < np.array([[7], [4], [2]])}

    def pooled_and_gradients(inputs, pooled_only):
        with tf.GradientTape() as tape:
            pooled = backbone(inputs, pooled_only=pooled_only)["pooled_output"]
            loss = tf.reduce_sum(tf.sin(3.0 * pooled))
        return [pooled] + [tf.convert_to_tensor(g) for g in tape.gradient(loss, backbone.trainable_weights)]

    compiled = tf.function(lambda inputs: pooled_and_gradients(inputs, True), jit_compile=True)
    results = [[t.numpy() for t in run] for run in (pooled_and_gradients(inputs, False), compiled(inputs))]
    assert set(backbone(inputs, pooled_only=True)) == {"pooled_output"}
    names = ["pooled_output"] + [w.path for w in backbone.trainable_weights]
    for name, full, only in zip(names, *results, strict=True):
        assert_close(only, full, name)
