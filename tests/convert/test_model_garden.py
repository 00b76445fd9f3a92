"""Model Garden import: the checkpoints a Garden user has (built with tf-models-official in another process by
the `garden_checkpoints` fixture) give zoo models with Garden's own outputs, in a process without `official`."""

import shutil
import sys

import keras
import numpy as np
import pytest
import yaml

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert.__main__ import main
from zoo.convert.model_garden import load_backbone, load_masked_lm

from tests.parity import assert_close, bound, max_abs_diff

# Zoo and Garden run the same TF kernels here, so the bound is tighter than the suite's default; it still fails
# on the exact/approximate GELU mix-up (by 30x on the exact-GELU fixture).
TOLERANCE = 1e-5


def reference(checkpoints, case):
    return np.load(checkpoints / case / "reference.npz")


def ours(ref):
    return {"token_ids": ref["input_word_ids"], "padding_mask": ref["input_mask"],
            "segment_ids": ref["input_type_ids"]}


def assert_no_garden_modules():
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("official", "tf_keras"))
    assert not loaded, f"the import must not need Model Garden, but these are loaded: {loaded[:5]}"


def assert_encoder_matches(backbone, ref, what):
    outputs = backbone(ours(ref))
    assert_close(outputs["sequence_output"], ref["sequence_output"], f"{what} sequence_output", ref["input_mask"],
                 tolerance=TOLERANCE)
    assert_close(outputs["pooled_output"], ref["pooled_output"], f"{what} pooled_output", tolerance=TOLERANCE)
    assert_no_garden_modules()


def assumed_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if "assumed Model Garden defaults" in line]


def test_bare_encoder_with_garden_defaults_printed(garden_checkpoints, capsys):
    backbone = load_backbone(garden_checkpoints / "encoder" / "ckpt", num_layers=2)
    assert (backbone.num_layers, backbone.num_heads, backbone.intermediate_dim) == (2, 4, 37)
    assert (backbone.max_sequence_length, backbone.num_segments) == (16, 2)
    assert_encoder_matches(backbone, reference(garden_checkpoints, "encoder"), "bare encoder")
    [line] = assumed_lines(capsys)  # one line, every setting the weights do not show
    for setting in ("activation='gelu_approximate'", "norm_first=False", "layer_norm_epsilon=1e-12", "dropout=0.1"):
        assert setting in line


@pytest.mark.parametrize("case", ["pretrainer_items", "pretrainer_model", "legacy"])
def test_encoder_inside_other_object_graphs(garden_checkpoints, case):
    # checkpoint_items store the shared word embeddings as masked_lm/embedding_table; the legacy BertEncoder
    # stores its variables as layer_with_weights-N.
    backbone = load_backbone(garden_checkpoints / case / "ckpt")
    assert_encoder_matches(backbone, reference(garden_checkpoints, case), case)


def test_trainer_model_dir_reads_latest_checkpoint_and_params_yaml(garden_checkpoints, capsys):
    model_dir = garden_checkpoints / "trainer"
    ref = reference(garden_checkpoints, "trainer")
    backbone = load_backbone(model_dir)  # ckpt-3 of ckpt-1..3, after three optimizer steps
    assert_encoder_matches(backbone, ref, "trainer ckpt-3")
    assert backbone.activation == "gelu_approximate"  # params.yaml says `gelu`: Garden's tanh approximation
    assert assumed_lines(capsys) == []  # params.yaml says it all
    earlier = load_backbone(model_dir / "ckpt-2")
    assert max_abs_diff(earlier(ours(ref))["sequence_output"], ref["sequence_output"]) > bound(ref["sequence_output"])
    for path in ("ckpt-3.index", "ckpt-3.data-00000-of-00001"):
        same = load_backbone(model_dir / path)
        for ours_weight, theirs in zip(same.weights, backbone.weights):
            np.testing.assert_array_equal(ours_weight.numpy(), theirs.numpy(), err_msg=path)


def test_fine_tuned_classifier_checkpoint(garden_checkpoints):
    backbone = load_backbone(garden_checkpoints / "classifier")  # classifier head and optimizer slots skipped
    assert_encoder_matches(backbone, reference(garden_checkpoints, "classifier"), "classifier")


def test_norm_first_encoder_with_params_yaml(garden_checkpoints, tmp_path, capsys):
    ref = reference(garden_checkpoints, "norm_first")
    backbone = load_backbone(garden_checkpoints / "norm_first")
    assert backbone.norm_first
    assert_encoder_matches(backbone, ref, "norm_first")
    # Without its params.yaml the encoder would be read as post-norm: far outside the bound.
    bare = tmp_path / "bare"
    shutil.copytree(garden_checkpoints / "norm_first", bare, ignore=shutil.ignore_patterns("params.yaml"))
    guessed = load_backbone(bare)
    assert "norm_first=False" in assumed_lines(capsys)[-1]
    assert max_abs_diff(guessed(ours(ref))["sequence_output"], ref["sequence_output"], ref["input_mask"]) > 0.1


def exact_gelu_config(path):
    """A config in Model Garden's layout for an encoder built in code with exact GELU (Garden's own config cannot
    name it: its `gelu` is the tanh approximation)."""
    encoder = dict(vocab_size=99, hidden_size=32, num_layers=2, num_attention_heads=4, intermediate_size=37,
                   max_position_embeddings=16, type_vocab_size=16, hidden_activation="exact_gelu", norm_first=False,
                   dropout_rate=0.1, attention_dropout_rate=0.1, embedding_size=None)
    path.write_text(yaml.safe_dump({"task": {"model": {"encoder": {"type": "bert_v2", "bert_v2": encoder}}}}))
    return path


def test_exact_gelu_encoder_with_config(garden_checkpoints, tmp_path):
    ref = reference(garden_checkpoints, "exact_gelu")
    prefix = garden_checkpoints / "exact_gelu" / "ckpt"
    config = exact_gelu_config(tmp_path / "encoder.yaml")
    backbone = load_backbone(prefix, config=config)
    assert backbone.activation == "gelu"
    assert_encoder_matches(backbone, ref, "exact-GELU")
    # Garden's default (tanh GELU) assumed instead: the tolerance catches it on both outputs.
    guessed = load_backbone(prefix)(ours(ref))
    for key in ("sequence_output", "pooled_output"):
        assert max_abs_diff(guessed[key], ref[key]) > bound(ref[key], tolerance=TOLERANCE), key


@pytest.mark.parametrize("case, nsp", [("pretrainer_model", True), ("trainer", True), ("pretrainer_items", False)])
def test_pretrainer_masked_lm(garden_checkpoints, case, nsp):
    ref = reference(garden_checkpoints, case)
    path = garden_checkpoints / case if case == "trainer" else garden_checkpoints / case / "ckpt"
    model = load_masked_lm(path)
    assert model.include_nsp == nsp  # Checkpoint(**checkpoint_items) holds no next_sentence out_proj
    outputs = model({**ours(ref), "mask_positions": ref["masked_lm_positions"]})
    assert_close(outputs["mlm_logits"], ref["mlm_logits"], f"{case} mlm_logits", tolerance=TOLERANCE)
    sequence = model.backbone(ours(ref))
    assert_close(sequence["sequence_output"], ref["sequence_output"], f"{case} sequence_output", ref["input_mask"],
                 tolerance=TOLERANCE)
    if nsp:  # the next_sentence head's own pooler is the backbone's pooler
        assert_close(outputs["nsp_logits"], ref["nsp_logits"], f"{case} nsp_logits", tolerance=TOLERANCE)
        assert_close(sequence["pooled_output"], ref["nsp_pooled"], f"{case} pooled_output", tolerance=TOLERANCE)
    assert_no_garden_modules()


def test_cli_masked_lm_round_trip(garden_checkpoints, tmp_path):
    ref = reference(garden_checkpoints, "trainer")
    out = tmp_path / "pretrainer.keras"
    assert main(["garden", str(garden_checkpoints / "trainer" / "ckpt-3.index"), str(out), "--task", "masked_lm"]) == 0
    model = keras.saving.load_model(out)
    outputs = model({**ours(ref), "mask_positions": ref["masked_lm_positions"]})
    assert_close(outputs["mlm_logits"], ref["mlm_logits"], "reloaded mlm_logits", tolerance=TOLERANCE)
    assert_close(outputs["nsp_logits"], ref["nsp_logits"], "reloaded nsp_logits", tolerance=TOLERANCE)


def test_cli_backbone_round_trip(garden_checkpoints, tmp_path):
    ref = reference(garden_checkpoints, "norm_first")
    out = tmp_path / "encoder.keras"
    assert main(["garden", str(garden_checkpoints / "norm_first"), str(out), "--num-layers", "2"]) == 0
    assert_encoder_matches(keras.saving.load_model(out), ref, "reloaded norm_first")


def test_encoder_picked_by_object_path(garden_checkpoints):
    backbone = load_backbone(garden_checkpoints / "trainer", root="model/encoder_network")
    assert_encoder_matches(backbone, reference(garden_checkpoints, "trainer"), "trainer model/encoder_network")
