"""Token embeddings with a tied output projection, and learned position embeddings."""

import keras
from keras import ops

from zoo.layers.dtypes import at_least_float32


class TiedEmbedding(keras.layers.Layer):
    """A token embedding whose table also serves as the language-model head.

    `layer(token_ids)` embeds; `layer(hidden, reverse=True)` returns logits `hidden @ embeddings^T` (float32
    under mixed precision). The table `embeddings` is `(vocabulary_size, hidden_dim)`, the layout that trains
    fastest. Inside an XLA-compiled decode loop, pass `reverse_kernel=layer.reverse_kernel()` computed once
    before the loop: XLA on CPU would otherwise copy the transposed table at every step
    (`python -m benchmarks.lm_head_layout` measures both).

    Args:
        vocabulary_size: number of tokens.
        hidden_dim: embedding width.
        embeddings_initializer: initializer of the table.

    Example:
    >>> embedding = TiedEmbedding(vocabulary_size=10, hidden_dim=4)
    >>> embedding(embedding(keras.ops.ones((2, 3), "int32")), reverse=True).shape
    TensorShape([2, 3, 10])
    """

    def __init__(self, vocabulary_size, hidden_dim, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.hidden_dim = hidden_dim
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, *args):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.vocabulary_size, self.hidden_dim),
            initializer=self.embeddings_initializer,
        )
        self.built = True

    def reverse_kernel(self):
        """The `(hidden_dim, vocabulary_size)` output projection, to compute once outside a decode loop."""
        return ops.transpose(ops.cast(self.embeddings, at_least_float32(self.compute_dtype)))

    def call(self, inputs, reverse=False, reverse_kernel=None):
        if reverse:
            dtype = at_least_float32(self.compute_dtype)  # logits in float32 under mixed precision
            kernel = self.reverse_kernel() if reverse_kernel is None else ops.cast(reverse_kernel, dtype)
            return ops.matmul(ops.cast(inputs, dtype), kernel)  # (..., vocab)
        embedded = ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)  # (batch, length, hidden)
        return ops.cast(embedded, self.compute_dtype)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.vocabulary_size,)
        return tuple(input_shape) + (self.hidden_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(
            vocabulary_size=self.vocabulary_size,
            hidden_dim=self.hidden_dim,
            embeddings_initializer=keras.initializers.serialize(self.embeddings_initializer),
        )
        return config


class PositionEmbedding(keras.layers.Layer):
    """Learned absolute position embeddings, offset by `start_index` for cached decoding.

    Args:
        max_sequence_length: number of positions.
        initializer: initializer of the table.

    Call arguments:
        inputs: `(batch, length, hidden_dim)` (only its shape is used).
        start_index: position of the first element (the cache index while decoding).

    Returns:
        `(1, length, hidden_dim)` position embeddings, to be added to the token embeddings.

    Example:
    >>> PositionEmbedding(max_sequence_length=16)(keras.ops.zeros((2, 5, 8))).shape
    TensorShape([1, 5, 8])
    """

    def __init__(self, max_sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.max_sequence_length = max_sequence_length
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.max_sequence_length, input_shape[-1]),
            initializer=self.initializer,
        )
        self.built = True

    def call(self, inputs, start_index=0):
        length = ops.shape(inputs)[1]
        positions = ops.slice(
            ops.convert_to_tensor(self.embeddings), (start_index, 0), (length, ops.shape(self.embeddings)[1])
        )
        return ops.expand_dims(ops.cast(positions, self.compute_dtype), 0)  # (1, length, hidden)

    def get_config(self):
        config = super().get_config()
        config.update(
            max_sequence_length=self.max_sequence_length,
            initializer=keras.initializers.serialize(self.initializer),
        )
        return config
