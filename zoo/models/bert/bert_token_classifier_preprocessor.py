"""BERT preprocessing for token classification: words in; BERT inputs, word of each first sub-word, labels out."""

import tensorflow as tf

from zoo.models.bert.word_pieces import char_offsets, piece_words, split_words, word_pieces
from zoo.models.preprocessor import Preprocessor
from zoo.models.token_classifier import IGNORE_LABEL
from zoo.tokenizers.wordpiece import WordPieceTokenizer


class BertTokenClassifierPreprocessor(Preprocessor):
    """Packs words as `[CLS] pieces... [SEP]` and records which word each first sub-word starts, inside the graph.

    A word's label goes to its first sub-word; its other sub-words, `[CLS]`, `[SEP]` and padding get
    `IGNORE_LABEL` (no loss, no metric) and `word_ids` -1. A word is predicted from its first sub-word.
    Training feeds the words of the data (CoNLL tokens); serving cuts raw text into words with `split` (BERT's
    pre-tokenization: whitespace and punctuation) and runs the same `call`. Sub-words beyond
    `sequence_length - 2` are dropped (`truncated` is then True); their words get no prediction.

    Args:
        tokenizer: a `zoo.tokenizers.WordPieceTokenizer`.
        sequence_length: int, the packed length.

    Call arguments:
        words: `tf.string` ragged `(batch, words)`.
        tags: optional int ragged `(batch, words)` of tag ids (adds `labels`).

    Returns:
        dict of `(batch, sequence_length)` tensors: `token_ids`, `padding_mask` (bool), `segment_ids`,
        `word_ids` (int32, -1 where no word starts), `labels` (int32, with `tags`); and `truncated` (bool
        `(batch,)`).

    Example:
    ```python
    preprocessor = BertTokenClassifierPreprocessor(tokenizer, sequence_length=16)
    words, starts, ends = preprocessor.split(tf.constant(["Ada Lovelace was born in London."]))
    preprocessor(words)["word_ids"]  # [[-1, 0, 1, -1, 2, 3, 4, 5, 6, -1, ...]] ("lovelace" has 2 pieces)
    ```
    """

    tokenizer_class = WordPieceTokenizer

    def __init__(self, tokenizer, sequence_length=128, **kwargs):
        super().__init__(tokenizer, **kwargs)
        if sequence_length < 3:
            raise ValueError(f"sequence_length must be at least 3 ([CLS] x [SEP]), got {sequence_length}")
        self.sequence_length = sequence_length

    def split(self, text):
        """`(batch,)` raw strings -> `(words, starts, ends)`: ragged words and their character offsets."""
        words, starts, ends = split_words(text)
        return words, char_offsets(text, starts), char_offsets(text, ends)

    def call(self, words, tags=None):
        return self.pack(word_pieces(self.tokenizer, words), tags)

    def pack(self, pieces, tags=None):
        """The packing half of `call`, from int ragged `(batch, words, pieces)` ids."""
        pieces = tf.cast(pieces, tf.int32)
        word, first = piece_words(pieces)  # (batch, pieces) each
        ids = pieces.merge_dims(1, 2)
        keep = self.sequence_length - 2
        rows = ids.nrows()

        def pack_row(values, start, end, pad):
            column = tf.fill(tf.stack([rows, 1]), tf.constant(start, values.dtype))
            tail = tf.fill(tf.stack([rows, 1]), tf.constant(end, values.dtype))
            packed = tf.concat([column, values[:, :keep], tail], axis=1)
            return packed.to_tensor(default_value=pad, shape=[None, self.sequence_length])

        outputs = {
            "token_ids": pack_row(ids, self.tokenizer.cls_token_id, self.tokenizer.sep_token_id,
                                  self.tokenizer.pad_token_id),
            "padding_mask": tf.sequence_mask(tf.minimum(ids.row_lengths(), keep) + 2, self.sequence_length),
            "segment_ids": tf.zeros(tf.stack([rows, self.sequence_length]), tf.int32),
            "word_ids": pack_row(tf.where(first, word, -1), -1, -1, -1),
            "truncated": ids.row_lengths() > keep,
        }
        if tags is not None:
            tags = tf.cast(tags, tf.int32)
            word_tags = tf.gather(tags.flat_values, tf.cast(word.flat_values, tf.int64) + tf.gather(
                tags.row_starts(), word.value_rowids()))
            labels = word.with_flat_values(tf.where(first.flat_values, word_tags, IGNORE_LABEL))
            outputs["labels"] = pack_row(labels, IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL)
        return outputs

    def get_config(self):
        config = super().get_config()
        config["sequence_length"] = self.sequence_length
        return config
