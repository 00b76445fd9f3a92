"""Serving signatures of a `TextClassifier` (sentiment): raw text in; label, label id and scores out.

Over-long inputs: the preprocessor's own truncation, as in training (`BertPreprocessor`: the first tokens of
the text are kept, `[CLS]` and `[SEP]` always), reported per row in `truncated`. An empty row (or one that
tokenizes to nothing) is classified from `[CLS] [SEP]` alone: a well-formed answer, never a batch error.
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


def signatures(task_model, preprocessor, labels=None, xla=False):
    """`serving_default` and `serve_token_ids` of a `TextClassifier` with a `BertPreprocessor`.

    Args:
        task_model: a `zoo.models.TextClassifier`.
        preprocessor: the `BertPreprocessor` used in training (its `tokenizer` and `pack`).
        labels: label names by id; defaults to the ids as strings (`"0"`, `"1"`, ...).
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
    num_special = num_special_tokens(preprocessor)
    vocabulary_size = preprocessor.tokenizer.vocabulary_size()

    def answer(token_ids):
        packed = preprocessor.pack((token_ids,))
        scores = tf.nn.softmax(tf.cast(forward(packed), tf.float32), axis=-1)  # (batch, num_classes)
        label_id = tf.argmax(scores, axis=-1, output_type=tf.int32)
        return {
            "label": tf.gather(label_names, label_id),
            "label_id": label_id,
            "scores": scores,
            "truncated": truncated_rows((token_ids,), packed, num_special),
        }

    @tf.function(input_signature=[string_spec(TEXT)], autograph=False)
    def serving_default(text):
        return answer(preprocessor.tokenizer(text))

    @tf.function(input_signature=token_ids_specs(), autograph=False)
    def serve_token_ids(token_ids, padding_mask):
        return answer(ragged_token_ids(token_ids, padding_mask, vocabulary_size))

    return {"serving_default": serving_default, "serve_token_ids": serve_token_ids}
