"""Property-based tests of the three tokenizers against their references (see `references.py`), on generated
hard text (see `strategies.py`), with a fixed seed and budget.

Properties: any batch tokenizes without an error, inside a `tf.function`; a batch equals its rows tokenized
alone; the ids equal the reference's, with special tokens in the text parsed or not; byte-level BPE and
(byte-fallback) SentencePiece detokenize back to the text. The documented differences are excluded by name:
the code points of `unicode_differences.json` (never generated) and SentencePiece's tie-breaks (accepted
only where both segmentations have the same score and the same text).
"""

import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.tokenizers.references import BERT_SPECIAL_TOKENS, EOS
from tests.tokenizers.strategies import batches, budget
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer

EXTRA_IDS = 3
SP_SPECIAL = ["</s>", "<pad>", "<unk>"] + [f"<extra_id_{i}>" for i in range(EXTRA_IDS + 1)]
PARTIAL = ["[cls]", "[SEP", "<|endoftext", "|>", "</s", "<extra_id_>"]
EXAMPLES = 200


def graph(tokenizer):
    """The tokenizer as a `tf.function` over `(batch,)` strings, as an export or a `tf.data` map runs it."""
    return tf.function(tokenizer.__call__, input_signature=[tf.TensorSpec([None], tf.string)])


def tokenize(function, batch):
    return function(tf.constant(batch, tf.string)).to_list()


def check_rows(function, batch, ids):
    for row, want in zip(batch, ids):
        assert tokenize(function, [row]) == [want], f"row {row!r} alone differs from the batch {batch!r}"


def ragged(ids):
    flat = tf.constant([i for row in ids for i in row], tf.int32)
    return tf.RaggedTensor.from_row_lengths(flat, tf.constant([len(row) for row in ids], tf.int64))


def detokenize(tokenizer, ids):
    return [s.decode("utf-8") for s in tokenizer.detokenize(ragged(ids)).numpy()]


def decoded(batch):
    return [raw.decode("utf-8", "replace") for raw in batch]


@pytest.fixture(scope="module")
def wordpiece(wordpiece_reference):
    return {parse: graph(WordPieceTokenizer(wordpiece_reference.vocabulary, lowercase=wordpiece_reference.lowercase,
                                            special_tokens_in_text=parse)) for parse in (True, False)}


@pytest.fixture(scope="module")
def byte_pair(byte_pair_reference):
    tokenizers = {parse: BytePairTokenizer(byte_pair_reference.vocabulary_path, byte_pair_reference.merges_path,
                                           special_tokens_in_text=parse) for parse in (True, False)}
    return tokenizers, {parse: graph(t) for parse, t in tokenizers.items()}


@pytest.fixture(scope="module")
def sentencepiece(sentencepiece_reference):
    tokenizers = {parse: SentencePieceTokenizer(sentencepiece_reference.proto, extra_ids=EXTRA_IDS,
                                                special_tokens_in_text=parse) for parse in (True, False)}
    return tokenizers, {parse: graph(t) for parse, t in tokenizers.items()}


@budget(EXAMPLES)
@given(data=st.data(), parse=st.booleans())
def test_wordpiece_matches_bert_tokenizer_fast(wordpiece, wordpiece_reference, unicode_differences, data, parse):
    batch = data.draw(batches(BERT_SPECIAL_TOKENS + PARTIAL, unicode_differences["wordpiece"]))
    ids = tokenize(wordpiece[parse], batch)
    assert ids == wordpiece_reference.encode(batch, special_tokens_in_text=parse), decoded(batch)
    check_rows(wordpiece[parse], batch, ids)


@budget(EXAMPLES)
@given(data=st.data(), parse=st.booleans())
def test_byte_pair_matches_gpt2_tokenizer_fast(byte_pair, byte_pair_reference, unicode_differences, data, parse):
    tokenizers, functions = byte_pair
    batch = data.draw(batches([EOS] + PARTIAL, unicode_differences["byte_pair"]))
    ids = tokenize(functions[parse], batch)
    assert ids == byte_pair_reference.encode(batch, special_tokens_in_text=parse), decoded(batch)
    check_rows(functions[parse], batch, ids)
    # Lossless: the text comes back (invalid UTF-8 as U+FFFD), as the reference decodes it.
    text = detokenize(tokenizers[parse], ids)
    assert text == decoded(batch)
    assert text == byte_pair_reference.decode(ids)


@budget(EXAMPLES)
@given(data=st.data(), parse=st.booleans())
def test_sentencepiece_matches_the_sentencepiece_library(sentencepiece, sentencepiece_reference, data, parse):
    tokenizers, functions = sentencepiece
    batch = data.draw(batches(SP_SPECIAL + PARTIAL))
    ids = tokenize(functions[parse], batch)
    want = sentencepiece_reference.encode(batch, special_tokens_in_text=parse, extra_ids=EXTRA_IDS)
    for raw, got, expected in zip(batch, ids, want):  # a tie (documented) is the only difference allowed
        assert sentencepiece_reference.equal_or_tie(got, expected), (raw.decode("utf-8", "replace"), got, expected)
    check_rows(functions[parse], batch, ids)
    if not parse and sentencepiece_reference.byte_fallback:
        # Lossless after SentencePiece's normalisation (this model falls back to bytes, so no `<unk>`).
        text = detokenize(tokenizers[parse], ids)
        assert text == [normalized_text(sentencepiece_reference, raw) for raw in decoded(batch)]


def normalized_text(reference, text):
    """The text as SentencePiece's normaliser leaves it (meta symbol back to spaces, no dummy prefix)."""
    normalized = reference.normalize([text])[0].replace("\u2581", " ")
    return normalized[1:] if normalized.startswith(" ") else normalized
