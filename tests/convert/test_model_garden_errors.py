"""Model Garden import, bad input: each mistake is an error that names it, never a silently wrong model."""

import shutil

import pytest
import tensorflow as tf
import yaml

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert import ConversionError
from zoo.convert.__main__ import main
from zoo.convert.model_garden import load_backbone, load_masked_lm


def edited_params(checkpoints, tmp_path, edit):
    """The trainer's params.yaml with `edit(encoder_section)` applied, written to tmp_path."""
    document = yaml.safe_load((checkpoints / "trainer" / "params.yaml").read_text())
    edit(document["task"]["model"]["encoder"])
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize("field, value, message", [
    ("num_layers", 3, r"encoder\.bert_v2\.num_layers is 3, but checkpoint .* has num_layers=2"),
    ("hidden_size", 64, r"encoder\.bert_v2\.hidden_size is 64, but checkpoint .* has hidden_dim=32"),
    ("vocab_size", 98, r"encoder\.bert_v2\.vocab_size is 98, but checkpoint .* has vocabulary_size=99"),
])
def test_config_contradicting_the_weights(garden_checkpoints, tmp_path, field, value, message):
    config = edited_params(garden_checkpoints, tmp_path, lambda encoder: encoder["bert_v2"].update({field: value}))
    with pytest.raises(ValueError, match=message):
        load_backbone(garden_checkpoints / "trainer", config=config)


def test_setting_contradicting_the_config(garden_checkpoints):
    with pytest.raises(ValueError, match=r"norm_first=False was given, but .*params.yaml says "
                                         r"task\.model\.encoder\.bert_v2\.norm_first"):
        load_backbone(garden_checkpoints / "norm_first", norm_first=False)
    with pytest.raises(ValueError, match=r"activation='gelu' was given, but .*hidden_activation"):
        load_backbone(garden_checkpoints / "trainer", activation="gelu")


@pytest.mark.parametrize("case, message", [
    ("albert", r"ALBERT encoder \(AlbertEncoder"),
    ("projection", r"embedding projection \(embedding_width != hidden_size\)"),
])
def test_unsupported_encoder_in_checkpoint(garden_checkpoints, case, message):
    with pytest.raises(ConversionError, match=message):
        load_backbone(garden_checkpoints / case / "ckpt")


@pytest.mark.parametrize("edit, message", [
    (lambda e: e.update(type="albert", albert=e.pop("bert_v2")), r"encoder\.type is 'albert', ALBERT"),
    (lambda e: e.update(type="mobilebert", mobilebert=e.pop("bert_v2")), r"encoder\.type is 'mobilebert'"),
    (lambda e: e["bert_v2"].update(embedding_size=16), r"embedding_size is 16 .*embedding projection"),
    (lambda e: e["bert_v2"].update(hidden_activation="swish"), r"hidden_activation is 'swish'; supported"),
    (lambda e: e["bert_v2"].update(norm_first="yes"), r"norm_first must be true or false, got 'yes'"),
])
def test_unsupported_or_malformed_config(garden_checkpoints, tmp_path, edit, message):
    config = edited_params(garden_checkpoints, tmp_path, edit)
    with pytest.raises(ValueError, match=message):
        load_backbone(garden_checkpoints / "trainer", config=config)


def test_model_dir_without_checkpoint(garden_checkpoints, tmp_path):
    shutil.copy(garden_checkpoints / "trainer" / "params.yaml", tmp_path / "params.yaml")
    with pytest.raises(FileNotFoundError, match=r"is a directory with no checkpoint: expected the `checkpoint`"):
        load_backbone(tmp_path)


def test_not_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a readable TF checkpoint"):
        load_backbone(tmp_path / "missing")


def test_checkpoint_without_encoder(tmp_path):
    prefix = tf.train.Checkpoint(step=tf.Variable(3)).write(str(tmp_path / "other"))
    with pytest.raises(ConversionError, match=r"no BERT encoder .* its top-level objects are \['step'\]"):
        load_backbone(prefix)


def test_extra_encoder_variable(garden_checkpoints):
    with pytest.raises(ConversionError, match=r"not used by the conversion: 'encoder/_pooler_layer/extra_scale'"):
        load_backbone(garden_checkpoints / "extra_variable" / "ckpt")


def test_layer_count_check(garden_checkpoints):
    with pytest.raises(ConversionError, match="has 2 transformer layers, but num_layers=3"):
        load_backbone(garden_checkpoints / "encoder" / "ckpt", num_layers=3)


def test_masked_lm_of_a_bare_encoder(garden_checkpoints):
    with pytest.raises(ConversionError, match="no masked-LM head sharing the encoder's word embeddings"):
        load_masked_lm(garden_checkpoints / "encoder" / "ckpt")


def test_cli_failure_writes_nothing(garden_checkpoints, tmp_path, capsys):
    out = tmp_path / "model.keras"
    assert main(["garden", str(garden_checkpoints / "albert" / "ckpt"), str(out)]) == 1
    assert "ALBERT" in capsys.readouterr().err
    assert main(["garden", str(garden_checkpoints / "encoder" / "ckpt"), str(out), "--mlm-activation", "gelu"]) == 1
    assert "--mlm-activation needs --task masked_lm" in capsys.readouterr().err
    assert not out.exists()


def test_object_path_that_is_no_encoder(garden_checkpoints):
    with pytest.raises(ConversionError, match="no BERT encoder at object path 'model/masked_lm'"):
        load_backbone(garden_checkpoints / "trainer", root="model/masked_lm")
