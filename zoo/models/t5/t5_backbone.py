"""T5 encoder-decoder backbone (v1.0 and v1.1): shared embedding, relative position bias, RMS norm."""

import keras
from keras import ops

from zoo.layers.dropout import Dropout
from zoo.layers.embeddings import TiedEmbedding
from zoo.layers.masking import causal_mask, merge_masks
from zoo.layers.relative_position_bias import RelativePositionBias
from zoo.layers.rms_norm import RMSNorm
from zoo.models.backbone import Backbone, check_token_ids
from zoo.models.t5.t5_block import T5Block
from zoo.presets import presets_for


@keras.saving.register_keras_serializable(package="zoo")
class T5Backbone(Backbone):
    """A T5 encoder-decoder without the LM head. `encode` + `decode` are the forward pass; `decode` takes an
    optional cache, so training, prefill and step-by-step decoding share it.

    Args:
        vocabulary_size: number of tokens (shared by encoder and decoder).
        num_layers: encoder blocks (and decoder blocks unless `num_decoder_layers` is given).
        num_heads: attention heads.
        hidden_dim: model width (`d_model`).
        intermediate_dim: feed-forward width (`d_ff`).
        head_dim: size of each head (`d_kv`); defaults to `hidden_dim // num_heads`.
        num_decoder_layers: decoder blocks; defaults to `num_layers`.
        dropout: dropout rate.
        activation: "relu" (v1.0) or "gated-gelu_approximate" (v1.1).
        layer_norm_epsilon: RMS norm epsilon.
        num_buckets, max_distance: relative position bias buckets.
        tie_embeddings: v1.0 ties the LM head to the embedding (and scales by `hidden_dim**-0.5`); v1.1 does not.

    Call arguments:
        inputs: dict with `encoder_token_ids`, `encoder_padding_mask`, `decoder_token_ids` and optionally
            `decoder_padding_mask`.

    Returns:
        dict with `encoder_sequence_output` and `decoder_sequence_output` `(batch, length, hidden_dim)`.

    Example:
    >>> backbone = T5Backbone.from_preset("t5_tiny")
    >>> ids = keras.ops.ones((2, 5), "int32")
    >>> out = backbone({"encoder_token_ids": ids, "encoder_padding_mask": ids > 0, "decoder_token_ids": ids})
    >>> out["decoder_sequence_output"].shape
    TensorShape([2, 5, 32])
    """

    presets = presets_for("t5")

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        intermediate_dim,
        head_dim=None,
        num_decoder_layers=None,
        dropout=0.1,
        activation="relu",
        layer_norm_epsilon=1e-6,
        num_buckets=32,
        max_distance=128,
        tie_embeddings=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._keep_arguments(locals())
        self.head_dim = head_dim or hidden_dim // num_heads
        self.num_decoder_layers = num_decoder_layers or num_layers

        policy = self.dtype_policy
        self.token_embedding = TiedEmbedding(
            vocabulary_size, hidden_dim, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
            dtype=policy, name="token_embedding",
        )
        self.dropout_layer = Dropout(dropout, dtype=policy)
        block = dict(
            num_heads=num_heads, head_dim=self.head_dim, intermediate_dim=intermediate_dim,
            activation=activation, dropout=dropout, layer_norm_epsilon=layer_norm_epsilon, dtype=policy,
        )
        self.encoder_position_bias = RelativePositionBias(
            num_heads, num_buckets, max_distance, bidirectional=True, dtype=policy,
            name="encoder_position_bias",
        )
        self.encoder_layers = [T5Block(name=f"encoder_layer_{i}", **block) for i in range(num_layers)]
        self.encoder_norm = RMSNorm(layer_norm_epsilon, dtype=policy, name="encoder_norm")
        self.decoder_position_bias = RelativePositionBias(
            num_heads, num_buckets, max_distance, bidirectional=False, dtype=policy,
            name="decoder_position_bias",
        )
        self.decoder_layers = [
            T5Block(is_decoder=True, name=f"decoder_layer_{i}", **block)
            for i in range(self.num_decoder_layers)
        ]
        self.decoder_norm = RMSNorm(layer_norm_epsilon, dtype=policy, name="decoder_norm")
        self._build_from_dummy_inputs()

    def dummy_inputs(self, batch_size=1, length=2):
        ids = ops.zeros((batch_size, length), "int32")
        mask = ops.ones((batch_size, length), "bool")
        return {"encoder_token_ids": ids, "encoder_padding_mask": mask, "decoder_token_ids": ids,
                "decoder_padding_mask": mask}

    def encode(self, encoder_token_ids, encoder_padding_mask, training=None):
        """Encoder hidden states `(batch, encoder_length, hidden_dim)`."""
        encoder_token_ids = ops.convert_to_tensor(encoder_token_ids)
        check_token_ids(encoder_token_ids, "encoder_token_ids")
        length = ops.shape(encoder_token_ids)[1]
        x = self.dropout_layer(self.token_embedding(encoder_token_ids), training=training)
        positions = ops.arange(length)
        bias = self.encoder_position_bias(positions, positions)  # (1, heads, length, length)
        mask = merge_masks(encoder_padding_mask)
        for layer in self.encoder_layers:
            x = layer(x, attention_mask=mask, attention_bias=bias, training=training)
        return self.dropout_layer(self.encoder_norm(x), training=training)

    def init_cache(self, encoder_output, max_length):
        """Empty self-attention cache for `max_length` decoder positions and cross-attention keys/values
        precomputed from `encoder_output`: `{"self": ..., "cross": ...}`, each a tuple of one `(key, value)`
        pair per decoder layer, `(batch, heads, length, head_dim)` tensors."""
        batch = ops.shape(encoder_output)[0]
        return {
            "self": tuple(layer.self_attention.init_cache(batch, max_length) for layer in self.decoder_layers),
            "cross": tuple(layer.cross_attention.compute_key_value(encoder_output)
                           for layer in self.decoder_layers),
        }

    def decode(
        self,
        decoder_token_ids,
        encoder_output,
        encoder_padding_mask,
        decoder_padding_mask=None,
        cache=None,
        cache_update_index=None,
        training=None,
    ):
        """Decoder hidden states `(batch, decoder_length, hidden_dim)`, plus the updated cache when given one.
        With a cache, `encoder_output`, `encoder_padding_mask` and the cross cache may hold one row per group of
        consecutive decoder rows (beam search: the `num_beams` rows of a source share its row)."""
        decoder_token_ids = ops.convert_to_tensor(decoder_token_ids)
        check_token_ids(decoder_token_ids, "decoder_token_ids")
        length = ops.shape(decoder_token_ids)[1]
        start = 0 if cache_update_index is None else cache_update_index
        key_length = length if cache is None else ops.shape(cache["self"][0][0])[2]
        x = self.dropout_layer(self.token_embedding(decoder_token_ids), training=training)
        bias = self.decoder_position_bias(ops.arange(length) + start, ops.arange(key_length))
        mask = merge_masks(decoder_padding_mask, causal_mask(length, key_length, start))
        cross_mask = merge_masks(encoder_padding_mask)
        caches = []
        for i, layer in enumerate(self.decoder_layers):
            if cache is None:
                x = layer(x, attention_mask=mask, attention_bias=bias, encoder_output=encoder_output,
                          encoder_attention_mask=cross_mask, training=training)
            else:
                x, layer_cache = layer(
                    x, attention_mask=mask, attention_bias=bias, encoder_output=encoder_output,
                    encoder_attention_mask=cross_mask, cache=cache["self"][i],
                    cross_cache=cache["cross"][i], cache_update_index=start, training=training,
                )
                caches.append(layer_cache)
        x = self.dropout_layer(self.decoder_norm(x), training=training)
        if cache is None:
            return x
        return x, {"self": tuple(caches), "cross": cache["cross"]}

    def call(self, inputs, training=None):
        encoder_mask = inputs["encoder_padding_mask"]
        encoder_output = self.encode(inputs["encoder_token_ids"], encoder_mask, training=training)
        decoder_output = self.decode(
            inputs["decoder_token_ids"], encoder_output, encoder_mask,
            decoder_padding_mask=inputs.get("decoder_padding_mask"), training=training,
        )
        return {"encoder_sequence_output": encoder_output, "decoder_sequence_output": decoder_output}
