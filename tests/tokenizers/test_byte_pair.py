import json
from pathlib import Path

import pytest
import tensorflow as tf

from zoo.tokenizers import BytePairTokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokenizers"
EXPECTED = json.loads((FIXTURES / "expected_byte_pair.json").read_text(encoding="utf-8"))
TEXTS = EXPECTED["texts"]


@pytest.fixture(scope="module")
def tokenizer():
    return BytePairTokenizer(str(FIXTURES / "bpe_vocab.json"), str(FIXTURES / "bpe_merges.txt"))


def test_ids_match_hugging_face(tokenizer):
    got = tokenizer(TEXTS).to_list()
    for text, ids, want in zip(TEXTS, got, EXPECTED["ids"]):
        assert ids == want, f"mismatch on {text!r}"


def test_special_token_in_text_maps_to_eos(tokenizer):
    assert tokenizer.eos_token_id == EXPECTED["eos_token_id"]
    ids = tokenizer(tf.constant("hello<|endoftext|>world")).numpy().tolist()
    assert tokenizer.eos_token_id in ids


def test_detokenize_matches_hugging_face_decode(tokenizer):
    got = [s.decode("utf-8") for s in tokenizer.detokenize(tf.ragged.constant(EXPECTED["ids"])).numpy()]
    assert got == EXPECTED["decoded"]


def test_detokenize_round_trip_is_lossless(tokenizer):
    got = [s.decode("utf-8") for s in tokenizer.detokenize(tokenizer(TEXTS)).numpy()]
    assert got == TEXTS


def test_tf_data_tf_function_and_saved_model(tokenizer, tmp_path):
    ds = tf.data.Dataset.from_tensor_slices(TEXTS[:6]).batch(4).map(tokenizer)
    assert [row for batch in ds for row in batch.to_list()] == EXPECTED["ids"][:6]
    module = tf.Module()
    module.tokenizer = tokenizer
    module.serve = tf.function(
        lambda x: tokenizer(x).to_tensor(default_value=-1), input_signature=[tf.TensorSpec([None], tf.string)]
    )
    tf.saved_model.save(module, str(tmp_path))
    out = tf.saved_model.load(str(tmp_path)).serve(tf.constant(TEXTS[2:5])).numpy()
    for row, want in zip(out, EXPECTED["ids"][2:5]):
        assert [i for i in row.tolist() if i != -1] == want


def test_get_config_round_trip(tokenizer):
    restored = BytePairTokenizer.from_config(tokenizer.get_config())
    assert restored(TEXTS).to_list() == EXPECTED["ids"]


def test_scalar_input_gives_dense_ids(tokenizer):
    ids = tokenizer(tf.constant(TEXTS[1]))
    assert isinstance(ids, tf.Tensor) and ids.dtype == tf.int32
    assert ids.numpy().tolist() == EXPECTED["ids"][1]


def test_invalid_utf8_input_becomes_replacement_character(tokenizer):
    got = tokenizer(tf.constant([b"ab\xffcd", b"\xc3"])).to_list()
    assert got == tokenizer(["ab\ufffdcd", "\ufffd"]).to_list()


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="vocab.json"):
        BytePairTokenizer(str(tmp_path / "vocab.json"), str(FIXTURES / "bpe_merges.txt"))
    with pytest.raises(FileNotFoundError, match="merges.txt"):
        BytePairTokenizer(str(FIXTURES / "bpe_vocab.json"), str(tmp_path / "merges.txt"))


def test_empty_and_malformed_vocabulary(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="empty"):
        BytePairTokenizer(str(path), [])
    path.write_text('{"a": 0,\n "b": }')
    with pytest.raises(ValueError, match="line 2"):
        BytePairTokenizer(str(path), [])
    with pytest.raises(ValueError, match="not byte-level"):
        BytePairTokenizer({"a": 0, "<|endoftext|>": 1}, [])


def test_malformed_merges_name_the_line(tmp_path):
    vocab = json.loads((FIXTURES / "bpe_vocab.json").read_text(encoding="utf-8"))
    path = tmp_path / "merges.txt"
    path.write_text("#version: 0.2\nt h\nthree symbols here\n")
    with pytest.raises(ValueError, match="line 3"):
        BytePairTokenizer(vocab, str(path))
    path.write_text("#version: 0.2\nq zz\n")
    with pytest.raises(ValueError, match=r"line 2.*'zz'"):
        BytePairTokenizer(vocab, str(path))
