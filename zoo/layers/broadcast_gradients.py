"""Bias and scale ops whose parameter gradients are matrix products instead of reductions.

The gradient of a parameter broadcast over the batch and sequence (a bias, a norm's scale or shift, position
embeddings) is a sum over the leading axes. XLA on CPU lowers such a sum to a strided `reduce-window` loop: the
TF profiler showed one `(32, 128, 1024)` bias gradient at 20 ms of a 460 ms BERT training step, about 15x a
`ones @ x` product on the same data, and these sums at 28% of the step's thread time. The ops below compute the
same forward values and take that product in their gradient.
"""

from keras import ops

from zoo.layers.dtypes import at_least_float32


def column_sum(x, shape=None):
    """Sum of `x` over its leading axes down to its trailing `shape` (default: the last axis), as a `ones @ x`
    product, in at least float32."""
    shape = ops.shape(x)[-1:] if shape is None else shape
    flat = ops.reshape(ops.cast(x, at_least_float32(x.dtype)), (-1, ops.prod(ops.convert_to_tensor(shape))))
    ones = ops.ones((1, ops.shape(flat)[0]), flat.dtype)
    return ops.reshape(ops.matmul(ones, flat), shape)


@ops.custom_gradient
def add_bias(x, bias):
    """`x + bias` where `bias` has the trailing shape of `x` (a dense bias; position embeddings `(length,
    hidden)`); the bias gradient is `column_sum` of the upstream gradient."""

    def gradient(*args, upstream=None):
        upstream = args[0] if upstream is None else upstream
        return upstream, ops.cast(column_sum(upstream, ops.shape(bias)), bias.dtype)

    return x + bias, gradient


@ops.custom_gradient
def normalize(x, mean, inverse_std, scale, shift):
    """A layer norm's output from its statistics `(..., 1)`, in Keras' exact arithmetic (`inv = inverse_std *
    scale`, `x * inv + (shift - mean * inv)`), with `column_sum` gradients for `scale` and `shift`."""
    inverse = inverse_std * scale
    outputs = x * inverse + (-mean * inverse + shift)

    def gradient(*args, upstream=None):
        upstream = args[0] if upstream is None else upstream
        centered = x - mean
        scaled = upstream * scale
        return (upstream * inverse,
                -ops.sum(upstream * inverse, axis=-1, keepdims=True),
                ops.sum(scaled * centered, axis=-1, keepdims=True),
                ops.cast(column_sum(upstream * centered * inverse_std), scale.dtype),
                ops.cast(column_sum(upstream), shift.dtype))

    return outputs, gradient


@ops.custom_gradient
def scale_only(x, scale):
    """`x * scale` over the last axis (RMS norm), with a `column_sum` scale gradient."""

    def gradient(*args, upstream=None):
        upstream = args[0] if upstream is None else upstream
        return upstream * scale, ops.cast(column_sum(upstream * x), scale.dtype)

    return x * scale, gradient
