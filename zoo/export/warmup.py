"""`assets.extra/tf_serving_warmup_requests`: requests TF Serving replays when it loads a version, so the
first real request does not pay for graph optimisation and kernel initialisation."""

import os

import tensorflow as tf

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
# One non-empty and one empty row: the warm-up also exercises the empty-row path.
DEFAULT_TEXTS = ("A short request to warm the model up.", "")


def default_warmup_inputs(function):
    """Inputs for a `tf.function` whose input signature is all `tf.string (None,)`: two rows per input."""
    inputs = {}
    for spec in function.input_signature:
        if spec.dtype != tf.string or spec.shape.as_list() != [None]:
            raise ValueError(f"no default warm-up input for {spec}: pass warmup_inputs")
        inputs[spec.name] = list(DEFAULT_TEXTS)
    return inputs


def write_warmup_requests(export_dir, model_name, inputs, signature_name="serving_default"):
    """Writes one `PredictionLog` record (a `PredictRequest` of `inputs`, a dict name -> array-like) to
    `<export_dir>/assets.extra/tf_serving_warmup_requests`; returns the file's path."""
    from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

    request = predict_pb2.PredictRequest(
        model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature_name)
    )
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    record = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
    path = os.path.join(os.fspath(export_dir), WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        writer.write(record.SerializeToString())
    return path


def read_warmup_requests(export_dir):
    """The `PredictRequest`s of an export's warm-up file (for tests and tools)."""
    from tensorflow_serving.apis import prediction_log_pb2

    requests = []
    for raw in tf.data.TFRecordDataset(os.path.join(os.fspath(export_dir), WARMUP_FILE)):
        log = prediction_log_pb2.PredictionLog.FromString(raw.numpy())
        requests.append(log.predict_log.request)
    return requests
