"""Where a BERT training step or forward pass spends its time: per-HLO-op times of the XLA CPU executable.

Run from the repository root: `python -m benchmarks.profile_step [--mode train|infer] [--engine ours|keras_hub]
[--geometry bert|minilm] [--precision float32|bfloat16] [--batch 32] [--length 128]`. Builds the engine of
`benchmarks/bert_engines.py` on the #13 BERT config (or all-MiniLM-L6-v2's geometry, the
`bert_text_classifier_training` record's), warms it up, traces `--steps` calls with the TensorFlow profiler, dumps
the optimised HLO (`XLA_FLAGS=--xla_dump_to`), and prints the thread time of the XLA ops summed by kind
(`reduce-window`, `dot`, `*_fusion` ...) and by the TensorFlow op each came from (`adam` = the optimizer update,
`grad:` = the backward pass). Events of every thread count (XLA runs ops on its pool and on the calling thread).
The trace does not time every op: over 3 BERT float32 training steps its ops summed 357 ms of thread time against
765 ms of wall time for the traced steps (both printed), on 2 cores. Read the shares of what it times, not a
total. Writes no results file: a profile is a diagnosis.
"""

import argparse
import collections
import glob
import os
import re
import tempfile
import time

WORK = tempfile.mkdtemp(prefix="zoo_profile_")
os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_dump_to={WORK}/hlo --xla_dump_hlo_as_text"

from benchmarks import bert_engines  # noqa: E402  (imports torch before TensorFlow)
from benchmarks.training import BERT, MINILM  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: E402


def xla_events(trace_dir, instructions):
    """`{event name: total milliseconds}` of the trace's events named after an HLO instruction of `instructions`,
    on every thread: XLA runs ops on its pool threads and on the calling thread."""
    path = sorted(glob.glob(f"{trace_dir}/**/*.xplane.pb", recursive=True))[-1]
    space = xplane_pb2.XSpace()
    with open(path, "rb") as handle:
        space.ParseFromString(handle.read())
    totals = collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name.removesuffix(".clone")
                if name in instructions and not name.startswith("call."):
                    totals[name] += event.duration_ps / 1e9
    return totals


def op_names(hlo_dir):
    """`{HLO instruction: TensorFlow op_name, or "?"}` of every instruction of the largest optimised module of
    the dump."""
    files = glob.glob(f"{hlo_dir}/*cpu_after_optimizations.txt")
    text = open(max(files, key=os.path.getsize)).read()
    names = {}
    for match in re.finditer(r"%(\S+?)(?:\.clone)? = [^\n]*", text):
        op_name = re.search(r'op_name="([^"]*)"', match.group(0))
        names.setdefault(match.group(1), op_name.group(1) if op_name else "?")
    return names


def group(op_name):
    if "adam" in op_name.lower():
        return "adam"
    if op_name == "?":
        return "(no TensorFlow op: e.g. the dropout generator)"
    parts = op_name.split("/")
    layer = parts[-2] if len(parts) > 1 else op_name
    return ("grad:" if "gradient_tape" in op_name else "fwd:") + re.sub(r"_\d+$", "", layer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=bert_engines.MODES, default="train")
    parser.add_argument("--engine", choices=("ours", "keras_hub"), default="ours")
    parser.add_argument("--geometry", choices=("bert", "minilm"), default="bert")
    parser.add_argument("--precision", choices=bert_engines.PRECISIONS, default="float32")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    config = {"bert": BERT, "minilm": MINILM}[args.geometry]
    run = bert_engines.BUILDERS[args.engine](config, args.batch, args.length, mode=args.mode, steps=args.steps,
                                             precision=args.precision, max_sequence_length=max(512, args.length))
    run()
    run()
    tf.profiler.experimental.start(f"{WORK}/trace")
    start = time.perf_counter()
    run()
    wall = 1000 * (time.perf_counter() - start)
    tf.profiler.experimental.stop()
    names = op_names(f"{WORK}/hlo")
    events = xla_events(f"{WORK}/trace", names)
    kinds, groups = collections.Counter(), collections.Counter()
    for name, milliseconds in events.items():
        kinds[re.sub(r"[.\d]+$", "", name)] += milliseconds
        groups[group(names.get(name, "?"))] += milliseconds
    total = sum(events.values())
    print(f"{args.engine} {args.mode}, {args.precision}, {args.geometry}, batch {args.batch}, length {args.length}: "
          f"{args.steps} calls, XLA op thread time {total:.1f} ms (both cores), wall time {wall:.1f} ms (traced)")
    for title, counter in (("by kind", kinds), ("by TensorFlow op", groups)):
        print(f"-- {title}")
        for key, milliseconds in counter.most_common(args.top):
            print(f"{milliseconds:9.1f} ms {100 * milliseconds / total:5.1f}%  {key}")


if __name__ == "__main__":
    main()
