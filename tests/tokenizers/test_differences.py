"""The documented differences from the references (README, "Tokenizers"), one test each: each example still
differs exactly as documented. The property tests exclude only these; `test_the_documented_code_points_are_
exactly_the_differing_ones` re-scans code points so that a new difference, or one that went away, fails."""

import sentencepiece
import tensorflow as tf
from sentencepiece import sentencepiece_model_pb2 as model_pb2

from tests.tokenizers.references import bert_words, gpt2_words, scan_unicode_differences
from zoo.tokenizers import SentencePieceTokenizer, WordPieceTokenizer, bert_pretokenize, gpt2_pretokenize
from zoo.tokenizers.byte_pair import bytes_to_unicode
from zoo.tokenizers.wordpiece import _FUSED_UNSAFE_REGEX, _normalize


def ours_bert(text, lowercase):
    return [w.decode("utf-8") for w in bert_pretokenize(tf.constant([text]), lowercase=lowercase).to_list()[0]]


def ours_gpt2(text):
    symbol = bytes_to_unicode()
    return ["".join(symbol[b] for b in word) for word in gpt2_pretokenize(tf.constant([text])).to_list()[0]]


def test_byte_pair_letters_of_unicode_15_1_and_16_are_not_letters_in_re2():
    # U+2EBF0, a CJK ideograph of Extension I (Unicode 15.1): Oniguruma knows it as a letter, RE2 does not.
    text = "a\U0002EBF0b"
    assert gpt2_words([text]) == [["að®¯°b"]]
    assert ours_gpt2(text) == ["a", "ð®¯°", "b"]


def test_wordpiece_punctuation_newer_than_the_reference_tables_is_split():
    # U+2E43 DASH WITH LEFT UPTURN (Unicode 10, Po).
    assert bert_words(["a\u2e43b"], lowercase=False) == [["a\u2e43b"]]
    assert ours_bert("a\u2e43b", lowercase=False) == ["a", "\u2e43", "b"]


def test_wordpiece_format_characters_and_marks_newer_than_the_reference_tables_are_removed():
    # U+0890 ARABIC POUND MARK ABOVE (Unicode 14, Cf) is cleaned away; U+1AC0 (Unicode 14, Mn) is stripped as
    # an accent when lower-casing.
    assert bert_words(["a\u0890b"], lowercase=False) == [["a\u0890b"]]
    assert ours_bert("a\u0890b", lowercase=False) == ["ab"]
    assert bert_words(["a\u1ac0b"], lowercase=True) == [["a\u1ac0b"]]
    assert ours_bert("a\u1ac0b", lowercase=True) == ["ab"]


def test_wordpiece_capitals_newer_than_tensorflow_lower_casing_stay_capital():
    # U+A7C0 LATIN CAPITAL LETTER OLD POLISH O (Unicode 14).
    assert bert_words(["\ua7c0"], lowercase=True) == [["\ua7c1"]]
    assert ours_bert("\ua7c0", lowercase=True) == ["\ua7c0"]


def test_wordpiece_unicode_16_decompositions_apply_when_stripping_accents():
    # U+11383 TULU-TIGALARI LETTER AI (Unicode 16) decomposes canonically into U+11382 U+113C9.
    assert bert_words(["a\U00011383b"], lowercase=True) == [["a\U00011383b"]]
    assert ours_bert("a\U00011383b", lowercase=True) == ["a\U00011382\U000113c9b"]


def test_wordpiece_characters_that_left_punctuation_stay_in_the_word():
    # U+166D CANADIAN SYLLABICS CHI SIGN was punctuation (Po) before Unicode 12 and is a symbol (So) now.
    assert bert_words(["a\u166db"], lowercase=False) == [["a", "\u166d", "b"]]
    assert ours_bert("a\u166db", lowercase=False) == ["a\u166db"]


def tie_model():
    """A unigram model where `▁ ! !!!` and `▁ !!! !` have the same score, up to float32 rounding."""
    proto = model_pb2.ModelProto()
    piece = model_pb2.ModelProto.SentencePiece
    for text, score, kind in [("<pad>", 0.0, piece.CONTROL), ("</s>", 0.0, piece.CONTROL),
                              ("<unk>", 0.0, piece.UNKNOWN), ("\u2581", -3.4386084, piece.NORMAL),
                              ("!", -5.8167634, piece.NORMAL), ("!!!", -6.4539347, piece.NORMAL)]:
        proto.pieces.add(piece=text, score=score, type=kind)
    proto.trainer_spec.model_type = model_pb2.TrainerSpec.UNIGRAM
    proto.trainer_spec.pad_id, proto.trainer_spec.eos_id, proto.trainer_spec.unk_id = 0, 1, 2
    proto.trainer_spec.bos_id = -1
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = True
    return proto.SerializeToString()


def test_sentencepiece_ties_are_broken_the_other_way():
    proto = tie_model()
    library = sentencepiece.SentencePieceProcessor(model_proto=proto)
    assert library.encode("!!!!", out_type=str) == ["\u2581", "!", "!!!"]
    ours = SentencePieceTokenizer(proto)
    assert [ours.id_to_token(i) for i in ours("!!!!").numpy()] == ["\u2581", "!!!", "!"]
    assert ours.detokenize(ours("!!!!")).numpy() == library.decode(library.encode("!!!!")).encode()


def scanned_code_points(unicode_differences):
    """Every documented code point, the whole Basic Multilingual Plane and every 13th code point beyond."""
    documented = set().union(*unicode_differences.values())
    return sorted(documented | set(range(0x10000)) | set(range(0x10000, 0x110000, 13)))


def test_the_documented_code_points_are_exactly_the_differing_ones(unicode_differences):
    code_points = scanned_code_points(unicode_differences)
    found = scan_unicode_differences(code_points)
    for name, points in unicode_differences.items():
        scanned = points & set(code_points)
        assert found[name] == scanned, (
            f"{name}: new differences {sorted(hex(c) for c in found[name] - scanned)[:20]}, "
            f"gone {sorted(hex(c) for c in scanned - found[name])[:20]}; regenerate unicode_differences.json "
            "(tests/fixtures/tokenizers/make_unicode_differences.py) and update the README table"
        )


def test_fused_wordpiece_split_agrees_with_the_regular_expressions_but_where_it_is_not_used(unicode_differences):
    """WordPieceTokenizer lets FastWordpieceTokenizer split words itself except on `_FUSED_UNSAFE_REGEX`:
    elsewhere both splits give the same ids, and on those code points they differ (so the list is needed)."""
    tokenizer = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##a", "##b"],
                                   lowercase=False)
    every = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    matched = tf.strings.regex_full_match(tf.constant([chr(c).encode("utf-8") for c in every]), _FUSED_UNSAFE_REGEX)
    unsafe_points = {c for c, bad in zip(every, matched.numpy()) if bad}
    code_points = sorted(unsafe_points | set(scanned_code_points(unicode_differences)) - set(range(0xD800, 0xE000)))
    texts = _normalize(tf.constant([f"a{chr(c)}b".encode("utf-8") for c in code_points]), False, False)
    unsafe = tf.strings.regex_full_match(texts, _FUSED_UNSAFE_REGEX).numpy()
    fused = tokenizer._fused_wordpiece.tokenize(texts).to_list()
    split = tokenizer._split_tokenize(texts).to_list()
    differ = {c for c, a, b in zip(code_points, fused, split) if a != b}
    assert differ == {c for c, bad in zip(code_points, unsafe) if bad}
