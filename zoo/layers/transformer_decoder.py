"""Pre-layer-norm causal transformer block with an optional key/value cache (GPT-2)."""

from zoo.layers.transformer_layer import TransformerLayer


class TransformerDecoder(TransformerLayer):
    """Layer norm, causal self-attention, residual; layer norm, feed-forward, residual (GPT-2).

    Args: as `TransformerLayer` (defaults: tanh GELU, layer norm epsilon 1e-5).

    Call arguments:
        x: `(batch, length, hidden_dim)`.
        attention_mask: boolean `(batch|1, length, key_length)`, already causal.
        cache: optional `(key, value)` cache of `MultiHeadAttention`; `cache_update_index` where to write.
        first_token_only: compute the output at position 0 alone, `(batch, 1, hidden_dim)` (as
            `TransformerEncoder`; no cache).

    Returns:
        `x`, or `(x, cache)` when a cache is given.

    Example:
    >>> TransformerDecoder(num_heads=2, intermediate_dim=16)(keras.ops.ones((1, 3, 8))).shape
    TensorShape([1, 3, 8])
    """

    def __init__(self, num_heads, intermediate_dim, activation="gelu_approximate", layer_norm_epsilon=1e-5,
                 **kwargs):
        super().__init__(num_heads, intermediate_dim, activation=activation,
                         layer_norm_epsilon=layer_norm_epsilon, **kwargs)

    def call(self, x, attention_mask=None, cache=None, cache_update_index=None, training=None,
             first_token_only=False):
        normalized = self.attention_norm(x)
        if first_token_only:
            x = x[:, :1]
        attended = self.attention(
            normalized[:, :1] if first_token_only else normalized,
            value=normalized if first_token_only else None,
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
