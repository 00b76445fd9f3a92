"""Pre-layer-norm causal transformer block with an optional key/value cache (GPT-2)."""

import keras

from zoo.layers.attention import MultiHeadAttention
from zoo.layers.feed_forward import FeedForward


class TransformerDecoder(keras.layers.Layer):
    """Layer norm, causal self-attention, residual; layer norm, feed-forward, residual (GPT-2).

    Args:
        num_heads: attention heads.
        intermediate_dim: feed-forward width.
        activation: feed-forward activation (GPT-2 uses "gelu_approximate").
        dropout: dropout rate on residual branches and attention probabilities.
        layer_norm_epsilon: layer norm epsilon.
        kernel_initializer: initializer of all kernels.

    Call arguments:
        x: `(batch, length, hidden_dim)`.
        attention_mask: boolean `(batch|1, length, key_length)`, already causal.
        cache: optional `(batch, 2, cache_length, heads, head_dim)`; `cache_update_index` where to write.

    Returns:
        `x`, or `(x, cache)` when a cache is given.

    Example:
    >>> TransformerDecoder(num_heads=2, intermediate_dim=16)(keras.ops.ones((1, 3, 8))).shape
    TensorShape([1, 3, 8])
    """

    def __init__(
        self,
        num_heads,
        intermediate_dim,
        activation="gelu_approximate",
        dropout=0.0,
        layer_norm_epsilon=1e-5,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.activation = activation
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        hidden_dim = input_shape[-1]
        if hidden_dim % self.num_heads:
            raise ValueError(
                f"hidden_dim ({hidden_dim}) must be divisible by num_heads ({self.num_heads})"
            )
        policy = self.dtype_policy
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="attention_norm"
        )
        self.attention_norm.build(input_shape)
        self.attention = MultiHeadAttention(
            self.num_heads,
            hidden_dim // self.num_heads,
            dropout=self.dropout,
            kernel_initializer=self.kernel_initializer,
            dtype=policy,
            name="attention",
        )
        self.attention.build(input_shape)
        self.attention_dropout = keras.layers.Dropout(self.dropout, dtype=policy)
        self.feed_forward_norm = keras.layers.LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="feed_forward_norm"
        )
        self.feed_forward_norm.build(input_shape)
        self.feed_forward = FeedForward(
            self.intermediate_dim,
            activation=self.activation,
            dropout=self.dropout,
            kernel_initializer=self.kernel_initializer,
            dtype=policy,
            name="feed_forward",
        )
        self.feed_forward.build(input_shape)
        self.built = True

    def call(self, x, attention_mask=None, cache=None, cache_update_index=None, training=None):
        attended = self.attention(
            self.attention_norm(x),
            attention_mask=attention_mask,
            cache=cache,
            cache_update_index=cache_update_index,
            training=training,
        )
        if cache is not None:
            attended, cache = attended
        x = x + self.attention_dropout(attended, training=training)
        x = x + self.feed_forward(self.feed_forward_norm(x), training=training)
        return x if cache is None else (x, cache)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            intermediate_dim=self.intermediate_dim,
            activation=self.activation,
            dropout=self.dropout,
            layer_norm_epsilon=self.layer_norm_epsilon,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
