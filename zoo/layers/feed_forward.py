"""Position-wise feed-forward block: GELU, tanh-GELU, ReLU or gated variants."""

import keras

from zoo.layers.dense import Dense
from zoo.layers.dropout import Dropout

_ACTIVATIONS = {
    "gelu": lambda x: keras.activations.gelu(x, approximate=False),
    "gelu_approximate": lambda x: keras.activations.gelu(x, approximate=True),
    "relu": keras.activations.relu,
}


class FeedForward(keras.layers.Layer):
    """Two dense layers with an activation between them; `gated-<act>` multiplies by a second projection.

    Args:
        intermediate_dim: width of the inner layer.
        hidden_dim: width of the output; defaults to the input width.
        activation: "gelu" (exact, BERT), "gelu_approximate" (tanh, GPT-2 "gelu_new"), "relu" (T5 v1.0), or
            "gated-gelu" / "gated-relu" (T5 v1.1: `act(x W0) * (x W1)`).
        use_bias: whether the dense layers have biases.
        dropout: dropout rate after the activation (T5) is `inner_dropout`; after the output is `dropout`.
        kernel_initializer: initializer of the kernels.

    Example:
    >>> FeedForward(intermediate_dim=16, activation="gated-gelu")(keras.ops.ones((2, 3, 8))).shape
    TensorShape([2, 3, 8])
    """

    def __init__(
        self,
        intermediate_dim,
        hidden_dim=None,
        activation="gelu",
        use_bias=True,
        dropout=0.0,
        inner_dropout=0.0,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.gated = activation.startswith("gated-")
        name = activation[len("gated-") :] if self.gated else activation
        if name not in _ACTIVATIONS:
            raise ValueError(
                f"FeedForward: unknown activation {activation!r}; expected one of "
                f"{sorted(_ACTIVATIONS)} or 'gated-' followed by one of them"
            )
        self.activation = activation
        self.activation_fn = _ACTIVATIONS[name]
        self.intermediate_dim = intermediate_dim
        self.hidden_dim = hidden_dim
        self.use_bias = use_bias
        self.dropout = dropout
        self.inner_dropout = inner_dropout
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        dense = dict(use_bias=use_bias, kernel_initializer=self.kernel_initializer, dtype=self.dtype_policy)
        self.intermediate_dense = Dense(intermediate_dim, name="intermediate", **dense)
        self.gate_dense = (
            Dense(intermediate_dim, name="gate", **dense) if self.gated else None
        )
        self.output_dense = None
        self.inner_dropout_layer = Dropout(inner_dropout, dtype=self.dtype_policy)
        self.dropout_layer = Dropout(dropout, dtype=self.dtype_policy)

    def build(self, input_shape):
        self.intermediate_dense.build(input_shape)
        if self.gated:
            self.gate_dense.build(input_shape)
        self.output_dense = Dense(
            self.hidden_dim or input_shape[-1],
            use_bias=self.use_bias,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="output",
        )
        self.output_dense.build(tuple(input_shape[:-1]) + (self.intermediate_dim,))
        self.built = True

    def call(self, x, training=None):
        h = self.activation_fn(self.intermediate_dense(x))  # (batch, length, intermediate_dim)
        if self.gated:
            h = h * self.gate_dense(x)
        h = self.inner_dropout_layer(h, training=training)
        return self.dropout_layer(self.output_dense(h), training=training)

    def get_config(self):
        config = super().get_config()
        config.update(
            intermediate_dim=self.intermediate_dim,
            hidden_dim=self.hidden_dim,
            activation=self.activation,
            use_bias=self.use_bias,
            dropout=self.dropout,
            inner_dropout=self.inner_dropout,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
