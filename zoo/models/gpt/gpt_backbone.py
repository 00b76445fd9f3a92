"""GPT-2 style decoder backbone: learned positions, pre-LN causal blocks, final layer norm, optional KV cache."""

import keras
from keras import ops

from zoo.layers.broadcast_gradients import add_bias
from zoo.layers.dropout import Dropout
from zoo.layers.embeddings import PositionEmbedding, TiedEmbedding
from zoo.layers.layer_norm import LayerNormalization
from zoo.layers.masking import causal_mask, merge_masks
from zoo.layers.transformer_decoder import TransformerDecoder
from zoo.models.backbone import Backbone, check_token_ids
from zoo.presets import presets_for


@keras.saving.register_keras_serializable(package="zoo")
class GPTBackbone(Backbone):
    """A GPT-2 decoder without a head; the same `call` trains, prefills and decodes with a cache.

    Args:
        vocabulary_size: number of tokens.
        num_layers: decoder blocks.
        num_heads: attention heads per block.
        hidden_dim: width of the hidden states.
        intermediate_dim: feed-forward width.
        dropout: dropout rate.
        max_sequence_length: number of learned positions (also the longest cache).
        layer_norm_epsilon: layer norm epsilon.
        activation: feed-forward activation ("gelu_approximate" is GPT-2's "gelu_new").

    Call arguments:
        inputs: dict with `token_ids` `(batch, length)` and optionally `padding_mask` `(batch, key_length)`.
        cache: optional, from `init_cache`: one `(key, value)` pair per layer, each
            `(batch, num_heads, cache_length, head_dim)`; updated in place (slice updates), never restacked.
        cache_update_index: scalar int, position of `token_ids[:, 0]`; keys/values are written there.

    Returns:
        dict with `sequence_output` `(batch, length, hidden_dim)`, and `cache` when a cache was given.

    Example:
    >>> backbone = GPTBackbone.from_preset("gpt_tiny")
    >>> cache = backbone.init_cache(batch_size=2, max_length=16)
    >>> out = backbone({"token_ids": keras.ops.ones((2, 4), "int32")}, cache=cache, cache_update_index=0)
    >>> out["sequence_output"].shape
    TensorShape([2, 4, 32])
    """

    presets = presets_for("gpt2")

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        dropout=0.1,
        max_sequence_length=1024,
        layer_norm_epsilon=1e-5,
        activation="gelu_approximate",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim ({hidden_dim}) must be divisible by num_heads ({num_heads})")
        self._keep_arguments(locals())
        self.head_dim = hidden_dim // num_heads

        policy = self.dtype_policy
        initializer = keras.initializers.RandomNormal(stddev=0.02)
        self.token_embedding = TiedEmbedding(
            vocabulary_size, hidden_dim, embeddings_initializer=initializer, dtype=policy,
            name="token_embedding",
        )
        self.position_embedding = PositionEmbedding(
            max_sequence_length, initializer=initializer, dtype=policy, name="position_embedding"
        )
        self.embeddings_dropout = Dropout(dropout, dtype=policy)
        self.decoder_layers = self._transformer_layers(TransformerDecoder, "decoder_layer", initializer)
        self.final_norm = LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=policy, name="final_norm"
        )
        self._build_from_dummy_inputs()

    def dummy_inputs(self, batch_size=1, length=2):
        return {
            "token_ids": ops.zeros((batch_size, length), "int32"),
            "padding_mask": ops.ones((batch_size, length), "bool"),
        }

    def init_cache(self, batch_size, max_length):
        """An empty key/value cache for `max_length` positions: a tuple of `(key, value)` per layer."""
        if max_length > self.max_sequence_length:
            raise ValueError(
                f"max_length {max_length} exceeds max_sequence_length {self.max_sequence_length}"
            )
        return tuple(layer.attention.init_cache(batch_size, max_length) for layer in self.decoder_layers)

    def call(self, inputs, cache=None, cache_update_index=None, training=None):
        token_ids = ops.convert_to_tensor(inputs["token_ids"])
        start = 0 if cache_update_index is None else cache_update_index
        check_token_ids(token_ids, max_length=self.max_sequence_length, start=start)
        length = ops.shape(token_ids)[1]
        key_length = length if cache is None else ops.shape(cache[0][0])[2]
        x = self.token_embedding(token_ids)  # (batch, length, hidden)
        x = add_bias(x, self.position_embedding(x, start_index=start)[0])
        x = self.embeddings_dropout(x, training=training)
        mask = merge_masks(inputs.get("padding_mask"), causal_mask(length, key_length, start))
        caches = []
        for i, layer in enumerate(self.decoder_layers):
            if cache is None:
                x = layer(x, attention_mask=mask, training=training)
            else:
                x, layer_cache = layer(
                    x,
                    attention_mask=mask,
                    cache=cache[i],
                    cache_update_index=start,
                    training=training,
                )
                caches.append(layer_cache)
        outputs = {"sequence_output": self.final_norm(x)}
        if cache is not None:
            outputs["cache"] = tuple(caches)
        return outputs
