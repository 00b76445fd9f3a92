"""In-graph BERT WordPiece tokenizer with Hugging Face `BertTokenizerFast` parity."""

import os

import tensorflow as tf
import tensorflow_text as tf_text

from zoo.tokenizers._common import read_lines, regex_escape, sanitize_utf8
from zoo.tokenizers.tokenizer import Tokenizer

# BERT's "clean text" step drops NUL, U+FFFD and every control / format / private-use character except
# \t \n \r (which become spaces with the other whitespace). Unassigned code points are kept, as in
# `BertTokenizerFast`: they end up in a word that has no vocabulary pieces, so the word becomes `[UNK]`.
_CONTROL_REGEX = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{FFFD}]|\p{Cf}|\p{Co}"
_WHITESPACE_REGEX = r"[\t\n\r\p{Z}]"
# ASCII symbols count as punctuation for BERT (e.g. `$`, `+`, `^`), plus all of Unicode `P*`.
_PUNCTUATION_REGEX = r"[!-/:-@\[-`{-~]|\p{P}"
_CJK_REGEX = (
    r"[\x{4E00}-\x{9FFF}\x{3400}-\x{4DBF}\x{20000}-\x{2A6DF}\x{2A700}-\x{2B73F}"
    r"\x{2B740}-\x{2B81F}\x{2B920}-\x{2CEAF}\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F}]"
)
# Words longer than this many characters become the unknown token (as in BERT / Hugging Face).
MAX_CHARS_PER_WORD = 100
# tensorflow-text's FastWordpieceTokenizer can split the words itself (whitespace, punctuation, CJK) in the
# same pass as it matches pieces, about a third faster. Its tables agree with the expressions above except
# on these code points: Google BERT's CJK range, which starts 256 code points before BertTokenizerFast's,
# and 13 punctuation marks of Unicode 16 (tests/tokenizers/test_differences.py checks this). A text holding
# one of them, or a word longer than 100 bytes, is split with the regular expressions instead.
_FUSED_UNSAFE_REGEX = (
    r"(?s).*[\x{2B820}-\x{2B91F}\x{1B4E}\x{1B4F}\x{1B7F}\x{10D6E}\x{113D4}\x{113D5}\x{113D7}\x{113D8}"
    r"\x{11BE1}\x{16D6D}-\x{16D6F}\x{1E5FF}].*"
)


def bert_pretokenize(strings, lowercase=True, strip_accents=None, split_on_cjk=True):
    """BERT normalisation and pre-tokenization in the graph: `(batch,)` strings -> `(batch, None)` words.

    Same steps and order as Hugging Face's `BertNormalizer` + `BertPreTokenizer`; `strip_accents=None`
    means "strip when lower-casing".
    """
    return _pretokenize(sanitize_utf8(strings), lowercase, strip_accents, split_on_cjk)


def _pretokenize(text, lowercase, strip_accents, split_on_cjk):
    """`bert_pretokenize` of valid UTF-8 text."""
    return _split(_normalize(text, lowercase, strip_accents), split_on_cjk)


def _normalize(text, lowercase, strip_accents):
    """BERT's cleaning, accent stripping and lower-casing (whitespace and CJK are left to `_split`)."""
    strip_accents = lowercase if strip_accents is None else strip_accents
    text = tf.strings.regex_replace(text, _CONTROL_REGEX, "")
    if strip_accents:
        text = tf_text.normalize_utf8(text, "NFD")
        text = tf.strings.regex_replace(text, r"\p{Mn}", "")
    if lowercase:
        # Character-by-character lower-casing as in Hugging Face: no final-sigma rule, so map every
        # capital sigma to "σ" before ICU's context-sensitive lower-casing sees it.
        text = tf.strings.regex_replace(text, "\u03a3", "\u03c3")
        text = tf.strings.lower(text, encoding="utf-8")
    return text


def _split(text, split_on_cjk):
    """Words of normalised text. Whitespace and CJK ideographs are split on here rather than replaced by
    spaces before normalising (as BERT does): no normalisation step makes or unmakes one, so the words are the
    same, and it saves two passes."""
    kept = f"{_PUNCTUATION_REGEX}|{_CJK_REGEX}" if split_on_cjk else _PUNCTUATION_REGEX
    return tf_text.regex_split(text, delim_regex_pattern=f"{_WHITESPACE_REGEX}|{kept}", keep_delim_regex_pattern=kept)


class WordPieceTokenizer(Tokenizer):
    """BERT WordPiece tokenizer that runs inside the TensorFlow graph.

    Reproduces Hugging Face `BertTokenizerFast` (`add_special_tokens=False`): BERT text cleaning (control
    characters dropped, whitespace normalised), spaces around CJK ideographs, optional accent stripping
    (NFD then drop `Mn` marks) and lower-casing, split on whitespace and punctuation, then greedy
    longest-match-first WordPiece with `##` continuation pieces. A word longer than 100 characters, or one
    that cannot be covered by vocabulary pieces, becomes `[UNK]`.

    Unassigned code points are kept (a word holding one has no vocabulary pieces, so it becomes `[UNK]`).
    Any input tokenizes without an error (see `Tokenizer`); invalid UTF-8 becomes U+FFFD, which BERT's
    cleaning then drops.

    Args:
        vocabulary: path to a `vocab.txt` (one token a line, line number = id) or a list of tokens.
        lowercase: bool, lower-case the text (Unicode full lower-casing). Defaults to `True`.
        strip_accents: bool or `None`; `None` strips accents exactly when `lowercase` is `True` (the
            Hugging Face default).
        split_on_cjk: bool, put each CJK ideograph in its own word. Defaults to `True`.
        suffix_indicator: prefix marking continuation pieces. Defaults to `"##"`.
        unk_token, pad_token, cls_token, sep_token, mask_token: special token strings; each must be in
            the vocabulary.
        special_tokens_in_text: bool, map these five tokens written in the text (case-sensitive, before
            lower-casing) to their ids (`True`, the default, as Hugging Face does) or treat them as plain text
            (`False`: `"[SEP]"` becomes `[`, `sep`, `]`). See `Tokenizer`.

    Called like every `Tokenizer` (see its "Call arguments" and "Returns").

    Example:
    ```python
    tokenizer = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "qu", "##ick", "."])
    tokenizer(["The quick."])  # <tf.RaggedTensor [[5, 6, 7, 8]]>
    tokenizer.detokenize([[5, 6, 7, 8]])  # [b"the quick ."]
    ```
    """

    def __init__(
        self,
        vocabulary,
        lowercase=True,
        strip_accents=None,
        split_on_cjk=True,
        suffix_indicator="##",
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        special_tokens_in_text=True,
        **kwargs,
    ):
        super().__init__(special_tokens_in_text=special_tokens_in_text, **kwargs)
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = read_lines(vocabulary, "WordPiece vocabulary")
            source = "vocabulary file"
        else:
            vocabulary = list(vocabulary)
            source = "vocabulary list"
        if not vocabulary:
            raise ValueError(f"WordPiece {source} is empty: expected one token per line/element")
        for index, token in enumerate(vocabulary):
            if not isinstance(token, str) or token == "" or token.strip() != token:
                raise ValueError(
                    f"WordPiece {source}, entry {index} (line {index + 1}): expected a non-empty token "
                    f"without surrounding whitespace, got {token!r}"
                )
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.split_on_cjk = split_on_cjk
        self.suffix_indicator = suffix_indicator
        self.unk_token = unk_token
        self.pad_token = pad_token
        self.cls_token = cls_token
        self.sep_token = sep_token
        self.mask_token = mask_token

        self._set_vocabulary(vocabulary)  # HF keeps the first id of a duplicated token, and so do we.
        for name in ("unk_token", "pad_token", "cls_token", "sep_token", "mask_token"):
            token = getattr(self, name)
            if token not in self._token_to_id:
                raise ValueError(f"{name}={token!r} is not in the WordPiece {source} ({len(vocabulary)} tokens)")
        self.unk_token_id = self._token_to_id[unk_token]
        self.pad_token_id = self._token_to_id[pad_token]
        self.cls_token_id = self._token_to_id[cls_token]
        self.sep_token_id = self._token_to_id[sep_token]
        self.mask_token_id = self._token_to_id[mask_token]
        self._set_special_tokens({
            getattr(self, name): getattr(self, name + "_id")
            for name in ("unk_token", "pad_token", "cls_token", "sep_token", "mask_token")
        })

        self._wordpiece = tf_text.FastWordpieceTokenizer(
            vocab=vocabulary,
            suffix_indicator=suffix_indicator,
            # Word length is limited in characters below; allow any UTF-8 width here.
            max_bytes_per_word=4 * MAX_CHARS_PER_WORD,
            token_out_type=tf.int32,
            unknown_token=unk_token,
            no_pretokenization=True,
        )
        self._fused_wordpiece = tf_text.FastWordpieceTokenizer(
            vocab=vocabulary,
            suffix_indicator=suffix_indicator,
            max_bytes_per_word=MAX_CHARS_PER_WORD,  # longer words take `_split_tokenize`
            token_out_type=tf.int32,
            unknown_token=unk_token,
            no_pretokenization=False,
        )
        self._vocabulary_tensor = tf.constant(vocabulary)

    def _tokenize(self, text):
        text = _normalize(text, self.lowercase, self.strip_accents)
        if not self.split_on_cjk:  # the fused split always splits CJK
            return self._split_tokenize(text)
        # Row by row, not a `tf.cond` on the whole batch (its branches run uninlined inside `tf.data`): the
        # rows the fused split would get wrong are tokenized again with the regular expressions.
        ids, fused_ok = self._fused_tokenize(text)
        keep, redo = tf.where(fused_ok)[:, 0], tf.where(~fused_ok)[:, 0]
        rows = tf.concat([tf.gather(ids, keep), self._split_tokenize(tf.gather(text, redo))], axis=0)
        return tf.gather(rows, tf.math.invert_permutation(tf.concat([keep, redo], axis=0)))

    def _split_tokenize(self, text):
        """Normalised `(batch,)` text -> `(batch, None)` ids, words split with regular expressions."""
        words = _split(text, self.split_on_cjk)  # (batch, words)
        too_long = tf.strings.length(words.flat_values, unit="UTF8_CHAR") > MAX_CHARS_PER_WORD
        flat_words = tf.where(too_long, self.unk_token, words.flat_values)
        pieces = self._wordpiece.tokenize(flat_words)  # (total_words, pieces)
        return words.with_flat_values(pieces).merge_dims(1, 2)  # (batch, pieces)

    def _fused_tokenize(self, text):
        """Normalised `(batch,)` text -> (`(batch, None)` ids split by FastWordpieceTokenizer itself, `(batch,)`
        whether each row is right: no code point its tables class otherwise, no `[UNK]` for a word over 100
        bytes)."""
        ids, starts, ends = self._fused_wordpiece.tokenize_with_offsets(text)
        long_unknown = ids.with_flat_values(
            (ids.flat_values == self.unk_token_id) & (ends.flat_values - starts.flat_values > MAX_CHARS_PER_WORD)
        )
        unsafe = tf.strings.regex_full_match(text, _FUSED_UNSAFE_REGEX)
        return ids, ~(tf.reduce_any(long_unknown, axis=1) | unsafe)

    def _detokenize(self, ids):
        """Like Hugging Face's WordPiece decoder: pieces are joined by spaces, continuation pieces are glued to
        the previous piece without their `##`, and no space is put before a piece starting with `.`, `?`, `!`
        or `,`. Special tokens are kept."""
        tokens = tf.gather(self._vocabulary_tensor, ids)
        text = tf.strings.reduce_join(tokens, axis=-1, separator=" ")
        text = tf.strings.regex_replace(text, " " + regex_escape(self.suffix_indicator), "")
        return tf.strings.regex_replace(text, r" ([.?!,])", r"\1")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary": list(self.vocabulary),
                "lowercase": self.lowercase,
                "strip_accents": self.strip_accents,
                "split_on_cjk": self.split_on_cjk,
                "suffix_indicator": self.suffix_indicator,
                "unk_token": self.unk_token,
                "pad_token": self.pad_token,
                "cls_token": self.cls_token,
                "sep_token": self.sep_token,
                "mask_token": self.mask_token,
            }
        )
        return config

