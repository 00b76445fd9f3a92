"""Inputs that must never raise, for all three tokenizers: empty strings and batches, whitespace, special tokens
alone, invalid UTF-8, NUL bytes and a million characters; eagerly, in a `tf.function`, in `tf.data` and
through a reloaded SavedModel signature."""

import pytest
import tensorflow as tf

from tests.tokenizers.references import CORPUS, SPECIAL, fixture_tokenizer
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer
HARD_BATCHES = [
    [],
    [""],
    ["", ""],
    [" ", "   \t\n\r\n", "\u3000\u00a0\u2028"],
    ["{special}"],
    ["{special}{special}", " {special} ", "", "{special}a"],
    [b"\xff", b"\xc3", b"\x80\x80abc\xed\xa0\x80", b"a\x00b", b"\x00"],
    ["", "a"],
]


@pytest.fixture(scope="module", params=sorted(SPECIAL))
def case(request):
    tokenizer = fixture_tokenizer(request.param, name=request.param)
    special = SPECIAL[request.param]
    batches = [[t.format(special=special) if isinstance(t, str) else t for t in batch] for batch in HARD_BATCHES]
    return tokenizer, tokenizer.token_to_id(special), batches


def expected(special_id, batch):
    """What the hard batches tokenize to, where it is known without a vocabulary."""
    known = {"": [], "{special}": [special_id], "{special}{special}": [special_id, special_id]}
    return {i: known[text] for i, text in enumerate(batch) if text in known}


def strings(batch):
    return tf.constant(batch, tf.string, shape=[len(batch)])


def test_eager_batches_and_scalars(case):
    tokenizer, special_id, batches = case
    assert tokenizer("").numpy().tolist() == []
    assert tokenizer(batches[4][0]).numpy().tolist() == [special_id]
    for raw, batch in zip(HARD_BATCHES, batches):
        ids = tokenizer(strings(batch))
        assert isinstance(ids, tf.RaggedTensor) and ids.dtype == tf.int32 and ids.shape[0] == len(batch)
        rows = ids.to_list()
        for i, want in expected(special_id, raw).items():
            assert rows[i] == want, (batch[i], rows[i])
        assert rows == [tokenizer(tf.constant(text)).numpy().tolist() for text in batch]


def test_tf_function_and_tf_data(case):
    tokenizer, _, batches = case
    want = [tokenizer(strings(batch)).to_list() for batch in batches]
    function = tf.function(tokenizer.__call__, input_signature=[tf.TensorSpec([None], tf.string)])
    assert [function(strings(batch)).to_list() for batch in batches] == want
    dataset = tf.data.Dataset.from_generator(
        lambda: (strings(batch) for batch in batches), output_signature=tf.TensorSpec([None], tf.string)
    ).map(tokenizer, num_parallel_calls=2, deterministic=True)
    assert [ids.to_list() for ids in dataset] == want
    rows = [text for batch in batches for text in batch]
    dataset = tf.data.Dataset.from_tensor_slices(strings(rows)).batch(3).map(tokenizer)
    assert [row for ids in dataset for row in ids.to_list()] == [row for batch in want for row in batch]


def test_reloaded_saved_model_signature(case, tmp_path):
    tokenizer, _, batches = case
    module = tf.Module()
    module.tokenizer = tokenizer
    module.tokenize = tf.function(
        lambda x: tokenizer(x).to_tensor(default_value=-1), input_signature=[tf.TensorSpec([None], tf.string)]
    )
    tf.saved_model.save(module, str(tmp_path))
    reloaded = tf.saved_model.load(str(tmp_path)).tokenize
    for batch in batches:
        want = tokenizer(strings(batch)).to_list()
        got = [[i for i in row if i != -1] for row in reloaded(strings(batch)).numpy().tolist()]
        assert got == want and len(got) == len(batch)


def test_special_token_alone_as_plain_text(case):
    name, special_id = case[0].name, case[1]
    plain = fixture_tokenizer(name, special_tokens_in_text=False)
    ids = plain([SPECIAL[name], ""]).to_list()
    assert len(ids[0]) > 1 and special_id not in ids[0] and ids[1] == []


MILLION = ("\n".join(CORPUS) * 100)[:1_000_000]


def test_a_million_characters_byte_pair(byte_pair_reference):
    tokenizer = BytePairTokenizer(byte_pair_reference.vocabulary_path, byte_pair_reference.merges_path)
    texts = [MILLION, "a" * 1_000_000, "hello"]
    assert tokenizer(texts).to_list() == byte_pair_reference.encode(texts)


def test_a_million_characters_wordpiece(wordpiece_reference):
    tokenizer = WordPieceTokenizer(wordpiece_reference.vocabulary, lowercase=wordpiece_reference.lowercase)
    texts = [MILLION, "a" * 1_000_000, "hello"]
    assert tokenizer(texts).to_list() == wordpiece_reference.encode(texts)


def test_a_million_characters_sentencepiece(sentencepiece_reference):
    tokenizer = SentencePieceTokenizer(sentencepiece_reference.proto)
    texts = [MILLION, "a" * 1_000_000, "hello"]
    for got, want in zip(tokenizer(texts).to_list(), sentencepiece_reference.encode(texts)):
        assert sentencepiece_reference.equal_or_tie(got, want)
