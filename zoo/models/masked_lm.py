"""Masked language model head (BERT MLM, optionally next-sentence prediction) and BERT's masking."""

import keras
import keras_hub
from keras import ops

from zoo.layers.dense import Dense
from zoo.layers.layer_norm import LayerNormalization
from zoo.models.task_model import TaskModel


def bert_mask_generator(vocabulary_size, mask_token_id, unselectable_token_ids, max_selections,
                        selection_rate=0.15):
    """BERT masking as a tf.data-friendly layer: of the selected 15% of tokens, 80% become `[MASK]`, 10% a
    random token and 10% stay. Returns dicts with `token_ids` (masked), `mask_positions`, `mask_ids`
    (the original tokens) and `mask_weights` (1 for real selections, 0 for padding). Random draws follow the
    global seed (`keras.utils.set_random_seed`)."""
    return keras_hub.layers.MaskedLMMaskGenerator(
        vocabulary_size=vocabulary_size,
        mask_selection_rate=selection_rate,
        mask_selection_length=max_selections,
        mask_token_id=mask_token_id,
        unselectable_token_ids=list(unselectable_token_ids),
        mask_token_rate=0.8,
        random_token_rate=0.1,
    )


def _transform_activation(name):
    if name == "gelu_approximate":
        return lambda x: keras.activations.gelu(x, approximate=True)
    return keras.activations.get(name)


@keras.saving.register_keras_serializable(package="zoo")
class MaskedLM(TaskModel):
    """Predicts masked tokens with a transform + layer norm + tied-embedding decoder (BERT's MLM head), and
    optionally whether the second segment follows the first (NSP, from `pooled_output`).

    Args:
        backbone: a `Backbone` with a `token_embedding` (`TiedEmbedding`) and `sequence_output`.
        include_nsp: add the next-sentence-prediction head.
        activation: transform activation ("gelu" for BERT; "gelu_approximate" is the tanh approximation, Model
            Garden's default; any Keras activation name).
        layer_norm_epsilon: transform layer norm epsilon.

    Call arguments:
        inputs: backbone inputs plus optional `mask_positions` `(batch, num_masks)`: logits are computed only
            there (training); without it, for every position.

    Returns:
        dict with float32 `mlm_logits` `(batch, num_masks or length, vocabulary_size)` and, with NSP,
        `nsp_logits` `(batch, 2)`.

    Example:
    >>> from zoo.models import BertBackbone
    >>> model = MaskedLM(BertBackbone.from_preset("bert_tiny"))
    >>> ids = keras.ops.ones((2, 8), "int32")
    >>> model({"token_ids": ids, "mask_positions": keras.ops.zeros((2, 3), "int32")})["mlm_logits"].shape
    TensorShape([2, 3, 1000])
    """

    def __init__(self, backbone, include_nsp=False, activation="gelu", layer_norm_epsilon=1e-12, **kwargs):
        super().__init__(backbone, **kwargs)
        self.include_nsp = include_nsp
        self.activation = activation
        self.layer_norm_epsilon = layer_norm_epsilon
        initializer = keras.initializers.TruncatedNormal(stddev=0.02)
        self.transform_dense = Dense(
            backbone.hidden_dim, activation=_transform_activation(activation),
            kernel_initializer=initializer, name="mlm_transform",
        )
        self.transform_norm = LayerNormalization(epsilon=layer_norm_epsilon, name="mlm_norm")
        self.nsp_dense = (
            keras.layers.Dense(2, kernel_initializer=initializer, dtype="float32", name="nsp_logits")
            if include_nsp else None
        )
        self._build_from_dummy_inputs()

    def build(self, input_shape=None):
        self.output_bias = self.add_weight(
            name="mlm_output_bias", shape=(self.backbone.vocabulary_size,), initializer="zeros"
        )
        self.built = True

    def default_loss(self):
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return {"mlm_logits": loss, "nsp_logits": loss} if self.include_nsp else {"mlm_logits": loss}

    def default_metrics(self):
        metrics = {"mlm_logits": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]}
        if self.include_nsp:
            metrics["nsp_logits"] = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
        return metrics

    def call(self, inputs, training=None):
        outputs = self.backbone(inputs, training=training)
        sequence = outputs["sequence_output"]  # (batch, length, hidden)
        positions = inputs.get("mask_positions")
        if positions is not None:
            sequence = ops.take_along_axis(
                sequence, ops.expand_dims(ops.cast(positions, "int32"), -1), axis=1
            )  # (batch, num_masks, hidden)
        hidden = self.transform_norm(self.transform_dense(sequence))
        logits = self.backbone.token_embedding(hidden, reverse=True) + ops.cast(self.output_bias, "float32")
        result = {"mlm_logits": logits}
        if self.include_nsp:
            result["nsp_logits"] = self.nsp_dense(outputs["pooled_output"])
        return result
