"""Fixtures shared by the test directories: tiny backbones and their inputs, files in a temporary directory, the
tokenizer fixtures, and a Keras dtype policy that is restored after the test."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import zoo  # noqa: F401  (sets the Keras backend before anything imports keras)

TOKENIZER_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tokenizers"

#: The tiny presets (2 layers, hidden 32), one per architecture and T5 version.
TINY_PRESETS = ("bert_tiny", "gpt_tiny", "t5_tiny", "t5_v1_1_tiny")


def _backbone_class(preset):
    from zoo.models import BertBackbone, GPTBackbone, T5Backbone

    return {"bert": BertBackbone, "gpt": GPTBackbone, "t5": T5Backbone}[preset.split("_")[0]]


@pytest.fixture(params=TINY_PRESETS)
def tiny_preset(request):
    """`(backbone class, preset name)` for each tiny preset: the test runs once per architecture."""
    return _backbone_class(request.param), request.param


def _backbone_inputs(backbone, token_ids=None, padding_mask=None, seed=0):
    """The input dict of `backbone` for `(batch, length)` token ids (default: random ids of shape (2, 6), the last
    two tokens of row 1 padding): a padding mask (all True by default), BERT's segment ids (the second half of each
    row is segment 1), or T5's encoder inputs with the reversed ids as decoder inputs."""
    from zoo.models import BertBackbone, T5Backbone

    if token_ids is None:
        token_ids = np.random.default_rng(seed).integers(2, backbone.vocabulary_size, size=(2, 6))
        padding_mask = np.ones((2, 6), bool)
        padding_mask[1, -2:] = False
    token_ids = np.asarray(token_ids, "int32")
    padding_mask = np.ones(token_ids.shape, bool) if padding_mask is None else np.asarray(padding_mask, bool)
    if isinstance(backbone, T5Backbone):
        return {"encoder_token_ids": token_ids, "encoder_padding_mask": padding_mask,
                "decoder_token_ids": token_ids[:, ::-1].copy(), "decoder_padding_mask": np.ones_like(padding_mask)}
    inputs = {"token_ids": token_ids, "padding_mask": padding_mask}
    if isinstance(backbone, BertBackbone):
        batch, length = token_ids.shape
        inputs["segment_ids"] = np.repeat((np.arange(length) >= length // 2)[None].astype("int32"), batch, 0)
    return inputs


@pytest.fixture
def backbone_inputs():
    """`backbone_inputs(backbone, token_ids=None, padding_mask=None, seed=0)` -> the input dict that backbone
    takes (random tokens when no ids are given)."""
    return _backbone_inputs


@pytest.fixture
def set_dtype_policy():
    """`set_dtype_policy("mixed_bfloat16")` sets the global Keras dtype policy; the fixture restores the previous
    one after the test, even when it fails."""
    import keras

    previous = keras.config.dtype_policy()
    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy(previous)


@pytest.fixture
def write_file(tmp_path):
    """`write_file(name, content)` writes str (as UTF-8) or bytes to `tmp_path / name`, gzip-compressed when the
    name ends in `.gz`, and returns the path as str."""

    def write(name, content):
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = tmp_path / name
        if name.endswith(".gz"):
            with gzip.open(path, "wb") as stream:
                stream.write(data)
        else:
            path.write_bytes(data)
        return str(path)

    return write


@pytest.fixture(scope="session")
def tokenizer_fixtures():
    """The directory `tests/fixtures/tokenizers`: vocabularies, models and the ids expected from them."""
    return TOKENIZER_FIXTURES


@pytest.fixture(scope="session")
def tokenizer_corpus():
    """The texts the tokenizer fixtures were checked on (`tests/fixtures/tokenizers/corpus.json`)."""
    return json.loads((TOKENIZER_FIXTURES / "corpus.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wordpiece_tokenizer():
    """The cased WordPiece fixture vocabulary (`cased_vocab.txt`), not lowercasing."""
    from zoo.tokenizers import WordPieceTokenizer

    return WordPieceTokenizer(str(TOKENIZER_FIXTURES / "cased_vocab.txt"), lowercase=False)


@pytest.fixture(scope="module")
def byte_pair_tokenizer():
    """The byte-level BPE fixture (`bpe_vocab.json`, `bpe_merges.txt`)."""
    from zoo.tokenizers import BytePairTokenizer

    return BytePairTokenizer(str(TOKENIZER_FIXTURES / "bpe_vocab.json"), str(TOKENIZER_FIXTURES / "bpe_merges.txt"))


@pytest.fixture(scope="module")
def sentencepiece_tokenizer():
    """The T5-style SentencePiece unigram fixture (`spm_unigram.model`: pad 0, eos 1, unk 2)."""
    from zoo.tokenizers import SentencePieceTokenizer

    return SentencePieceTokenizer(str(TOKENIZER_FIXTURES / "spm_unigram.model"))
