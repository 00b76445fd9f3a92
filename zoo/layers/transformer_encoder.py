"""Post-layer-norm transformer encoder block (BERT)."""

from zoo.layers.transformer_layer import TransformerLayer


class TransformerEncoder(TransformerLayer):
    """Self-attention and feed-forward, each followed by dropout, a residual add and layer norm (BERT).

    Args: as `TransformerLayer` (defaults: exact GELU, layer norm epsilon 1e-12).

    Call arguments:
        x: `(batch, length, hidden_dim)`.
        attention_mask: boolean, broadcastable to `(batch, length, length)`.
        first_token_only: compute the output at position 0 alone, `(batch, 1, hidden_dim)` (its query attends
            to every key): all that a pooler over the last block reads, for about a quarter of the block's work.

    Example:
    >>> TransformerEncoder(num_heads=2, intermediate_dim=16)(keras.ops.ones((1, 3, 8))).shape
    TensorShape([1, 3, 8])
    """

    def call(self, x, attention_mask=None, training=None, first_token_only=False):
        query = x[:, :1] if first_token_only else x
        attended = self.attention(query, value=x if first_token_only else None, attention_mask=attention_mask,
                                  training=training)
        x = self.attention_norm(query + self.attention_dropout(attended, training=training))
        return self.feed_forward_norm(x + self.feed_forward(x, training=training))
