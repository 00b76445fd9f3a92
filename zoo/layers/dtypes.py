"""Precision helper: where mixed precision computes in 16 bits, softmax, norms and logits use float32."""

import keras


def at_least_float32(dtype):
    """`"float32"` for float16/bfloat16, otherwise `dtype` itself (float32 stays, float64 stays)."""
    dtype = keras.backend.standardize_dtype(dtype)
    return "float32" if dtype in ("float16", "bfloat16") else dtype
