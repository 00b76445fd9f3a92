"""Why generation passes the tied LM head's kernel into the decode loop (`decoding_constants()`).

Run from the repository root: `python -m benchmarks.lm_head_layout`. Times 128 steps of the tied head of a
(vocab, hidden) embedding table inside one `tf.function(jit_compile=True)` `tf.while_loop`, batch 8,
hidden 256, vocab 8192, alternated, medians of several repeats: `hidden @ table^T` written inside the loop
(XLA on CPU then copies the transposed table at every step) against `hidden @ kernel` with
`kernel = table^T` computed once before the loop (ours). Writes `benchmarks/results/lm_head_layout.json`.
"""

import argparse
import statistics
import time

import numpy as np

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import tensorflow as tf  # noqa: E402
from benchmarks.results_file import report  # noqa: E402

BATCH, HIDDEN, VOCAB, STEPS = 8, 256, 8192, 128


def compiled_loop(head, prepare=lambda: None):
    @tf.function(jit_compile=True)
    def run(hidden):
        constant = prepare()  # once, before the loop

        def body(step, total):
            logits = head(hidden + tf.cast(step, tf.float32), constant)  # (batch, vocab)
            return step + 1, total + tf.reduce_sum(tf.cast(tf.argmax(logits, axis=-1), tf.float32))

        return tf.while_loop(lambda step, _: step < STEPS, body, (0, 0.0))[1]

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    table = tf.Variable(rng.standard_normal((VOCAB, HIDDEN)).astype("float32"))  # (vocab, hidden)
    hidden = tf.constant(rng.standard_normal((BATCH, HIDDEN)).astype("float32"))
    loops = {
        "ours": compiled_loop(lambda h, kernel: tf.matmul(h, kernel), lambda: tf.transpose(table)),
        "transpose_in_loop": compiled_loop(lambda h, _: tf.matmul(h, table, transpose_b=True)),
    }
    results = {name: loop(hidden) for name, loop in loops.items()}  # warm-up (compilation)
    np.testing.assert_allclose(results["ours"].numpy(), results["transpose_in_loop"].numpy(), rtol=1e-6)
    times = {name: [] for name in loops}
    for _ in range(args.repeats):
        for name, loop in loops.items():
            start = time.perf_counter()
            loop(hidden).numpy()
            times[name].append((time.perf_counter() - start) / STEPS * 1000)
    ms = {name: statistics.median(values) for name, values in times.items()}
    record = {
        "name": "lm_head_in_compiled_decode_loop",
        "metric": "ms_per_step",
        "higher_is_better": False,
        "ours": round(ms["ours"], 3),
        "peers": {"transpose_in_loop": round(ms["transpose_in_loop"], 3)},
        "ratios": {"transpose_in_loop": round(ms["transpose_in_loop"] / ms["ours"], 2)},
        "target": {"transpose_in_loop": 1.0},
        "config": {"batch": BATCH, "hidden": HIDDEN, "vocab": VOCAB, "steps": STEPS, "repeats": args.repeats},
    }
    report("lm_head_layout", record, write=not args.no_write)


if __name__ == "__main__":
    main()
