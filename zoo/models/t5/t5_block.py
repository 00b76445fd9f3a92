"""T5 transformer block: pre-RMS-norm, bias-free unscaled attention, optional cross-attention."""

import keras

from zoo.layers.attention import MultiHeadAttention
from zoo.layers.dropout import Dropout
from zoo.layers.feed_forward import FeedForward
from zoo.layers.rms_norm import RMSNorm


class T5Block(keras.layers.Layer):
    """One T5 encoder block, or a decoder block when `is_decoder` (adds cross-attention).

    Args:
        num_heads: attention heads.
        head_dim: size of each head (T5's `d_kv`; `num_heads * head_dim` may differ from the hidden width).
        intermediate_dim: feed-forward width.
        activation: "relu" (T5 v1.0) or "gated-gelu_approximate" (T5 v1.1).
        dropout: dropout rate.
        layer_norm_epsilon: RMS norm epsilon.
        is_decoder: whether the block attends to an encoder output.

    Call arguments:
        x: `(batch, length, hidden_dim)`.
        attention_mask, attention_bias: for self-attention (bias = relative position bias).
        encoder_output, encoder_attention_mask: for cross-attention.
        cache, cross_cache: `(key, value)` caches of `MultiHeadAttention` (self-attention, written at
            `cache_update_index`; cross-attention, read only). The cross cache may hold one source per group of
            consecutive rows of `x` (beam search: `num_beams` rows per source).

    Returns:
        `x`, or `(x, cache)` when a cache is given.

    Example:
    >>> T5Block(num_heads=2, head_dim=4, intermediate_dim=16)(keras.ops.ones((1, 3, 8))).shape
    TensorShape([1, 3, 8])
    """

    def __init__(
        self,
        num_heads,
        head_dim,
        intermediate_dim,
        activation="relu",
        dropout=0.0,
        layer_norm_epsilon=1e-6,
        is_decoder=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.intermediate_dim = intermediate_dim
        self.activation = activation
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.is_decoder = is_decoder

    def build(self, input_shape):
        policy = self.dtype_policy
        # T5's initialisation (Mesh TensorFlow, Hugging Face `T5PreTrainedModel`): unscaled attention, so the
        # query kernel carries 1/sqrt(head_dim) and scores start at unit scale.
        initializer = keras.initializers.RandomNormal(stddev=(self.head_dim * self.num_heads) ** -0.5)
        query_initializer = keras.initializers.RandomNormal(stddev=(input_shape[-1] * self.head_dim) ** -0.5)
        attention = dict(use_bias=False, scale=1.0, dropout=self.dropout, dtype=policy,
                         kernel_initializer=initializer, query_initializer=query_initializer)
        self.self_attention_norm = RMSNorm(self.layer_norm_epsilon, dtype=policy, name="self_attention_norm")
        self.self_attention_norm.build(input_shape)
        self.self_attention = MultiHeadAttention(
            self.num_heads, self.head_dim, name="self_attention", **attention
        )
        self.self_attention.build(input_shape)
        if self.is_decoder:
            self.cross_attention_norm = RMSNorm(
                self.layer_norm_epsilon, dtype=policy, name="cross_attention_norm"
            )
            self.cross_attention_norm.build(input_shape)
            self.cross_attention = MultiHeadAttention(
                self.num_heads, self.head_dim, name="cross_attention", **attention
            )
            self.cross_attention.build(input_shape, input_shape)
        self.feed_forward_norm = RMSNorm(self.layer_norm_epsilon, dtype=policy, name="feed_forward_norm")
        self.feed_forward_norm.build(input_shape)
        self.feed_forward = FeedForward(
            self.intermediate_dim,
            activation=self.activation,
            use_bias=False,
            inner_dropout=self.dropout,
            kernel_initializer=initializer,
            dtype=policy,
            name="feed_forward",
        )
        self.feed_forward.build(input_shape)
        self.dropout_layer = Dropout(self.dropout, dtype=policy)
        self.built = True

    def call(
        self,
        x,
        attention_mask=None,
        attention_bias=None,
        encoder_output=None,
        encoder_attention_mask=None,
        cache=None,
        cross_cache=None,
        cache_update_index=None,
        training=None,
    ):
        attended = self.self_attention(
            self.self_attention_norm(x),
            attention_mask=attention_mask,
            attention_bias=attention_bias,
            cache=cache,
            cache_update_index=cache_update_index,
            training=training,
        )
        if cache is not None:
            attended, cache = attended
        x = x + self.dropout_layer(attended, training=training)
        if self.is_decoder:
            x = x + self.dropout_layer(self._cross_attend(x, encoder_output, encoder_attention_mask, cross_cache,
                                                          training), training=training)
        x = x + self.dropout_layer(self.feed_forward(self.feed_forward_norm(x), training=training),
                                   training=training)
        return x if cache is None else (x, cache)

    def _cross_attend(self, x, encoder_output, encoder_attention_mask, cross_cache, training):
        query = self.cross_attention_norm(x)
        if cross_cache is None:
            return self.cross_attention(query, encoder_output, attention_mask=encoder_attention_mask,
                                        training=training)
        # A cache may hold one source per group of consecutive rows of `x` (beam search: `num_beams` rows per
        # source). Those rows' queries then attend as one longer query block of their source: the same
        # attention per query (no position bias or causal mask here), one matmul per source instead of one
        # matrix-vector product per row, and the keys/values are never repeated per beam.
        shape = keras.ops.shape(query)
        sources = keras.ops.shape(cross_cache[0])[0]
        query = keras.ops.reshape(query, (sources, -1, shape[2]))
        attended, _ = self.cross_attention(query, attention_mask=encoder_attention_mask, cache=cross_cache,
                                           training=training)
        return keras.ops.reshape(attended, shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            head_dim=self.head_dim,
            intermediate_dim=self.intermediate_dim,
            activation=self.activation,
            dropout=self.dropout,
            layer_norm_epsilon=self.layer_norm_epsilon,
            is_decoder=self.is_decoder,
        )
        return config
