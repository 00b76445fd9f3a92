"""`special_tokens_in_text`: one rule for the three tokenizers (see `zoo.tokenizers.Tokenizer`)."""

import pytest
import tensorflow as tf

from tests.tokenizers.references import FIXTURES, SPECIAL, fixture_tokenizer
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer


def ids(tokenizer, text):
    return tokenizer(tf.constant(text)).numpy().tolist()


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_parsed_special_token_splits_the_text_into_texts_of_their_own(kind):
    tokenizer = fixture_tokenizer(kind)
    special = SPECIAL[kind]
    special_id = tokenizer.token_to_id(special)
    for left, right in [("hello", "world"), ("hello ", " world"), ("", ""), ("a", ""), ("  ", "the")]:
        got = ids(tokenizer, left + special + right)
        assert got == ids(tokenizer, left) + [special_id] + ids(tokenizer, right), (left, right)
    assert ids(tokenizer, special * 3) == [special_id] * 3


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_plain_text_special_token_is_ordinary_text(kind):
    plain = fixture_tokenizer(kind, special_tokens_in_text=False)
    special = SPECIAL[kind]
    got = ids(plain, "hello " + special + " world")
    assert plain.token_to_id(special) not in got and len(got) > 3
    assert plain.get_config()["special_tokens_in_text"] is False


def test_plain_text_special_tokens_are_split_like_other_text():
    # Words are tokenized independently, so the pieces of the special token's text can be checked one by one.
    wordpiece = fixture_tokenizer("wordpiece", special_tokens_in_text=False)
    want = [i for word in ["hello", "[", "SEP", "]", "world"] for i in ids(wordpiece, word)]
    assert ids(wordpiece, "hello [SEP] world") == want
    byte_pair = fixture_tokenizer("byte_pair", special_tokens_in_text=False)
    want = [i for word in ["hello", " <|", "endoftext", "|>", " world"] for i in ids(byte_pair, word)]
    assert ids(byte_pair, "hello <|endoftext|> world") == want


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_option_round_trips_and_is_checked(kind):
    for value in (True, False):
        tokenizer = fixture_tokenizer(kind, special_tokens_in_text=value)
        restored = type(tokenizer).from_config(tokenizer.get_config())
        assert restored.special_tokens_in_text is value
        text = "a" + SPECIAL[kind] + "b"
        assert ids(restored, text) == ids(tokenizer, text)
    with pytest.raises(ValueError, match="special_tokens_in_text"):
        fixture_tokenizer(kind, special_tokens_in_text="yes")


def test_wordpiece_parses_its_five_special_tokens_case_sensitively():
    tokenizer = fixture_tokenizer("wordpiece")
    text = "[CLS] a [SEP] b [MASK] c [PAD][UNK]"
    want = [tokenizer.cls_token_id, *ids(tokenizer, "a"), tokenizer.sep_token_id, *ids(tokenizer, "b"),
            tokenizer.mask_token_id, *ids(tokenizer, "c"), tokenizer.pad_token_id, tokenizer.unk_token_id]
    assert ids(tokenizer, text) == want
    lowercase = WordPieceTokenizer(str(FIXTURES / "cased_vocab.txt"), lowercase=True)
    assert lowercase.sep_token_id in ids(lowercase, "[SEP]") and lowercase.sep_token_id not in ids(lowercase, "[sep]")


def test_longest_special_token_wins_where_two_start_together():
    vocabulary = {"<|end|>": 300, "<|endoftext|>": 301}
    base = fixture_tokenizer("byte_pair")
    vocabulary.update(base.vocabulary)
    tokenizer = BytePairTokenizer(vocabulary, [m for _, m in base.merges], special_tokens=["<|end|>", "<|endoftext|>"])
    assert ids(tokenizer, "<|endoftext|><|end|>") == [vocabulary["<|endoftext|>"], vocabulary["<|end|>"]]


def test_sentencepiece_sentinels_are_t5s():
    tokenizer = SentencePieceTokenizer(str(FIXTURES / "spm_unigram.model"), extra_ids=100)
    size = len(tokenizer.get_vocabulary()) - 100
    assert tokenizer.vocabulary_size() == size + 100
    assert tokenizer.token_to_id("<extra_id_0>") == size + 99 and tokenizer.token_to_id("<extra_id_99>") == size
    # `<extra_id_10>` is not `<extra_id_1>` followed by "0>".
    got = ids(tokenizer, "The <extra_id_10> walks in <extra_id_1> park</s>")
    assert got == (ids(tokenizer, "The") + [size + 89] + ids(tokenizer, "walks in") + [size + 98]
                   + ids(tokenizer, "park") + [tokenizer.eos_token_id])
    text = tokenizer.detokenize(tf.constant(got)).numpy().decode()
    assert text == "The<extra_id_10>walks in<extra_id_1>park"
    assert ids(tokenizer, text) == got[:-1]
    batch = tokenizer.detokenize(tf.ragged.constant([got, [], [size + 99], ids(tokenizer, "park")]))
    assert batch.numpy().tolist() == [text.encode(), b"", b"<extra_id_0>", b"park"]
    restored = SentencePieceTokenizer.from_config(tokenizer.get_config())
    assert restored.extra_ids == 100 and ids(restored, "<extra_id_0>") == [size + 99]
    with pytest.raises(ValueError, match="extra_ids"):
        SentencePieceTokenizer(str(FIXTURES / "spm_unigram.model"), extra_ids=-1)


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_detokenize_drops_ids_outside_the_vocabulary(kind):
    tokenizer = fixture_tokenizer(kind)
    word = ids(tokenizer, "hello")
    outside = [-1, tokenizer.vocabulary_size(), tokenizer.vocabulary_size() + 27]
    want = tokenizer.detokenize(tf.constant(word)).numpy()
    assert tokenizer.detokenize(tf.constant(word + outside)).numpy() == want
    assert tokenizer.detokenize(tf.ragged.constant([outside + word, []])).numpy().tolist() == [want, b""]
