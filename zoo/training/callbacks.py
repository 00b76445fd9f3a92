"""The callbacks of a recipe run: dev metric (best checkpoint, early stopping, history, curves) and resumable
backups.

Order in `fit(callbacks=[...])` matters, since they share the epoch's `logs`: `ResumedEpoch` first (it ends the
shortened first epoch of a resumed run), then `DevMetric` (adds `dev_*` to the logs that TensorBoard and the
progress bar print), then `keras.callbacks.TensorBoard`, then `ResumableBackup` last (its end-of-epoch backup
is written once the epoch's evaluation is on disk).
"""

import time
from pathlib import Path

import keras

from zoo.training.files import atomic_path, plot_curves, read_json, write_json


class ResumedEpoch(keras.callbacks.Callback):
    """Ends epoch `epoch` after `steps` batches: the rest of an epoch that a killed run had started.

    `fit` has one `steps_per_epoch`; this stops the epoch loop early and lets the next epoch run in full.
    """

    def __init__(self, epoch, steps):
        super().__init__()
        self.epoch, self.steps, self._current, self._cut = epoch, steps, None, False

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._current == self.epoch and batch + 1 >= self.steps:
            self.model.stop_training, self._cut = True, True

    def on_epoch_end(self, epoch, logs=None):
        if self._cut:
            self.model.stop_training, self._cut = False, False


class ResumableBackup(keras.callbacks.BackupAndRestore):
    """`keras.callbacks.BackupAndRestore` that saves every `save_freq` steps and at each epoch's end, atomically,
    with the exact position: `{"epoch": e, "batch": b, "fingerprint": ...}` means "resume in epoch e after its
    first b batches". The runner restores before `fit` (`restore`), since the data must start at that batch.

    Args:
        backup_dir: the directory of `latest.weights.h5` (model and optimizer) and `training_metadata.json`.
        save_freq: steps between backups.
        fingerprint: settings a backup is only valid for (e.g. the config); `restore` refuses any other.
        start_epoch, start_batch: where this `fit` starts (batch numbers in that epoch are offset by it).
    """

    def __init__(self, backup_dir, save_freq, fingerprint, start_epoch=0, start_batch=0):
        super().__init__(str(backup_dir), save_freq=save_freq, delete_checkpoint=False)
        self.fingerprint = fingerprint
        self.start_epoch, self.start_batch = start_epoch, start_batch

    def restore(self, model):
        """Loads the backup into `model` (built, compiled, optimizer built); returns `(epoch, batch)`, `(0, 0)`
        when there is none. Raises ValueError when the backup was made with another fingerprint."""
        metadata = read_json(self._training_metadata_path)
        if metadata is None or not Path(self._weights_path).exists():
            return 0, 0
        if metadata.get("fingerprint") != self.fingerprint:
            old = metadata.get("fingerprint") or {}
            changed = sorted(key for key in set(old) | set(self.fingerprint) if old.get(key) != self.fingerprint.get(key))
            raise ValueError(f"{self.backup_dir} holds a backup of a run with other settings ({', '.join(changed)}); "
                             "rerun with the same settings to resume, or delete that directory to start over")
        model.load_weights(self._weights_path)
        return metadata["epoch"], metadata["batch"]

    def on_train_begin(self, logs=None):
        pass  # restored before fit, by `restore`

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            offset = self.start_batch if self._current_epoch == self.start_epoch else 0
            self._save(self._current_epoch, offset + batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        self._last_batch_seen = 0
        self._save(epoch + 1, 0)

    def on_train_end(self, logs=None):
        pass  # the runner removes the backup once the run's results are written

    def _save(self, epoch, batch):
        with atomic_path(self._weights_path) as temporary:
            self.model.save_weights(str(temporary))
        write_json(self._training_metadata_path, {"epoch": epoch, "batch": batch, "fingerprint": self.fingerprint})


class DevMetric(keras.callbacks.Callback):
    """At each epoch's end: evaluates the dev split, adds `dev_<name>` to the logs, keeps the best weights
    (`best.weights.h5`, by `metric`, higher is better), appends the epoch to `history.json`, redraws
    `curves.png`, and stops training after `patience` epochs without improvement (0: never).

    The history of a resumed run is read back (`history.json`, epochs before `start_epoch`), so the best value and
    the patience count carry over a restart.

    Args:
        evaluate: `model -> {name: float}` on the dev split.
        metric: the name (in `evaluate`'s dict) that picks the best epoch.
        run_dir: where `best.weights.h5`, `history.json` and `curves.png` are written.
        time_budget: seconds of training; no epoch starts that would end after them (None: no limit).
        agree: `seconds -> seconds` the same in every process of a multi-worker run (e.g. their mean), applied
            to each epoch's measured time, so that every worker takes the same time-budget decision (one that
            stopped alone would leave the others waiting in a collective forever).
    """

    def __init__(self, evaluate, metric, run_dir, patience=0, start_epoch=0, title="", time_budget=None,
                 agree=float):
        super().__init__()
        self.evaluate, self.metric, self.patience, self.title = evaluate, metric, patience, title
        self.time_budget, self.agree = time_budget, agree
        self.run_dir = Path(run_dir)
        self.best_path = self.run_dir / "best.weights.h5"
        state = read_json(self.run_dir / "history.json", default={"history": []})
        self.history = [record for record in state["history"] if record["epoch"] <= start_epoch]
        self.stopped = bool(state.get("stopped")) and len(self.history) == len(state["history"])
        self._started = time.perf_counter()

    @property
    def key(self):
        return f"dev_{self.metric}"

    def best(self):
        """The history record of the best epoch so far, or None."""
        return max(self.history, key=lambda record: record[self.key], default=None)

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        train_seconds = self.agree(time.perf_counter() - self._started)
        results = self.evaluate(self.model)
        if self.metric not in results:
            raise KeyError(f"the dev evaluation returned {sorted(results)}, not the metric {self.metric!r}")
        for name, value in results.items():
            logs[f"dev_{name}"] = float(value)
        best = self.best()
        record = {"epoch": epoch + 1, "step": int(self.model.optimizer.iterations.numpy()),
                  "loss": float(logs["loss"]), "train_seconds": round(train_seconds, 1),
                  **{f"dev_{name}": float(value) for name, value in results.items()}}
        if best is None or record[self.key] > best[self.key]:
            with atomic_path(self.best_path) as temporary:
                self.model.save_weights(str(temporary))
            best = record
        self.history.append(record)
        waited = record["epoch"] - best["epoch"]
        self.stopped = self.patience > 0 and waited >= self.patience
        spent = sum(entry["train_seconds"] for entry in self.history)
        out_of_time = self.time_budget is not None and spent + train_seconds > self.time_budget
        self.stopped = self.stopped or out_of_time
        write_json(self.run_dir / "history.json", {"history": self.history, "stopped": self.stopped})
        plot_curves(self.run_dir / "curves.png", self.history, self.key, self.title)
        print(f"epoch {epoch + 1}: dev {self.metric} {record[self.key]:.4f} (best {best[self.key]:.4f} at epoch "
              f"{best['epoch']})" + (f"; no improvement for {waited} epochs, stopping" if self.stopped and not
                                     out_of_time else "")
              + (f"; another epoch would exceed the time budget ({spent:.0f} s spent), stopping" if out_of_time
                 else ""),
              flush=True)
        if self.stopped:
            self.model.stop_training = True
