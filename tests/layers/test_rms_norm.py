"""RMSNorm (T5's layer norm) against NumPy: no mean subtraction, epsilon inside the root, a learned scale."""

import numpy as np
import pytest

import zoo  # noqa: F401
import keras

from tests.parity import assert_close
from zoo.layers import RMSNorm


def numpy_rms_norm(x, scale, epsilon):
    x = np.asarray(x, np.float64)
    return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + epsilon) * scale


def random_norm(epsilon, dim=16, seed=0):
    layer = RMSNorm(epsilon=epsilon)
    layer.build((2, 3, dim))
    layer.scale.assign(np.random.default_rng(seed).uniform(0.5, 2.0, size=dim).astype("float32"))
    return layer


# Inputs off-centre (a mean of 2 standard deviations: subtracting the mean would show) at a magnitude where
# epsilon is negligible, and at one where it is not (mean square 1e-6 against epsilon 1e-6 and 1e-2).
@pytest.mark.parametrize("magnitude,epsilon", [(3.0, 1e-6), (1e-3, 1e-6), (0.1, 1e-2)])
def test_matches_numpy(magnitude, epsilon):
    layer = random_norm(epsilon)
    x = (magnitude * (np.random.default_rng(1).normal(size=(2, 3, 16)) + 2.0)).astype("float32")
    output = layer(x)
    assert output.dtype == "float32"
    assert_close(output, numpy_rms_norm(x, keras.ops.convert_to_numpy(layer.scale), epsilon), what="rms norm")


# Values of 300: their squares overflow float16 (max 65504), so the mean square must be taken in float32.
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_computes_in_float32_and_keeps_a_float32_scale(set_dtype_policy, policy):
    set_dtype_policy(policy)
    layer = random_norm(1e-6)
    x = np.random.default_rng(2).normal(scale=300.0, size=(2, 3, 16)).astype("float32")
    output = layer(x)
    assert output.dtype == policy.split("_")[1] and layer.scale.dtype == "float32"
    expected = numpy_rms_norm(x, keras.ops.convert_to_numpy(layer.scale), 1e-6)
    # 8-bit (bfloat16) or 11-bit (float16) mantissa on the input and the output.
    assert_close(keras.ops.cast(output, "float32"), expected, tolerance=1e-2, what=f"{policy} rms norm")
