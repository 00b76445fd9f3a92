"""`zoo.export.export`: TF Serving's directory layout, next version, atomic publish, warm-up, models.config."""

import os
import runpy
import shutil
import sys

import pytest
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.test_classification import LABELS, tiny_sentiment_model
from zoo.export import ExportError, export, write_model_config
from zoo.export.audit import AuditError
from zoo.export.classification import signatures
from zoo.export.warmup import read_warmup_requests


@pytest.fixture(scope="module")
def model_and_preprocessor():
    return tiny_sentiment_model()


def test_versions_layout_warmup_and_models_config(tmp_path, model_and_preprocessor):
    model, preprocessor = model_and_preprocessor
    first = export(model, preprocessor, tmp_path, name="sentiment", labels=LABELS)
    second = export(model, preprocessor, tmp_path, name="sentiment", labels=LABELS)
    os.mkdir(tmp_path / "sentiment" / "7")  # a version number taken by hand is never reused nor overwritten
    third = export(model, preprocessor, tmp_path, name="sentiment", labels=LABELS)
    assert [first.name, second.name, third.name] == ["1", "2", "8"]
    assert sorted(os.listdir(tmp_path / "sentiment")) == ["1", "2", "7", "8"]  # no temporary directory left
    assert os.listdir(tmp_path / "sentiment" / "7") == []
    [request] = read_warmup_requests(first)
    assert request.model_spec.name == "sentiment" and request.model_spec.signature_name == "serving_default"
    assert tf.make_ndarray(request.inputs["text"]).tolist() == [b"A short request to warm the model up.", b""]
    config = (tmp_path / "models.config").read_text()
    assert 'name: "sentiment"' in config and 'base_path: "/models/sentiment"' in config
    assert 'model_platform: "tensorflow"' in config


def test_models_config_serves_every_export(tmp_path, model_and_preprocessor, monkeypatch, capsys):
    model, preprocessor = model_and_preprocessor
    export(model, preprocessor, tmp_path, name="b_model", labels=LABELS, model_config=False)
    shutil.copytree(tmp_path / "b_model", tmp_path / "a_model")  # a second model: the same export, another name
    (tmp_path / "not_a_model").mkdir()
    assert not (tmp_path / "models.config").exists()
    write_model_config(tmp_path, serving_root="")
    config = (tmp_path / "models.config").read_text()
    assert config.index('name: "a_model"') < config.index('name: "b_model"') and "not_a_model" not in config
    assert f'base_path: "{tmp_path}/a_model"' in config
    # `python -m zoo.export.model_config DIR`, as its module's __main__ in this process (no TensorFlow import).
    monkeypatch.setattr(sys, "argv", ["model_config.py", str(tmp_path / "not_a_model")])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("zoo.export.model_config", run_name="__main__")
    assert stopped.value.code == 2 and "no exported model" in capsys.readouterr().err


def test_a_failed_export_leaves_no_version_directory(tmp_path, model_and_preprocessor):
    model, preprocessor = model_and_preprocessor
    functions = signatures(model, preprocessor, labels=LABELS)
    with pytest.raises(TypeError, match="unexpected"):  # the warm-up request cannot be answered
        export(model, preprocessor, tmp_path, name="broken", signatures=functions,
               warmup_inputs={"text": ["a", "b"], "unexpected": ["c"]})
    assert not (tmp_path / "broken").exists()
    export(model, preprocessor, tmp_path, name="sentiment", labels=LABELS)
    functions = dict(functions, serving_default=_with_xla_op(functions["serving_default"]))
    with pytest.raises(AuditError, match="XlaDynamicUpdateSlice"):  # audited before it is published
        export(model, preprocessor, tmp_path, name="sentiment", signatures=functions)
    assert sorted(os.listdir(tmp_path / "sentiment")) == ["1"]
    with pytest.raises(ValueError, match="missing \\['serve_token_ids'\\]"):
        export(model, preprocessor, tmp_path, name="sentiment",
               signatures={"serving_default": functions["serving_default"]})
    with pytest.raises(ValueError, match="name must be a directory name"):
        export(model, preprocessor, tmp_path, name="../elsewhere", labels=LABELS)
    assert sorted(os.listdir(tmp_path)) == ["models.config", "sentiment"]
    assert issubclass(ExportError, RuntimeError)


def _with_xla_op(function):
    """`function` plus an `XlaDynamicUpdateSlice` (what `keras.ops.slice_update` becomes in a graph)."""
    from tensorflow.compiler.tf2xla.python import xla

    @tf.function(input_signature=function.input_signature)
    def with_xla_op(text):
        outputs = dict(function(text))
        scores = outputs["scores"]
        outputs["scores"] = xla.dynamic_update_slice(scores, tf.zeros_like(scores[:, :1]), [0, 0])
        return outputs

    return with_xla_op
