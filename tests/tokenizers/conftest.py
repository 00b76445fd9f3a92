"""Reference tokenizers trained once per session from `fuzz_corpus.txt` (see `references.py`)."""

import pytest

from tests.tokenizers.references import (
    BytePairReference,
    SentencePieceReference,
    WordPieceReference,
    load_unicode_differences,
)


@pytest.fixture(scope="session", params=["uncased", "cased"])
def wordpiece_reference(request):
    return WordPieceReference(lowercase=request.param == "uncased")


@pytest.fixture(scope="session")
def byte_pair_reference(tmp_path_factory):
    return BytePairReference(tmp_path_factory.mktemp("bpe"))


@pytest.fixture(scope="session", params=["byte_fallback", "unk"])
def sentencepiece_reference(request):
    """A lossless model (unknown characters fall back to bytes) and a T5-like one (they become `<unk>`)."""
    return SentencePieceReference(byte_fallback=request.param == "byte_fallback")


@pytest.fixture(scope="session")
def unicode_differences():
    return load_unicode_differences()
