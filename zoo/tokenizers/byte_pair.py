"""In-graph GPT-2 byte-level BPE tokenizer with Hugging Face `GPT2TokenizerFast` parity."""

import json
import os

import tensorflow as tf

from zoo.tokenizers._common import read_lines, sanitize_utf8, to_ids_tensor, to_string_tensor
from zoo.tokenizers.tokenizer import Tokenizer

# Oniguruma's Unicode `\s` (what GPT-2's pattern means by whitespace); RE2's own `\s` is ASCII-only.
_WS = r"\t-\r \x{85}\p{Z}"
# GPT-2's pre-tokenization pattern without its `\s+(?!\S)` look-ahead (RE2 has none); the look-ahead is
# emulated by first cutting every whitespace run before its last character (see `_words`).
_GPT2_SPLIT_REGEX = (
    rf"'s|'t|'re|'ve|'m|'ll|'d| ?\p{{L}}+| ?\p{{N}}+| ?[^{_WS}\p{{L}}\p{{N}}]+|[{_WS}]+"
)
_WS_RUN_BEFORE_WORD_REGEX = rf"([{_WS}]+)([{_WS}][^{_WS}])"
# Bytes 0xFE / 0xFF never occur in valid UTF-8, so after sanitising the input they are safe markers.
_CUT = b"\xff"
_SPECIAL = b"\xfe"
_NO_MERGE = 2**31 - 1


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character table (a dict of 256 entries)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {}
    extra = 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + extra)
            extra += 1
    return table


def _escape(text):
    return "".join("\\" + c if c in r"\.^$|?*+()[]{}" else c for c in text)


class BytePairTokenizer(Tokenizer):
    """GPT-2 byte-level byte-pair-encoding tokenizer that runs inside the TensorFlow graph.

    Reproduces Hugging Face `GPT2TokenizerFast` (`add_prefix_space=False`): special tokens written in the
    text (by default `<|endoftext|>`) map to their id; the rest is split with GPT-2's regular expression,
    each piece's UTF-8 bytes are mapped to GPT-2's printable byte alphabet and merged by BPE rank.
    Invalid UTF-8 input bytes never fail the graph: each invalid sequence is replaced by U+FFFD (whose
    bytes are then encoded like any other text).

    Args:
        vocabulary: path to a GPT-2 `vocab.json` or a dict `token -> id`.
        merges: path to a `merges.txt` (an optional `#version` first line, then one `left right` pair a
            line, best first) or a list of such strings.
        special_tokens: tokens matched literally in the input before splitting; each must be in the
            vocabulary. Defaults to `("<|endoftext|>",)`.
        eos_token: the end-of-text token (GPT-2 also uses it as BOS and padding). Defaults to
            `"<|endoftext|>"`.

    Call arguments:
        inputs: a `tf.string` scalar or rank-1 batch of strings.

    Returns:
        For a batch, an int32 `tf.RaggedTensor` of shape `(batch, None)`; for a scalar, a dense int32
        tensor of shape `(None,)`.

    Example:
    ```python
    tokenizer = BytePairTokenizer("vocab.json", "merges.txt")
    ids = tokenizer(["hello world<|endoftext|>"])
    tokenizer.detokenize(ids)  # [b"hello world<|endoftext|>"]
    ```
    """

    def __init__(self, vocabulary, merges, special_tokens=("<|endoftext|>",), eos_token="<|endoftext|>", **kwargs):
        super().__init__(**kwargs)
        self.vocabulary = self._load_vocabulary(vocabulary)
        self.merges = self._load_merges(merges)
        self.special_tokens = list(special_tokens or ())
        self.eos_token = eos_token

        byte_table = bytes_to_unicode()
        missing = [symbol for symbol in byte_table.values() if symbol not in self.vocabulary]
        if missing:
            raise ValueError(
                f"BPE vocabulary is not byte-level: {len(missing)} of the 256 byte symbols are missing "
                f"(e.g. {missing[:5]!r})"
            )
        for number, merge in self.merges:
            left, right = merge.split(" ")
            for part in (left, right, left + right):
                if part not in self.vocabulary:
                    raise ValueError(f"BPE merges line {number} ({merge!r}): {part!r} is not in the vocabulary")
        for token in self.special_tokens + [eos_token]:
            if token not in self.vocabulary:
                raise ValueError(f"Special token {token!r} is not in the BPE vocabulary")
        self.eos_token_id = self.vocabulary[eos_token]
        self.special_token_ids = [self.vocabulary[token] for token in self.special_tokens]

        self._set_vocabulary({index: token for token, index in self.vocabulary.items()})
        self._byte_to_symbol = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant([bytes([b]) for b in range(256)]), tf.constant(list(byte_table.values()))
            ),
            default_value="",
        )
        self._symbol_to_byte = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(list(byte_table.values())), tf.constant([bytes([b]) for b in range(256)])
            ),
            default_value="",
        )
        self._merge_ranks = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant([merge for _, merge in self.merges] or [""]),
                tf.constant(list(range(len(self.merges))) or [_NO_MERGE], dtype=tf.int32),
            ),
            default_value=_NO_MERGE,
        )
        self._token_to_id_table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(list(self.vocabulary.keys())),
                tf.constant(list(self.vocabulary.values()), dtype=tf.int32),
            ),
            default_value=-1,
        )
        max_id = max(self.vocabulary.values())
        self._id_to_token_tensor = tf.constant([self._id_to_token.get(i, "") for i in range(max_id + 1)])
        self._special_ids_tensor = tf.constant(self.special_token_ids or [0], dtype=tf.int32)

    @staticmethod
    def _load_vocabulary(vocabulary):
        if isinstance(vocabulary, (str, os.PathLike)):
            path = os.fspath(vocabulary)
            text = "\n".join(read_lines(path, "BPE vocabulary"))
            try:
                vocabulary = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"BPE vocabulary file {path!r}, line {error.lineno}: expected a JSON object "
                    f"token -> id ({error.msg})"
                ) from None
            source = f"BPE vocabulary file {path!r}"
        else:
            source = "BPE vocabulary"
        if not isinstance(vocabulary, dict):
            raise ValueError(f"{source}: expected a JSON object / dict token -> id, got {type(vocabulary).__name__}")
        if not vocabulary:
            raise ValueError(f"{source} is empty")
        for token, index in vocabulary.items():
            if not isinstance(token, str) or not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise ValueError(f"{source}: entry {token!r}: expected a string token and a non-negative int id")
        return dict(vocabulary)

    @staticmethod
    def _load_merges(merges):
        if isinstance(merges, (str, os.PathLike)):
            source = f"BPE merges file {os.fspath(merges)!r}"
            lines = read_lines(merges, "BPE merges")
        else:
            source = "BPE merges list"
            lines = list(merges)
        result = []
        for number, line in enumerate(lines, start=1):
            if not isinstance(line, str):
                raise ValueError(f"{source}, line {number}: expected a string 'left right', got {line!r}")
            if number == 1 and line.startswith("#version"):
                continue
            if line == "":
                continue
            if len(line.split(" ")) != 2 or "" in line.split(" "):
                raise ValueError(f"{source}, line {number}: expected two symbols separated by one space, got {line!r}")
            result.append((number, line))
        return result

    def _bpe(self, words):
        """(words,) strings -> (words, None) int32 ids by byte mapping and rank-ordered merges."""
        symbols = self._byte_to_symbol.lookup(tf.strings.bytes_split(words))  # (words, bytes)
        flat, lengths = symbols.flat_values, symbols.row_lengths()

        def merge_once(flat, lengths, _):
            num_rows = tf.shape(lengths, out_type=tf.int64)[0]
            row_ids = tf.repeat(tf.range(num_rows), lengths)
            starts = tf.cumsum(lengths, exclusive=True)
            size = tf.shape(flat, out_type=tf.int64)[0]
            position = tf.range(size) - tf.gather(starts, row_ids)
            # A pair (i, i + 1) exists when i is not the last symbol of its word.
            has_pair = (position < tf.gather(lengths, row_ids) - 1)[:-1]
            ranks = self._merge_ranks.lookup(tf.strings.join([flat[:-1], flat[1:]], separator=" "))
            ranks = tf.where(has_pair, ranks, _NO_MERGE)  # (size - 1,)
            pair_rows = row_ids[:-1]
            best = tf.math.unsorted_segment_min(ranks, pair_rows, num_rows)  # (words,)
            is_best = (ranks == tf.gather(best, pair_rows)) & (ranks < _NO_MERGE)
            index = tf.range(size - 1)
            first = tf.math.unsorted_segment_min(tf.where(is_best, index, size), pair_rows, num_rows)
            merged_rows = first < size
            at = tf.boolean_mask(first, merged_rows)  # leftmost best pair of each word that merges
            joined = tf.strings.join([tf.gather(flat, at), tf.gather(flat, at + 1)])
            flat = tf.tensor_scatter_nd_update(flat, at[:, None], joined)
            keep = tf.tensor_scatter_nd_update(tf.ones([size], tf.bool), (at + 1)[:, None], tf.zeros_like(at, tf.bool))
            flat = tf.boolean_mask(flat, keep)
            lengths = lengths - tf.cast(merged_rows, tf.int64)
            return flat, lengths, tf.reduce_any(merged_rows)

        flat, lengths, _ = tf.while_loop(
            lambda flat, lengths, again: again,
            merge_once,
            (flat, lengths, tf.constant(True)),
            shape_invariants=(tf.TensorShape([None]), tf.TensorShape([None]), tf.TensorShape([])),
        )
        ids = self._token_to_id_table.lookup(flat)
        return tf.RaggedTensor.from_row_lengths(ids, lengths)

    def call(self, inputs):
        strings = to_string_tensor(inputs)
        scalar = strings.shape.rank == 0
        if scalar:
            strings = tf.expand_dims(strings, 0)
        text = sanitize_utf8(strings)
        # Cut special tokens out as their own segments, marked by a leading 0xFE byte and their index.
        order = sorted(range(len(self.special_tokens)), key=lambda k: -len(self.special_tokens[k]))
        for k in order:
            marker = _CUT + _SPECIAL + str(k).encode() + _CUT
            text = tf.strings.regex_replace(text, _escape(self.special_tokens[k]), marker.replace(b"\\", b"\\\\"))
        segments = tf.strings.split(text, sep=_CUT)  # (batch, segments)
        flat_segments = segments.flat_values
        is_special = tf.strings.substr(flat_segments, 0, 1) == _SPECIAL
        special_index = tf.strings.to_number(
            tf.strings.substr(tf.where(is_special, flat_segments, _SPECIAL + b"0"), 1, 8), out_type=tf.int32
        )
        plain = tf.where(is_special, "", flat_segments)
        # Emulate `\s+(?!\S)`: a whitespace run followed by a word keeps its last character for the word.
        plain = tf.strings.regex_replace(plain, _WS_RUN_BEFORE_WORD_REGEX, b"\\1" + _CUT + b"\\2")
        parts = tf.strings.split(plain, sep=_CUT)  # (segments, parts)
        # Mark the end of every GPT-2 word and cut there (`tf_text.regex_split` would stop at a NUL byte).
        marked = tf.strings.regex_replace(parts.flat_values, f"({_GPT2_SPLIT_REGEX})", b"\\1" + _CUT)
        words = tf.strings.split(marked, sep=_CUT)  # (parts, words + 1): a trailing empty string
        words = tf.ragged.boolean_mask(words, words != "")
        pieces = self._bpe(words.flat_values)  # (words, pieces)
        part_ids = words.with_flat_values(pieces).merge_dims(1, 2)  # (parts, pieces)
        segment_ids = parts.with_flat_values(part_ids).merge_dims(1, 2)  # (segments, pieces)
        special_ids = tf.RaggedTensor.from_row_lengths(
            tf.gather(self._special_ids_tensor, tf.boolean_mask(special_index, is_special)),
            tf.cast(is_special, tf.int64),
        )
        segment_ids = tf.concat([segment_ids, special_ids], axis=1)
        ids = segments.with_flat_values(segment_ids).merge_dims(1, 2)  # (batch, pieces)
        if scalar:
            return ids[0]
        return ids

    def detokenize(self, ids):
        """Ids (dense or ragged, rank 1 or 2) -> strings; invalid UTF-8 from partial tokens becomes U+FFFD."""
        ids = to_ids_tensor(ids)
        text = tf.strings.reduce_join(tf.gather(self._id_to_token_tensor, ids), axis=-1)
        symbols = tf.strings.unicode_split(text, "UTF-8")
        return sanitize_utf8(tf.strings.reduce_join(self._symbol_to_byte.lookup(symbols), axis=-1))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary": dict(self.vocabulary),
                "merges": [merge for _, merge in self.merges],
                "special_tokens": list(self.special_tokens),
                "eos_token": self.eos_token,
            }
        )
        return config
