"""The speed suite of issue #13 in one command: every script in its own process (torch is imported before
TensorFlow in each; memory is not shared between them), then the suite's table and chart.

Run from the repository root: `python -m benchmarks.suite [--quick] [--only SCRIPT ...]` (`make bench` installs
the peers and runs this). Writes `benchmarks/results/<script>.json` per script, then `bench.md` and `bench.png`
(`benchmarks/bench_report.py`); `--quick` runs tiny configs into `benchmarks/results/smoke/` instead. Prints each
script's wall time and the total.
"""

import argparse
import subprocess
import sys
import time

from benchmarks.side_by_side import SMOKE_DIR
from benchmarks.results_file import RESULTS_DIR

#: The scripts, in running order, with the arguments of a full run. Measured in a fresh clone (2026-12-07): on the
#: quiet 2-core CPU of three runs, generation 0.3-0.4 min, t5_beam 1.0, training 2.3-2.4, scaling 6.5-7.0 (the
#: memory children one after another), 10.2-10.8 min in all, `make bench` with the peers' install 13.0-13.5
#: minutes; on a 2-core CPU with half that matmul rate (215.6 against 462.6 GFLOP/s), 0.5, 1.5, 3.5 and 9.3 min,
#: 14.8 in all, `make bench` 17.7 minutes; on the same machine busier (2026-12-08), 0.7, 1.7, 4.5 and 11.8 min,
#: 18.8 in all, `make bench` 21.9 minutes (budget: 30).
SCRIPTS = {
    "generation": ["--repeats", "5"],
    "t5_beam": ["--repeats", "5"],
    "training": ["--repeats", "5", "--steps", "2"],
    "scaling": ["--repeats", "3"],
}


def commands(quick, only=None):
    """`[(script, argv), ...]` of the scripts to run, then the report."""
    runs = []
    for script, arguments in SCRIPTS.items():
        if only and script not in only:
            continue
        runs.append((script, [sys.executable, "-m", f"benchmarks.{script}"] + (["--quick"] if quick else arguments)))
    report = [sys.executable, "-m", "benchmarks.bench_report", "--results-dir", SMOKE_DIR if quick else RESULTS_DIR]
    return runs + [("bench_report", report)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny configs, results to results/smoke/")
    parser.add_argument("--only", nargs="+", choices=list(SCRIPTS), help="run only these scripts (then the report)")
    args = parser.parse_args(argv)
    times, failed = {}, []
    suite_start = time.perf_counter()
    for script, command in commands(args.quick, args.only):
        print(f"=== {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        if subprocess.run(command).returncode != 0:
            failed.append(script)
        times[script] = time.perf_counter() - start
    print("=== wall times: " + ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in times.items())
          + f"; total {(time.perf_counter() - suite_start) / 60:.1f} min", flush=True)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
