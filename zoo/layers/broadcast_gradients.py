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
"""

from keras import ops

from zoo.layers.xla import compiling_with_xla


def outer(column, row):
    """`column * row` for `column (..., 1)` and `row (width,)` as the product `column (n, 1) @ row (1, width)`:
    the same values (one multiply each), and autodiff takes the gradient of `row` as the product
    `column^T @ upstream`, where a broadcast multiply would have taken a sum over the leading axes."""
    leading = ops.shape(column)[:-1]
    product = ops.matmul(ops.reshape(column, (-1, 1)), ops.reshape(row, (1, -1)))
    return ops.reshape(product, (*leading, ops.shape(row)[-1]))


def add_bias(x, bias):
    """`x + bias` where `bias` has the trailing shape of `x` (a dense bias; position embeddings `(length,
    hidden)`), with the bias broadcast as `ones (n, 1) @ bias (1, size)`: same values, and its gradient the
    product `ones^T @ upstream`. Outside XLA (`compiling_with_xla`), the plain broadcast add."""
    if not compiling_with_xla():
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
