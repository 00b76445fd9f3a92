"""BERT encoder backbone: token + position + segment embeddings, post-LN (or pre-LN) encoder blocks, tanh pooler."""

import keras
from keras import ops

from zoo.layers.dense import Dense
from zoo.layers.broadcast_gradients import add_bias
from zoo.layers.dropout import Dropout
from zoo.layers.embeddings import PositionEmbedding, TiedEmbedding
from zoo.layers.layer_norm import LayerNormalization
from zoo.layers.masking import merge_masks
from zoo.layers.transformer_decoder import TransformerDecoder
from zoo.layers.transformer_encoder import TransformerEncoder
from zoo.layers.xla import compiling_with_xla
from zoo.models.backbone import Backbone, check_token_ids, padding_mask_or_ones
from zoo.presets import presets_for


@keras.saving.register_keras_serializable(package="zoo")
class BertBackbone(Backbone):
    """A BERT encoder without a head.

    Args:
        vocabulary_size: number of tokens.
        num_layers: encoder blocks.
        num_heads: attention heads per block.
        hidden_dim: width of the hidden states.
        intermediate_dim: feed-forward width.
        dropout: dropout rate.
        max_sequence_length: number of learned positions.
        num_segments: number of segment (token type) ids.
        layer_norm_epsilon: layer norm epsilon.
        activation: feed-forward activation ("gelu" for BERT).
        norm_first: pre-layer-norm blocks (Model Garden's `norm_first=True`): each block normalises the input
            of its attention and feed-forward sublayers instead of their residual sums; the embeddings are still
            normalised and, as in Model Garden, no norm follows the last block.

    Call arguments:
        inputs: dict with `token_ids` `(batch, length)` int, and optionally `padding_mask` (bool/int, 1 = real
            token) and `segment_ids`.
        pooled_only: return `pooled_output` alone; when compiled with XLA, the last block then computes only the
            first token, the one the pooler reads (`TransformerEncoder(first_token_only=True)`): same pooled
            values, less work (outside XLA, `compiling_with_xla`, the whole block as usual).

    Returns:
        dict with `sequence_output` `(batch, length, hidden_dim)` and `pooled_output` `(batch, hidden_dim)`.

    Example:
    >>> backbone = BertBackbone.from_preset("bert_tiny")
    >>> out = backbone({"token_ids": keras.ops.ones((2, 8), "int32")})
    >>> out["sequence_output"].shape, out["pooled_output"].shape
    (TensorShape([2, 8, 32]), TensorShape([2, 32]))
    """

    presets = presets_for("bert")
    has_pooler = True

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.1,
        max_sequence_length=512,
        num_segments=2,
        layer_norm_epsilon=1e-12,
        activation="gelu",
        norm_first=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._keep_arguments(locals())

        policy = self.dtype_policy
        initializer = keras.initializers.TruncatedNormal(stddev=0.02)
        self.token_embedding = TiedEmbedding(
            vocabulary_size, hidden_dim, embeddings_initializer=initializer, dtype=policy,
            name="token_embedding",
        )
        self.position_embedding = PositionEmbedding(
            max_sequence_length, initializer=initializer, dtype=policy, name="position_embedding"
        )
        self.segment_embedding = keras.layers.Embedding(
            num_segments, hidden_dim, embeddings_initializer=initializer, dtype=policy,
            name="segment_embedding",
        )
        self.embeddings_norm = LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=policy, name="embeddings_norm"
        )
        self.embeddings_dropout = Dropout(dropout, dtype=policy)
        # The pre-LN block is GPT's; it is causal only through the mask it is given, here a padding mask.
        block = TransformerDecoder if norm_first else TransformerEncoder
        self.encoder_layers = self._transformer_layers(block, "encoder_layer", initializer)
        self.pooler_dense = Dense(
            hidden_dim, activation="tanh", kernel_initializer=initializer, dtype=policy, name="pooler"
        )
        self._build_from_dummy_inputs()

    def dummy_inputs(self, batch_size=1, length=2):
        return {
            "token_ids": ops.zeros((batch_size, length), "int32"),
            "padding_mask": ops.ones((batch_size, length), "bool"),
            "segment_ids": ops.zeros((batch_size, length), "int32"),
        }

    def call(self, inputs, training=None, pooled_only=False):
        token_ids = ops.convert_to_tensor(inputs["token_ids"])
        check_token_ids(token_ids, max_length=self.max_sequence_length)
        padding_mask = padding_mask_or_ones(inputs, token_ids)
        segment_ids = inputs.get("segment_ids")
        if segment_ids is None:
            segment_ids = ops.zeros_like(token_ids)
        x = self.token_embedding(token_ids)  # (batch, length, hidden)
        x = add_bias(x, self.position_embedding(x)[0]) + self.segment_embedding(segment_ids)
        x = self.embeddings_dropout(self.embeddings_norm(x), training=training)
        mask = merge_masks(padding_mask)  # (batch, 1, length)
        first_token_only = pooled_only and compiling_with_xla()
        for index, layer in enumerate(self.encoder_layers):
            last = index == len(self.encoder_layers) - 1
            x = layer(x, attention_mask=mask, training=training, first_token_only=first_token_only and last)
        pooled = self.pooler_dense(x[:, 0, :])  # (batch, hidden)
        if pooled_only:
            return {"pooled_output": pooled}
        return {"sequence_output": x, "pooled_output": pooled}
