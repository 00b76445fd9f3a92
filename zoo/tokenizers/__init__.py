"""In-graph tokenizers (WordPiece, SentencePiece, byte-level BPE) and vocabulary training."""

from zoo.tokenizers.byte_pair import BytePairTokenizer, gpt2_pretokenize
from zoo.tokenizers.sentencepiece import SentencePieceTokenizer
from zoo.tokenizers.tokenizer import Tokenizer
from zoo.tokenizers.training import train_sentencepiece, train_wordpiece
from zoo.tokenizers.wordpiece import WordPieceTokenizer, bert_pretokenize

__all__ = [
    "BytePairTokenizer",
    "SentencePieceTokenizer",
    "Tokenizer",
    "WordPieceTokenizer",
    "bert_pretokenize",
    "gpt2_pretokenize",
    "train_sentencepiece",
    "train_wordpiece",
]
