"""Sentiment export: the C++ serving check (TF Serving's loader, XLA disabled) and a fresh Python process
answer raw strings exactly as the in-memory model does, bad inputs included."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.helpers import (assert_same_outputs, assert_serving_export, bad_inputs, outputs_to_json,
                                  run_fresh_process, run_serving_check)
from zoo.export import export
from zoo.export.classification import signatures
from zoo.models import BertBackbone, TextClassifier
from zoo.models.bert.bert_preprocessor import BertPreprocessor
from zoo.tokenizers import WordPieceTokenizer

VOCAB = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers", "cased_vocab.txt")
LABELS = ["negative", "neutral", "positive"]
SEQUENCE_LENGTH = 12
TEXTS = ["The movie was great!", "terrible, boring and far too long", "Ok.", "", "An über-long sentence " * 5]


def tiny_sentiment_model(seed=0):
    keras.utils.set_random_seed(seed)
    tokenizer = WordPieceTokenizer(VOCAB, lowercase=False)
    preprocessor = BertPreprocessor(tokenizer, sequence_length=SEQUENCE_LENGTH)
    backbone = BertBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2, hidden_dim=16,
                            intermediate_dim=32, dropout=0.0, max_sequence_length=SEQUENCE_LENGTH)
    model = TextClassifier(backbone, num_classes=len(LABELS), dropout=0.0)
    rng = np.random.default_rng(seed)
    for variable in model.weights:  # larger weights than the initializers': answers that differ by input
        variable.assign(variable + rng.normal(0, 0.5, variable.shape).astype("float32"))
    return model, preprocessor


def in_memory_outputs(model, preprocessor, texts):
    """What the trained model says, through the training preprocessing (no export code involved)."""
    if not texts:
        return outputs_to_json({"label": np.zeros([0], object), "label_id": np.zeros([0], np.int32),
                                "scores": np.zeros([0, len(LABELS)], np.float32), "truncated": np.zeros([0], bool)})
    texts = tf.constant(texts, tf.string, shape=[len(texts)])
    scores = tf.nn.softmax(model(preprocessor(texts), training=False), axis=-1).numpy()
    label_id = scores.argmax(-1).astype(np.int32)
    lengths = preprocessor.tokenizer(texts).row_lengths().numpy()
    return outputs_to_json({"label": np.array([LABELS[i].encode() for i in label_id], object).reshape(-1),
                            "label_id": label_id, "scores": scores, "truncated": lengths + 2 > SEQUENCE_LENGTH})


@pytest.fixture(scope="module")
def sentiment(tmp_path_factory):
    model, preprocessor = tiny_sentiment_model()
    path = export(model, preprocessor, tmp_path_factory.mktemp("saved_models"), name="sentiment", labels=LABELS)
    return model, preprocessor, path


def test_cpp_check_equals_the_in_memory_model(sentiment, serving_check):
    model, preprocessor, path = sentiment
    returncode, results, stderr = run_serving_check(serving_check, path, [TEXTS])
    assert returncode == 0, stderr[-3000:]
    expected = in_memory_outputs(model, preprocessor, TEXTS)
    assert_same_outputs(results[0], expected)
    truncated = results[0]["outputs"]["truncated"]["values"]
    assert truncated[-1] and not truncated[3]  # the long text is cut, the empty one is not
    assert len(set(results[0]["outputs"]["label"]["values"])) > 1  # the test model is not constant


def test_saved_model_cli_and_op_audit(sentiment, tmp_path):
    assert_serving_export(sentiment[2], ["label", "label_id", "scores", "truncated"], tmp_path)


def test_fresh_python_process_equals_the_in_memory_model(sentiment):
    model, preprocessor, path = sentiment
    [result] = run_fresh_process(path, [TEXTS])
    assert_same_outputs(result, in_memory_outputs(model, preprocessor, TEXTS))


def test_bad_inputs_through_the_cpp_check(sentiment, serving_check):
    model, preprocessor, path = sentiment
    cases = bad_inputs()
    returncode, results, stderr = run_serving_check(serving_check, path, list(cases.values()))
    assert returncode == 0, stderr[-3000:]
    assert len(results) == len(cases)
    for (case, rows), result in zip(cases.items(), results):
        assert "outputs" in result, (case, result)
        assert_same_outputs(result, in_memory_outputs(model, preprocessor, rows))
    by_case = dict(zip(cases, results))
    assert by_case["long_text"]["outputs"]["truncated"]["values"] == [True]
    assert by_case["empty_batch"]["outputs"]["scores"]["shape"] == [0, len(LABELS)]
    mixed = by_case["mixed_lengths_one_empty"]["outputs"]
    empty = by_case["empty_string"]["outputs"]
    np.testing.assert_allclose(mixed["scores"]["values"][17 * 3:18 * 3], empty["scores"]["values"], atol=1e-6)


def test_token_id_signature_answers_like_the_raw_string_one(sentiment):
    model, preprocessor, path = sentiment
    loaded = tf.saved_model.load(str(path)).signatures
    text = tf.constant(TEXTS)
    ids = preprocessor.tokenizer(text)
    from_ids = loaded["serve_token_ids"](token_ids=ids.to_tensor(), padding_mask=tf.ones_like(ids).to_tensor())
    from_text = loaded["serving_default"](text=text)
    assert_same_outputs({"outputs": outputs_to_json(from_ids)}, outputs_to_json(from_text), rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="vocabulary size"):
        loaded["serve_token_ids"](token_ids=tf.constant([[5, 10_000]]), padding_mask=tf.constant([[1, 1]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same shape"):
        loaded["serve_token_ids"](token_ids=tf.constant([[5, 6]]), padding_mask=tf.constant([[1]]))
    # Ids under a 0 of the mask are padding, whatever they are.
    padded = loaded["serve_token_ids"](token_ids=tf.constant([[5, 6, 10_000]]), padding_mask=tf.constant([[1, 1, 0]]))
    plain = loaded["serve_token_ids"](token_ids=tf.constant([[5, 6]]), padding_mask=tf.constant([[1, 1]]))
    np.testing.assert_allclose(padded["scores"], plain["scores"], atol=1e-6)


def test_xla_variant_needs_xla_in_the_server(tmp_path, serving_check):
    """`xla=True` marks the forward pass for XLA: a server with XLA disabled (TF Serving's default) fails on it,
    one started with XLA on answers like the default export."""
    model, preprocessor = tiny_sentiment_model()
    path = export(model, preprocessor, tmp_path, name="sentiment_xla", labels=LABELS, xla=True)
    returncode, results, _ = run_serving_check(serving_check, path, [TEXTS[:2]])
    assert returncode == 1 and "XLA" in results[0]["error"]["message"], results
    returncode, results, stderr = run_serving_check(serving_check, path, [TEXTS[:2]], xla=True)
    assert returncode == 0, stderr[-3000:]
    assert_same_outputs(results[0], in_memory_outputs(model, preprocessor, TEXTS[:2]))


def test_labels_must_match_the_classes():
    model, preprocessor = tiny_sentiment_model()
    with pytest.raises(ValueError, match="labels has 2 names but the model has num_classes=3"):
        signatures(model, preprocessor, labels=["a", "b"])


def test_text_pairs(tmp_path, serving_check):
    model, preprocessor = tiny_sentiment_model(seed=1)
    path = export(model, preprocessor, tmp_path, name="pairs", labels=LABELS, pairs=True)
    rows = {"text": ["A cat.", "", "long " * 40], "text_pair": ["A dog!", "only the second", "x"]}
    returncode, results, stderr = run_serving_check(serving_check, path, [rows])
    assert returncode == 0, stderr[-3000:]
    pair = (tf.constant(rows["text"]), tf.constant(rows["text_pair"]))
    scores = tf.nn.softmax(model(preprocessor(pair), training=False), axis=-1).numpy()
    np.testing.assert_allclose(results[0]["outputs"]["scores"]["values"], scores.reshape(-1), atol=1e-5)
    lengths = sum(preprocessor.tokenizer(text).row_lengths().numpy() for text in pair)
    assert results[0]["outputs"]["truncated"]["values"] == (lengths + 3 > SEQUENCE_LENGTH).tolist()
    assert results[0]["outputs"]["truncated"]["values"][0] is False and results[0]["outputs"]["truncated"]["values"][2]
    loaded = tf.saved_model.load(str(path)).signatures["serve_token_ids"]
    ids = [preprocessor.tokenizer(text) for text in pair]
    from_ids = loaded(token_ids=ids[0].to_tensor(), padding_mask=tf.ones_like(ids[0]).to_tensor(),
                      pair_token_ids=ids[1].to_tensor(), pair_padding_mask=tf.ones_like(ids[1]).to_tensor())
    np.testing.assert_allclose(from_ids["scores"].numpy(), scores, atol=1e-5)
