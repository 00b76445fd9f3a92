"""Sequence classification head over any backbone."""

import keras
from keras import ops

from zoo.models.task_model import TaskModel


def masked_mean(sequence_output, padding_mask):
    """Mean of `(batch, length, hidden)` over the real tokens of `padding_mask` `(batch, length)`."""
    mask = ops.cast(ops.expand_dims(padding_mask, -1), sequence_output.dtype)
    return ops.sum(sequence_output * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="zoo")
class TextClassifier(TaskModel):
    """Classifies a text (or text pair) from the backbone's `pooled_output` (or the masked mean of
    `sequence_output` for backbones without a pooler).

    Args:
        backbone: any `Backbone` returning `sequence_output` (and optionally `pooled_output`).
        num_classes: number of labels.
        dropout: dropout before the output layer.

    Returns:
        float32 logits `(batch, num_classes)`.

    Example:
    >>> from zoo.models import BertBackbone
    >>> model = TextClassifier(BertBackbone.from_preset("bert_tiny"), num_classes=2)
    >>> model({"token_ids": keras.ops.ones((2, 8), "int32")}).shape
    TensorShape([2, 2])
    """

    def __init__(self, backbone, num_classes, dropout=0.1, **kwargs):
        super().__init__(backbone, **kwargs)
        self._add_classifier_head(num_classes, dropout)
        self._build_from_dummy_inputs()

    def call(self, inputs, training=None):
        if self.backbone.has_pooler:  # the last block computes the pooled token alone
            pooled = self.backbone(inputs, training=training, pooled_only=True)["pooled_output"]
        else:
            mask = inputs.get("padding_mask")
            if mask is None:
                mask = ops.ones_like(inputs["token_ids"])
            pooled = masked_mean(self.backbone(inputs, training=training)["sequence_output"], mask)
        return self.output_dense(self.dropout_layer(pooled, training=training))
