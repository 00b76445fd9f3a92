"""Writes a benchmark's record to `benchmarks/results/<script>.json` in the format of `../shared/RESULTS.md`."""

import datetime
import json
import os

MACHINE = "2-core x86_64 CPU, no GPU"
RESULTS_DIR = os.path.join(os.path.dirname(__file__), "results")


def report(script, record, write=True, directory=RESULTS_DIR, flags=""):
    """Adds `command`, `machine` and `date` to `record` (or to each record of a list), prints it, and (unless
    `write` is False) writes `{"records": [record, ...]}` to `<directory>/<script>.json` (default `results/`).
    `flags` are appended to the `command` (e.g. " --quick")."""
    stamp = dict(command=f"python -m benchmarks.{script}{flags}", machine=MACHINE,
                 date=datetime.date.today().isoformat())
    records = [dict(item, **stamp) for item in (record if isinstance(record, list) else [record])]
    print(json.dumps(records if isinstance(record, list) else records[0], indent=2))
    if write:
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{script}.json"), "w") as f:
            json.dump({"records": records}, f, indent=2)
            f.write("\n")
    return records if isinstance(record, list) else records[0]
