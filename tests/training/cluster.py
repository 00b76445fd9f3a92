"""Shared by the distribution tests: free localhost ports, TF_CONFIG for a local cluster, and recipe processes
that are always killed when a test ends."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys

from tests.recipes.helpers import ROOT, environment

#: A tiny sentiment run: 64 sample rows, batches of 8 (4 a worker), dropout off so runs are comparable.
TINY_RUN = ["--num_layers", "2", "--num_heads", "2", "--hidden_dim", "16", "--intermediate_dim", "32",
            "--vocabulary_size", "90", "--max_sequence_length", "16", "--max_train_examples", "64",
            "--batch_size", "8", "--dropout", "0"]


def free_ports(count):
    """`count` distinct TCP ports that were free on localhost a moment ago."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("localhost", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(ports, index):
    return json.dumps({"cluster": {"worker": [f"localhost:{port}" for port in ports]},
                       "task": {"type": "worker", "index": index}})


def start(module, args, log, extra_env=None):
    """Starts `python -m module args` with its output (stdout and stderr) going to the file `log`."""
    stream = open(log, "w", encoding="utf-8")
    env = {**environment(), "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    process = subprocess.Popen([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=env, stdout=stream,
                               stderr=subprocess.STDOUT)
    stream.close()
    return process


@contextlib.contextmanager
def processes():
    """Yields a list to append started processes to; every one still running at the end is SIGKILLed."""
    started = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=60)


def start_workers(ports, args, logs, started, module="zoo.recipes.sentiment"):
    """Starts one recipe process per port, worker i with TF_CONFIG task index i; returns them."""
    workers = [start(module, args, log, {"TF_CONFIG": tf_config(ports, index)}) for index, log in enumerate(logs)]
    started.extend(workers)
    return workers


def wait_all(workers, logs, timeout):
    """Waits for every worker; fails with their logs' tails if one is still running after `timeout` s."""
    for worker, log in zip(workers, logs):
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"worker still running after {timeout} s:\n{tail(log)}") from None
    return [worker.returncode for worker in workers]


def tail(log, lines=30):
    return "\n".join(open(log, encoding="utf-8").read().splitlines()[-lines:])


def digest(log):
    """The `final weights: sha256 ...` of a recipe log."""
    found = [line.split()[-1] for line in open(log, encoding="utf-8") if line.startswith("final weights: sha256")]
    assert len(found) == 1, tail(log)
    return found[0]
