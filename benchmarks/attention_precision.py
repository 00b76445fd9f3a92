"""Cost of float32 attention scores under mixed precision: `MultiHeadAttention` forward + backward (XLA) with
its scores in float32 (what zoo does) vs the scores in the 16-bit compute dtype (the old code), per policy.

Run from the repository root: `python -m benchmarks.attention_precision [--repeats N]`. Shapes: batch 8,
sequence 128, 4 heads of 32. Prints the median milliseconds per step of each variant and their ratio.
"""

import argparse
import statistics
import time

import numpy as np

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras
import tensorflow as tf
from keras import ops

from zoo.layers.attention import MultiHeadAttention


class SixteenBitScores(MultiHeadAttention):
    """The old score computation: q.k in the compute dtype, then cast to float32 for the softmax."""

    def call(self, query, value=None, training=None, **kwargs):
        q = self._split_heads(self.query_dense(query))
        k = self._split_heads(self.key_dense(query))
        v = self._split_heads(self.value_dense(query))
        scores = ops.einsum("bhqd,bhkd->bhqk", q * ops.cast(self.head_dim**-0.5, q.dtype), k)
        probabilities = ops.cast(ops.softmax(ops.cast(scores, "float32"), axis=-1), self.compute_dtype)
        context = ops.einsum("bhqk,bhkd->bqhd", probabilities, v)
        shape = ops.shape(context)
        return self.output_dense(ops.reshape(context, (shape[0], shape[1], self.num_heads * self.head_dim)))


def step_time(cls, policy, repeats):
    layer = cls(num_heads=4, head_dim=32, dtype=policy)
    inputs = tf.constant(np.random.default_rng(0).normal(size=(8, 128, 128)).astype("float32"))
    layer(inputs)

    @tf.function(jit_compile=True)
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.cast(layer(x), tf.float32))
        return tape.gradient(loss, layer.trainable_variables)

    step(inputs)  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(5):
            [g.numpy() for g in step(inputs)]
        times.append((time.perf_counter() - start) / 5 * 1000)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    for policy in ("mixed_bfloat16", "mixed_float16"):
        old = step_time(SixteenBitScores, policy, args.repeats)
        new = step_time(MultiHeadAttention, policy, args.repeats)
        print(f"{policy}: 16-bit scores {old:.2f} ms, float32 scores {new:.2f} ms, ratio {new / old:.2f}")
    keras.config.set_dtype_policy("float32")


if __name__ == "__main__":
    main()
