"""`garden_checkpoints`: Model Garden checkpoints built once per test session, in a process of their own."""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="session")
def garden_checkpoints(tmp_path_factory):
    """The directory `tests/convert/garden_fixtures.py` fills (one subdirectory a case). tf-models-official is
    imported only in that subprocess: `official` brings `tf_keras`, which must not enter the test process."""
    if importlib.util.find_spec("official") is None:
        pytest.skip("tf-models-official (extra `garden`) is not installed")
    out = tmp_path_factory.mktemp("garden") / "checkpoints"
    result = subprocess.run(
        [sys.executable, "-m", "tests.convert.garden_fixtures", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert result.returncode == 0, f"building the Model Garden fixtures failed:\n{result.stderr[-4000:]}"
    return out
