"""`python -m zoo.convert`: round trips through .keras files, and atomic writes."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend)
import zoo.models  # noqa: F401  (registers the serializable classes)
from zoo.convert import hf
from zoo.convert.__main__ import main

from tests.parity import assert_close

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "models")


def reference(name):
    return np.load(os.path.join(FIXTURES, name, "reference.npz"))


def test_hf_masked_lm_round_trip_subprocess(tmp_path):
    out = tmp_path / "bert.keras"
    result = subprocess.run(
        [sys.executable, "-m", "zoo.convert", "hf", os.path.join(FIXTURES, "bert_tiny"), str(out),
         "--task", "masked_lm"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": os.path.abspath(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "MaskedLM" in result.stdout
    ref = reference("bert_tiny")
    model = keras.saving.load_model(out)
    inputs = {key: ref[key] for key in ("token_ids", "padding_mask", "segment_ids")}
    outputs = model(inputs)
    assert_close(outputs["mlm_logits"], ref["mlm_logits"], "reloaded mlm_logits", ref["padding_mask"])
    assert_close(outputs["nsp_logits"], ref["nsp_logits"], "reloaded nsp_logits")
    assert sorted(os.listdir(tmp_path)) == ["bert.keras"]  # no temporary file left behind


@pytest.mark.parametrize("name, task", [("t5_v1_1_tiny", "auto"), ("gpt2_tiny", "backbone")])
def test_hf_round_trip_same_outputs(tmp_path, name, task):
    out = tmp_path / f"{name}.keras"
    assert main(["hf", os.path.join(FIXTURES, name), str(out), "--task", task]) == 0
    reloaded = keras.saving.load_model(out)
    ref = reference(name)
    if name.startswith("t5"):
        keys = ("encoder_token_ids", "encoder_padding_mask", "decoder_token_ids", "decoder_padding_mask")
        inputs = {key: ref[key] for key in keys}
        assert_close(reloaded(inputs), ref["logits"], "reloaded t5 logits")
        converted = hf.load_task_model(os.path.join(FIXTURES, name))
    else:
        inputs = {"token_ids": ref["token_ids"], "padding_mask": ref["padding_mask"]}
        converted = hf.load_backbone(os.path.join(FIXTURES, name))
    expected = converted(inputs)
    np.testing.assert_array_equal(
        keras.tree.flatten(keras.tree.map_structure(np.asarray, reloaded(inputs))),
        keras.tree.flatten(keras.tree.map_structure(np.asarray, expected)),
    )


def test_failed_conversion_keeps_existing_output(tmp_path, capsys):
    out = tmp_path / "model.keras"
    out.write_bytes(b"a good earlier file")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    assert main(["hf", str(bad), str(out)]) == 1
    assert "vocab_size" in capsys.readouterr().err
    assert out.read_bytes() == b"a good earlier file"
    assert sorted(os.listdir(tmp_path)) == ["bad", "model.keras"]


def test_failed_save_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "model.keras"

    def broken_save(self, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    assert main(["hf", os.path.join(FIXTURES, "gpt2_tiny"), str(out)]) == 1
    assert os.listdir(tmp_path) == []


def test_output_must_be_keras_file(tmp_path):
    with pytest.raises(SystemExit):
        main(["hf", os.path.join(FIXTURES, "gpt2_tiny"), str(tmp_path / "model.h5")])


def test_output_has_ordinary_permissions(tmp_path):
    out = tmp_path / "gpt2.keras"
    assert main(["hf", os.path.join(FIXTURES, "gpt2_tiny"), str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~umask
