"""Shared sublayers and config of the BERT (post-LN) and GPT-2 (pre-LN) transformer blocks."""

import keras

from zoo.layers.attention import MultiHeadAttention
from zoo.layers.dropout import Dropout
from zoo.layers.feed_forward import FeedForward
from zoo.layers.layer_norm import LayerNormalization


class TransformerLayer(keras.layers.Layer):
    """Self-attention, feed-forward, two layer norms and residual dropout; subclasses order them in `call`.

    Args:
        num_heads: attention heads (must divide the hidden width).
        intermediate_dim: feed-forward width.
        activation: feed-forward activation (see `FeedForward`).
        dropout: dropout rate on residual branches and attention probabilities.
        layer_norm_epsilon: layer norm epsilon.
        kernel_initializer: initializer of all kernels.
    """

    def __init__(
        self,
        num_heads,
        intermediate_dim,
        activation="gelu",
        dropout=0.0,
        layer_norm_epsilon=1e-12,
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
        self.attention = MultiHeadAttention(
            self.num_heads,
            hidden_dim // self.num_heads,
            dropout=self.dropout,
            kernel_initializer=self.kernel_initializer,
            dtype=policy,
            name="attention",
        )
        self.attention.build(input_shape)
        self.attention_dropout = Dropout(self.dropout, dtype=policy)
        self.attention_norm = LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="attention_norm"
        )
        self.attention_norm.build(input_shape)
        self.feed_forward = FeedForward(
            self.intermediate_dim,
            activation=self.activation,
            dropout=self.dropout,
            kernel_initializer=self.kernel_initializer,
            dtype=policy,
            name="feed_forward",
        )
        self.feed_forward.build(input_shape)
        self.feed_forward_norm = LayerNormalization(
            epsilon=self.layer_norm_epsilon, dtype=policy, name="feed_forward_norm"
        )
        self.feed_forward_norm.build(input_shape)
        self.built = True

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
