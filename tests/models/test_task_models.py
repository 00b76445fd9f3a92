"""Generic heads over any backbone: shapes, one train step each (graph mode; XLA for the masked LM, whose
position gather is the head most likely to trip it; test_backbones has an XLA step per backbone), BERT masking
statistics."""

import numpy as np
import pytest

import zoo  # noqa: F401
import keras

from zoo.models import (IGNORE_LABEL, BertBackbone, GPTBackbone, MaskedLM, SpanExtractor, TextClassifier,
                        TokenClassifier, bert_mask_generator)

IDS = np.random.default_rng(0).integers(5, 1000, size=(2, 8)).astype("int32")
MASK = np.array([[1] * 8, [1] * 5 + [0] * 3], bool)


@pytest.mark.parametrize("backbone_cls,preset", [(BertBackbone, "bert_tiny"), (GPTBackbone, "gpt_tiny")])
def test_text_classifier_on_any_backbone(backbone_cls, preset):
    model = TextClassifier(backbone_cls.from_preset(preset), num_classes=3)
    model.compile(learning_rate=1e-3, total_steps=3, warmup_steps=1, jit_compile=False)
    logs = model.train_on_batch({"token_ids": IDS, "padding_mask": MASK}, np.array([0, 2]), return_dict=True)
    assert np.isfinite(logs["loss"]) and "accuracy" in logs
    assert model({"token_ids": IDS, "padding_mask": MASK}).shape == (2, 3)


def test_token_classifier_loss_counts_only_labelled_tokens():
    keras.utils.set_random_seed(0)
    model = TokenClassifier(BertBackbone.from_preset("bert_tiny", dropout=0.0), num_classes=4, dropout=0.0)
    model.compile(learning_rate=1e-3, total_steps=3, jit_compile=False)
    inputs = {"token_ids": IDS, "padding_mask": MASK}
    labels = np.full((2, 8), IGNORE_LABEL, "int32")
    labels[:, 1] = [1, 2]
    labels[0, 6] = 3
    logits = keras.ops.convert_to_numpy(model(inputs)).astype("float64")  # (batch, length, num_classes)
    log_probabilities = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    rows, columns = np.nonzero(labels != IGNORE_LABEL)
    expected = -log_probabilities[rows, columns, labels[rows, columns]].mean()  # mean over the 3 labelled tokens
    loss = model.evaluate(inputs, labels, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(expected, rel=1e-5)
    model.train_on_batch(inputs, labels)


def test_span_extractor_masks_padding_and_trains():
    model = SpanExtractor(BertBackbone.from_preset("bert_tiny"))
    model.compile(learning_rate=1e-3, total_steps=3, jit_compile=False)
    inputs = {"token_ids": IDS, "padding_mask": MASK}
    outputs = model(inputs)
    assert keras.ops.convert_to_numpy(outputs["start_logits"])[1, 5:].max() <= -1e8
    logs = model.train_on_batch(inputs, {"start_logits": np.array([1, 2]), "end_logits": np.array([3, 4])},
                                return_dict=True)
    assert np.isfinite(logs["loss"])


def test_masked_lm_with_nsp_trains_on_mask_positions():
    model = MaskedLM(BertBackbone.from_preset("bert_tiny"), include_nsp=True)
    model.compile(learning_rate=1e-3, total_steps=3, jit_compile=True)
    positions = np.array([[1, 2], [3, 0]], "int32")
    inputs = {"token_ids": IDS, "padding_mask": MASK, "segment_ids": np.zeros_like(IDS),
              "mask_positions": positions}
    outputs = model(inputs)
    assert outputs["mlm_logits"].shape == (2, 2, 1000) and outputs["nsp_logits"].shape == (2, 2)
    labels = {"mlm_logits": np.take_along_axis(IDS, positions, 1), "nsp_logits": np.array([0, 1])}
    weights = {"mlm_logits": np.array([[1.0, 1.0], [1.0, 0.0]]), "nsp_logits": np.ones(2)}
    logs = model.train_on_batch(inputs, labels, sample_weight=weights, return_dict=True)
    assert np.isfinite(logs["loss"])


def test_bert_masking_is_80_10_10():
    vocabulary_size, mask_id = 1000, 4
    keras.utils.set_random_seed(7)
    generator = bert_mask_generator(vocabulary_size, mask_id, unselectable_token_ids=[0, 2, 3],
                                    max_selections=40)
    ids = np.random.default_rng(1).integers(10, vocabulary_size, size=(64, 200)).astype("int32")
    out = {k: keras.ops.convert_to_numpy(v) for k, v in generator(ids).items()}
    weights = out["mask_weights"].astype(bool)
    selected = weights.sum()
    assert 0.13 < selected / ids.size < 0.17
    new = np.take_along_axis(out["token_ids"], out["mask_positions"], 1)[weights]
    original = out["mask_ids"][weights]
    masked = (new == mask_id).mean()
    kept = (new == original).mean()
    assert 0.76 < masked < 0.84
    assert 0.07 < kept < 0.13  # (plus the rare random token equal to the original)
    assert 0.07 < 1 - masked - kept < 0.13


@pytest.mark.parametrize("head,arguments", [
    (TextClassifier, {"num_classes": 3, "dropout": 0.25}),
    (TokenClassifier, {"num_classes": 4, "dropout": 0.0}),
    (MaskedLM, {"include_nsp": True, "activation": "gelu_approximate", "layer_norm_epsilon": 1e-6}),
])
def test_task_model_config_round_trips_its_own_arguments(head, arguments):
    model = head(BertBackbone.from_preset("bert_tiny"), **arguments)
    config = model.get_config()
    assert {key: config[key] for key in arguments} == arguments
    copy = head.from_config(config)
    assert {key: getattr(copy, key) for key in arguments} == arguments
    assert len(copy.weights) == len(model.weights)
    with pytest.raises(TypeError, match="not a language model"):
        model.decoding_constants()
