"""Multi-head attention with an optional key/value cache: one `call` for training, prefill and decoding."""

import keras
import tensorflow as tf
from keras import ops

from zoo.layers.broadcast_gradients import add_bias
from zoo.layers.dense import Dense
from zoo.layers.dropout import Dropout
from zoo.layers.dtypes import at_least_float32
from zoo.layers.xla import compiling_with_xla


def batch_matmul(a, b, transpose_b=False):
    """`a @ b` (or `a @ b^T`) for `(batch, heads, m, k)` tensors, as a product over one merged leading axis.

    Against the 4-D einsum it replaces: the `bert_train` step of `benchmarks.training` ran 15.4k and 14.9k tokens/s
    against 14.9k and 14.5k (2-core CPU, two pairs of runs taken in turn), and the model compiles with XLA's
    XNNPACK dot path (`XLA_FLAGS=--xla_cpu_use_xnnpack=true`), which rejects the einsum's operands ("batch dims
    must be in the most major dimensions")."""
    a3 = ops.reshape(a, (-1, ops.shape(a)[2], ops.shape(a)[3]))
    b3 = ops.reshape(b, (-1, ops.shape(b)[2], ops.shape(b)[3]))
    product = ops.matmul(a3, ops.transpose(b3, (0, 2, 1)) if transpose_b else b3)
    return ops.reshape(product, (ops.shape(a)[0], ops.shape(a)[1], ops.shape(product)[1], ops.shape(product)[2]))


def chunk_indices(chunk, start):
    """Scatter indices `(batch, heads, length, 3)` of a `(batch, heads, length, head_dim)` chunk written at
    position `start` of a cache. A scatter, not `slice_update`: that one becomes `XlaDynamicUpdateSlice`, an
    op only XLA runs, and TF Serving runs exported decode loops with XLA disabled."""
    shape = ops.shape(chunk)
    positions = ops.cast(start, "int32") + ops.arange(shape[2], dtype="int32")
    grid = ops.meshgrid(ops.arange(shape[0], dtype="int32"), ops.arange(shape[1], dtype="int32"), positions,
                        indexing="ij")
    return ops.stack(grid, axis=-1)


def softmax(scores):
    """Softmax over the last axis as `exp(s - max) * (1 / sum)`: one reciprocal per row instead of a division
    per score, which XLA on CPU runs about 1.3x faster at length 128 and 1.4x at 1024 (same values to float
    rounding). Outside XLA (`compiling_with_xla`), TensorFlow's fused softmax kernel."""
    if not compiling_with_xla():
        return ops.softmax(scores, axis=-1)
    # tf.reduce_max, not ops.max: that one rejects an empty batch, which exports must answer.
    # The shift takes no gradient: softmax does not depend on it, and its gradient path (a mask of where each row's
    # maximum is) would only add zeros, at the cost of passes over the scores in the backward pass.
    shift = ops.stop_gradient(tf.reduce_max(scores, axis=-1, keepdims=True))
    exponentials = ops.exp(scores - shift)
    return exponentials * (1.0 / ops.sum(exponentials, axis=-1, keepdims=True))


class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention whose key/value cache is an optional argument of the one forward pass.

    Without a cache it is ordinary (self- or cross-) attention. With a cache, a `(key, value)` pair of
    `(batch, num_heads, cache_length, head_dim)` tensors (`init_cache`):
    - `cache_update_index` given: keys/values of the current chunk are written into the cache at that index
      (prefill writes a whole prompt, decoding writes one token) and attention reads the cache, where positions
      past this chunk hold nothing written yet and must be masked (under XLA they are not read at all);
    - `cache_update_index=None`: the cache is read as it is (precomputed cross-attention keys/values).

    Args:
        num_heads: number of attention heads.
        head_dim: size of each head.
        hidden_dim: size of the output; defaults to the input size.
        use_bias: whether the projections have biases (BERT/GPT yes, T5 no).
        scale: multiplier of the query-key scores; `None` means `1/sqrt(head_dim)` (T5 passes 1.0).
        dropout: dropout rate on the attention probabilities.
        kernel_initializer: initializer of the projection kernels.
        query_initializer: initializer of the query kernel; defaults to `kernel_initializer`. With `scale=1.0`
            (T5) it carries the `1/sqrt(head_dim)` instead, so that scores start at unit scale.

    Call arguments:
        query: `(batch, query_length, dim)`.
        value: `(batch, key_length, dim)` for cross-attention; `None` for self-attention.
        attention_mask: boolean, broadcastable to `(batch, query_length, key_length)`; True = may attend.
        attention_bias: additive, broadcastable to `(batch, num_heads, query_length, key_length)`.
        cache: optional `(key, value)` cache as above.
        cache_update_index: scalar int, where this chunk's keys/values go in the cache.

    Returns:
        `output` of shape `(batch, query_length, hidden_dim)`, or `(output, cache)` when a cache is given.

    Example:
    >>> attention = MultiHeadAttention(num_heads=2, head_dim=4)
    >>> attention(keras.ops.ones((1, 3, 8))).shape
    TensorShape([1, 3, 8])
    """

    def __init__(
        self,
        num_heads,
        head_dim,
        hidden_dim=None,
        use_bias=True,
        scale=None,
        dropout=0.0,
        kernel_initializer="glorot_uniform",
        query_initializer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.hidden_dim = hidden_dim
        self.use_bias = use_bias
        self.scale = scale
        self.dropout = dropout
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.query_initializer = keras.initializers.get(query_initializer or kernel_initializer)
        inner_dim = num_heads * head_dim
        dense = dict(use_bias=use_bias, dtype=self.dtype_policy)
        self.query_dense = Dense(inner_dim, kernel_initializer=self.query_initializer, name="query",
                                              **dense)
        self.key_dense = Dense(inner_dim, kernel_initializer=self.kernel_initializer, name="key", **dense)
        self.value_dense = Dense(inner_dim, kernel_initializer=self.kernel_initializer, name="value",
                                              **dense)
        self.output_dense = None  # Created in build(): its width defaults to the input width.
        self.dropout_layer = Dropout(dropout, dtype=self.dtype_policy)

    def build(self, query_shape, value_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        self.query_dense.build(query_shape)
        self.key_dense.build(value_shape)
        self.value_dense.build(value_shape)
        output_dim = self.hidden_dim or query_shape[-1]
        self.output_dense = Dense(
            output_dim,
            use_bias=self.use_bias,
            kernel_initializer=self.kernel_initializer,
            dtype=self.dtype_policy,
            name="output",
        )
        self.output_dense.build(tuple(query_shape[:-1]) + (self.num_heads * self.head_dim,))
        self.built = True

    def _split_heads(self, x):
        batch, length = ops.shape(x)[0], ops.shape(x)[1]
        x = ops.reshape(x, (batch, length, self.num_heads, self.head_dim))
        return ops.transpose(x, (0, 2, 1, 3))  # (batch, heads, length, head_dim)

    def _fused_self_projections(self, x):
        """Queries, keys and values of self-attention from one product with the three kernels side by side, under
        XLA only: one `(dim, 3 * heads * head_dim)` matmul and one head transpose in place of three of each, and
        in the backward pass one product for the input's gradient where three products and their sum were. Also
        in cached decoding (prefill and each new token), where it saves two of each step's small products. Same
        variables, so checkpoints and importers are unaffected. None where a projection is quantized or has
        LoRA weights (they have their own `call`), or outside XLA (`compiling_with_xla`)."""
        denses = (self.query_dense, self.key_dense, self.value_dense)
        if not compiling_with_xla() or any(dense.lora_enabled or dense.quantization_mode for dense in denses):
            return None
        kernel = ops.concatenate([ops.cast(dense.kernel, self.compute_dtype) for dense in denses], axis=-1)
        qkv = ops.matmul(x, kernel)
        if self.use_bias:
            qkv = add_bias(qkv, ops.concatenate([ops.cast(dense.bias, self.compute_dtype) for dense in denses], -1))
        batch, length = ops.shape(x)[0], ops.shape(x)[1]
        qkv = ops.transpose(ops.reshape(qkv, (batch, length, 3, self.num_heads, self.head_dim)), (2, 0, 3, 1, 4))
        return qkv[0], qkv[1], qkv[2]  # each (batch, heads, length, head_dim)

    def _projections(self, query, value, cache, cache_update_index):
        """Queries, keys, values `(batch, heads, length, head_dim)` and the cache, updated if it is written."""
        self_attention = value is None and (cache is None or cache_update_index is not None)
        fused = self._fused_self_projections(query) if self_attention else None
        if fused is not None:
            q, k, v = fused
        else:
            value = query if value is None else value
            q = self._split_heads(self.query_dense(query))
            if cache is not None and cache_update_index is None:
                key, value = cache  # precomputed (cross-attention): (batch, heads, k_len, head_dim)
                return q, key, value, cache
            k = self._split_heads(self.key_dense(value))
            v = self._split_heads(self.value_dense(value))
        if cache is not None:
            # Write this chunk in place; attention then reads the cache (under XLA, its written blocks only).
            key_cache, value_cache = cache
            indices = chunk_indices(k, cache_update_index)
            k = ops.scatter_update(key_cache, indices, ops.cast(k, key_cache.dtype))
            v = ops.scatter_update(value_cache, indices, ops.cast(v, value_cache.dtype))
            cache = (k, v)
        return q, k, v, cache

    def call(
        self,
        query,
        value=None,
        attention_mask=None,
        attention_bias=None,
        cache=None,
        cache_update_index=None,
        training=None,
    ):
        q, k, v, cache = self._projections(query, value, cache, cache_update_index)

        scale = self.scale if self.scale is not None else self.head_dim**-0.5
        # Scores and softmax in float32 under mixed precision: float16 q.k overflows past 65504 (inf, then NaN
        # logits) and loss scaling cannot fix a forward pass; bfloat16 gets the same for its rounding.
        softmax_dtype = at_least_float32(self.compute_dtype)
        q = ops.cast(q, softmax_dtype) * ops.cast(scale, softmax_dtype)
        k = ops.cast(k, softmax_dtype)
        prefixes = self._written_prefixes(q, k, cache_update_index)
        if prefixes is None:
            context = self._attend(q, k, v, attention_mask, attention_bias, cache is not None, training)
        else:
            ends, branch = prefixes
            mask = None if attention_mask is None else ops.convert_to_tensor(attention_mask)
            bias = None if attention_bias is None else ops.convert_to_tensor(attention_bias)

            def prefix(end):
                cut = lambda t: None if t is None else t[..., :end]  # noqa: E731
                return lambda: self._attend(q, k[:, :, :end], v[:, :, :end], cut(mask), cut(bias), True, training)

            if isinstance(branch, int):  # a python index: a static prefix
                context = prefix(ends[branch])()
            else:
                context = tf.switch_case(branch, [prefix(end) for end in ends])
        batch, length = ops.shape(context)[0], ops.shape(context)[1]
        output = self.output_dense(
            ops.reshape(context, (batch, length, self.num_heads * self.head_dim))
        )
        if cache is not None:
            return output, cache
        return output

    def _written_prefixes(self, q, k, cache_update_index):
        """For a cache written at `cache_update_index` under XLA: `(ends, branch)`, the cache lengths attention
        may read (block ends: 16 positions apart, further for caches over 128 positions so that a step compiles
        at most 8 branches) and the index of the shortest that holds every position written so far (a tensor,
        or an int for a python index), so that attention reads those and not the whole cache: positions past
        them are masked for every query (each step writes its position before attending). None when not under
        XLA, without a cache index, or for a cache of one block. In-process A/B on `benchmarks.t5_beam`'s engine
        (2-core CPU, 8 pairs alternated): faster in 7 pairs, median +4%."""
        if cache_update_index is None or not compiling_with_xla() or q.shape[2] is None or k.shape[2] is None:
            return None
        cache_length = k.shape[2]
        block = max(16, -(-cache_length // 8))
        if block >= cache_length:
            return None
        ends = [min(cache_length, end) for end in range(block, cache_length + block, block)]
        return ends, (cache_update_index + q.shape[2] - 1) // block

    def _attend(self, q, k, v, attention_mask, attention_bias, cached, training):
        """Context `(batch, q_len, heads, head_dim)` of scaled queries `q` over keys `k` and values `v`."""
        softmax_dtype = q.dtype
        # Decoding (a cache) keeps 4-D einsums: with batch products, greedy GPT decoding of benchmarks.generation
        # ran 6.9k and 6.8k new tokens/s against 7.0k and 7.3k (two pairs of runs taken in turn).
        scores = ops.einsum("bhqd,bhkd->bhqk", q, k) if cached else batch_matmul(q, k, transpose_b=True)
        if attention_bias is not None:
            scores = scores + ops.cast(attention_bias, softmax_dtype)
        if attention_mask is not None:
            mask = ops.expand_dims(ops.cast(attention_mask, "bool"), axis=1)  # (batch, 1, q_len, k_len)
            scores = ops.where(mask, scores, ops.cast(-1e9, softmax_dtype))
        probabilities = ops.cast(softmax(scores), self.compute_dtype)
        probabilities = self.dropout_layer(probabilities, training=training)
        if cached:
            return ops.einsum("bhqk,bhkd->bqhd", probabilities, v)  # (batch, q_len, heads, head_dim)
        return ops.transpose(batch_matmul(probabilities, v), (0, 2, 1, 3))

    def init_cache(self, batch_size, max_length, dtype=None):
        """An empty `(key, value)` cache, each `(batch, heads, max_length, head_dim)`."""
        shape = (batch_size, self.num_heads, max_length, self.head_dim)
        dtype = dtype or self.compute_dtype
        return ops.zeros(shape, dtype), ops.zeros(shape, dtype)

    def compute_key_value(self, value):
        """Keys and values of `value` as a read-only `(key, value)` cache (cross-attention)."""
        return self._split_heads(self.key_dense(value)), self._split_heads(self.value_dense(value))

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            head_dim=self.head_dim,
            hidden_dim=self.hidden_dim,
            use_bias=self.use_bias,
            scale=self.scale,
            dropout=self.dropout,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            query_initializer=keras.initializers.serialize(self.query_initializer),
        )
        return config
