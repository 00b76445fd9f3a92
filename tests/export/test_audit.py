"""The op audit: passes on exports, fails on Python ops, unknown ops, Xla* ops and XLA-marked functions."""

import subprocess
import sys

import pytest
import tensorflow as tf

import zoo  # noqa: F401
from zoo.export.audit import AuditError, audit_ops, check_ops


def _save(tmp_path, name, function):
    module = tf.Module()
    module.f = function
    path = str(tmp_path / name)
    tf.saved_model.save(module, path, signatures={"serving_default": function})
    return path


def _audit_cli(path, *flags):
    return subprocess.run([sys.executable, "-m", "zoo.export.audit", path, *flags], capture_output=True, text=True,
                          timeout=300)


def test_audit_passes_on_core_and_tf_text_ops(tmp_path):
    import tensorflow_text as tf_text

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def split(text):
        return {"words": tf_text.regex_split(text, " ").to_tensor(""), "lengths": tf.strings.length(text)}

    path = _save(tmp_path, "text", split)
    ops = check_ops(path)
    assert ops["RegexSplitWithOffsets"][0] == "tf_text" and ops["StringLength"][0] == "core"
    result = _audit_cli(path)
    assert result.returncode == 0 and "audit passed" in result.stdout, result.stdout + result.stderr


def test_audit_fails_on_an_xla_op_and_on_xla_compiled_functions(tmp_path):
    from tensorflow.compiler.tf2xla.python import xla

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def update(x):
        return xla.dynamic_update_slice(x, tf.zeros_like(x[:, :1]), [0, 1])

    path = _save(tmp_path, "xla_op", update)
    _, problems = audit_ops(path)
    assert any("XlaDynamicUpdateSlice" in problem for problem in problems), problems
    assert audit_ops(path, allow_xla=True)[1] == []
    result = _audit_cli(path)
    assert result.returncode == 1 and "XlaDynamicUpdateSlice" in result.stdout
    assert _audit_cli(path, "--allow_xla").returncode == 0

    compiled = tf.function(lambda x: x * 2.0, jit_compile=True)
    path = _save(tmp_path, "jit", tf.function(lambda x: compiled(x) + 1.0,
                                              input_signature=[tf.TensorSpec([None], tf.float32)]))
    with pytest.raises(AuditError, match="marked for XLA compilation \\(_XlaMustCompile\\)"):
        check_ops(path)
    check_ops(path, allow_xla=True)


def test_audit_fails_on_python_callbacks(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def callback(x):
        return tf.numpy_function(lambda v: v * 2, [x], tf.float32)

    path = _save(tmp_path, "pyfunc", callback)
    _, problems = audit_ops(path)
    assert any("PyFunc" in problem and "Python" in problem for problem in problems), problems


def test_audit_cli_names_a_missing_export(tmp_path):
    result = _audit_cli(str(tmp_path / "nothing"))
    assert result.returncode == 2 and "no saved_model.pb" in result.stderr


def test_audit_fails_on_an_op_no_library_registers(tmp_path):
    from tensorflow.core.protobuf import saved_model_pb2

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def double(x):
        return x * 2.0

    path = _save(tmp_path, "unknown", double)
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((tmp_path / "unknown" / "saved_model.pb").read_bytes())
    [node] = [node for function in proto.meta_graphs[0].graph_def.library.function for node in function.node_def
              if node.op == "Mul"]
    node.op = "ZooOnlyMul"  # what a Keras/zoo custom op would look like to a model server
    (tmp_path / "unknown" / "saved_model.pb").write_bytes(proto.SerializeToString())
    ops, problems = audit_ops(path)
    assert ops["ZooOnlyMul"] == ("unknown", 1)
    assert problems == ["op ZooOnlyMul (1x) is neither a core TensorFlow nor a TF Text op"]
