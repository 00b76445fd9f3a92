"""NER export: raw text in, entities out; the C++ serving check and a fresh Python process answer as the
in-memory model read by the metric's own entity rules (seqeval) does, bad inputs included."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.helpers import (assert_same_outputs, assert_serving_export, bad_inputs, run_fresh_process,
                                  run_serving_check)
from zoo.export import export
from zoo.export.token_classification import signatures
from zoo.metrics import tags_to_entities
from zoo.models import BertBackbone, TokenClassifier
from zoo.models.bert.bert_token_classifier_preprocessor import BertTokenClassifierPreprocessor
from zoo.tokenizers import WordPieceTokenizer

VOCAB = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers", "cased_vocab.txt")
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
SEQUENCE_LENGTH = 12
TEXTS = ["Ada Lovelace was born in London.", "", "Straße in München, nahe Zürich", "word " * 20, "x"]


def tiny_ner_model(seed=4):
    keras.utils.set_random_seed(seed)
    tokenizer = WordPieceTokenizer(VOCAB, lowercase=False)
    preprocessor = BertTokenClassifierPreprocessor(tokenizer, sequence_length=SEQUENCE_LENGTH)
    backbone = BertBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2, hidden_dim=16,
                            intermediate_dim=32, dropout=0.0, max_sequence_length=SEQUENCE_LENGTH)
    model = TokenClassifier(backbone, num_classes=len(LABELS), dropout=0.0)
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(variable + rng.normal(0, 1.0, variable.shape).astype("float32"))
    kernel = model.output_dense.kernel  # tags that differ by word: several entities, of both types
    kernel.assign(rng.normal(0, 3.0, kernel.shape).astype("float32"))
    return model, preprocessor


def in_memory_outputs(model, preprocessor, texts):
    """Entities from the training preprocessing and the model, grouped by `zoo.metrics.tags_to_entities`."""
    rows = []
    words, starts, ends = preprocessor.split(tf.constant(texts, tf.string, shape=[len(texts)]))
    features = preprocessor(words)
    logits = model({key: features[key] for key in ("token_ids", "padding_mask", "segment_ids")}).numpy()
    probabilities = tf.nn.softmax(logits).numpy()
    for row, text in enumerate(texts):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        tags, scores = ["O"] * len(words[row]), [0.0] * len(words[row])
        for position, word in enumerate(features["word_ids"][row].numpy()):
            if word >= 0:
                tags[word] = LABELS[probabilities[row, position].argmax()]
                scores[word] = probabilities[row, position].max()
        entities = []
        for kind, first, last in tags_to_entities(tags, scheme="IOB1"):  # conlleval's reading of the tags
            start, end = int(starts[row][first]), int(ends[row][last - 1])
            entities.append((text[start:end], kind, start, end, float(np.mean(scores[first:last]))))
        rows.append(entities)
    width = max([len(entities) for entities in rows] + [0])

    def column(index, fill, dtype):
        return np.array([[entity[index] for entity in entities] + [fill] * (width - len(entities))
                         for entities in rows], dtype).reshape(len(rows), width)

    return {"entity_text": column(0, "", object), "entity_type": column(1, "", object),
            "entity_start": column(2, -1, np.int32), "entity_end": column(3, -1, np.int32),
            "entity_score": column(4, 0.0, np.float32), "num_entities": np.array([len(e) for e in rows], np.int32),
            "truncated": features["truncated"].numpy()}


def to_json(outputs):
    from tests.export.helpers import outputs_to_json

    encoded = {name: np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(value)
               if np.asarray(value).dtype == object and np.asarray(value).size else value
               for name, value in outputs.items()}
    return outputs_to_json(encoded)


@pytest.fixture(scope="module")
def ner(tmp_path_factory):
    model, preprocessor = tiny_ner_model()
    path = export(model, preprocessor, tmp_path_factory.mktemp("saved_models"), name="ner", labels=LABELS)
    return model, preprocessor, path


def test_fresh_python_process_equals_the_in_memory_model(ner):
    model, preprocessor, path = ner
    [result] = run_fresh_process(path, [TEXTS])
    expected = in_memory_outputs(model, preprocessor, TEXTS)
    assert_same_outputs(result, to_json(expected))
    assert expected["num_entities"][2] >= 3 and set(expected["entity_type"][2]) - {""} == {"PER", "LOC"}
    assert any(" " in text for text in expected["entity_text"][2])  # an entity of several words
    assert expected["truncated"].tolist() == [True, False, False, True, False]  # more than 10 pieces
    outputs = result["outputs"]
    width = outputs["entity_text"]["shape"][1]
    for index in range(len(TEXTS) * width):
        start, end = outputs["entity_start"]["values"][index], outputs["entity_end"]["values"][index]
        assert start < 0 or TEXTS[index // width][start:end] == outputs["entity_text"]["values"][index]


def test_saved_model_cli_and_op_audit(ner, tmp_path):
    outputs = ["entity_text", "entity_type", "entity_start", "entity_end", "entity_score", "num_entities", "truncated"]
    assert_serving_export(ner[2], outputs, tmp_path)


def test_cpp_check_and_bad_inputs(ner, serving_check):
    model, preprocessor, path = ner
    cases = {"texts": TEXTS, **bad_inputs()}
    returncode, results, stderr = run_serving_check(serving_check, path, list(cases.values()))
    assert returncode == 0, stderr[-3000:]
    for (case, rows), result in zip(cases.items(), results):
        if case == "invalid_utf8":  # offsets refer to the text with U+FFFD replacements
            assert "outputs" in result, (case, result)
            continue
        assert_same_outputs(result, to_json(in_memory_outputs(model, preprocessor, rows)))
    by_case = dict(zip(cases, results))
    assert by_case["long_text"]["outputs"]["truncated"]["values"] == [True]
    assert by_case["empty_string"]["outputs"]["num_entities"]["values"] == [0]
    assert by_case["empty_batch"]["outputs"]["num_entities"]["shape"] == [0]


def test_token_id_signature_tags_every_token(ner):
    model, preprocessor, path = ner
    loaded = tf.saved_model.load(str(path)).signatures["serve_token_ids"]
    ids = preprocessor.tokenizer(tf.constant(["Ada Lovelace", "x"]))
    answers = loaded(token_ids=ids.to_tensor(), padding_mask=tf.ones_like(ids).to_tensor())
    pieces = tf.RaggedTensor.from_uniform_row_length(ids.flat_values, 1)
    features = preprocessor.pack(ids.with_flat_values(pieces))
    logits = model({key: features[key] for key in ("token_ids", "padding_mask", "segment_ids")}).numpy()
    expected = np.zeros(answers["tag_id"].shape, np.int32)
    for row, length in enumerate(ids.row_lengths().numpy()):
        expected[row, :length] = logits[row, 1:1 + length].argmax(-1)  # token i sits after [CLS]
    np.testing.assert_array_equal(answers["tag_id"].numpy(), expected)
    assert answers["tag"].numpy()[1, -1] == b"O" and answers["score"].numpy()[1, -1] == 0.0  # padding


def test_labels_must_start_with_o():
    model, preprocessor = tiny_ner_model()
    with pytest.raises(ValueError, match="'O' first"):
        signatures(model, preprocessor, labels=LABELS[1:] + ["O"])
