"""Pretraining recipe on plain text: BERT masked LM + next-sentence prediction (`mlm`), GPT causal LM (`clm`) or
T5 span corruption (`span`), chosen by `--objective`.

    python -m zoo.recipes.pretrain --config recipes/pretrain/bert_mlm_tiny.yaml [--epochs 1 ...]

Data: UTF-8 text (`.txt` or `.gz`), one sentence a line, a blank line between documents; held-out text from
`--dev`, or the last `--dev_fraction` of the documents. Vocabulary: WordPiece (`mlm`, `vocab.txt`) or
SentencePiece (`clm`, `span`: `spiece.model`) trained on the training text. Metrics on the held-out text: MLM and
NSP accuracy (`mlm`); perplexity and next-token accuracy (`clm`); target token accuracy (`span`). The run
directory (`model.keras` + tokenizer) is an `--init` checkpoint for the other recipes: BERT for
sentiment/ner/qa, T5 for translation/summarization.
"""

import dataclasses
import sys

from zoo.data.text import read_documents
from zoo.recipes.common import load_split, run_cli, vocabulary_saver
from zoo.recipes.seq2seq import SENTENCEPIECE_TYPES, tokenizer_saver, train_sentencepiece_tokenizer
from zoo.training.config import ConfigError, RecipeConfig, option, parse_config

PROG = "python -m zoo.recipes.pretrain"
PRETRAIN_OBJECTIVES = ("mlm", "clm", "span")


@dataclasses.dataclass
class PretrainConfig(RecipeConfig):
    """Self-supervised pretraining on plain text: masked LM, causal LM or span corruption."""

    train: str = option("tasks/pretraining/corpus.txt", "training text: one sentence a line, blank line between "
                        "documents (.txt or .txt.gz)")
    dev: str = option("", "held-out text in the same format; empty: the last --dev_fraction of the documents")
    dev_fraction: float = option(0.1, "share of the training documents held out when --dev is empty")
    objective: str = option("mlm", "mlm = BERT masked LM + next sentence, clm = GPT causal LM, span = T5 span "
                            "corruption", choices=PRETRAIN_OBJECTIVES)
    mask_rate: float = option(0.15, "fraction of tokens masked (mlm) or corrupted (span)")
    mean_span_length: float = option(3.0, "mean corrupted span length in tokens (span objective)")
    lowercase: bool = option(True, "lower-case the text (mlm's WordPiece vocabulary)")
    sentencepiece_type: str = option("bpe", "SentencePiece algorithm (clm, span): unigram (T5) or bpe",
                                     choices=SENTENCEPIECE_TYPES)
    vocabulary_size: int = option(300, "size of the vocabulary trained on the training text")
    max_sequence_length: int = option(64, "tokens per training row (the encoder input, for span)")
    epochs: int = option(3, "number of passes over the training data")
    learning_rate: float = option(1e-3, "peak learning rate")
    output_dir: str = option("runs/pretrain", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/pretrain", "unused: a pretrained model is a checkpoint, not a service")


def load_data(config):
    train = load_split(config, "train", read_documents, limit=config.max_train_examples)
    if config.dev:
        return {"train": train, "dev": load_split(config, "dev", read_documents)}
    if not 0.0 < config.dev_fraction < 1.0:
        raise ConfigError(f"field 'dev_fraction': expected a fraction in (0, 1), got {config.dev_fraction}")
    held_out = max(1, round(len(train) * config.dev_fraction))
    if held_out >= len(train):
        raise ConfigError(f"{config.train}: {len(train)} documents leave none for training after holding out "
                          f"{held_out}; give more text or a --dev file")
    return {"train": train[:-held_out], "dev": train[-held_out:]}


def train_tokenizer(config, documents):
    """WordPiece for `mlm`, SentencePiece for `clm` and `span`; ConfigError when the text is too small."""
    from zoo.tokenizers import WordPieceTokenizer, train_wordpiece

    sentences = [sentence for document in documents for sentence in document]
    if config.objective != "mlm":
        return train_sentencepiece_tokenizer(sentences, config.vocabulary_size, config.sentencepiece_type)
    vocabulary = train_wordpiece(sentences, vocabulary_size=config.vocabulary_size, lowercase=config.lowercase)
    if len(vocabulary) < 0.9 * config.vocabulary_size:  # the learner lands within a few percent on enough text
        raise ConfigError(f"field 'vocabulary_size': the training text ({len(sentences)} lines) yields only "
                          f"{len(vocabulary)} WordPiece tokens of the {config.vocabulary_size} asked for; use at "
                          f"most {len(vocabulary)}, or more text")
    return WordPieceTokenizer(vocabulary, lowercase=config.lowercase)


def main(argv=None):
    from zoo.data.pretraining import pack_documents, pack_sentence_pairs, sentence_pairs, tokenize_documents
    from zoo.data.span_corruption import span_corruption_lengths, tokens_length_for_inputs
    from zoo.recipes import pretrain_objectives as objectives
    from zoo.tokenizers import SentencePieceTokenizer
    from zoo.training.runner import Recipe, check_config, run

    config = parse_config(PretrainConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    data = load_data(config)
    for split, documents in data.items():
        print(f"{split}: {len(documents)} documents, {sum(len(document) for document in documents)} lines")
    tokenizer = train_tokenizer(config, data["train"])
    tokenized = {split: tokenize_documents(documents, tokenizer) for split, documents in data.items()}
    length = config.max_sequence_length
    if config.objective == "mlm":
        rows = {split: pack_sentence_pairs(sentence_pairs(documents, length - 3, seed=config.seed), length,
                                           tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id)
                for split, documents in tokenized.items()}
        objective = objectives.MaskedLanguageModel(config, tokenizer)
    elif config.objective == "clm":
        rows = {split: pack_documents(documents, length, separator_id=tokenizer.eos_token_id)
                for split, documents in tokenized.items()}
        objective = objectives.CausalLanguageModel(config, tokenizer)
    else:
        raw_length = tokens_length_for_inputs(length, config.mask_rate, config.mean_span_length)
        rows = {split: pack_documents(documents, raw_length) for split, documents in tokenized.items()}
        objective = objectives.SpanCorruption(config, tokenizer, raw_length)
        inputs_length, targets_length = span_corruption_lengths(raw_length, config.mask_rate, config.mean_span_length)
        print(f"span corruption: {raw_length} tokens a row -> {inputs_length} encoder and {targets_length} decoder "
              "tokens")
    saved_tokenizer = tokenizer  # span: with the sentinels, so an --init rebuilds the model's vocabulary
    if config.objective == "span":
        saved_tokenizer = SentencePieceTokenizer(tokenizer.proto, extra_ids=objective.num_sentinels)
    tables = {split: objective.table(columns, held_out=split != "train") for split, columns in rows.items()}
    info = {"objective": config.objective, "vocabulary_size": tokenizer.vocabulary_size(),
            **{f"{split}_rows": len(table) for split, table in tables.items()}}
    recipe = Recipe(
        name=f"pretrain ({config.objective})", build_model=objective.build_model, train=tables["train"],
        split=objective.split, evaluate=lambda model, split: objective.evaluate(model, tables[split]),
        metric=objective.metric, export=None, info=info,
        save_assets=vocabulary_saver(tokenizer) if config.objective == "mlm" else tokenizer_saver(saved_tokenizer))
    run(config, recipe)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
