"""LoRA: only adapters train; merging folds them in with identical outputs."""

import numpy as np

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
    model.compile(learning_rate=1e-2, total_steps=5)
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
    assert all("lora_kernel" in w.path for w in backbone.trainable_weights)
