"""Extractive question answering head: start and end logits over the tokens."""

import keras
from keras import ops

from zoo.models.task_model import TaskModel, logits_dense


@keras.saving.register_keras_serializable(package="zoo")
class SpanExtractor(TaskModel):
    """Scores every token as the start and the end of the answer span; padding scores -1e9.

    Args:
        backbone: any `Backbone` returning `sequence_output`.

    Returns:
        dict of float32 `start_logits` and `end_logits`, each `(batch, length)`.

    Example:
    >>> from zoo.models import BertBackbone
    >>> model = SpanExtractor(BertBackbone.from_preset("bert_tiny"))
    >>> model({"token_ids": keras.ops.ones((2, 8), "int32")})["start_logits"].shape
    TensorShape([2, 8])
    """

    def __init__(self, backbone, **kwargs):
        super().__init__(backbone, **kwargs)
        self.output_dense = logits_dense(2, name="span_logits")
        self._build_from_dummy_inputs()

    def default_loss(self):
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return {"start_logits": loss, "end_logits": loss}

    def default_metrics(self):
        return {
            "start_logits": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            "end_logits": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        }

    def call(self, inputs, training=None):
        sequence = self.backbone(inputs, training=training)["sequence_output"]
        logits = self.output_dense(sequence)  # (batch, length, 2)
        mask = inputs.get("padding_mask")
        if mask is not None:
            logits = ops.where(ops.expand_dims(ops.cast(mask, "bool"), -1), logits, -1e9)
        return {"start_logits": logits[..., 0], "end_logits": logits[..., 1]}
