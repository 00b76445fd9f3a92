"""QA export: question and context in, the answer out; the C++ serving check and a fresh Python process answer
as a brute-force search over the in-memory model's windows does, long contexts and bad inputs included."""

import itertools
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.helpers import (assert_same_outputs, assert_serving_export, bad_inputs, outputs_to_json,
                                  run_fresh_process, run_serving_check)
from zoo.export import export
from zoo.models import BertBackbone, SpanExtractor
from zoo.models.bert.bert_span_extractor_preprocessor import BertSpanExtractorPreprocessor
from zoo.tokenizers import WordPieceTokenizer

VOCAB = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers", "cased_vocab.txt")
MAX_ANSWER = 4
LONG = "Ada Lovelace wrote the first program in 1843 while she lived in London. " * 6
QUESTIONS = ["Who wrote the first program?", "When?", "", "Where did she live?"]
CONTEXTS = ["Ada Lovelace wrote the first program in 1843.", LONG, "Straße in München", ""]


def tiny_qa_model(seed=0):
    keras.utils.set_random_seed(seed)
    tokenizer = WordPieceTokenizer(VOCAB, lowercase=False)
    preprocessor = BertSpanExtractorPreprocessor(tokenizer, sequence_length=24, doc_stride=6, max_question_length=6)
    backbone = BertBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2, hidden_dim=16,
                            intermediate_dim=32, dropout=0.0, max_sequence_length=24)
    model = SpanExtractor(backbone)
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(variable + rng.normal(0, 1.0, variable.shape).astype("float32"))
    return model, preprocessor


def in_memory_outputs(model, preprocessor, questions, contexts, null_threshold=None):
    """The best span over all windows by brute force over (start, end) pairs, from the training preprocessing."""
    shape = [len(questions)]
    windows = preprocessor(tf.constant(questions, tf.string, shape), tf.constant(contexts, tf.string, shape))
    logits = model({key: windows[key] for key in ("token_ids", "padding_mask", "segment_ids")})
    starts, ends = windows["token_starts"].numpy(), windows["token_ends"].numpy()
    best = {}
    null = {}
    for window, example in enumerate(windows["example"].numpy()):
        s, e = logits["start_logits"][window].numpy(), logits["end_logits"][window].numpy()
        null[example] = min(null.get(example, np.inf), s[0] + e[0])
        valid = [i for i in range(len(s)) if starts[window, i] >= 0]
        spans = [(s[i] + e[j], i, j) for i, j in itertools.product(valid, valid) if 0 <= j - i < MAX_ANSWER]
        if spans:
            score, i, j = max(spans, key=lambda span: span[0])
            probability = np.exp(score) / np.sum(np.exp([span[0] for span in spans]))
            if score > best.get(example, (-np.inf,))[0]:
                best[example] = (score, starts[window, i], ends[window, j], probability)
    rows = []
    for example, context in enumerate(contexts):
        context = context.decode() if isinstance(context, bytes) else context
        score, start, end, probability = best.get(example, (-np.inf, -1, -1, 0.0))
        answered = start >= 0 and (null_threshold is None or score - null[example] > null_threshold)
        rows.append((context[start:end] if answered else "", start if answered else -1, end if answered else -1,
                     probability if answered else 0.0, answered))
    truncated = np.zeros(len(contexts), bool)
    truncated[windows["example"].numpy()] = windows["truncated"].numpy()
    return outputs_to_json({
        "answer": np.array([row[0].encode() for row in rows], object).reshape(-1),
        "start": np.array([row[1] for row in rows], np.int32), "end": np.array([row[2] for row in rows], np.int32),
        "score": np.array([row[3] for row in rows], np.float32), "has_answer": np.array([row[4] for row in rows]),
        "truncated": truncated})


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    model, preprocessor = tiny_qa_model()
    path = export(model, preprocessor, tmp_path_factory.mktemp("saved_models"), name="qa",
                  max_answer_length=MAX_ANSWER)
    return model, preprocessor, path


def test_fresh_python_process_equals_brute_force(qa):
    model, preprocessor, path = qa
    [result] = run_fresh_process(path, [{"question": QUESTIONS, "context": CONTEXTS}])
    assert_same_outputs(result, in_memory_outputs(model, preprocessor, QUESTIONS, CONTEXTS))
    outputs = result["outputs"]
    assert outputs["has_answer"]["values"] == [True, True, True, False]  # v1.1: answers unless no context
    assert len(preprocessor(tf.constant(QUESTIONS[1:2]), tf.constant(CONTEXTS[1:2]))["example"]) > 3  # windows
    for context, answer, start, end in zip(CONTEXTS, *(outputs[key]["values"] for key in ("answer", "start", "end"))):
        assert context[max(start, 0):end] == answer  # character offsets into the context
    assert outputs["truncated"]["values"][0]  # the question keeps 6 tokens


def test_saved_model_cli_and_op_audit(qa, tmp_path):
    assert_serving_export(qa[2], ["answer", "start", "end", "score", "has_answer", "truncated"], tmp_path)


def test_cpp_check_and_bad_inputs(qa, serving_check):
    model, preprocessor, path = qa
    cases = {"examples": {"question": QUESTIONS, "context": CONTEXTS}}
    for case, rows in bad_inputs().items():
        if case != "long_text":
            cases[case] = {"question": rows, "context": rows}
    cases["long_question"] = {"question": ["why " * 500], "context": ["because."]}
    long_text = bad_inputs()["long_text"]  # 100 000 characters
    cases["long_text_question"] = {"question": long_text, "context": ["because."]}
    cases["long_text_context"] = {"question": ["Who?"], "context": long_text}  # 4,000 windows
    returncode, results, stderr = run_serving_check(serving_check, path, list(cases.values()))
    assert returncode == 0, stderr[-3000:]
    for (case, batch), result in zip(cases.items(), results):
        if case == "invalid_utf8":  # offsets refer to the context with U+FFFD replacements
            assert "outputs" in result, result
            continue
        if case == "long_text_context":  # too many windows for the brute force: a well-formed answer
            outputs, context = result["outputs"], batch["context"][0].decode()
            start, end = outputs["start"]["values"][0], outputs["end"]["values"][0]
            assert outputs["has_answer"]["values"] == [True] and 0 <= start < end <= len(context)
            assert context[start:end] == outputs["answer"]["values"][0] and 0 < outputs["score"]["values"][0] <= 1
            continue
        assert_same_outputs(result, in_memory_outputs(model, preprocessor, batch["question"], batch["context"]))
    by_case = dict(zip(cases, results))
    assert by_case["empty_string"]["outputs"]["has_answer"]["values"] == [False]
    assert by_case["long_question"]["outputs"]["truncated"]["values"] == [True]
    assert by_case["long_text_question"]["outputs"]["truncated"]["values"] == [True]
    assert by_case["empty_batch"]["outputs"]["answer"]["shape"] == [0]


def test_null_threshold_and_token_id_signature(qa, tmp_path):
    model, preprocessor = qa[0], qa[1]
    path = export(model, preprocessor, tmp_path, name="qa_v2", max_answer_length=MAX_ANSWER, null_threshold=2.0)
    loaded = tf.saved_model.load(str(path)).signatures
    answers = loaded["serving_default"](question=tf.constant(QUESTIONS), context=tf.constant(CONTEXTS))
    expected = in_memory_outputs(model, preprocessor, QUESTIONS, CONTEXTS, null_threshold=2.0)
    assert_same_outputs({"outputs": outputs_to_json(answers)}, expected)
    question, context = (preprocessor.tokenizer(tf.constant(texts)) for texts in (QUESTIONS, CONTEXTS))
    from_ids = loaded["serve_token_ids"](
        question_token_ids=question.to_tensor(), question_padding_mask=tf.ones_like(question).to_tensor(),
        context_token_ids=context.to_tensor(), context_padding_mask=tf.ones_like(context).to_tensor())
    np.testing.assert_array_equal(from_ids["has_answer"], answers["has_answer"])
    np.testing.assert_allclose(from_ids["score"], answers["score"], atol=1e-6)
    for row in np.flatnonzero(answers["has_answer"].numpy()):  # token offsets of the same answer ...
        answer_ids = context[row][from_ids["start"][row]:from_ids["end"][row]].numpy().tolist()
        words = preprocessor.tokenizer(answers["answer"][row]).numpy().tolist()  # ... inside its words' pieces
        assert answer_ids and any(words[i:i + len(answer_ids)] == answer_ids for i in range(len(words))), row
