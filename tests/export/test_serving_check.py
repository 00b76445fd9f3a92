"""The C++ serving check itself: why exports go through `keras.export.ExportArchive`, its input format."""

import keras
import numpy as np
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.helpers import escape_row, run_serving_check


def _dense_behind_strings():
    keras.utils.set_random_seed(0)
    dense = keras.layers.Dense(2)
    dense.build((None, 1))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def serve(text):
        return {"scores": dense(tf.cast(tf.strings.length(text), tf.float32)[:, None])}

    return dense, serve


def test_keras_variables_held_by_a_plain_tf_module_are_not_restored_in_cpp(tmp_path, serving_check):
    """Python's `tf.saved_model.load` hides it; TF Serving's loader does not find the Keras 3 variables."""
    dense, serve = _dense_behind_strings()
    module = tf.Module()
    module.dense, module.serve = dense, serve
    tf.saved_model.save(module, str(tmp_path / "module"), signatures={"serving_default": serve})
    returncode, results, _ = run_serving_check(serving_check, tmp_path / "module", [["abc"]])
    assert returncode == 1 and results[0]["error"]["code"] == "FAILED_PRECONDITION", results
    assert "Could not find variable" in results[0]["error"]["message"]

    archive = keras.export.ExportArchive()
    archive.track(dense)
    archive.add_endpoint("serving_default", serve)
    archive.write_out(str(tmp_path / "archive"), verbose=False)
    returncode, results, stderr = run_serving_check(serving_check, tmp_path / "archive", [["abc", ""]])
    assert returncode == 0, stderr[-2000:]
    expected = serve(tf.constant(["abc", ""]))["scores"].numpy()
    np.testing.assert_allclose(results[0]["outputs"]["scores"]["values"], expected.reshape(-1), atol=1e-6)


def test_rows_carry_any_bytes_and_outputs_keep_invalid_utf8(tmp_path, serving_check):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="a"),
                                  tf.TensorSpec([None], tf.string, name="b")])
    def join(a, b):
        return {"joined": tf.strings.join([a, b], separator="|"), "bytes": tf.strings.length(a)}

    module = tf.Module()
    module.join = join
    tf.saved_model.save(module, str(tmp_path / "join"), signatures={"serving_default": join})
    rows = {"b": ["x\ty\nz\\", "\u00e9"], "a": [b"\xff\x00", ""]}
    returncode, results, stderr = run_serving_check(serving_check, tmp_path / "join", [rows])
    assert returncode == 0, stderr[-2000:]
    outputs = results[0]["outputs"]
    assert outputs["joined"]["values"] == [{"hex": (b"\xff\x00|" + "x\ty\nz\\".encode()).hex()}, "|\u00e9"]
    assert outputs["bytes"]["values"] == [2, 0]
    assert escape_row(b"\\\t\xff") == "\\\\\\t\\xff"
    returncode, results, _ = run_serving_check(serving_check, tmp_path / "join", [{"a": ["1"], "b": ["2"]}],
                                               signature="no_such_signature")
    assert returncode == 2 and results == []
