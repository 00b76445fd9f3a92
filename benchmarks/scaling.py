"""Scaling with sequence length: BERT training and inference tokens/s and peak memory of zoo, keras-hub and
transformers at lengths 128, 256, 512, 1024 (batch 64, 32, 16, 8: 8192 tokens per step throughout).

Run from the repository root: `python -m benchmarks.scaling [--quick] [--no-memory]`. Model: `bert_train`'s
config (4 layers, hidden 256, 4 heads, intermediate 1024, vocab 30522; position table 1024), XLA on, float32,
random weights, every other row padded from the middle. Records, per length L:
- `train_length_L`, `infer_length_L`: tokens/s of a training step (AdamW) / a forward pass, the three engines
  alternated in one process after a warm-up, medians of `--repeats`.
- `train_memory_length_L`, `infer_memory_length_L`: peak resident memory (MB) above the process's footprint
  after its imports and runtime start (TensorFlow + XLA, torch), measured in one child process per engine and
  mode (running only that engine, lengths ascending, the kernel's peak-RSS mark reset before each length), so
  engines never share a footprint; the six children run concurrently after the timings. Lower is better.
Writes `benchmarks/results/scaling.json`.
"""

import argparse
import gc
import json
import re
import subprocess
import sys

from benchmarks import bert_engines  # imports torch before TensorFlow
from benchmarks.side_by_side import alternate, arguments, finish_arguments, publish, record, ratios
import keras  # noqa: E402

CONFIG = dict(vocabulary_size=30522, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024)
TINY = dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64)  # --quick
SHAPES = ((128, 64), (256, 32), (512, 16), (1024, 8))  # (length, batch)
TINY_SHAPES = ((16, 8), (32, 4), (64, 2), (128, 1))
TARGET = {"keras_hub": 1.0, "transformers": 1.0}
MEMORY_PREFIX = "MEMORY "


def setup(quick, lengths=None):
    """(model config, [(length, batch), ...] of `lengths` (default all), the position table's length)."""
    config, shapes = (TINY, TINY_SHAPES) if quick else (CONFIG, SHAPES)
    if lengths:
        unknown = sorted(set(lengths) - {length for length, _ in shapes})
        if unknown:
            raise SystemExit(f"--lengths {unknown}: not among {[length for length, _ in shapes]}")
        shapes = tuple(shape for shape in shapes if shape[0] in lengths)
    return config, shapes, max(length for length, _ in (TINY_SHAPES if quick else SHAPES))


def resident_kb(field):
    """`VmRSS` (now) or `VmHWM` (peak since the last reset) of this process, in kB (Linux /proc)."""
    with open("/proc/self/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


def start_runtimes():
    """Initialises what every engine's process initialises anyway (TensorFlow's runtime and XLA compiler, torch's
    thread pool), so that the baseline after it leaves only the engine's own memory."""
    import tensorflow as tf
    import torch

    tf.function(lambda x: tf.matmul(x, x), jit_compile=True)(tf.ones((8, 8))).numpy()
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))


def memory_child(engine, mode, quick, lengths=None):
    """Runs `engine` alone in `mode` at every length, ascending (warm-up call + one more); prints its peaks above
    the footprint after imports and runtime start as `MEMORY {length: MB, ...}`."""
    config, shapes, longest = setup(quick, lengths)
    start_runtimes()
    gc.collect()
    baseline = resident_kb("VmRSS")
    peaks = {}
    for length, batch in shapes:
        gc.collect()
        reset_peak()
        run = bert_engines.BUILDERS[engine](config, batch, length, mode=mode, max_sequence_length=longest)
        run()
        run()
        peaks[length] = round((resident_kb("VmHWM") - baseline) / 1024, 1)
        del run
        keras.backend.clear_session()
    print(MEMORY_PREFIX + json.dumps(peaks), flush=True)


def measure_memory(quick, lengths=None):
    """`{engine: {mode: {length: MB}}}` from one child process per engine and mode, one after another (six at once
    ran this 24 GiB machine out of memory at length 1024)."""
    memory = {engine: {} for engine in bert_engines.ENGINES}
    for engine in bert_engines.ENGINES:
        for mode in bert_engines.MODES:
            command = [sys.executable, "-m", "benchmarks.scaling", "--memory-child", engine, mode]
            command += (["--quick"] if quick else []) + (["--lengths", *map(str, lengths)] if lengths else [])
            print(f"memory: {' '.join(command[1:])}", flush=True)
            child = subprocess.run(command, stdout=subprocess.PIPE, text=True)
            output = child.stdout
            if child.returncode != 0:
                raise RuntimeError(f"memory child of {engine} {mode} failed with exit code {child.returncode}")
            line = [line for line in output.splitlines() if line.startswith(MEMORY_PREFIX)][-1]
            memory[engine][mode] = json.loads(line[len(MEMORY_PREFIX):])
    return memory


def memory_records(memory, shapes, base_config):
    records = []
    for mode in bert_engines.MODES:
        for length, batch in shapes:
            values = {engine: memory[engine][mode][str(length)] for engine in bert_engines.ENGINES}
            peers = {name: values[name] for name in ("keras_hub", "transformers")}
            records.append({
                "name": f"{mode}_memory_length_{length}", "metric": "peak_rss_above_imports_mb",
                "higher_is_better": False, "ours": values["ours"], "peers": peers,
                "ratios": ratios(values["ours"], peers, higher_is_better=False), "target": {},
                "config": {**base_config, "mode": mode, "sequence": length, "batch": batch,
                           "memory": "peak RSS of a child process running only this engine in this mode (build, "
                                     "compile, 2 calls) minus its RSS after imports and runtime start; lengths "
                                     "ascending in one child",
                           "target_note": "issue #13 sets no memory target"},
            })
    return records


def main(argv=None):
    parser = arguments(__doc__.splitlines()[0], repeats=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the per-engine memory child processes")
    parser.add_argument("--lengths", type=int, nargs="+", help="a subset of the sequence lengths (default: all)")
    parser.add_argument("--memory-child", nargs=2, metavar=("ENGINE", "MODE"), help=argparse.SUPPRESS)
    args = finish_arguments(parser.parse_args(argv))
    if args.memory_child:
        return memory_child(*args.memory_child, args.quick, args.lengths)
    config, shapes, longest = setup(args.quick, args.lengths)
    base_config = {"layers": config["num_layers"], "hidden": config["hidden_dim"], "heads": config["num_heads"],
                   "intermediate": config["intermediate_dim"], "vocab": config["vocabulary_size"],
                   "max_sequence_length": longest, "xla": True, "precision": "float32", "weights": "random"}
    records = []
    for mode in bert_engines.MODES:
        for length, batch in shapes:
            print(f"== {mode}: length {length}, batch {batch}", flush=True)
            runs = bert_engines.engines(config, batch, length, mode, max_sequence_length=longest)
            medians = alternate(runs, args.repeats, batch * length)
            records.append(record(f"{mode}_length_{length}", "tokens_per_s", medians, TARGET, {
                **base_config, "mode": mode, "sequence": length, "batch": batch, "steps_per_repeat": 1,
                "repeats": args.repeats}))
            del runs
            gc.collect()
            keras.backend.clear_session()
    if not args.no_memory:
        records += memory_records(measure_memory(args.quick, args.lengths), shapes, base_config)
    publish("scaling", records, args)


if __name__ == "__main__":
    main()
