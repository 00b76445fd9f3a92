"""Writes a benchmark's record to `benchmarks/results/<script>.json` in the format of `../shared/RESULTS.md`."""

import datetime
import json
import os

MACHINE = "2-core x86_64 CPU, no GPU"
RESULTS_DIR = os.path.join(os.path.dirname(__file__), "results")


def report(script, record, write=True):
    """Adds `command`, `machine` and `date` to `record`, prints it, and (unless `write` is False) writes
    `{"records": [record]}` to `results/<script>.json`."""
    record = dict(record, command=f"python -m benchmarks.{script}", machine=MACHINE,
                  date=datetime.date.today().isoformat())
    print(json.dumps(record, indent=2))
    if write:
        os.makedirs(RESULTS_DIR, exist_ok=True)
        with open(os.path.join(RESULTS_DIR, f"{script}.json"), "w") as f:
            json.dump({"records": [record]}, f, indent=2)
            f.write("\n")
    return record
