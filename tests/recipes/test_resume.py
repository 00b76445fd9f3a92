"""Kill test: a recipe SIGKILLed mid-epoch, rerun with the same command, resumes at its last backup and finishes
with exactly the planned number of steps."""

import json
import os
import signal
import subprocess
import sys
import time

from tests.recipes.helpers import ROOT, TINY, environment, metrics, outputs

STEPS_PER_EPOCH = 150  # 150 sample sentences, one a step


def test_sigkill_mid_epoch_then_same_command_resumes(tmp_path):
    command = [sys.executable, "-m", "zoo.recipes.sentiment", *TINY, "--batch_size", "1", "--epochs", "2",
               "--backup_steps", "5", "--max_sequence_length", "16", "--max_train_examples",
               str(STEPS_PER_EPOCH), *outputs(tmp_path)]
    metadata = tmp_path / "run" / "backup" / "training_metadata.json"
    process = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not metadata.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no backup written within 300 s"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    position = json.loads(metadata.read_text())
    assert position["epoch"] == 0 and 0 < position["batch"] < STEPS_PER_EPOCH, position  # killed mid-epoch
    assert not (tmp_path / "run" / "metrics.json").exists()

    result = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    resumed_at = json.loads(metadata.read_text())["batch"] if metadata.exists() else None
    assert resumed_at is None  # the backup is removed once the run is complete
    assert (f"resuming from the backup in {tmp_path / 'run' / 'backup'}: epoch 1, after {position['batch']} of "
            f"{STEPS_PER_EPOCH} steps") in result.stdout, result.stdout
    saved = metrics(tmp_path / "run")
    # Restored at step b, then the rest of epoch 1 and all of epoch 2: exactly the planned steps, none twice.
    assert saved["metrics"]["train_steps"] == 2 * STEPS_PER_EPOCH
    assert [(record["epoch"], record["step"]) for record in saved["history"]] == [(1, STEPS_PER_EPOCH), (2, 2 * STEPS_PER_EPOCH)]
    assert (tmp_path / "saved" / "run" / "1" / "saved_model.pb").is_file()
