"""Shared by the recipe tests: tiny model options, in-process and subprocess runs, run-directory reads."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A 2-layer, hidden-16 model on a small vocabulary: one step takes milliseconds.
TINY = ["--num_layers", "2", "--num_heads", "2", "--hidden_dim", "16", "--intermediate_dim", "32",
        "--vocabulary_size", "90", "--strategy", "default"]


def outputs(tmp_path, name="run"):
    """`--output_dir` and `--export_dir` options inside `tmp_path`."""
    return ["--output_dir", str(tmp_path / name), "--export_dir", str(tmp_path / "saved" / name)]


def metrics(run_dir):
    return json.loads((Path(run_dir) / "metrics.json").read_text(encoding="utf-8"))


def run_module(task, *args, cwd=ROOT, timeout=600):
    """Runs `python -m zoo.recipes.<task> args` in a fresh process; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", f"zoo.recipes.{task}", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=environment())


def run_in_process(capsys, task, *args):
    """`python -m zoo.recipes.<task> args` in this process (the `-m` entry itself is tested by test_cli.py): a
    CompletedProcess with run_cli's exit status and what the recipe printed."""
    from zoo.recipes.common import run_cli

    module = importlib.import_module(f"zoo.recipes.{task}")
    capsys.readouterr()
    returncode = run_cli(lambda: module.main([str(arg) for arg in args]), module.PROG)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, returncode, captured.out, captured.err)


def environment():
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}


def serve(export_dir, **inputs):
    """Calls `serving_default` of the SavedModel version at `export_dir` with lists of strings."""
    import tensorflow as tf

    function = tf.saved_model.load(str(export_dir)).signatures["serving_default"]
    return {name: value.numpy() for name, value in function(**{k: tf.constant(v) for k, v in inputs.items()}).items()}


def assert_xla_export(export_dir, xla):
    """The export is the XLA variant (`--serving_xla true`: functions marked for XLA compilation, which TF Serving
    runs only with `--xla_cpu_compilation_enabled=true`) or, by default, XLA-free (the op audit passes)."""
    from zoo.export import audit_ops

    problems = audit_ops(export_dir)[1]
    if xla:
        assert problems and all("marked for XLA compilation" in problem for problem in problems), problems
    else:
        assert problems == [], problems


def assert_stopped_before_training(result, *fragments):
    """Exit status 2, one error line holding every fragment, no traceback, no training step run."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Epoch 1/" not in result.stdout, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    for fragment in fragments:
        assert str(fragment) in error, (fragment, error)
