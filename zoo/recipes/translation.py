"""Translation recipe: a T5 encoder-decoder (`Seq2SeqLM`) trained from sentence pairs.

    python -m zoo.recipes.translation --config recipes/translation/t5_tiny.yaml [--epochs 1 ...]
    python -m zoo.recipes.translation --config recipes/translation/t5_multi30k.yaml   # Multi30k de->en

Data: `source<TAB>target` TSV files, or two line-aligned files per split (`--train train.de.gz --train_target
train.en.gz`; plain or `.gz`). Vocabulary: one SentencePiece model trained on both sides of the training data,
or the `--init` checkpoint's. Training: teacher forcing with label-smoothed cross-entropy. Metric: corpus BLEU
(sacreBLEU, its signature printed) of the dev (and test) sources decoded with beam search (`--num_beams`,
`--length_penalty`, `--early_stopping`); it picks the best epoch. Export: `<export_dir>/<version>/`, raw source text in, translation
out.
"""

import dataclasses
import sys
import typing

from zoo.recipes.common import load_split, report_sizes, run_cli
from zoo.recipes.seq2seq import (
    EARLY_STOPPING, EARLY_STOPPING_HELP, SENTENCEPIECE_TYPES, check_seq2seq_config, decode_table, seq2seq_recipe,
    seq2seq_start, seq2seq_table, served_texts, write_predictions)
from zoo.training.config import RecipeConfig, option, parse_config, resolve_path

PROG = "python -m zoo.recipes.translation"


@dataclasses.dataclass
class TranslationConfig(RecipeConfig):
    """Sequence-to-sequence translation from `source<TAB>target` files or pairs of aligned files."""

    train: str = option("tasks/translation/train.tsv", "training pairs: source<TAB>target TSV, or the source side "
                        "of two aligned one-sentence-a-line files (see --train_target)")
    dev: str = option("tasks/translation/dev.tsv", "evaluation pairs, same forms as --train")
    train_target: typing.Optional[str] = option(None, "target side of --train when it is a one-sentence-a-line "
                                                "file (e.g. train.en.gz beside train.de.gz)")
    dev_target: typing.Optional[str] = option(None, "target side of --dev, as --train_target")
    test_target: typing.Optional[str] = option(None, "target side of --test, as --train_target")
    vocabulary_size: int = option(200, "size of the SentencePiece vocabulary trained on both sides of the data")
    sentencepiece_type: str = option("bpe", "SentencePiece algorithm of a vocabulary trained here: unigram (T5) "
                                     "or bpe (reaches whole words on small data)", choices=SENTENCEPIECE_TYPES)
    max_sequence_length: int = option(24, "maximum source tokens, </s> included (longer sources are cut)")
    max_target_length: int = option(24, "maximum target tokens, </s> included (also the decoding limit)")
    label_smoothing: float = option(0.1, "label smoothing of the training cross-entropy")
    num_beams: int = option(1, "beam width for decoding at evaluation (1 = greedy)")
    length_penalty: float = option(1.0, "beam search length exponent (> 0 favours longer translations)")
    early_stopping: str = option("true", EARLY_STOPPING_HELP, choices=EARLY_STOPPING)
    epochs: int = option(10, "number of passes over the training data")
    learning_rate: float = option(1e-3, "peak learning rate")
    output_dir: str = option("runs/translation", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/translation", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")


def pair_reader(target_name):
    """A reader for one split: a TSV of pairs, or (with a target file) two aligned files."""
    from zoo.data import read_parallel, read_parallel_tsv

    if target_name:
        return lambda path: read_parallel(path, resolve_path(target_name))
    return read_parallel_tsv


def load_data(config):
    data = {"train": load_split(config, "train", pair_reader(config.train_target), limit=config.max_train_examples),
            "dev": load_split(config, "dev", pair_reader(config.dev_target))}
    if config.test:
        data["test"] = load_split(config, "test", pair_reader(config.test_target))
    return data


def main(argv=None):
    from zoo.metrics import corpus_bleu
    from zoo.models.t5.t5_preprocessor import T5Preprocessor
    from zoo.training.runner import check_config, run

    config = parse_config(TranslationConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    check_seq2seq_config(config)
    data = load_data(config)
    report_sizes(data, unit="sentence pairs")
    start, build_backbone = seq2seq_start(config, [text for pair in data["train"] for text in pair.values()])
    tokenizer = start.tokenizer
    preprocessor = T5Preprocessor(tokenizer, config.max_sequence_length, config.max_target_length)
    tables = {split: seq2seq_table(preprocessor, [pair["source"] for pair in pairs],
                                   [pair["target"] for pair in pairs]) for split, pairs in data.items()}
    info = {"start": start.description, **{f"{split}_examples": len(pairs) for split, pairs in data.items()}}

    def evaluate(model, split):
        translations = decode_table(model, tokenizer, tables[split], config)
        write_predictions(config, split, translations)
        bleu = corpus_bleu([pair["target"] for pair in data[split]], translations)
        info["bleu_signature"] = bleu.signature
        print(f"{split} BLEU {bleu.score:.2f} ({bleu.signature})", flush=True)
        return {"bleu": bleu.score}

    def demo(path):
        pairs = data["dev"][:3]
        answers = served_texts(path, [pair["source"] for pair in pairs])
        return [f"{pair['source']!r} -> {answer!r} (reference {pair['target']!r})"
                for pair, answer in zip(pairs, answers)]

    run(config, seq2seq_recipe("translation", config, build_backbone, preprocessor, tables, evaluate, "bleu", demo,
                               info))
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
