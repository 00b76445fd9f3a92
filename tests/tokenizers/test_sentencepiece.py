import json
from pathlib import Path

import pytest
import tensorflow as tf

from zoo.tokenizers import SentencePieceTokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokenizers"
MODEL = FIXTURES / "spm_unigram.model"
CORPUS = json.loads((FIXTURES / "corpus.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((FIXTURES / "expected_sentencepiece.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tokenizer():
    return SentencePieceTokenizer(str(MODEL))


def test_ids_match_sentencepiece(tokenizer):
    got = tokenizer(CORPUS).to_list()
    for text, ids, want in zip(CORPUS, got, EXPECTED["ids"]):
        assert ids == want, f"mismatch on {text!r}"


def test_detokenize_matches_sentencepiece(tokenizer):
    got = [s.decode("utf-8") for s in tokenizer.detokenize(tf.ragged.constant(EXPECTED["ids"])).numpy()]
    assert got == EXPECTED["decoded"]


def test_t5_special_ids_and_vocabulary(tokenizer):
    assert (tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2)
    assert tokenizer.vocabulary_size() == EXPECTED["vocabulary_size"]
    assert tokenizer.id_to_token(1) == "</s>" and tokenizer.token_to_id("<pad>") == 0


def test_from_serialized_bytes_and_config_round_trip(tokenizer):
    from_bytes = SentencePieceTokenizer(MODEL.read_bytes())
    assert from_bytes(CORPUS).to_list() == EXPECTED["ids"]
    restored = SentencePieceTokenizer.from_config(tokenizer.get_config())
    assert restored(CORPUS).to_list() == EXPECTED["ids"]


def test_tf_data_and_tf_function(tokenizer):
    ds = tf.data.Dataset.from_tensor_slices(CORPUS[:6]).batch(4).map(tokenizer)
    assert [row for batch in ds for row in batch.to_list()] == EXPECTED["ids"][:6]
    fn = tf.function(lambda x: tokenizer(x).to_tensor(), input_signature=[tf.TensorSpec([None], tf.string)])
    assert fn(tf.constant(CORPUS[1:3])).shape[0] == 2


def test_invalid_utf8_input_does_not_fail(tokenizer):
    got = tokenizer(tf.constant([b"hello \xff world"])).to_list()
    assert got == tokenizer(["hello \ufffd world"]).to_list()


def test_missing_and_garbage_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.model"):
        SentencePieceTokenizer(str(tmp_path / "missing.model"))
    with pytest.raises(ValueError, match="not a valid SentencePiece model"):
        SentencePieceTokenizer(b"this is not a protobuf")
    with pytest.raises(ValueError, match="non-empty"):
        SentencePieceTokenizer(b"")


def test_survives_a_seed_reset_between_eager_calls():
    # tf.random.set_seed clears the eager kernel cache, which held the SentencePiece model resource.
    import tensorflow as tf

    from zoo.tokenizers import SentencePieceTokenizer

    tokenizer = SentencePieceTokenizer(FIXTURES / "spm_unigram.model")
    before = tokenizer(tf.constant(["hello world"])).to_list()
    tf.random.set_seed(0)
    assert tokenizer(tf.constant(["hello world"])).to_list() == before
    tf.random.set_seed(1)
    assert tokenizer.detokenize(tf.ragged.constant(before)).numpy().tolist() == [b"hello world"]
