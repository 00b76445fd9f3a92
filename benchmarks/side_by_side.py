"""The speed suite's shared harness: engines timed alternately in one process after a warm-up call each, medians
of their rates, and a record in the format of `../shared/RESULTS.md` with ours/peer ratios.

No torch, TensorFlow or transformers here: the scripts import those (torch first) and hand in closures.
"""

import argparse
import os
import statistics
import time

from benchmarks.results_file import RESULTS_DIR, report

#: Where `--quick` runs write: smoke records are never mixed with (or committed over) real ones.
SMOKE_DIR = os.path.join(RESULTS_DIR, "smoke")
PEERS = ("keras_hub", "transformers")


def arguments(description, repeats):
    """The suite's common command line: `--repeats`, `--quick` (tiny configs, results under `results/smoke/`),
    `--results-dir` and `--no-write`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=int, default=repeats, help="timed rounds per engine after warm-up")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny configs, 2 repeats, results to benchmarks/results/smoke/")
    parser.add_argument("--results-dir", default=None, help="default: benchmarks/results (smoke/ with --quick)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    return parser


def finish_arguments(args):
    """Fills the defaults that depend on `--quick`."""
    if args.quick:
        args.repeats = min(args.repeats, 2)
    if args.results_dir is None:
        args.results_dir = SMOKE_DIR if args.quick else RESULTS_DIR
    return args


def alternate(engines, repeats, units, check=None, unit="tok/s"):
    """Calls each engine's `run()` once (warm-up: tracing, XLA compilation), then `repeats` rounds of all engines
    in turn. `units` is the work of one call (tokens, sentences), a number or `{engine: number}`. `check(name,
    result)` may reject a call's result (raise). Returns `{engine: median units per second}`."""
    units = units if isinstance(units, dict) else {name: units for name in engines}
    for name, run in engines.items():
        start = time.perf_counter()
        result = run()
        print(f"warm-up {name}: {time.perf_counter() - start:.1f}s", flush=True)
        if check is not None:
            check(name, result)
    rates = {name: [] for name in engines}
    for repeat in range(repeats):
        for name, run in engines.items():
            start = time.perf_counter()
            result = run()
            rates[name].append(units[name] / (time.perf_counter() - start))
            if check is not None:
                check(name, result)
        print(f"repeat {repeat}: " + ", ".join(f"{n} {r[-1]:.1f} {unit}" for n, r in rates.items()), flush=True)
    return {name: statistics.median(values) for name, values in rates.items()}


def ratios(ours, peers, higher_is_better=True):
    """ours/peer for higher-is-better figures, peer/ours otherwise: above 1 always means we are ahead."""
    if higher_is_better:
        return {name: round(ours / value, 2) for name, value in peers.items()}
    return {name: round(value / ours, 2) for name, value in peers.items()}


def record(name, metric, values, target, config, higher_is_better=True, digits=1):
    """A RESULTS.md record from `{"ours": x, peer: y, ...}` (medians of one alternated run)."""
    peers = {key: value for key, value in values.items() if key != "ours"}
    return {
        "name": name,
        "metric": metric,
        "higher_is_better": higher_is_better,
        "ours": round(values["ours"], digits),
        "peers": {key: round(value, digits) for key, value in peers.items()},
        "ratios": ratios(values["ours"], peers, higher_is_better),
        "target": target,
        "config": config,
    }


def publish(script, records, args):
    """Writes `records` as `script`'s results (per `args`: `--results-dir`, `--no-write`); a `--quick` run marks
    each record's config `"smoke": true` and its command `--quick`."""
    records = records if isinstance(records, list) else [records]
    if args.quick:
        records = [dict(item, config=dict(item["config"], smoke=True)) for item in records]
    return report(script, records, write=not args.no_write, directory=args.results_dir,
                  flags=" --quick" if args.quick else "")
