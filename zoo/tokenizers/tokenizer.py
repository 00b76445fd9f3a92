"""Thin base class of the in-graph tokenizers: string tensors in, int32 ids out, one rule for special tokens."""

import keras
import tensorflow as tf

from zoo.tokenizers._common import regex_escape, sanitize_utf8, to_ids_tensor, to_string_tensor

# Bytes 0xFE / 0xFF never occur in valid UTF-8, so after sanitising the input they are safe markers.
CUT = b"\xff"
_SPECIAL = b"\xfe"


class Tokenizer(keras.layers.Layer):
    """Base of the three tokenizers. Any batch of any strings tokenizes without an error: invalid UTF-8 is
    replaced by U+FFFD first, empty strings, empty batches and text without a single word give empty rows.

    Special tokens written in the text (`special_tokens_in_text`, the same rule for every tokenizer):
    - `True` (the default, as Hugging Face tokenizers do): each occurrence of one of the tokenizer's special
      tokens in the raw text (case-sensitive; the longest one wins where two start at the same place) becomes
      that token's id; the text between them is tokenized piece by piece, as if each piece were a text of its
      own. This is how a GPT prompt starts with `<|endoftext|>` or a T5 input carries `<extra_id_0>`.
    - `False`: special tokens in the text are plain text (`"[SEP]"` becomes `[`, `sep`, `]`), so text from
      untrusted users cannot inject control tokens; special ids then only come from the preprocessors.

    Subclasses call `_set_vocabulary` and `_set_special_tokens`, and implement `_tokenize` (sanitised
    `(batch,)` strings -> `(batch, None)` ragged int32 ids) and `_detokenize` (ids known to be in the
    vocabulary -> strings).

    Call arguments (every tokenizer):
        inputs: a `tf.string` scalar or rank-1 batch of strings.

    Returns:
        For a batch, an int32 `tf.RaggedTensor` of shape `(batch, None)`; for a scalar, a dense int32
        tensor of shape `(None,)`.
    """

    def __init__(self, special_tokens_in_text=True, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(dtype="int32", **kwargs)
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        if not isinstance(special_tokens_in_text, bool):
            raise ValueError(f"special_tokens_in_text must be True or False, got {special_tokens_in_text!r}")
        self.special_tokens_in_text = special_tokens_in_text

    def _set_vocabulary(self, id_to_token):
        """`id_to_token`: a list (ids 0..n-1) or a dict id -> token; a duplicated token keeps its first id."""
        items = enumerate(id_to_token) if isinstance(id_to_token, list) else sorted(id_to_token.items())
        self._id_to_token = dict(items)
        self._token_to_id = {}
        for index, token in self._id_to_token.items():
            self._token_to_id.setdefault(token, index)

    def _set_special_tokens(self, token_to_id):
        """The tokens `special_tokens_in_text=True` finds in the text: a dict token -> id."""
        self.special_token_to_id = {token: index for token, index in token_to_id.items() if token}
        tokens = sorted(self.special_token_to_id, key=lambda token: (-len(token), token))
        # RE2 alternation is leftmost-first: longest first gives the leftmost-longest match.
        self._special_regex = "|".join(regex_escape(token) for token in tokens)
        if tokens:
            self._special_table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(
                    tf.constant(tokens), tf.constant([self.special_token_to_id[t] for t in tokens], tf.int32)
                ),
                default_value=-1,
            )

    def vocabulary_size(self):
        """Largest id + 1: the size of an embedding table for these ids."""
        return max(self._id_to_token) + 1

    def get_vocabulary(self):
        return [self._id_to_token[index] for index in sorted(self._id_to_token)]

    def token_to_id(self, token):
        if token not in self._token_to_id:
            raise KeyError(f"Token {token!r} is not in the vocabulary")
        return self._token_to_id[token]

    def id_to_token(self, id):
        if id not in self._id_to_token:
            raise IndexError(f"Id {id} is not in the vocabulary of {self.vocabulary_size()} ids")
        return self._id_to_token[id]

    def call(self, inputs):
        strings = to_string_tensor(inputs)
        scalar = strings.shape.rank == 0
        if scalar:
            strings = tf.expand_dims(strings, 0)
        # No `tf.cond` on the content: inside `tf.data` its branches run as uninlined functions, which made a
        # valid-text fast path three to seven times slower than always sanitising and cutting.
        text = sanitize_utf8(strings)
        if self.special_tokens_in_text and self._special_regex:
            ids = self._tokenize_with_special_tokens(text)
        else:
            ids = self._tokenize(text)
        if scalar:
            return ids[0]
        return ids

    def _tokenize_with_special_tokens(self, text):
        """Cuts each special token out as a segment of its own (marked by a leading 0xFE byte), tokenizes the
        other segments as texts of their own, and puts the special ids in between."""
        marked = tf.strings.regex_replace(text, f"(?:{self._special_regex})", CUT + _SPECIAL + b"\\0" + CUT)
        segments = tf.strings.split(marked, sep=CUT)  # (batch, segments)
        flat = segments.flat_values
        is_special = tf.strings.substr(flat, 0, 1) == _SPECIAL
        plain_ids = self._tokenize(tf.where(is_special, "", flat))  # (segments, None); empty for specials
        special = tf.strings.substr(tf.boolean_mask(flat, is_special), 1, -1)
        special_ids = tf.RaggedTensor.from_row_lengths(
            self._special_table.lookup(special), tf.cast(is_special, tf.int64)
        )
        segment_ids = tf.concat([plain_ids, special_ids], axis=1)  # (segments, None)
        return segments.with_flat_values(segment_ids).merge_dims(1, 2)  # (batch, None)

    def detokenize(self, ids):
        """Ids (dense or ragged, rank 1 or 2) -> strings. Ids outside the vocabulary (e.g. the padding rows
        of an embedding table larger than the vocabulary) give no text."""
        ids = to_ids_tensor(ids)
        if isinstance(ids, tf.RaggedTensor) or ids.shape.rank == 2:
            ragged = ids if isinstance(ids, tf.RaggedTensor) else tf.RaggedTensor.from_tensor(ids)
            known = tf.ragged.boolean_mask(ragged, (ragged >= 0) & (ragged < self.vocabulary_size()))
            return self._detokenize(known)
        known = tf.boolean_mask(ids, (ids >= 0) & (ids < self.vocabulary_size()))
        return self._detokenize(known)

    def compute_output_spec(self, inputs):
        rank = len(inputs.shape)
        return keras.KerasTensor(tuple(inputs.shape) + (None,), dtype="int32", ragged=rank > 0)

    def get_config(self):
        config = super().get_config()
        config.pop("dtype", None)
        config["special_tokens_in_text"] = self.special_tokens_in_text
        return config
