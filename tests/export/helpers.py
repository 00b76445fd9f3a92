"""Shared by the serving tests of every task: the C++ check and a fresh Python process run an export's
signature on the same raw strings, and their outputs are compared with the in-memory model's."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.export.fresh_process import outputs_to_json

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_SCRIPT = os.path.join(ROOT, "scripts", "build_serving_check.sh")
BINARY = os.path.join(ROOT, "build", "serving_check", "serving_check")
SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
QUIET = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
MIXED_LENGTHS = ["word " * (i % 13) + f"row {i}" if i != 17 else "" for i in range(64)]


def bad_inputs(long_text_unit="good movie "):
    """The bad-input batches every task's raw-string signature must answer: name -> list of rows (bytes)."""
    return {
        "empty_string": [b""],
        "whitespace_only": [b"  \t \n "],
        "long_text": [(long_text_unit * (100_000 // len(long_text_unit) + 1))[:100_000].encode()],
        "invalid_utf8": [b"ok \xff\xfe\xc3( \xed\xa0\x80 end", b"\x80"],
        "empty_batch": [],
        "mixed_lengths_one_empty": [text.encode() for text in MIXED_LENGTHS],
    }


def assert_serving_export(export_dir, outputs, tmp_path):
    """The checks every task's export passes outside the model: `saved_model_cli show --all` lists both signatures
    and `outputs` of `serving_default`; the op audit passes (no Xla* op, nothing marked for XLA, no Python op);
    and the audit fails on a copy of the export in which one op of its graph is made an Xla* op on purpose (in
    `tmp_path`)."""
    from zoo.export.audit import AuditError, audit_ops, check_ops

    result = subprocess.run([SAVED_MODEL_CLI, "show", "--dir", os.fspath(export_dir), "--all"], capture_output=True,
                            text=True, timeout=300, env=QUIET)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = result.stdout.split("signature_def[")
    assert sorted(part.split("]")[0] for part in listed[1:] if not part.startswith("'__")) == [
        "'serve_token_ids'", "'serving_default'"], result.stdout[:2000]
    [default] = [part for part in listed if part.startswith("'serving_default'")]
    for output in outputs:
        assert f"outputs['{output}']" in default, output
    ops, problems = audit_ops(export_dir)
    assert problems == [] and not any(op.startswith("Xla") for op in ops), problems
    copy = os.path.join(os.fspath(tmp_path), "with_xla_op")
    replaced = with_xla_op(export_dir, copy)
    with pytest.raises(AuditError, match="op XlaDynamicUpdateSlice \\(1x\\) runs only through XLA"):
        check_ops(copy)
    assert audit_ops(copy, allow_xla=True)[1] == [], replaced


def with_xla_op(export_dir, destination):
    """Copies `export_dir`'s saved_model.pb to `destination` with one node of its function library (a cache or
    tensor update when there is one, else an addition) turned into `XlaDynamicUpdateSlice`, the op
    `keras.ops.slice_update` becomes in a graph; returns the replaced op's name."""
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(os.fspath(export_dir), "saved_model.pb"), "rb") as f:
        proto.ParseFromString(f.read())
    nodes = [node for function in proto.meta_graphs[0].graph_def.library.function for node in function.node_def]
    for op in ("TensorScatterUpdate", "AddV2"):
        candidates = [node for node in nodes if node.op == op]
        if candidates:
            candidates[0].op = "XlaDynamicUpdateSlice"
            break
    else:
        raise AssertionError("no TensorScatterUpdate or AddV2 node to replace")
    os.makedirs(destination, exist_ok=True)
    with open(os.path.join(destination, "saved_model.pb"), "wb") as f:
        f.write(proto.SerializeToString())
    return op


def build_serving_check():
    """Builds (or finds up to date) the C++ serving check; returns the binary's path."""
    result = subprocess.run(["bash", BUILD_SCRIPT, sys.executable], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"building the serving check failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    return BINARY


def escape_row(value):
    """bytes/str -> one stdin field of serving_check (ASCII; `\\\\`, `\\n`, `\\t`, `\\r`, `\\xHH` escapes)."""
    value = value.encode("utf-8") if isinstance(value, str) else value
    out = []
    for byte in value:
        char = chr(byte)
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(char)
    return "".join(out)


def _columns(batch):
    """A batch as `{input: [rows]}`; a plain list of rows means the single input."""
    return batch if isinstance(batch, dict) else {None: batch}


def run_serving_check(binary, export_dir, batches, signature="serving_default", xla=False, timeout=600):
    """Runs the C++ check on `batches` (list of `{input: [rows]}` or of row lists); returns
    `(returncode, [per-batch JSON], stderr)`. Inputs are given in the order of the first batch's keys."""
    columns = [_columns(batch) for batch in batches]
    names = [name for name in columns[0] if name is not None] if columns else []
    lines = []
    for batch in columns:
        rows = list(zip(*batch.values())) if batch else []
        count = len(next(iter(batch.values()))) if batch else 0
        lines.append(f"@batch {count}")
        lines.extend("\t".join(escape_row(field) for field in row) for row in rows)
    command = [binary, "--batches", "--signature", signature] + (["--inputs", ",".join(names)] if names else [])
    command += (["--xla"] if xla else []) + [os.fspath(export_dir)]
    result = subprocess.run(command, input="".join(line + "\n" for line in lines), capture_output=True,
                            text=True, timeout=timeout, env=QUIET)
    results = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.returncode, results, result.stderr


def run_fresh_process(export_dir, batches, signature="serving_default", input_name="text"):
    """Runs `signature` of `export_dir` in a fresh Python process (tensorflow + tensorflow_text only); returns
    one JSON output a batch."""
    return run_fresh_processes([export_dir], batches, signature, input_name)[0]


def run_fresh_processes(export_dirs, batches, signature="serving_default", input_name="text"):
    """`run_fresh_process` for several exports in ONE fresh process; returns a list of JSON outputs (one a
    batch) for each export, in order."""
    payload = []
    for batch in batches:
        batch = batch if isinstance(batch, dict) else {input_name: batch}
        payload.append({name: [(row.encode() if isinstance(row, str) else row).hex() for row in rows]
                        for name, rows in batch.items()})
    script = os.path.join(os.path.dirname(__file__), "fresh_process.py")
    result = subprocess.run([sys.executable, script, signature, *map(os.fspath, export_dirs)],
                            input=json.dumps(payload), capture_output=True, text=True, timeout=600, env=QUIET, cwd="/")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(export_dirs) * len(batches), result.stdout[-3000:]
    return [lines[index:index + len(batches)] for index in range(0, len(lines), len(batches))]


def in_memory_outputs(function, batch, input_name="text"):
    """`outputs_to_json` of a signature function (before export) on a batch (`{input: [rows]}` or rows)."""
    import tensorflow as tf

    batch = batch if isinstance(batch, dict) else {input_name: batch}
    inputs = {name: tf.constant([row.encode() if isinstance(row, str) else row for row in rows], tf.string,
                                shape=[len(rows)]) for name, rows in batch.items()}
    return outputs_to_json(function(**inputs))


def assert_same_outputs(got, expected, rtol=1e-5):
    """`got` (serving_check / fresh-process JSON outputs) equals `expected` (`outputs_to_json` of in-memory
    outputs): same names and shapes, identical strings, ints and bools, floats within `rtol` of the largest
    magnitude (at least 1)."""
    assert "outputs" in got, got
    got = got["outputs"]
    expected = expected if "outputs" not in expected else expected["outputs"]
    assert sorted(got) == sorted(expected)
    for name, want in expected.items():
        assert got[name]["shape"] == want["shape"], name
        values, wanted = got[name]["values"], want["values"]
        if wanted and isinstance(wanted[0], float):
            scale = max(1.0, float(np.max(np.abs(wanted))))
            np.testing.assert_allclose(values, wanted, rtol=0, atol=rtol * scale, err_msg=name)
        else:
            assert values == wanted, name


__all__ = ["assert_same_outputs", "assert_serving_export", "bad_inputs", "build_serving_check", "escape_row",
           "in_memory_outputs", "outputs_to_json", "run_fresh_process", "run_fresh_processes",
           "run_serving_check", "with_xla_op"]
