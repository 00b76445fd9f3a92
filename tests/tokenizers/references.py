"""Reference tokenizers for the property tests, trained in the test from `fuzz_corpus.txt`.

- WordPiece: Hugging Face `tokenizers` built as `BertTokenizerFast` builds it (`BertNormalizer`,
  `BertPreTokenizer`, `WordPiece` with 100 characters a word, the five special tokens as added tokens).
- Byte-level BPE: `tokenizers` built as `GPT2TokenizerFast` (`ByteLevel` pre-tokenizer without prefix space,
  `BPE`, `ByteLevel` decoder, `<|endoftext|>` as an added special token).
- SentencePiece: the `sentencepiece` library. With special tokens parsed, the text is cut at the special
  tokens (leftmost-longest, as Hugging Face's added-token matching) and each piece is encoded on its own.

Each reference has `encode(texts) -> list of id lists` and, where the tokenizer decodes, `decode(id lists)`.
"""

import io
import json
import math
import re
from pathlib import Path

import sentencepiece
import tensorflow as tf
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from zoo.tokenizers import (
    BytePairTokenizer,
    SentencePieceTokenizer,
    WordPieceTokenizer,
    bert_pretokenize,
    gpt2_pretokenize,
)
from zoo.tokenizers.byte_pair import bytes_to_unicode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokenizers"
CORPUS = (FIXTURES / "fuzz_corpus.txt").read_text(encoding="utf-8").splitlines()
BERT_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
EOS = "<|endoftext|>"
# A special token of each tokenizer kind.
SPECIAL = {"byte_pair": EOS, "wordpiece": "[SEP]", "sentencepiece": "</s>"}


def fixture_tokenizer(kind, **kwargs):
    """Our tokenizer of `kind` (a key of `SPECIAL`) on the small fixture vocabularies of this directory."""
    if kind == "byte_pair":
        return BytePairTokenizer(str(FIXTURES / "bpe_vocab.json"), str(FIXTURES / "bpe_merges.txt"), **kwargs)
    if kind == "wordpiece":
        return WordPieceTokenizer(str(FIXTURES / "cased_vocab.txt"), lowercase=False, **kwargs)
    return SentencePieceTokenizer(str(FIXTURES / "spm_unigram.model"), **kwargs)


def _texts(texts):
    return [t.decode("utf-8", "replace") if isinstance(t, bytes) else t for t in texts]


class WordPieceReference:
    """`BertTokenizerFast` semantics from `tokenizers` primitives; `vocabulary` is trained on the corpus."""

    def __init__(self, vocabulary_size=400, lowercase=True):
        self.lowercase = lowercase
        trainer_model = self._build(None)
        trainer_model.train_from_iterator(
            CORPUS, trainers.WordPieceTrainer(vocab_size=vocabulary_size, special_tokens=BERT_SPECIAL_TOKENS,
                                              show_progress=False)
        )
        vocabulary = trainer_model.get_vocab()
        self.vocabulary = sorted(vocabulary, key=vocabulary.get)
        self.plain = self._build(self.vocabulary)
        self.parsing = self._build(self.vocabulary)
        self.parsing.add_special_tokens([AddedToken(token, special=True) for token in BERT_SPECIAL_TOKENS])

    def _build(self, vocabulary):
        vocab = {token: index for index, token in enumerate(vocabulary)} if vocabulary else None
        tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
        tokenizer.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=self.lowercase
        )
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tokenizer.decoder = decoders.WordPiece(prefix="##")
        return tokenizer

    def encode(self, texts, special_tokens_in_text=True):
        tokenizer = self.parsing if special_tokens_in_text else self.plain
        return [e.ids for e in tokenizer.encode_batch(_texts(texts), add_special_tokens=False)]


class BytePairReference:
    """`GPT2TokenizerFast` semantics from `tokenizers` primitives, trained on the corpus."""

    def __init__(self, directory, vocabulary_size=600):
        trainer_model = Tokenizer(models.BPE())
        trainer_model.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        trainer_model.train_from_iterator(CORPUS, trainers.BpeTrainer(
            vocab_size=vocabulary_size, special_tokens=[EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ))
        self.vocabulary_path, self.merges_path = trainer_model.model.save(str(directory))
        self.plain = self._build()
        self.parsing = self._build()
        self.parsing.add_special_tokens([AddedToken(EOS, special=True)])

    def _build(self):
        tokenizer = Tokenizer(models.BPE.from_file(self.vocabulary_path, self.merges_path))
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tokenizer.decoder = decoders.ByteLevel()
        return tokenizer

    def encode(self, texts, special_tokens_in_text=True):
        tokenizer = self.parsing if special_tokens_in_text else self.plain
        return [e.ids for e in tokenizer.encode_batch(_texts(texts), add_special_tokens=False)]

    def decode(self, ids):
        return self.parsing.decode_batch(ids, skip_special_tokens=False)


class SentencePieceReference:
    """The `sentencepiece` library on a unigram model trained on the corpus (pad=0, eos=1, unk=2).

    `byte_fallback=True` makes the model lossless (unknown characters become byte pieces)."""

    def __init__(self, vocabulary_size=800, byte_fallback=False):
        self.byte_fallback = byte_fallback
        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(CORPUS), model_writer=model, vocab_size=vocabulary_size, model_type="unigram",
            pad_id=0, eos_id=1, unk_id=2, bos_id=-1, character_coverage=0.995, byte_fallback=byte_fallback,
            hard_vocab_limit=False, num_threads=1, minloglevel=2,
        )
        self.proto = model.getvalue()
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=self.proto)
        size = self.processor.get_piece_size()
        self.special = {self.processor.id_to_piece(i): i for i in range(size)
                        if self.processor.is_control(i) or self.processor.is_unknown(i)}

    def with_sentinels(self, extra_ids):
        """The special tokens of `SentencePieceTokenizer(proto, extra_ids)`."""
        size = self.processor.get_piece_size()
        return dict(self.special, **{f"<extra_id_{i}>": size + extra_ids - 1 - i for i in range(extra_ids)})

    def encode(self, texts, special_tokens_in_text=True, extra_ids=0):
        if not special_tokens_in_text:
            return [self.processor.encode(t) for t in _texts(texts)]
        special = self.with_sentinels(extra_ids)
        pattern = re.compile("|".join(re.escape(t) for t in sorted(special, key=lambda t: (-len(t), t))))
        result = []
        for text in _texts(texts):
            ids, start = [], 0
            for match in pattern.finditer(text):
                ids += self.processor.encode(text[start:match.start()]) + [special[match.group()]]
                start = match.end()
            result.append(ids + self.processor.encode(text[start:]))
        return result

    def decode(self, ids):
        return [self.processor.decode(row) for row in ids]

    def score(self, ids):
        """The unigram score of a segmentation (the sum of its pieces' log probabilities)."""
        return sum(self.processor.get_score(i) for i in ids)

    def equal_or_tie(self, got, expected):
        """Equal ids, or two segmentations of the same text whose scores are equal up to float32 rounding
        along the path: a tie, which tensorflow-text's bundled SentencePiece may break the other way."""
        if got == expected:
            return True
        if self.decode([got]) != self.decode([expected]):
            return False
        return math.isclose(self.score(got), self.score(expected),
                            rel_tol=1e-6 * max(len(got), len(expected)), abs_tol=1e-6)

    def normalize(self, texts):
        return [self.processor.normalize(t) for t in _texts(texts)]


def load_unicode_differences():
    """The code points on which our Unicode tables differ from the references' (see the README's
    "Tokenizers" section): `{"wordpiece": set, "byte_pair": set}`, from `unicode_differences.json`."""
    ranges = json.loads((FIXTURES / "unicode_differences.json").read_text(encoding="utf-8"))
    return {
        name: {c for start, end in spans for c in range(start, end + 1)}
        for name, spans in ranges["code_points"].items()
    }


# Contexts that show how a tokenizer classes one code point `c`: BERT deletes it, makes it a space, a word
# of its own (punctuation, CJK), strips it (accents) or lower-cases it; GPT-2 puts it in a letter run, a
# number run, a run of other characters or a whitespace run.
_WORDPIECE_CONTEXTS = {True: "a{c}b", False: "A{c}B"}
_BYTE_PAIR_CONTEXT = "a{c}b 1{c}2 !{c}?"


def scan_unicode_differences(code_points, batch_size=65536):
    """The code points (ints) whose pre-tokenization differs from the references', by tokenizer."""
    byte_symbol = bytes_to_unicode()
    code_points = [c for c in code_points if not 0xD800 <= c <= 0xDFFF]
    found = {"wordpiece": set(), "byte_pair": set()}
    for start in range(0, len(code_points), batch_size):
        chunk = code_points[start:start + batch_size]
        for lowercase, context in _WORDPIECE_CONTEXTS.items():
            texts = [context.format(c=chr(c)) for c in chunk]
            ours = bert_pretokenize(tf.constant([t.encode("utf-8") for t in texts]), lowercase=lowercase)
            reference = bert_words(texts, lowercase)
            for c, got, want in zip(chunk, ours.to_list(), reference):
                if [w.decode("utf-8") for w in got] != want:
                    found["wordpiece"].add(c)
        texts = [_BYTE_PAIR_CONTEXT.format(c=chr(c)) for c in chunk]
        ours = gpt2_pretokenize(tf.constant([t.encode("utf-8") for t in texts]))
        for c, got, want in zip(chunk, ours.to_list(), gpt2_words(texts)):
            if ["".join(byte_symbol[b] for b in w) for w in got] != want:
                found["byte_pair"].add(c)
    return found


def bert_words(texts, lowercase):
    """BERT normalisation + pre-tokenization (what `zoo.tokenizers.bert_pretokenize` reproduces)."""
    normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase
    )
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return [[w for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(t))] for t in _texts(texts)]


def gpt2_words(texts):
    """GPT-2's pre-tokenization in its byte-level alphabet (what `zoo.tokenizers.gpt2_pretokenize` does)."""
    pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    return [[w for w, _ in pre_tokenizer.pre_tokenize_str(t)] for t in _texts(texts)]
