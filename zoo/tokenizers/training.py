"""Vocabulary training: WordPiece (tensorflow-text's learner) and SentencePiece (the sentencepiece trainer).

`texts_or_files` is one of: a path (`str` or `os.PathLike`) of a UTF-8 text file, a list of
`pathlib.Path` files, or an iterable of text strings (one example each). Files are read line by line.
"""

import collections
import os
from pathlib import Path

import sentencepiece
import tensorflow as tf
from tensorflow_text.tools.wordpiece_vocab import wordpiece_tokenizer_learner_lib

from zoo.tokenizers._common import read_lines
from zoo.tokenizers.wordpiece import bert_pretokenize

BERT_RESERVED_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _read_texts(texts_or_files):
    """Returns the non-empty texts, raising clear errors for missing / non-UTF-8 files or no text at all."""
    if isinstance(texts_or_files, (str, os.PathLike)):
        items = [Path(texts_or_files)]
    else:
        items = list(texts_or_files)
    texts = []
    for index, item in enumerate(items):
        if isinstance(item, os.PathLike):
            texts.extend(line for line in read_lines(item, "Training text") if line.strip())
        elif isinstance(item, str):
            if item.strip():
                texts.append(item)
        else:
            raise TypeError(f"Training text {index}: expected a str text or a pathlib.Path, got {type(item).__name__}")
    if not texts:
        raise ValueError("Training corpus is empty: no non-blank text found in " + _describe(texts_or_files))
    return texts


def _describe(texts_or_files):
    if isinstance(texts_or_files, (str, os.PathLike)):
        return repr(os.fspath(texts_or_files))
    return "the given texts/files"


def train_wordpiece(
    texts_or_files,
    vocabulary_size,
    lowercase=True,
    reserved_tokens=BERT_RESERVED_TOKENS,
    output_path=None,
    strip_accents=None,
    split_on_cjk=True,
    min_frequency=1,
    batch_size=256,
):
    """Trains a BERT WordPiece vocabulary.

    Words are counted after exactly the normalisation `WordPieceTokenizer` applies (so the vocabulary
    matches how it will be used), then tensorflow-text's WordPiece learner picks at most
    `vocabulary_size` tokens; `reserved_tokens` come first, in order (so `[PAD]` gets id 0).

    Args:
        texts_or_files: see the module docstring.
        vocabulary_size: int, the maximum vocabulary size (including reserved tokens).
        lowercase, strip_accents, split_on_cjk: normalisation, as in `WordPieceTokenizer`.
        reserved_tokens: tokens placed first in the vocabulary.
        output_path: optional path of a `vocab.txt` to write (one token a line).
        min_frequency: int, the learner's lowest frequency threshold.
        batch_size: int, texts normalised per graph call.

    Returns:
        The vocabulary, a list of strings.
    """
    if vocabulary_size <= len(reserved_tokens):
        raise ValueError(
            f"vocabulary_size={vocabulary_size} must exceed the {len(reserved_tokens)} reserved tokens"
        )
    texts = _read_texts(texts_or_files)
    counts = collections.Counter()
    for start in range(0, len(texts), batch_size):
        words = bert_pretokenize(tf.constant(texts[start : start + batch_size]), lowercase, strip_accents, split_on_cjk)
        counts.update(word.decode("utf-8") for word in words.flat_values.numpy())
    if not counts:
        raise ValueError("Training corpus has no words after normalisation in " + _describe(texts_or_files))
    vocabulary = wordpiece_tokenizer_learner_lib.learn(
        counts,
        vocab_size=vocabulary_size,
        reserved_tokens=list(reserved_tokens),
        upper_thresh=max(counts.values()) + 1,
        lower_thresh=min_frequency,
        max_unique_chars=vocabulary_size,
    )
    vocabulary = list(vocabulary)[:vocabulary_size]
    if output_path is not None:
        Path(output_path).parent.mkdir(parents=True, exist_ok=True)
        Path(output_path).write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    return vocabulary


def train_sentencepiece(
    texts_or_files,
    vocabulary_size,
    output_prefix,
    model_type="unigram",
    character_coverage=1.0,
):
    """Trains a SentencePiece model with the T5 special ids: pad=0, eos=1, unk=2 and no BOS.

    Args:
        texts_or_files: see the module docstring.
        vocabulary_size: int, the exact vocabulary size (the trainer fails if the corpus is too small).
        output_prefix: path prefix; writes `<output_prefix>.model` (and `.vocab`).
        model_type: "unigram", "bpe", "char" or "word".
        character_coverage: fraction of characters covered by the model.

    Returns:
        The path of the `.model` file (a string).
    """
    if model_type not in ("unigram", "bpe", "char", "word"):
        raise ValueError(f"model_type must be unigram, bpe, char or word, got {model_type!r}")
    texts = _read_texts(texts_or_files)
    Path(output_prefix).parent.mkdir(parents=True, exist_ok=True)
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts),
            model_prefix=os.fspath(output_prefix),
            vocab_size=vocabulary_size,
            model_type=model_type,
            pad_id=0,
            eos_id=1,
            unk_id=2,
            bos_id=-1,
            character_coverage=character_coverage,
            num_threads=1,
            minloglevel=2,
        )
    except RuntimeError as error:
        raise ValueError(
            f"SentencePiece training failed for vocabulary_size={vocabulary_size} on {len(texts)} texts: {error}"
        ) from None
    return os.fspath(output_prefix) + ".model"
