"""Words with character offsets, and the WordPiece pieces of each word, in the TensorFlow graph.

Token classification and span extraction need to know which word (and which characters of the original text)
every sub-word comes from. `split_words` cuts raw text where BERT's pre-tokenization does (whitespace dropped;
each punctuation mark and CJK ideograph a word of its own), keeping the offsets; `word_pieces` then tokenizes
each word on its own, which gives the same pieces as tokenizing the whole text. `char_offsets` turns the byte
offsets of TF Text into character offsets (what Python's `str` indexing and SQuAD's `answer_start` use).

Example:
```python
words, starts, ends = split_words(tf.constant(["Paris, 1887."]))  # [[b"Paris", b",", b"1887", b"."]]
char_offsets(text, starts)                                         # [[0, 5, 7, 11]]
word_pieces(tokenizer, words)                                      # (batch, words, pieces) ids
```
"""

import tensorflow as tf
import tensorflow_text as tf_text

from zoo.tokenizers._common import sanitize_utf8
from zoo.tokenizers.wordpiece import _CJK_REGEX, _PUNCTUATION_REGEX, _WHITESPACE_REGEX

_KEEP = f"{_PUNCTUATION_REGEX}|{_CJK_REGEX}"
_DELIMITERS = f"{_WHITESPACE_REGEX}|{_KEEP}"


def clean_text(text):
    """Valid UTF-8 (each invalid byte sequence becomes U+FFFD, as the tokenizers do), without NUL bytes (each
    becomes \\x01, which BERT drops as well; TF Text's splitter would stop at a NUL). The offsets of
    `split_words` refer to this text, which is the input itself whenever it was valid UTF-8 without NUL."""
    text = sanitize_utf8(tf.convert_to_tensor(text, tf.string))
    return tf.strings.regex_replace(text, "\x00", "\x01")


def split_words(text):
    """`(batch,)` strings -> `(words, starts, ends)`, each ragged `(batch, None)`: the words and their int64 byte
    offsets in `clean_text(text)`."""
    return tf_text.regex_split_with_offsets(clean_text(text), _DELIMITERS, _KEEP)


def word_pieces(tokenizer, words):
    """Ragged `(batch, words)` strings -> int32 ragged `(batch, words, pieces)`: each word tokenized on its own
    (a word that normalises to nothing has no pieces)."""
    return words.with_flat_values(tokenizer(words.flat_values))


def char_offsets(text, byte_offsets):
    """Byte offsets (ragged `(batch, None)`, at character boundaries of `clean_text(text)`) -> int32 character
    offsets of the same shape."""
    _, starts = tf.strings.unicode_decode_with_offsets(clean_text(text), "UTF-8")  # (batch, chars) byte starts
    starts = starts.to_tensor(default_value=tf.int64.max)
    starts = tf.concat([starts, tf.fill([tf.shape(starts)[0], 1], tf.int64.max)], axis=1)  # never empty
    values = tf.cast(byte_offsets, tf.int64).to_tensor(default_value=0)
    values = tf.concat([values, tf.zeros([tf.shape(values)[0], 1], tf.int64)], axis=1)  # (an empty batch too)
    characters = tf.searchsorted(starts, values, side="left", out_type=tf.int32)  # characters before the offset
    return tf.RaggedTensor.from_tensor(characters[:, :-1], lengths=byte_offsets.row_lengths())


def piece_words(pieces):
    """For ragged `(batch, words, pieces)`: `(word, is_first)`, ragged `(batch, pieces)`, the index of each
    piece's word in its row and whether the piece is its word's first."""
    word_rows = pieces.values  # (total words, pieces)
    global_word = word_rows.value_rowids()  # (total pieces,)
    row_of_word = pieces.value_rowids()  # (total words,)
    local_word = global_word - tf.gather(pieces.row_starts(), tf.gather(row_of_word, global_word))
    position = tf.range(tf.shape(global_word, out_type=tf.int64)[0]) - tf.gather(word_rows.row_starts(), global_word)
    flat = pieces.merge_dims(1, 2)
    return flat.with_flat_values(tf.cast(local_word, tf.int32)), flat.with_flat_values(position == 0)
