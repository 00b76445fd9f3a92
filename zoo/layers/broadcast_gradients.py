"""Bias and norm ops whose parameter gradients are matrix products instead of reductions.

The gradient of a parameter broadcast over the batch and sequence (a bias, a norm's scale or shift, position
embeddings) is a sum over the leading axes. XLA on CPU lowers such a sum to a strided `reduce-window` loop: the
TF profiler showed one `(32, 128, 1024)` bias gradient at 20 ms of a 460 ms BERT training step, about 15x a
`ones @ x` product on the same data, and these sums at 28% of the step's thread time. The helpers below broadcast
such parameters as products (`ones (n, 1) @ parameter`, which XLA simplifies back to a broadcast in the forward
pass), so that autodiff's gradient is a product too. They do so only while tracing for XLA
(`zoo.layers.xla.compiling_with_xla`); elsewhere TensorFlow's graph kernels take the plain broadcast. Plain ops,
no custom gradient: `tf.custom_gradient` registers a gradient function per trace that keeps the traced graph
alive, which leaked about 200 MB per keras-tuner trial.

Not for fewer than 4096 rows: XLA's CPU fusion pass fuses a matrix's producers into a matrix-vector product
whose vector is under 16 KB (`kFusionThresholdBytes` in `cpu_instruction_fusion.cc`, 4096 float32 values) and runs
it as a naive loop. With all-MiniLM-L6-v2's geometry at batch 32 x 64 tokens (2048 rows), those loops (each
feed-forward bias gradient with the GELU backward fused in) took 59% of the training step's XLA thread time, 1235 ms
over 3 steps against 647 ms with sums (`python -m benchmarks.profile_step --geometry minilm --length 64`), and the
sums made the step 1.3x faster (54.4 -> 71.9 examples/s, `benchmarks.training`). The cut-off is a row count, not bytes:
bfloat16 products of 4096 rows are fused loops too, yet beat the sums (BERT bf16 step: 14.3k against 11.9k
tokens/s). A row count unknown while tracing takes the product.
"""

import math

from keras import ops

from zoo.layers.xla import compiling_with_xla

#: Fewer rows than this broadcast as plain sums (module docstring).
MIN_PRODUCT_ROWS = 4096


def as_product(rows):
    """Whether a parameter broadcast over `rows` rows (a python int, or None when not static) is written as a
    product: only while compiling with XLA, and not for a known row count under `MIN_PRODUCT_ROWS`."""
    if not compiling_with_xla():
        return False
    return rows is None or rows >= MIN_PRODUCT_ROWS


def static_rows(shape, trailing):
    """The product of `shape` without its `trailing` last axes, or None if one of those axes is not static."""
    leading = list(shape)[:len(shape) - trailing]
    return None if None in leading else math.prod(leading)


def outer(column, row):
    """`column * row` for `column (..., 1)` and `row (width,)` as the product `column (n, 1) @ row (1, width)`:
    the same values (one multiply each), and autodiff takes the gradient of `row` as the product
    `column^T @ upstream`, where a broadcast multiply would have taken a sum over the leading axes."""
    if not as_product(static_rows(column.shape, 1)):
        return column * row
    leading = ops.shape(column)[:-1]
    product = ops.matmul(ops.reshape(column, (-1, 1)), ops.reshape(row, (1, -1)))
    return ops.reshape(product, (*leading, ops.shape(row)[-1]))


def add_bias(x, bias):
    """`x + bias` where `bias` has the trailing shape of `x` (a dense bias; position embeddings `(length,
    hidden)`), with the bias broadcast as `ones (n, 1) @ bias (1, size)`: same values, and its gradient the
    product `ones^T @ upstream`. Outside XLA, or over fewer than `MIN_PRODUCT_ROWS` rows, the plain add."""
    if not as_product(static_rows(x.shape, len(bias.shape))):
        return x + ops.cast(bias, x.dtype)
    size = ops.size(bias)
    ones = ops.ones((ops.size(x) // size, 1), x.dtype)
    broadcast = ops.matmul(ones, ops.reshape(ops.cast(bias, x.dtype), (1, size)))
    return x + ops.reshape(broadcast, ops.shape(x))


def normalize(x, mean, inverse_std, scale, shift):
    """A layer norm's output from its statistics `(..., 1)` in Keras' arithmetic (`inv = inverse_std * scale`,
    `x * inv + (-mean * inv + shift)`), with `scale` and `shift` broadcast by products (`outer`, `add_bias`)."""
    inverse = outer(inverse_std, scale)
    return x * inverse + add_bias(-mean * inverse, shift)
