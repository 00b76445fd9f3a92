"""Runs exports' signature in a Python process that imports only `tensorflow` and `tensorflow_text`.

    python tests/export/fresh_process.py SIGNATURE EXPORT_DIR [EXPORT_DIR ...] < batches.json

stdin: a JSON list of batches, each `{input name: [hex-encoded bytes, ...]}`; stdout: for each export in turn
(one process serves several: importing TensorFlow costs seconds), one JSON line per batch in `serving_check`'s
format (`{"outputs": ...}` or `{"error": ...}`). `outputs_to_json` is also what the tests
use to put in-memory outputs in that format.
"""

import json
import sys

import numpy as np


def _json_string(value):
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": value.hex()}


def outputs_to_json(outputs):
    """`{name: tensor or array}` -> `{name: {"shape": [...], "values": [flat values]}}` (strings decoded when
    valid UTF-8, else `{"hex": ...}`), the format of serving_check's output without its dtype names."""
    result = {}
    for name, value in outputs.items():
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        flat = array.reshape(-1).tolist()
        if array.dtype == object or array.dtype.kind == "S":
            flat = [_json_string(item) for item in flat]
        result[name] = {"shape": list(array.shape), "values": flat}
    return result


def main(signature_name, export_dirs):
    import tensorflow as tf
    import tensorflow_text  # noqa: F401  (registers TF Text's ops)

    assert "zoo" not in sys.modules and "keras_hub" not in sys.modules, sorted(sys.modules)
    batches = json.load(sys.stdin)
    for export_dir in export_dirs:
        signature = tf.saved_model.load(export_dir).signatures[signature_name]
        for batch in batches:
            inputs = {name: tf.constant([bytes.fromhex(row) for row in rows], tf.string)
                      for name, rows in batch.items()}
            try:
                print(json.dumps({"outputs": outputs_to_json(signature(**inputs))}), flush=True)
            except tf.errors.OpError as error:
                print(json.dumps({"error": {"code": type(error).__name__, "message": error.message}}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
