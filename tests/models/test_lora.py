"""LoRA: only adapters train; merging folds them in with identical outputs."""

import numpy as np
import pytest

import zoo  # noqa: F401
import keras

from zoo.models import BertBackbone, GPTBackbone, TextClassifier


def test_only_lora_weights_are_trainable_and_merge_keeps_outputs():
    keras.utils.set_random_seed(6)
    backbone = BertBackbone.from_preset("bert_tiny", dropout=0.0)
    backbone.enable_lora(rank=4)
    trainable = [w.path for w in backbone.trainable_weights]
    assert trainable and all("lora_kernel" in path for path in trainable)
    # 2 layers x (query, value) x (a, b)
    assert len(trainable) == backbone.num_layers * 4
    model = TextClassifier(backbone, num_classes=2, dropout=0.0)
    model.compile(learning_rate=1e-2, total_steps=5, jit_compile=False)
    inputs = {"token_ids": np.arange(16, dtype="int32").reshape(2, 8)}
    frozen_before = [keras.ops.convert_to_numpy(w) for w in backbone.non_trainable_weights]
    for _ in range(3):
        model.train_on_batch(inputs, np.array([0, 1]))
    frozen_after = [keras.ops.convert_to_numpy(w) for w in backbone.non_trainable_weights]
    for before, after in zip(frozen_before, frozen_after):
        np.testing.assert_array_equal(before, after)
    lora_b = [w for w in backbone.trainable_weights if "lora_kernel_b" in w.path][0]
    assert np.abs(keras.ops.convert_to_numpy(lora_b)).max() > 0  # the adapters did train

    merged = backbone.merge_lora()
    assert not any("lora" in w.path for w in merged.weights)
    expected = backbone(inputs)["sequence_output"]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(merged(inputs)["sequence_output"]),
                               keras.ops.convert_to_numpy(expected), atol=1e-5)


def test_lora_on_decoder_backbone():
    backbone = GPTBackbone.from_preset("gpt_tiny")
    backbone.enable_lora(rank=2)
    expected = sorted(f"decoder_layer_{layer}/attention/{target}/lora_kernel_{part}"
                      for layer in range(backbone.num_layers) for target in ("query", "value") for part in "ab")
    # The first path component is the backbone's own name, which Keras uniquifies (gpt_backbone_27 when
    # other tests built backbones before this one), so compare the paths below it.
    paths = [w.path.split("/", 1) for w in backbone.trainable_weights]
    assert {root for root, _ in paths} == {backbone.name}
    assert sorted(rest for _, rest in paths) == expected


def lora_classifier(**lora):
    keras.utils.set_random_seed(6)
    model = TextClassifier(BertBackbone.from_preset("bert_tiny", dropout=0.0), num_classes=2, dropout=0.0)
    model.enable_lora(**lora)
    return model


INPUTS = {"token_ids": np.arange(2, 18, dtype="int32").reshape(2, 8)}
LABELS = np.array([0, 1])


def test_keras_round_trip_keeps_adapters_settings_trainability_and_training_continues(tmp_path):
    model = lora_classifier(rank=3, alpha=6.0, targets=("query", "key", "value"), dropout=0.1)
    model.compile(learning_rate=1e-2, total_steps=10, jit_compile=False)
    for _ in range(2):
        model.train_on_batch(INPUTS, LABELS)
    model.save(tmp_path / "lora.keras")
    reloaded = keras.saving.load_model(tmp_path / "lora.keras")
    assert reloaded.backbone.lora == model.backbone.lora == {
        "rank": 3, "alpha": 6.0, "targets": ["query", "key", "value"], "dropout": 0.1}
    assert [w.path for w in reloaded.trainable_weights] == [w.path for w in model.trainable_weights]
    assert len(reloaded.trainable_weights) == 2 * 3 * 2 + 2  # layers x targets x (a, b) + head kernel, bias
    saved = lambda m: [w for w in m.weights if "seed_generator" not in w.path]  # noqa: E731  (dropout state)
    for old, new in zip(saved(model), saved(reloaded), strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(old), keras.ops.convert_to_numpy(new))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(reloaded(INPUTS)),
                                  keras.ops.convert_to_numpy(model(INPUTS)))
    # Training continues on the adapters (not stuck at A = B = 0) and leaves the frozen weights alone.
    reloaded.compile(learning_rate=1e-2, total_steps=10, jit_compile=False)
    frozen = [keras.ops.convert_to_numpy(w) for w in reloaded.non_trainable_weights]
    b_before = [keras.ops.convert_to_numpy(w) for w in reloaded.trainable_weights if "lora_kernel_b" in w.path]
    assert any(np.abs(b).max() > 0 for b in b_before)
    reloaded.train_on_batch(INPUTS, LABELS)
    b_after = [keras.ops.convert_to_numpy(w) for w in reloaded.trainable_weights if "lora_kernel_b" in w.path]
    assert any(not np.array_equal(x, y) for x, y in zip(b_before, b_after))
    for before, w in zip(frozen, reloaded.non_trainable_weights):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(w))


@pytest.mark.parametrize("kwargs,message", [
    (dict(rank=0), "rank must be an integer >= 1"), (dict(rank=-2), "rank must be an integer >= 1"),
    (dict(rank=2.5), "rank must be an integer >= 1"), (dict(rank=2, alpha=0.0), "alpha must be a finite number"),
    (dict(rank=2, alpha=-1.0), "alpha must be a finite number"),
    (dict(rank=2, targets=("query", "keys")), "targets must be"), (dict(rank=2, targets=()), "targets must be"),
    (dict(rank=2, dropout=1.0), r"dropout must be in \[0, 1\)"),
])
def test_invalid_lora_arguments_change_nothing(kwargs, message):
    backbone = BertBackbone.from_preset("bert_tiny")
    before = [w.path for w in backbone.trainable_weights]
    with pytest.raises(ValueError, match=message):
        backbone.enable_lora(**kwargs)
    assert [w.path for w in backbone.trainable_weights] == before
    assert not any("lora" in w.path for w in backbone.weights)


def test_merge_and_without_lora_on_task_models():
    model = lora_classifier(rank=2, targets=("query", "value", "output"))
    original = keras.ops.convert_to_numpy(model(INPUTS))
    model.compile(learning_rate=1e-2, total_steps=5, jit_compile=False)
    for _ in range(3):
        model.train_on_batch(INPUTS, LABELS)
    trained = keras.ops.convert_to_numpy(model(INPUTS))
    assert not np.allclose(trained, original)
    merged = model.merge_lora()
    assert not any("lora" in w.path for w in merged.weights) and merged.backbone.lora is None
    np.testing.assert_allclose(keras.ops.convert_to_numpy(merged(INPUTS)), trained,
                               atol=1e-5 * max(1.0, np.abs(trained).max()))
    # Without the adapters: the frozen backbone kernels as before LoRA, with the trained head.
    plain = model.without_lora()
    assert not any("lora" in w.path for w in plain.weights)
    for w in plain.backbone.weights:
        assert np.isfinite(keras.ops.convert_to_numpy(w)).all()
    assert not np.allclose(keras.ops.convert_to_numpy(plain(INPUTS)), trained)
