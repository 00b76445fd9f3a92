"""Serving signatures of a `SpanExtractor` (extractive QA): question and context in; the answer, its character
offsets and score out.

`serving_default` runs the training preprocessing (`BertSpanExtractorPreprocessor`: windows over a long context,
`doc_stride` tokens of overlap), scores every window (`best_spans`: start <= end, at most `max_answer_length`
tokens, inside the context) and answers with the best span over all of a question's windows: `answer` (the
text of the context between `start` and `end`, character offsets, end exclusive), `score` (the span's
probability within its window), and `has_answer`. With a `null_threshold` (SQuAD v2.0, tuned on dev), a question
has an answer when the best span's score minus the smallest `[CLS]` score of its windows is above it; without
one (v1.1) every question with any context token has one. No answer: `answer` "", `start`/`end` -1.

Over-long inputs: a context of any length is covered by windows; a question keeps its first
`max_question_length` tokens (as in training) and `truncated` is then True. An empty context has no answer.

`serve_token_ids` takes the tokenizer's ids of the question and the context (no special tokens) and returns
the same fields with `start`/`end` as token offsets into the context ids, and no `answer` text.
"""

import tensorflow as tf

from zoo.export.serving import model_function, ragged_token_ids, string_spec, token_ids_specs
from zoo.models.bert.bert_span_extractor_preprocessor import best_spans
from zoo.models.bert.word_pieces import clean_text


def best_answers(windows, num_examples, null_threshold=None):
    """Per example, the best of its windows' answers (`best_spans` output plus `example` and `truncated`)."""
    example = windows["example"]
    score = tf.maximum(windows["score"], tf.float32.min)  # -inf (no span) as the segment ops' lowest value
    top = tf.math.unsorted_segment_max(score, example, num_examples)
    index = tf.range(tf.shape(example)[0])
    first_best = tf.math.unsorted_segment_min(tf.where(score >= tf.gather(top, example), index, tf.int32.max),
                                              example, num_examples)
    pick = lambda name: tf.gather(windows[name], first_best)  # noqa: E731
    has_answer = pick("start") >= 0
    if null_threshold is not None:
        null = tf.math.unsorted_segment_min(windows["null_score"], example, num_examples)
        has_answer &= top - null > null_threshold
    return {
        "start": tf.where(has_answer, pick("start"), -1),
        "end": tf.where(has_answer, pick("end"), -1),
        "score": tf.where(has_answer, pick("probability"), 0.0),
        "has_answer": has_answer,
        "truncated": tf.math.unsorted_segment_max(tf.cast(windows["truncated"], tf.int32), example,
                                                  num_examples) > 0,
    }


def signatures(task_model, preprocessor, max_answer_length=30, null_threshold=None, xla=False):
    """`serving_default` and `serve_token_ids` of a `SpanExtractor` with a `BertSpanExtractorPreprocessor`.

    Args:
        task_model: a `zoo.models.SpanExtractor`.
        preprocessor: the `BertSpanExtractorPreprocessor` used in training.
        max_answer_length: longest answer, in tokens.
        null_threshold: SQuAD v2.0's no-answer threshold (None: always answer).
        xla: compile the model's forward pass with XLA.
    """
    forward = model_function(task_model, xla)
    vocabulary_size = preprocessor.tokenizer.vocabulary_size()

    def answer(windows, num_examples):
        logits = forward({key: windows[key] for key in ("token_ids", "padding_mask", "segment_ids")})
        spans = best_spans(logits["start_logits"], logits["end_logits"], windows["token_starts"],
                           windows["token_ends"], max_answer_length)
        return best_answers({**spans, "example": windows["example"], "truncated": windows["truncated"]},
                            num_examples, null_threshold)

    @tf.function(input_signature=[string_spec("question"), string_spec("context")], autograph=False)
    def serving_default(question, context):
        answers = answer(preprocessor(question, context), tf.shape(question)[0])
        text = tf.strings.substr(clean_text(context), tf.maximum(answers["start"], 0),
                                 answers["end"] - answers["start"], unit="UTF8_CHAR")
        return {"answer": tf.where(answers["has_answer"], text, ""), **answers}

    @tf.function(input_signature=token_ids_specs("question_") + token_ids_specs("context_"), autograph=False)
    def serve_token_ids(question_token_ids, question_padding_mask, context_token_ids, context_padding_mask):
        question = ragged_token_ids(question_token_ids, question_padding_mask, vocabulary_size)
        context = ragged_token_ids(context_token_ids, context_padding_mask, vocabulary_size)
        position = tf.ragged.range(context.row_lengths()).with_row_splits_dtype(context.row_splits.dtype)
        windows = preprocessor.pack(question, context, tf.cast(position, tf.int32), tf.cast(position + 1, tf.int32))
        return answer(windows, tf.shape(question_token_ids)[0])

    return {"serving_default": serving_default, "serve_token_ids": serve_token_ids}
