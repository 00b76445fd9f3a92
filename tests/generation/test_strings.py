"""`generate` on raw strings through the GPT and T5 preprocessors (packed ids + padding mask) and tokenizers."""

import os

import numpy as np

import zoo  # noqa: F401
import keras

from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone
from zoo.models.gpt.gpt_preprocessor import GPTPreprocessor
from zoo.models.t5.t5_preprocessor import T5Preprocessor
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer

TOKENIZERS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers")
TEXTS = ["hello world", "a much longer prompt than the first one"]


def test_causal_lm_generates_from_strings_through_a_preprocessor():
    tokenizer = BytePairTokenizer(os.path.join(TOKENIZERS, "bpe_vocab.json"),
                                  os.path.join(TOKENIZERS, "bpe_merges.txt"))
    preprocessor = GPTPreprocessor(tokenizer, sequence_length=24)
    keras.utils.set_random_seed(0)
    model = CausalLM(GPTBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=1, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32, max_sequence_length=64))
    texts = model.generate(TEXTS, max_new_tokens=4, preprocessor=preprocessor)
    packed = preprocessor(np.array(TEXTS))
    lengths = np.asarray(packed["padding_mask"]).sum(axis=1)
    rows = [np.asarray(packed["token_ids"])[i, :n].tolist() for i, n in enumerate(lengths)]
    new_ids = model.generate(rows, max_new_tokens=4)
    assert len(texts) == 2 and all(isinstance(text, str) for text in texts)
    expected = [tokenizer.detokenize(np.array(ids, "int32")).numpy().decode("utf-8") for ids in new_ids]
    assert texts == expected


def test_seq2seq_lm_generates_from_strings_through_a_preprocessor():
    tokenizer = SentencePieceTokenizer(os.path.join(TOKENIZERS, "spm_unigram.model"))
    preprocessor = T5Preprocessor(tokenizer, encoder_sequence_length=16, decoder_sequence_length=8)
    keras.utils.set_random_seed(0)
    model = Seq2SeqLM(T5Backbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=1, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32))
    texts = model.generate(TEXTS, max_new_tokens=3, preprocessor=preprocessor)
    packed = preprocessor(np.array(TEXTS))
    lengths = np.asarray(packed["encoder_padding_mask"]).sum(axis=1)
    rows = [np.asarray(packed["encoder_token_ids"])[i, :n].tolist() for i, n in enumerate(lengths)]
    new_ids = model.generate(rows, max_new_tokens=3)
    expected = [tokenizer.detokenize(np.array(ids, "int32")).numpy().decode("utf-8") for ids in new_ids]
    assert texts == expected
