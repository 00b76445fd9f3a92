"""Pretraining examples from tokenized documents: packed rows (causal LM, span corruption) and BERT sentence
pairs for next-sentence prediction.

Documents are what `zoo.data.read_documents` returns, tokenized sentence by sentence with
`tokenize_documents`: a list of documents, each a list of sentences, each a list of token ids.

Example:
```python
documents = tokenize_documents(read_documents("corpus.txt"), tokenizer)
rows = pack_documents(documents, length=128, separator_id=tokenizer.eos_token_id)   # (rows, 128)
pairs = sentence_pairs(documents, max_tokens=125, seed=0)                        # for [CLS] a [SEP] b [SEP]
features = pack_sentence_pairs(pairs, 128, cls_id=2, sep_id=3, pad_id=0)
```
"""

import numpy as np
import tensorflow as tf


def tokenize_documents(documents, tokenizer, batch_size=1024):
    """Token ids of every sentence: `[[ids of sentence, ...] per document]`, with a tokenizer mapping a batch of
    strings to ragged ids (any zoo tokenizer). Sentences are tokenized in batches of `batch_size`."""
    sentences = [sentence for document in documents for sentence in document]
    ids = []
    for start in range(0, len(sentences), batch_size):
        ragged = tokenizer(tf.constant(sentences[start : start + batch_size]))
        ids.extend(np.asarray(row, np.int32) for row in ragged.numpy())
    tokenized, position = [], 0
    for document in documents:
        tokenized.append(ids[position : position + len(document)])
        position += len(document)
    return tokenized


def pack_documents(documents, length, separator_id=None):
    """Concatenates all documents (each followed by `separator_id` when given) and cuts the stream into rows of
    `length` tokens; the last, partial row is dropped.

    Returns:
        int32 array `(rows, length)`.

    Raises:
        ValueError: when the text does not fill a single row.
    """
    if length < 1:
        raise ValueError(f"length must be positive, got {length}")
    pieces = []
    for document in documents:
        pieces.extend(document)
        if separator_id is not None:
            pieces.append(np.asarray([separator_id], np.int32))
    stream = np.concatenate(pieces).astype(np.int32) if pieces else np.zeros([0], np.int32)
    rows = len(stream) // length
    if rows == 0:
        raise ValueError(f"the text has {len(stream)} tokens, too few for one row of {length}; give more text or "
                         "a shorter max_sequence_length")
    return stream[: rows * length].reshape(rows, length)


def _truncate_pair(a, b, max_tokens, rng):
    """Drops tokens from the longer segment, at its front or back at random, until the pair fits (BERT)."""
    a, b = list(a), list(b)
    while len(a) + len(b) > max_tokens:
        longer = a if len(a) > len(b) else b
        if rng.random() < 0.5:
            del longer[0]
        else:
            longer.pop()
    return a, b


def _random_document(num_documents, exclude, rng):
    index = int(rng.integers(num_documents - 1))
    return index + 1 if index >= exclude else index


def sentence_pairs(documents, max_tokens, seed=0, short_sequence_rate=0.1):
    """BERT's next-sentence-prediction pairs (`create_pretraining_data.py`), one pass over the documents.

    Consecutive sentences of a document are gathered until they reach a target of `max_tokens` tokens (a
    random shorter target with probability `short_sequence_rate`) and split at a random sentence boundary into
    `a` and `b`. Half the time (and always when the chunk has one sentence) `b` is replaced by sentences from
    another, random document: `is_random_next = 1`; the sentences it displaced start the next chunk. The pair is
    cut to `max_tokens` by `_truncate_pair`.

    Args:
        documents: see the module docstring; at least two documents.
        max_tokens: tokens of `a` and `b` together (the sequence length minus 3 special tokens).
        seed: the NumPy generator seed.

    Returns:
        A list of `(a, b, is_random_next)`: two non-empty lists of ids and 0 or 1.
    """
    documents = [[list(sentence) for sentence in document if len(sentence)] for document in documents]
    documents = [document for document in documents if document]
    if len(documents) < 2:
        raise ValueError(f"next-sentence prediction needs at least two non-empty documents, got {len(documents)}")
    if max_tokens < 2:
        raise ValueError(f"max_tokens must be at least 2 (one token per segment), got {max_tokens}")
    rng = np.random.default_rng(seed)
    pairs = []
    for index, document in enumerate(documents):
        target = int(rng.integers(2, max_tokens + 1)) if rng.random() < short_sequence_rate else max_tokens
        chunk, chunk_tokens, position = [], 0, 0
        while position < len(document):
            chunk.append(document[position])
            chunk_tokens += len(document[position])
            position += 1
            if position < len(document) and chunk_tokens < target:
                continue
            split = int(rng.integers(1, len(chunk))) if len(chunk) >= 2 else 1
            a = [token for sentence in chunk[:split] for token in sentence]
            if len(chunk) == 1 or rng.random() < 0.5:
                is_random_next = 1
                other = documents[_random_document(len(documents), index, rng)]
                start = int(rng.integers(len(other)))
                b = []
                for sentence in other[start:]:
                    b.extend(sentence)
                    if len(b) >= target - len(a):
                        break
                position -= len(chunk) - split  # the sentences not used go back into the document
            else:
                is_random_next = 0
                b = [token for sentence in chunk[split:] for token in sentence]
            a, b = _truncate_pair(a, b, max_tokens, rng)
            if a and b:
                pairs.append((a, b, is_random_next))
            chunk, chunk_tokens = [], 0
            target = int(rng.integers(2, max_tokens + 1)) if rng.random() < short_sequence_rate else max_tokens
    return pairs


def pack_sentence_pairs(pairs, sequence_length, cls_id, sep_id, pad_id=0):
    """`[CLS] a [SEP] b [SEP]` rows, right-padded: NumPy `token_ids`, `segment_ids` (0 for `[CLS] a [SEP]`, 1 for
    `b [SEP]`), `padding_mask` and `next_sentence_labels` (the pairs' `is_random_next`). Pairs must fit
    (`len(a) + len(b) <= sequence_length - 3`)."""
    rows = len(pairs)
    token_ids = np.full([rows, sequence_length], pad_id, np.int32)
    segment_ids = np.zeros([rows, sequence_length], np.int32)
    padding_mask = np.zeros([rows, sequence_length], bool)
    labels = np.zeros([rows], np.int32)
    for row, (a, b, is_random_next) in enumerate(pairs):
        ids = [cls_id, *a, sep_id, *b, sep_id]
        if len(ids) > sequence_length:
            raise ValueError(f"pair {row} has {len(ids)} tokens with its special tokens, more than {sequence_length}")
        token_ids[row, : len(ids)] = ids
        segment_ids[row, len(a) + 2 : len(ids)] = 1
        padding_mask[row, : len(ids)] = True
        labels[row] = is_random_next
    return {"token_ids": token_ids, "segment_ids": segment_ids, "padding_mask": padding_mask,
            "next_sentence_labels": labels}
