import json

import numpy as np
import pytest
import tensorflow as tf

from zoo.models.bert.bert_preprocessor import BertPreprocessor
from zoo.models.gpt.gpt_preprocessor import GPTPreprocessor
from zoo.models.t5.t5_preprocessor import T5Preprocessor

STRING_BATCH = [tf.TensorSpec([None], tf.string)]


@pytest.fixture(scope="module")
def bert(wordpiece_tokenizer):
    return BertPreprocessor(wordpiece_tokenizer, sequence_length=64)


@pytest.fixture(scope="module")
def gpt(byte_pair_tokenizer):
    return GPTPreprocessor(byte_pair_tokenizer, sequence_length=12)


@pytest.fixture(scope="module")
def t5(sentencepiece_tokenizer):
    return T5Preprocessor(sentencepiece_tokenizer, 16, 8)


def test_bert_pairs_match_hugging_face_layout(bert, tokenizer_fixtures, tokenizer_corpus):
    expected = json.loads((tokenizer_fixtures / "expected_wordpiece.json").read_text(encoding="utf-8"))["cased"]
    assert len(expected["pair_ids"]) == 5
    tok = bert.tokenizer
    preprocessor = BertPreprocessor(tok, sequence_length=80)
    out = preprocessor((tf.constant(tokenizer_corpus[1:6]), tf.constant(tokenizer_corpus[6:11])))
    for row, want in enumerate(expected["pair_ids"]):
        assert len(want) <= 80
        n = int(out["padding_mask"][row].numpy().sum())
        ids = out["token_ids"][row].numpy()
        assert ids[:n].tolist() == want
        first_sep = want.index(tok.sep_token_id)
        assert out["segment_ids"][row].numpy()[:n].tolist() == [0] * (first_sep + 1) + [1] * (n - first_sep - 1)
        assert (ids[n:] == tok.pad_token_id).all() and not out["segment_ids"][row].numpy()[n:].any()


def test_bert_single_segment_shapes_truncation_and_dtypes(bert):
    out = bert(tf.constant(["Hello, world!", "a" + " b" * 200]))
    assert out["token_ids"].shape == (2, 64) and out["token_ids"].dtype == tf.int32
    assert out["padding_mask"].dtype == tf.bool and out["segment_ids"].dtype == tf.int32
    ids = out["token_ids"].numpy()
    tok = bert.tokenizer
    assert ids[0, :6].tolist() == [tok.cls_token_id, *tok(["Hello, world!"]).to_list()[0], tok.sep_token_id]
    assert ids[1, 0] == tok.cls_token_id and ids[1, -1] == tok.sep_token_id and out["padding_mask"][1].numpy().all()
    assert not out["segment_ids"].numpy().any()


def test_bert_tf_data_tf_function_and_config(bert, tokenizer_corpus):
    texts = tokenizer_corpus
    ds = tf.data.Dataset.from_tensor_slices((texts[1:5], texts[5:9])).batch(2).map(lambda a, b: bert((a, b)))
    batch = next(iter(ds))
    direct = bert((tf.constant(texts[1:3]), tf.constant(texts[5:7])))
    np.testing.assert_array_equal(batch["token_ids"], direct["token_ids"])
    fn = tf.function(lambda x: bert(x), input_signature=STRING_BATCH)
    expected = bert(tf.constant(texts[1:3]))["token_ids"]
    np.testing.assert_array_equal(fn(tf.constant(texts[1:3]))["token_ids"], expected)
    restored = BertPreprocessor.from_config(bert.get_config())
    np.testing.assert_array_equal(restored(tf.constant(texts[1:3]))["token_ids"], expected)


def test_bert_rejects_bad_truncate(wordpiece_tokenizer):
    with pytest.raises(ValueError, match="truncate"):
        BertPreprocessor(wordpiece_tokenizer, truncate="longest")


def test_gpt_layout(gpt):
    tok = gpt.tokenizer
    out = gpt(tf.constant(["hello world", "the quick brown fox jumps over the lazy dog"]))
    assert out["token_ids"].shape == (2, 12) and out["padding_mask"].dtype == tf.bool
    hello = tok(tf.constant("hello world")).numpy().tolist()
    row = out["token_ids"][0].numpy().tolist()
    assert row[: len(hello) + 1] == [tok.eos_token_id] + hello
    assert out["padding_mask"][0].numpy().tolist() == [True] * (len(hello) + 1) + [False] * (11 - len(hello))
    assert out["padding_mask"][1].numpy().all()  # truncated to 12
    no_start = GPTPreprocessor(tok, sequence_length=12, add_start_token=False, add_end_token=True)
    assert no_start(tf.constant(["hello world"]))["token_ids"][0].numpy().tolist()[: len(hello) + 1] == hello + [tok.eos_token_id]


def test_gpt_tf_data_tf_function_and_config(gpt, tokenizer_corpus):
    texts = tokenizer_corpus
    batch = next(iter(tf.data.Dataset.from_tensor_slices(texts[1:5]).batch(2).map(gpt)))
    np.testing.assert_array_equal(batch["token_ids"], gpt(tf.constant(texts[1:3]))["token_ids"])
    fn = tf.function(lambda x: gpt(x), input_signature=STRING_BATCH)
    np.testing.assert_array_equal(fn(tf.constant(texts[1:3]))["padding_mask"], batch["padding_mask"])
    restored = GPTPreprocessor.from_config(gpt.get_config())
    np.testing.assert_array_equal(restored(tf.constant(texts[1:3]))["token_ids"], batch["token_ids"])


def test_t5_layout(t5):
    tok = t5.tokenizer
    x, labels, sample_weight = t5(tf.constant(["hello world"]), tf.constant(["the dog"]))
    source = tok(tf.constant("hello world")).numpy().tolist()
    target = tok(tf.constant("the dog")).numpy().tolist()
    assert x["encoder_token_ids"][0].numpy().tolist() == source + [1] + [0] * (15 - len(source))
    assert x["encoder_padding_mask"][0].numpy().sum() == len(source) + 1
    assert labels[0].numpy().tolist() == target + [1] + [0] * (7 - len(target))
    assert x["decoder_token_ids"][0].numpy().tolist() == [0] + target + [1] + [0] * (6 - len(target))
    assert x["decoder_padding_mask"][0].numpy().tolist() == [True] * (len(target) + 1) + [False] * (7 - len(target))
    np.testing.assert_array_equal(sample_weight, tf.cast(x["decoder_padding_mask"], tf.float32))
    only_encoder = t5(tf.constant(["hello world"]))
    assert set(only_encoder) == {"encoder_token_ids", "encoder_padding_mask"}
    long = t5(tf.constant(["the quick brown fox jumps over the lazy dog " * 3]))
    assert long["encoder_token_ids"][0, -1].numpy() == 1  # eos kept when truncating


def test_t5_tf_data_tf_function_and_config(t5, tokenizer_corpus):
    sources, targets = tf.constant(tokenizer_corpus[1:3]), tf.constant(tokenizer_corpus[5:7])
    ds = tf.data.Dataset.from_tensor_slices((tokenizer_corpus[1:5], tokenizer_corpus[5:9])).batch(2).map(t5)
    x, labels, _ = next(iter(ds))
    x2, labels2, _ = t5(sources, targets)
    np.testing.assert_array_equal(x["decoder_token_ids"], x2["decoder_token_ids"])
    np.testing.assert_array_equal(labels, labels2)
    fn = tf.function(lambda s, t: t5(s, t), input_signature=STRING_BATCH * 2)
    np.testing.assert_array_equal(fn(sources, targets)[1], labels2)
    restored = T5Preprocessor.from_config(t5.get_config())
    np.testing.assert_array_equal(restored(sources)["encoder_token_ids"], x2["encoder_token_ids"])
