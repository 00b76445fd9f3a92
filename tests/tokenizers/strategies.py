"""Hypothesis strategies of hard text for the tokenizer property tests, and their fixed budget.

Texts are joined from fragments: arbitrary code points (every category, unassigned and private-use ones
included; not surrogates, which UTF-8 cannot carry), whitespace and control characters, combining marks,
emoji sequences, special tokens, words of the training corpus, runs of one character; raw byte strings add
invalid UTF-8.
"""

import string

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.tokenizers.references import CORPUS


def budget(max_examples):
    """A fixed seed (derandomize) and budget, so that CI runs the same examples every time."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


WHITESPACE = [" ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u00a0", "\u1680", "\u2009",
              "\u202f", "\u3000", "\u2028", "\u2029", " \t ", "\n\n"]
CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\x9f", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
           "\ue000", "\U000f0000", "\ufffd", "\uffff", "\u0378", "\U0010ffff", "\U000e0001"]
MARKS = ["\u0300", "\u0301", "\u0308", "\u0316", "\u0345", "\u0489", "\u093f", "\u094d", "\u0e49", "\u20dd",
         "\ufe0f", "\U0001f3fd"]
EMOJI = ["😀", "👍🏽", "🧑‍🚀", "👨‍👩‍👧‍👦", "🇩🇪", "❤️", "1️⃣", "🏳️‍🌈", "🙂\u200d", "✨"]
WORDS = sorted({word for line in CORPUS for word in line.split()})
PIECES = ["'s", "'t", "'re", "'ll", "don't", "A", "Σ", "İ", "ß", "ǅ", "ﬁ", "中", "한", "①", "½", "٣", "...", "!!!!",
          "##", "▁", "<", ">", "|", "[", "]"]


def characters(excluded=()):
    """Any code point but surrogates (and `excluded`, a set of ints)."""
    return st.characters(codec="utf-8").filter(lambda c: ord(c) not in excluded)


def texts(special_tokens=(), excluded=(), max_fragments=12):
    """Valid text built of hard fragments; `excluded` code points never appear."""
    fragment = st.one_of(
        st.text(characters(excluded), max_size=6),
        st.sampled_from(WHITESPACE + CONTROL + MARKS + EMOJI + PIECES + list(special_tokens)),
        st.sampled_from(WORDS),
        st.text(string.ascii_letters + string.digits + string.punctuation, max_size=8),
        st.builds(lambda c, n: c * n, characters(excluded), st.integers(2, 40)),
    )
    return st.lists(fragment, max_size=max_fragments).map("".join)


def raw_texts(special_tokens=(), excluded=()):
    """UTF-8 bytes of `texts`, or such bytes mixed with arbitrary (mostly invalid) byte strings."""
    encoded = texts(special_tokens, excluded).map(lambda text: text.encode("utf-8"))
    mixed = st.lists(st.one_of(encoded, st.binary(max_size=6)), min_size=1, max_size=4).map(b"".join)
    # Invalid bytes next to valid ones can complete a character: keep `excluded` out of the result too.
    return st.one_of(encoded, encoded, mixed).filter(
        lambda raw: not any(ord(c) in excluded for c in raw.decode("utf-8", "replace"))
    )


def batches(special_tokens=(), excluded=()):
    """Batches of 0 to 4 raw texts."""
    return st.lists(raw_texts(special_tokens, excluded), max_size=4)
