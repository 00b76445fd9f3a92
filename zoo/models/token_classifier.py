"""Per-token classification head (NER, tagging) over any backbone."""

import keras

from zoo.models.task_model import TaskModel

#: Label id that the default loss ignores (sub-word continuations, special tokens, padding).
IGNORE_LABEL = -100


@keras.saving.register_keras_serializable(package="zoo")
class TokenClassifier(TaskModel):
    """Labels every token from the backbone's `sequence_output`.

    Labels equal to `IGNORE_LABEL` (-100) do not count in the default loss and accuracy.

    Args:
        backbone: any `Backbone` returning `sequence_output`.
        num_classes: number of tags.
        dropout: dropout before the output layer.

    Returns:
        float32 logits `(batch, length, num_classes)`.

    Example:
    >>> from zoo.models import BertBackbone
    >>> model = TokenClassifier(BertBackbone.from_preset("bert_tiny"), num_classes=5)
    >>> model({"token_ids": keras.ops.ones((2, 8), "int32")}).shape
    TensorShape([2, 8, 5])
    """

    def __init__(self, backbone, num_classes, dropout=0.1, **kwargs):
        super().__init__(backbone, **kwargs)
        self._add_classifier_head(num_classes, dropout)
        self._build_from_dummy_inputs()

    def default_loss(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=IGNORE_LABEL)

    def default_metrics(self):
        return []

    def call(self, inputs, training=None):
        sequence = self.backbone(inputs, training=training)["sequence_output"]
        return self.output_dense(self.dropout_layer(sequence, training=training))
