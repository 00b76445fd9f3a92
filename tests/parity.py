"""One tolerance for comparing our outputs with a reference computed by another implementation (the Hugging
Face fixtures, a Model Garden encoder, a reloaded conversion, the NumPy formulas of tests/layers):

    max |ours - reference| <= RELATIVE_TOLERANCE * max(1, max |reference|)

Why relative: float32 kernels differ between CPUs and libraries (summation order, FMA, vectorised tanh/erf),
and the rounding error of a correct implementation grows with the size of the values. On the GPT-2 fixture
(logits up to 20.6) the stored torch reference itself is 8.1e-5 from a float64 recomputation and ours 3.8e-5,
so the two differ by 1.16e-4 with TensorFlow's oneDNN kernels and by 0.91e-4 without them, on the same CPU: an
absolute 1e-4 passes or fails with the machine. Relative to max(1, max |reference|), every fixture's difference
is <= 5.6e-6 on a 2-core x86-64 CPU (the max(1, .) keeps an absolute floor for values near zero).

Why 2e-5 still catches a wrong conversion: a wrong weight mapping moves the outputs by 1e-2 to 1 of their
magnitude (swapped query/key 0.26-0.86, a transposed kernel 0.43-1.07, a bias left at zero 9.5e-3), and even the
wrong GELU variant (exact vs tanh) by 1.2e-4 to 3e-4: 6x to 50,000x above the bound.
"""

import numpy as np

RELATIVE_TOLERANCE = 2e-5


def _masked(array, mask):
    array = np.asarray(array, "float64")
    if mask is not None:  # a (batch, length) mask selects positions of a (batch, length, ...) array
        array = array[np.asarray(mask).astype(bool)]
    return array


def bound(reference, mask=None, tolerance=RELATIVE_TOLERANCE):
    """The largest difference allowed from `reference` (where `mask` is true)."""
    return tolerance * max(1.0, float(np.abs(_masked(reference, mask)).max()))


def max_abs_diff(ours, reference, mask=None):
    return float(np.abs(_masked(ours, mask) - _masked(reference, mask)).max())


def assert_close(ours, reference, what, mask=None, tolerance=RELATIVE_TOLERANCE):
    """Fails, naming `what`, the difference and the bound, unless `ours` has the shape of `reference` and is
    within `bound(reference)` (a `tolerance` tighter than the default where both sides run the same kernels, as in
    the Model Garden tests; looser for 16-bit computations: bfloat16 keeps 8 mantissa bits)."""
    shape, expected_shape = np.asarray(ours).shape, np.asarray(reference).shape
    assert shape == expected_shape, f"{what}: shape {shape}, expected {expected_shape}"
    diff, limit = max_abs_diff(ours, reference, mask), bound(reference, mask, tolerance)
    print(f"{what}: max abs diff {diff:.3g} (bound {limit:.3g})")
    assert diff <= limit, f"{what}: max abs diff {diff:.3g} > {limit:.3g} = {tolerance} * max(1, max|reference|)"
