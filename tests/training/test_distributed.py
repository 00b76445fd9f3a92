"""The runner under tf.distribute, in real processes: two MultiWorkerMirroredStrategy workers on localhost (both
finish with identical weights, only the chief writes; a worker killed mid-epoch and both restarted resume from the
backup), and MirroredStrategy over two logical CPUs against one device."""

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.recipes.helpers import metrics
from tests.training.cluster import (
    TINY_RUN, digest, free_ports, processes, start, start_workers, tail, wait_all)

STEPS = 6  # per epoch; a backup every 2 steps
MULTI_WORKER = TINY_RUN + ["--strategy", "multi_worker", "--epochs", "2", "--steps_per_epoch", str(STEPS),
                           "--time_budget", "60",  # every worker agrees on each epoch's time (one all-reduce)
                           "--backup_steps", "2"]


def outputs(directory):
    return ["--output_dir", str(directory / "run"), "--export_dir", str(directory / "saved" / "run")]


def temporary_directory(log):
    """The temporary directory a non-chief worker announced."""
    found = re.findall(r"not the chief; writing to the temporary directory (\S+)", Path(log).read_text())
    assert len(found) == 1, tail(log)
    return Path(found[0])


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """An uninterrupted two-worker run; returns its directory (run/, saved/, worker0.log, worker1.log)."""
    directory = tmp_path_factory.mktemp("multi_worker")
    logs = [directory / f"worker{index}.log" for index in range(2)]
    with processes() as started:
        workers = start_workers(free_ports(2), MULTI_WORKER + outputs(directory), logs, started)
        codes = wait_all(workers, logs, timeout=420)
    assert codes == [0, 0], "\n\n".join(tail(log) for log in logs)
    return directory


def test_two_workers_finish_with_identical_weights_and_only_the_chief_writes(two_workers):
    logs = [two_workers / f"worker{index}.log" for index in range(2)]
    assert digest(logs[0]) == digest(logs[1])
    for log in logs:
        # MultiWorkerMirroredStrategy is TensorFlow's CollectiveAllReduceStrategy
        assert "CollectiveAllReduceStrategy with 2 replica(s)" in log.read_text(), tail(log)
    saved = metrics(two_workers / "run")
    assert saved["metrics"]["train_steps"] == 2 * STEPS
    # The chief's export is the only one: one version, and the worker's went to a directory that is gone.
    assert sorted(path.name for path in (two_workers / "saved" / "run").iterdir()) == ["1"]
    assert saved["export"] == str(two_workers / "saved" / "run" / "1")
    scratch = temporary_directory(logs[1])
    assert f"SavedModel {scratch}/export/1" in logs[1].read_text()
    assert not scratch.exists()
    assert "not the chief" not in logs[0].read_text()


def test_killed_worker_and_restarted_cluster_resume_from_the_backup(two_workers, tmp_path):
    logs = [tmp_path / f"worker{index}.log" for index in range(2)]
    metadata = tmp_path / "run" / "backup" / "training_metadata.json"
    ports = free_ports(2)
    with processes() as started:
        workers = start_workers(ports, MULTI_WORKER + outputs(tmp_path), logs, started)
        deadline = time.monotonic() + 420
        while not metadata.exists():
            assert all(worker.poll() is None for worker in workers), "\n\n".join(tail(log) for log in logs)
            assert time.monotonic() < deadline, "no backup written within 420 s"
            time.sleep(0.02)
        os.kill(workers[1].pid, signal.SIGKILL)  # one worker dies mid-epoch; the chief cannot go on without it
        workers[1].wait(timeout=60)
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=60)
    position = json.loads(metadata.read_text())
    assert position["epoch"] == 0 and 0 < position["batch"] < STEPS, position
    assert not (tmp_path / "run" / "metrics.json").exists()

    restarted = [tmp_path / f"restarted{index}.log" for index in range(2)]
    with processes() as started:  # the same command (same cluster) for both
        codes = wait_all(start_workers(ports, MULTI_WORKER + outputs(tmp_path), restarted, started), restarted,
                         timeout=420)
    assert codes == [0, 0], "\n\n".join(tail(log) for log in restarted)
    for log in restarted:
        assert f"epoch 1, after {position['batch']} of {STEPS} steps" in log.read_text(), tail(log)
    assert digest(restarted[0]) == digest(restarted[1])
    resumed, uninterrupted = metrics(tmp_path / "run"), metrics(two_workers / "run")
    assert resumed["metrics"]["train_steps"] == 2 * STEPS  # none repeated, none skipped
    assert abs(resumed["metrics"]["dev_accuracy"] - uninterrupted["metrics"]["dev_accuracy"]) <= 2.0


def test_mirrored_over_two_cpus_matches_one_device(tmp_path):
    args = TINY_RUN + ["--epochs", "4", "--steps_per_epoch", "2", "--length_buckets", "false"]
    runs = {"mirrored": ["--strategy", "mirrored", "--num_cpu_devices", "2"], "one": ["--strategy", "one_device"]}
    logs = {name: tmp_path / f"{name}.log" for name in runs}
    with processes() as started:
        for name, options in runs.items():
            started.append(start("zoo.recipes.sentiment", args + options + outputs(tmp_path / name), logs[name]))
        for process, log in zip(started, logs.values()):
            process.wait(timeout=420)
            assert process.returncode == 0, tail(log)
    assert "MirroredStrategy with 2 replica(s)" in logs["mirrored"].read_text()
    assert "OneDeviceStrategy with 1 replica(s)" in logs["one"].read_text()
    curves = {name: [record["loss"] for record in metrics(tmp_path / name / "run")["history"]] for name in runs}
    assert len(curves["one"]) == 4
    for mirrored, one in zip(curves["mirrored"], curves["one"]):
        assert abs(mirrored - one) <= 1e-4 * abs(one), curves
