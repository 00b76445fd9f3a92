"""BERT training and inference speed: zoo TextClassifier vs keras-hub BertTextClassifier vs transformers
BertForSequenceClassification (torch CPU), same config, random weights, plus the training step's MFU.

Run from the repository root: `python -m benchmarks.training [--quick] [--only NAME ...]`. Records:
- `bert_train`, `bert_infer`: 4 layers, hidden 256, 4 heads, intermediate 1024, vocab 30522, sequence 128,
  batch 32, XLA on (both Keras engines): tokens/s of a training step (AdamW, dropout 0.1) / a forward pass.
- `bert_train_bf16`, `bert_infer_bf16`: the same, each engine in its own bf16 mode (Keras `mixed_bfloat16`,
  torch `autocast(cpu, bfloat16)`), beside the float32 lines.
- `mfu`: `bert_train`'s achieved model FLOP/s (`benchmarks/flops.py`) over the float32 dense-matmul peak
  measured here (best of TensorFlow with XLA, TensorFlow without XLA and torch, square matmuls), in percent,
  per engine. Each engine is credited with the matmuls it runs: zoo's last block only at the pooled token
  (`pooled_only`), the peers' in full.
- `bert_text_classifier_training`: all-MiniLM-L6-v2's geometry (6 layers, hidden 384, 12 heads, intermediate
  1536), batch 32, sequence 64, examples/s (the older record, kept for comparison across runs).
Each record's engines run `--steps` steps per repeat on one batch, alternated in one process after a warm-up
(tracing / XLA compilation); records hold medians. Writes `benchmarks/results/training.json`.
"""

import statistics
import time

import numpy as np

from benchmarks import bert_engines  # imports torch before TensorFlow
from benchmarks.flops import bert_train_step_flops, matmul_flops
from benchmarks.side_by_side import alternate, arguments, finish_arguments, publish, record
import torch  # noqa: E402  (already imported, torch first)
import tensorflow as tf  # noqa: E402

BERT = dict(vocabulary_size=30522, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024)
MINILM = dict(vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384, intermediate_dim=1536)
TINY = dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64)
TRAIN_TARGET = {"keras_hub": 1.2, "transformers": 1.2}
INFER_TARGET = {"keras_hub": 1.2, "transformers": 1.5}
MFU_TARGET = {"absolute": 50.0}
#: name -> (geometry, batch, length, mode, precision)
RECORDS = {
    "bert_train": ("bert", 32, 128, "train", "float32"),
    "bert_infer": ("bert", 32, 128, "infer", "float32"),
    "bert_train_bf16": ("bert", 32, 128, "train", "bfloat16"),
    "bert_infer_bf16": ("bert", 32, 128, "infer", "bfloat16"),
    "bert_text_classifier_training": ("minilm", 32, 64, "train", "float32"),
}


def geometry_config(config):
    return {"layers": config["num_layers"], "hidden": config["hidden_dim"], "heads": config["num_heads"],
            "intermediate": config["intermediate_dim"], "vocab": config["vocabulary_size"]}


def matmul_peak(n, repeats):
    """Best float32 FLOP/s of an (n, n) @ (n, n) product on this machine: medians over `repeats` timed calls of
    TensorFlow compiled by XLA, TensorFlow's own kernel (a graph without XLA: oneDNN on x86) and torch, the
    highest of the three. Returns (flops_per_s, {library: flops_per_s}); the dict also holds each library's
    bfloat16 rate (`*_bfloat16`, not part of the peak), which bounds the bf16 lines."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype("float32")
    tf_a, tf_a16 = tf.constant(a), tf.constant(a, dtype=tf.bfloat16)
    xla_matmul = tf.function(lambda x: tf.matmul(x, x), jit_compile=True)
    graph_matmul = tf.function(lambda x: tf.matmul(x, x), jit_compile=False)
    torch_a = torch.from_numpy(a)
    torch_a16 = torch_a.to(torch.bfloat16)
    runs = {"tensorflow_xla": lambda: xla_matmul(tf_a).numpy(),
            "tensorflow_graph": lambda: graph_matmul(tf_a).numpy(),
            "torch": lambda: torch.mm(torch_a, torch_a),
            "tensorflow_xla_bfloat16": lambda: xla_matmul(tf_a16).numpy(),
            "tensorflow_graph_bfloat16": lambda: graph_matmul(tf_a16).numpy(),
            "torch_bfloat16": lambda: torch.mm(torch_a16, torch_a16)}
    rates = {}
    for name, run in runs.items():
        run()  # warm-up (compilation)
        times = []
        for _ in range(max(3, repeats)):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        rates[name] = matmul_flops(n) / statistics.median(times)
    return max(rate for name, rate in rates.items() if not name.endswith("bfloat16")), rates


def mfu_record(train, config, batch, length, n, repeats):
    """The `mfu` record from `train` (`{engine: tokens/s}` of the float32 training step)."""
    peak, by_library = matmul_peak(n, repeats)
    geometry = (config["num_layers"], config["hidden_dim"], config["intermediate_dim"], batch, length)
    step = bert_train_step_flops(*geometry)
    ours_step = bert_train_step_flops(*geometry, pooled_only=True)  # what TextClassifier computes
    percent = {name: 100.0 * rate / (batch * length) * (ours_step if name == "ours" else step) / peak
               for name, rate in train.items()}
    return record("mfu", "model_flops_utilisation_percent", percent, MFU_TARGET, {
        **geometry_config(config), "batch": batch, "sequence": length, "step_model_gflop": round(step / 1e9, 2),
        "ours_step_model_gflop": round(ours_step / 1e9, 2),
        "matmul_peak_gflop_per_s": round(peak / 1e9, 1),
        "matmul_peak_by_library": {key: round(value / 1e9, 1) for key, value in by_library.items()},
        "matmul_size": n, "of_record": "bert_train",
        "flops": "benchmarks/flops.py: 3x forward matmul FLOPs; ours counts its last block at the pooled token "
                 "only (pooled_only: the matmuls it runs), the peers their full last block",
    })


def run_record(name, args):
    geometry, batch, length, mode, precision = RECORDS[name]
    config = TINY if args.quick else {"bert": BERT, "minilm": MINILM}[geometry]
    if args.quick:
        batch, length = 4, 16
    print(f"== {name}: {mode}, {precision}, batch {batch}, length {length}", flush=True)
    runs = bert_engines.engines(config, batch, length, mode, precision=precision, steps=args.steps)
    minilm = name == "bert_text_classifier_training"
    units = args.steps * batch * (1 if minilm else length)
    medians = alternate(runs, args.repeats, units, unit="ex/s" if minilm else "tok/s")
    target = {"keras_hub": 1.0, "transformers": 1.0} if minilm else (
        TRAIN_TARGET if mode == "train" else INFER_TARGET)
    result = record(name, "examples_per_s" if minilm else "tokens_per_s", medians, target, {
        **geometry_config(config), "batch": batch, "sequence": length, "mode": mode, "precision": precision,
        "xla": True, "steps_per_repeat": args.steps, "repeats": args.repeats, "optimizer": "AdamW",
        "weights": "random",
    })
    return result, medians, (config, batch, length)


def main(argv=None):
    parser = arguments(__doc__.splitlines()[0], repeats=5)
    parser.add_argument("--steps", type=int, default=3, help="training steps / forward passes per repeat")
    parser.add_argument("--only", nargs="+", choices=[*RECORDS, "mfu"], default=None,
                        help="records to run (default: all; mfu needs and runs bert_train)")
    parser.add_argument("--matmul-size", type=int, default=2048, help="side of the square matmul for the peak")
    args = finish_arguments(parser.parse_args(argv))
    if args.quick:
        args.steps, args.matmul_size = 1, 256
    wanted = args.only or [*RECORDS, "mfu"]
    names = [name for name in RECORDS if name in wanted or (name == "bert_train" and "mfu" in wanted)]
    records = []
    for name in names:
        result, medians, shape = run_record(name, args)
        records.append(result)
        if name == "bert_train" and "mfu" in wanted:
            records.append(mfu_record(medians, *shape, args.matmul_size, args.repeats))
    publish("training", records, args)


if __name__ == "__main__":
    main()
