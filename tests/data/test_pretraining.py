import numpy as np
import pytest
import tensorflow as tf

from zoo.data.pretraining import pack_documents, pack_sentence_pairs, sentence_pairs, tokenize_documents


def numbered_documents(num_documents=40, seed=0):
    """Documents whose sentences hold consecutive ids, unique over the corpus: a token tells where it came from."""
    rng = np.random.default_rng(seed)
    documents, next_id = [], 10
    for _ in range(num_documents):
        document = []
        for _ in range(int(rng.integers(1, 9))):
            length = int(rng.integers(1, 15))
            document.append(np.arange(next_id, next_id + length, dtype=np.int32))
            next_id += length
        documents.append(document)
    return documents


def test_tokenize_documents_keeps_the_document_structure():
    class Splitter:
        def __call__(self, strings):
            return tf.strings.to_number(tf.strings.split(strings), tf.int32)

    documents = [["1 2 3", "4"], ["5 6"], ["7", "8 9", "10"]]
    tokenized = tokenize_documents(documents, Splitter(), batch_size=2)
    assert [[row.tolist() for row in document] for document in tokenized] == [
        [[1, 2, 3], [4]], [[5, 6]], [[7], [8, 9], [10]]]


def test_pack_documents_concatenates_with_separators_and_drops_the_tail():
    documents = [[np.array([5, 6]), np.array([7])], [np.array([8, 9, 10])]]
    np.testing.assert_array_equal(pack_documents(documents, 3, separator_id=1), [[5, 6, 7], [1, 8, 9]])
    np.testing.assert_array_equal(pack_documents(documents, 2), [[5, 6], [7, 8], [9, 10]])
    with pytest.raises(ValueError, match="the text has 6 tokens, too few for one row of 7"):
        pack_documents(documents, 7)


def test_sentence_pairs_follow_bert():
    documents = numbered_documents()
    pairs = sentence_pairs(documents, max_tokens=20, seed=1)
    document_of = {int(token): index for index, document in enumerate(documents) for sentence in document
                   for token in sentence}
    assert len(pairs) > 60
    for a, b, is_random_next in pairs:
        assert a and b and len(a) + len(b) <= 20
        assert np.all(np.diff(a) == 1)  # a: consecutive text of one document (truncation only cuts its ends)
        if is_random_next:
            assert document_of[b[0]] != document_of[a[0]]
        else:
            assert document_of[b[0]] == document_of[a[0]] and b[0] > a[-1]
            assert np.all(np.diff(b) == 1)
    random_share = np.mean([pair[2] for pair in pairs])
    assert 0.35 < random_share < 0.75  # half the multi-sentence chunks, and every single-sentence one
    assert sentence_pairs(documents, 20, seed=1) == pairs
    assert sentence_pairs(documents, 20, seed=2) != pairs


def test_sentence_pairs_use_every_document_sentence_once_as_a():
    documents = numbered_documents(seed=3)
    pairs = sentence_pairs(documents, max_tokens=1000, seed=0, short_sequence_rate=0.0)
    first_tokens = sorted(token for a, _, _ in pairs for token in a)
    assert len(first_tokens) == len(set(first_tokens))  # no text is used twice as segment a
    # Without truncation, every sentence is in an `a` or a true-next `b`: a random `b` puts back what it displaced.
    used = set(first_tokens) | {token for _, b, is_random_next in pairs if not is_random_next for token in b}
    assert used == {int(token) for document in documents for sentence in document for token in sentence}


def test_sentence_pairs_need_two_documents():
    with pytest.raises(ValueError, match="at least two non-empty documents, got 1"):
        sentence_pairs([[np.array([4, 5])], [np.array([], np.int32)]], max_tokens=10)


def test_pack_sentence_pairs_layout():
    features = pack_sentence_pairs([([5, 6], [7], 1), ([8], [9, 10, 11], 0)], 8, cls_id=2, sep_id=3, pad_id=0)
    np.testing.assert_array_equal(features["token_ids"], [[2, 5, 6, 3, 7, 3, 0, 0], [2, 8, 3, 9, 10, 11, 3, 0]])
    np.testing.assert_array_equal(features["segment_ids"], [[0, 0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1, 1, 0]])
    np.testing.assert_array_equal(features["padding_mask"].sum(axis=1), [6, 7])
    np.testing.assert_array_equal(features["next_sentence_labels"], [1, 0])
    with pytest.raises(ValueError, match="pair 0 has 9 tokens"):
        pack_sentence_pairs([([5, 6, 7], [8, 9, 10], 0)], 8, cls_id=2, sep_id=3)
