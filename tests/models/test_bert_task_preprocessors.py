"""Word/sub-word alignment and QA windows: the in-graph preprocessing that training and the exports share."""

import numpy as np
import tensorflow as tf

import zoo  # noqa: F401
from zoo.models.bert.bert_span_extractor_preprocessor import BertSpanExtractorPreprocessor
from zoo.models.bert.bert_token_classifier_preprocessor import BertTokenClassifierPreprocessor
from zoo.models.bert.word_pieces import char_offsets, split_words, word_pieces
from zoo.models.token_classifier import IGNORE_LABEL
from zoo.tokenizers import WordPieceTokenizer, train_wordpiece

TEXTS = ["Paris, 1887. Café  naïve — 東京 ok", "", "  lone\x00word  ", "U.S. officials' (Reuters) $5.00",
         "Ünïcödé ΣΑΣ straße\tTAB\nline"]


def tokenizer(lowercase=True):
    return WordPieceTokenizer(train_wordpiece(TEXTS * 3, vocabulary_size=70, lowercase=lowercase), lowercase=lowercase)


def test_words_keep_their_character_offsets_and_pieces_equal_whole_text_tokenization():
    text = tf.constant(TEXTS)
    words, starts, ends = split_words(text)
    starts, ends = char_offsets(text, starts).to_list(), char_offsets(text, ends).to_list()
    for row, source in enumerate(TEXTS):
        for word, start, end in zip(words[row].numpy(), starts[row], ends[row]):
            assert source[start:end].replace("\x00", "\x01") == word.decode()
    for lowercase in (True, False):
        wordpiece = tokenizer(lowercase)
        assert word_pieces(wordpiece, words).merge_dims(1, 2).to_list() == wordpiece(text).to_list()


def test_first_sub_word_carries_the_word_label():
    wordpiece = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "ada", "love", "##lace", "was"])
    preprocessor = BertTokenClassifierPreprocessor(wordpiece, sequence_length=6)
    words = tf.ragged.constant([["Ada", "Lovelace", "was"], ["was", "was", "was", "was", "was"]])
    features = preprocessor(words, tf.ragged.constant([[1, 2, 0], [0, 3, 0, 0, 4]]))
    np.testing.assert_array_equal(features["token_ids"][0], [2, 5, 6, 7, 8, 3])
    np.testing.assert_array_equal(features["word_ids"][0], [-1, 0, 1, -1, 2, -1])  # "##lace": no word of its own
    np.testing.assert_array_equal(features["labels"][0], [IGNORE_LABEL, 1, 2, IGNORE_LABEL, 0, IGNORE_LABEL])
    np.testing.assert_array_equal(features["labels"][1], [IGNORE_LABEL, 0, 3, 0, 0, IGNORE_LABEL])  # 4 cut off
    assert features["truncated"].numpy().tolist() == [False, True]
    assert features["padding_mask"].numpy().sum(1).tolist() == [6, 6]


def test_windows_cover_the_context_and_label_the_answer_where_it_is_whole():
    context = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19"
    wordpiece = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "q"] +
                                   [f"w{index}" for index in range(20)])
    preprocessor = BertSpanExtractorPreprocessor(wordpiece, sequence_length=12, doc_stride=3, max_question_length=2)
    answer = "w12 w13"
    start = context.index(answer)
    windows = preprocessor(tf.constant(["q"]), tf.constant([context]), tf.constant([start]),
                           tf.constant([start + len(answer)]))
    covered = set()
    for row in range(len(windows["example"])):
        ids = windows["token_ids"][row].numpy()
        assert ids[0] == 2 and ids[1] == 5 and ids[2] == 3  # [CLS] q [SEP]
        offsets = windows["token_starts"][row].numpy()
        covered |= {context[o:].split(" ")[0] for o in offsets if o >= 0}
        first, last = windows["start_positions"][row].numpy(), windows["end_positions"][row].numpy()
        if first:
            assert context[offsets[first]:windows["token_ends"][row].numpy()[last]] == answer
    assert covered == set(context.split(" "))  # every word in some window
    room = 12 - 3 - 1
    assert len(windows["example"]) == 1 + -(-(20 - room) // (room - 3))  # windows overlap by doc_stride tokens
    assert sum(windows["start_positions"].numpy() > 0) >= 1
