"""In-graph GPT-2 byte-level BPE tokenizer with Hugging Face `GPT2TokenizerFast` parity."""

import json
import os

import tensorflow as tf

from zoo.tokenizers._common import read_lines, sanitize_utf8
from zoo.tokenizers.tokenizer import CUT, Tokenizer

# Oniguruma's Unicode `\s` (what GPT-2's pattern means by whitespace); RE2's own `\s` is ASCII-only.
_WS = r"\t-\r \x{85}\p{Z}"
# GPT-2's pre-tokenization pattern without its `\s+(?!\S)` look-ahead (RE2 has none); the look-ahead is
# emulated by first cutting every whitespace run before its last character (see `_words`).
_GPT2_SPLIT_REGEX = (
    rf"'s|'t|'re|'ve|'m|'ll|'d| ?\p{{L}}+| ?\p{{N}}+| ?[^{_WS}\p{{L}}\p{{N}}]+|[{_WS}]+"
)
_WS_RUN_BEFORE_WORD_REGEX = rf"([{_WS}]+)([{_WS}][^{_WS}])"
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


def gpt2_pretokenize(strings):
    """GPT-2's pre-tokenization in the graph: `(batch,)` strings -> `(batch, None)` words (UTF-8 bytes), as
    Hugging Face's `ByteLevel(add_prefix_space=False)` pre-tokenizer splits them (before its byte mapping)."""
    return _pretokenize(sanitize_utf8(strings))


def _pretokenize(text):
    """`gpt2_pretokenize` of valid UTF-8 text."""
    # Emulate `\s+(?!\S)`: a whitespace run followed by a word keeps its last character for the word.
    text = tf.strings.regex_replace(text, _WS_RUN_BEFORE_WORD_REGEX, b"\\1" + CUT + b"\\2")
    # Mark the end of every GPT-2 word and cut there (`tf_text.regex_split` would stop at a NUL byte).
    marked = tf.strings.regex_replace(text, f"({_GPT2_SPLIT_REGEX})", b"\\1" + CUT)
    words = tf.strings.split(marked, sep=CUT)  # (batch, words + 1): a trailing empty string
    return tf.ragged.boolean_mask(words, words != "")


class BytePairTokenizer(Tokenizer):
    """GPT-2 byte-level byte-pair-encoding tokenizer that runs inside the TensorFlow graph.

    Reproduces Hugging Face `GPT2TokenizerFast` (`add_prefix_space=False`): the text is split with GPT-2's
    regular expression, each piece's UTF-8 bytes are mapped to GPT-2's printable byte alphabet and merged
    by BPE rank. Lossless: `detokenize(tokenize(text)) == text` for any valid UTF-8 text. Any input
    tokenizes without an error (see `Tokenizer`); invalid UTF-8 becomes U+FFFD, whose bytes are encoded
    like any other text.

    Args:
        vocabulary: path to a GPT-2 `vocab.json` or a dict `token -> id`.
        merges: path to a `merges.txt` (an optional `#version` first line, then one `left right` pair a
            line, best first) or a list of such strings.
        special_tokens: the special tokens; each must be in the vocabulary. Defaults to
            `("<|endoftext|>",)`.
        eos_token: the end-of-text token (GPT-2 also uses it as BOS and padding). Defaults to
            `"<|endoftext|>"`.
        special_tokens_in_text: bool, map special tokens written in the text to their ids (`True`, the
            default, as Hugging Face does: `"<|endoftext|>"` is one id) or treat them as plain text (`False`).
            See `Tokenizer`.

    Called like every `Tokenizer` (see its "Call arguments" and "Returns").

    Example:
    ```python
    tokenizer = BytePairTokenizer("vocab.json", "merges.txt")
    ids = tokenizer(["<|endoftext|>hello world"])  # starts with tokenizer.eos_token_id
    tokenizer.detokenize(ids)  # [b"<|endoftext|>hello world"]
    ```
    """

    def __init__(self, vocabulary, merges, special_tokens=("<|endoftext|>",), eos_token="<|endoftext|>",
                 special_tokens_in_text=True, **kwargs):
        super().__init__(special_tokens_in_text=special_tokens_in_text, **kwargs)
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
        self._set_special_tokens({token: self.vocabulary[token] for token in self.special_tokens})
        # BPE runs on ids: byte -> id of its symbol; pair (left, right) -> rank -> id of the merged token.
        self._byte_ids = tf.constant([self.vocabulary[byte_table[b]] for b in range(256)], tf.int32)
        self._num_ids = self.vocabulary_size()
        ranks = {}  # a merge listed twice keeps its last rank, as in GPT-2 and Hugging Face
        for rank, (_, merge) in enumerate(self.merges):
            left, right = merge.split(" ")
            ranks[self._pair_key(self.vocabulary[left], self.vocabulary[right])] = rank
        self._merge_ranks = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(list(ranks) or [-1], tf.int64), tf.constant(list(ranks.values()) or [_NO_MERGE], tf.int32)
            ),
            default_value=_NO_MERGE,
        )
        self._merged_ids = tf.constant(
            [self.vocabulary[merge.replace(" ", "")] for _, merge in self.merges] or [0], tf.int32
        )
        # Each id's bytes, decoded as Hugging Face's ByteLevel decoder does: a token made of byte symbols
        # gives those bytes, any other token (e.g. a special token such as `<|endoftext|>`) its own UTF-8.
        symbol_to_byte = {symbol: byte for byte, symbol in byte_table.items()}

        def token_bytes(token):
            if all(c in symbol_to_byte for c in token):
                return bytes(symbol_to_byte[c] for c in token)
            return token.encode("utf-8")

        self._id_to_bytes = tf.constant([
            token_bytes(self._id_to_token.get(i, "")) for i in range(self.vocabulary_size())
        ])
        # Words that are a token of their own are looked up instead of merged (most words of real text). BPE
        # does not give every token back from its bytes, so it is run once here on all of them to know which.
        tokens = {bytes(symbol_to_byte[c] for c in token): index for token, index in self.vocabulary.items()
                  if token not in self.special_tokens and all(c in symbol_to_byte for c in token)}
        words = list(tokens)
        merged = self._bpe(tf.constant(words, tf.string)).to_list()
        found = [w for w, ids in zip(words, merged) if ids == [tokens[w]]]
        self._whole_words = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(found, tf.string), tf.constant([tokens[w] for w in found], tf.int32)
            ),
            default_value=-1,
        )

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

    def _pair_key(self, left, right):
        return left * self._num_ids + right

    def _bpe(self, words):
        """(words,) strings -> (words, None) int32 ids: byte symbols, merged by rank like GPT-2's `bpe()`.

        Each step merges, in every word, all left-to-right occurrences of the word's best-ranked pair (what
        GPT-2 and Hugging Face do, one pair at a time), so a run of one letter takes log steps, not one a
        letter.
        """
        symbols = tf.strings.bytes_split(words)  # (words, bytes)
        byte_values = tf.reshape(tf.io.decode_raw(symbols.flat_values, tf.uint8), [-1])  # (symbols,)
        flat = tf.gather(self._byte_ids, tf.cast(byte_values, tf.int32))
        lengths = symbols.row_lengths()

        def merge_once(flat, lengths, _):
            num_rows = tf.shape(lengths, out_type=tf.int64)[0]
            size = tf.shape(flat, out_type=tf.int64)[0]
            splits = tf.concat([[0], tf.cumsum(lengths)], axis=0)
            # The word of each symbol (not `tf.repeat`, which builds a (words, longest word) mask).
            row_ids = tf.searchsorted(splits, tf.range(size), side="right") - 1  # (symbols,)
            num_pairs = tf.maximum(size - 1, 0)  # no words at all: no pairs (and no merges)
            pair_rows = row_ids[:num_pairs]
            # A pair (i, i + 1) exists when i is not the last symbol of its word.
            has_pair = tf.range(1, num_pairs + 1) < tf.gather(splits, pair_rows + 1)
            keys = self._pair_key(tf.cast(flat[:-1], tf.int64), tf.cast(flat[1:], tf.int64))
            ranks = tf.where(has_pair, self._merge_ranks.lookup(keys), _NO_MERGE)  # (pairs,)
            best = tf.math.unsorted_segment_min(ranks, pair_rows, num_rows)  # (words,)
            is_best = (ranks == tf.gather(best, pair_rows)) & (ranks < _NO_MERGE)
            # Occurrences of one pair overlap only in runs like `a a a`: take every other one from the left.
            starts_run = is_best & ~tf.concat([[False], is_best[:-1]], axis=0)
            run = tf.cumsum(tf.cast(starts_run, tf.int64))  # 1-based run of each candidate pair
            run_start = tf.gather(tf.concat([[0], tf.boolean_mask(tf.range(num_pairs), starts_run)], 0), run)
            merge = is_best & ((tf.range(num_pairs) - run_start) % 2 == 0)
            at = tf.where(merge)[:, 0]
            flat = tf.tensor_scatter_nd_update(
                flat, at[:, None], tf.gather(self._merged_ids, tf.gather(ranks, at))
            )
            keep = tf.tensor_scatter_nd_update(tf.ones([size], tf.bool), (at + 1)[:, None], tf.zeros_like(at, tf.bool))
            flat = tf.boolean_mask(flat, keep)
            merged = tf.math.unsorted_segment_sum(tf.cast(merge, tf.int64), pair_rows, num_rows)
            return flat, lengths - merged, tf.reduce_any(merge)

        flat, lengths, _ = tf.while_loop(
            lambda flat, lengths, again: again,
            merge_once,
            (flat, lengths, tf.constant(True)),
            shape_invariants=(tf.TensorShape([None]), tf.TensorShape([None]), tf.TensorShape([])),
        )
        return tf.RaggedTensor.from_row_lengths(flat, lengths)

    def _tokenize(self, text):
        words = _pretokenize(text)  # (batch, words)
        whole = self._whole_words.lookup(words.flat_values)  # (words,) the token of a one-token word, else -1
        is_whole = whole >= 0
        merged = self._bpe(tf.where(is_whole, "", words.flat_values))  # (words, None); empty for one-token words
        single = tf.RaggedTensor.from_row_lengths(tf.boolean_mask(whole, is_whole), tf.cast(is_whole, tf.int64))
        pieces = tf.concat([merged, single], axis=1)  # (words, None)
        return words.with_flat_values(pieces).merge_dims(1, 2)  # (batch, pieces)

    def _detokenize(self, ids):
        """Special tokens give their text; invalid UTF-8 from partial tokens becomes U+FFFD."""
        return sanitize_utf8(tf.strings.reduce_join(tf.gather(self._id_to_bytes, ids), axis=-1))

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
