"""Run-directory files written atomically: a temporary file beside the target, then one rename.

A run killed at any moment leaves each file either as it was or fully rewritten, never half-written.

Example:

```python
write_json(run_dir / "metrics.json", {"metrics": {"dev_accuracy": 0.91}})
with atomic_path(run_dir / "best.weights.h5") as temporary:
    model.save_weights(temporary)
```
"""

import contextlib
import json
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path` (same suffixes, so `.keras`/`.weights.h5` writers accept it) and
    renames it onto `path` when the block ends without an error; on an error the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffixes = "".join(path.suffixes)
    stem = path.name[: len(path.name) - len(suffixes)] if suffixes else path.name
    temporary = path.with_name(f".{stem}.tmp-{os.getpid()}{suffixes}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text(path, text):
    """Writes `text` (UTF-8) to `path` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path, payload):
    """Writes `payload` as indented JSON to `path` atomically."""
    return write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def read_json(path, default=None):
    """The JSON content of `path`, or `default` when the file does not exist."""
    path = Path(path)
    if not path.exists():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def plot_curves(path, history, metric, title=""):
    """Draws the training curves of `history` (one dict per epoch with `epoch`, `loss` and `metric`) into a PNG:
    training loss on the left, the dev metric on the right, both per epoch. Written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    epochs = [record["epoch"] for record in history]
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(9, 3.5))
    left.plot(epochs, [record["loss"] for record in history], marker="o", label="training loss")
    if all("dev_loss" in record for record in history):
        left.plot(epochs, [record["dev_loss"] for record in history], marker="o", label="dev loss")
    left.set_xlabel("epoch")
    left.set_ylabel("loss")
    left.legend()
    right.plot(epochs, [record[metric] for record in history], marker="o", color="tab:green")
    right.set_xlabel("epoch")
    right.set_ylabel(metric)
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.set_xticks(epochs)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    pyplot.close(figure)
    return Path(path)
