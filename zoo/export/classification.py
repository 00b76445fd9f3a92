"""Serving signatures of a `TextClassifier` (sentiment): raw text in; label, label id and scores out.

Over-long inputs: the preprocessor's own truncation, as in training (`BertPreprocessor`: the first tokens of
the text are kept, `[CLS]` and `[SEP]` always; a pair is cut round-robin), reported per row in `truncated`. An
empty row (or one that tokenizes to nothing) is classified from `[CLS] [SEP]` alone: a well-formed answer,
never a batch error.
"""

import tensorflow as tf

from zoo.export.serving import (
    TEXT,
    model_function,
    num_special_tokens,
    ragged_token_ids,
    string_spec,
    token_ids_specs,
    truncated_rows,
)


def signatures(task_model, preprocessor, labels=None, pairs=False, xla=False):
    """`serving_default` and `serve_token_ids` of a `TextClassifier` with a `BertPreprocessor`.

    Args:
        task_model: a `zoo.models.TextClassifier`.
        preprocessor: the `BertPreprocessor` used in training (its `tokenizer` and `pack`).
        labels: label names by id; defaults to the ids as strings (`"0"`, `"1"`, ...).
        pairs: the model classifies text pairs: `serving_default(text, text_pair)` and
            `serve_token_ids(token_ids, padding_mask, pair_token_ids, pair_padding_mask)`.
        xla: compile the model's forward pass with XLA (needs TF Serving's `--xla_cpu_compilation_enabled`).

    Returns:
        `{"serving_default": f(text), "serve_token_ids": f(token_ids, padding_mask)}`, `tf.function`s with input
        signatures, each returning `label` (string `(batch,)`), `label_id` (int32 `(batch,)`), `scores`
        (float32 softmax `(batch, num_classes)`) and `truncated` (bool `(batch,)`).
    """
    num_classes = task_model.num_classes
    labels = [str(index) for index in range(num_classes)] if labels is None else [str(label) for label in labels]
    if len(labels) != num_classes:
        raise ValueError(f"labels has {len(labels)} names but the model has num_classes={num_classes}")
    label_names = tf.constant(labels)
    forward = model_function(task_model, xla)
    num_segments = 2 if pairs else 1
    num_special = num_special_tokens(preprocessor, num_segments)
    vocabulary_size = preprocessor.tokenizer.vocabulary_size()

    def answer(*segments):
        packed = preprocessor.pack(segments)
        scores = tf.nn.softmax(tf.cast(forward(packed), tf.float32), axis=-1)  # (batch, num_classes)
        label_id = tf.argmax(scores, axis=-1, output_type=tf.int32)
        return {
            "label": tf.gather(label_names, label_id),
            "label_id": label_id,
            "scores": scores,
            "truncated": truncated_rows(segments, packed, num_special),
        }

    def ids(token_ids, padding_mask):
        return ragged_token_ids(token_ids, padding_mask, vocabulary_size)

    if pairs:
        def serving_default(text, text_pair):
            return answer(preprocessor.tokenizer(text), preprocessor.tokenizer(text_pair))

        def serve_token_ids(token_ids, padding_mask, pair_token_ids, pair_padding_mask):
            return answer(ids(token_ids, padding_mask), ids(pair_token_ids, pair_padding_mask))
    else:
        def serving_default(text):
            return answer(preprocessor.tokenizer(text))

        def serve_token_ids(token_ids, padding_mask):
            return answer(ids(token_ids, padding_mask))

    text_specs = [string_spec(TEXT), string_spec(f"{TEXT}_pair")][:num_segments]
    id_specs = (token_ids_specs() + token_ids_specs("pair_"))[: 2 * num_segments]
    return {"serving_default": tf.function(serving_default, input_signature=text_specs, autograph=False),
            "serve_token_ids": tf.function(serve_token_ids, input_signature=id_specs, autograph=False)}
