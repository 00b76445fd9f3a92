"""Numeric comparison for tests: the tolerance scales with the magnitude of the reference."""

import numpy as np


def assert_close(actual, expected, rtol=1e-5, what="values"):
    """Asserts `max |actual - expected| <= rtol * max |expected|` (and equal shapes).

    Kernel choices differ between CPUs, so an absolute tolerance on unscaled values is machine-dependent; a
    tolerance relative to the reference's own scale is not, while a wrong formula (an error of the order of the
    values themselves) still misses it by orders of magnitude.
    """
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    scale = float(np.abs(expected).max())
    diff = float(np.abs(actual - expected).max())
    assert diff <= rtol * scale, f"{what}: max abs diff {diff:.3g} > {rtol:g} x max |expected| {scale:.3g}"
