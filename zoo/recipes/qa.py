"""Extractive question answering recipe (SQuAD v1.1 format, answer = a span of the context).

    python -m zoo.recipes.qa --config recipes/qa/bert_tiny.yaml [--epochs 1 ...]

Data: SQuAD v1.1 JSON (`.json` or `.json.gz`); every answer is checked against its context. Metric: SQuAD
exact match and token F1 on the dev split.
"""

import dataclasses
import sys

from zoo.recipes.common import load_split, report_sizes, run_cli
from zoo.training.config import ConfigError, RecipeConfig, option, parse_config


@dataclasses.dataclass
class QaConfig(RecipeConfig):
    """Extractive question answering from SQuAD v1.1 JSON files."""

    train: str = option("tasks/qa/train.json", "training SQuAD v1.1 JSON (.json or .json.gz)")
    dev: str = option("tasks/qa/dev.json", "evaluation SQuAD v1.1 JSON (.json or .json.gz)")
    max_sequence_length: int = option(128, "maximum tokens per question + context window")
    doc_stride: int = option(32, "overlap in tokens between windows of a long context")
    max_answer_length: int = option(16, "longest answer span, in tokens, considered at prediction")
    lowercase: bool = option(False, "lower-case texts before WordPiece tokenization")
    output_dir: str = option("runs/qa", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/qa", "where the SavedModel for TF Serving is written")


PROG = "python -m zoo.recipes.qa"


def load_data(config):
    from zoo.data import read_squad

    data = {"train": load_split(config, "train", read_squad, limit=config.max_train_examples),
            "dev": load_split(config, "dev", read_squad)}
    unanswerable = sum(example["is_impossible"] for example in data["train"])
    if unanswerable:
        raise ConfigError(f"{config.train}: {unanswerable} questions are marked is_impossible (SQuAD v2.0); "
                          "this recipe trains on SQuAD v1.1, where every question has an answer")
    return data


def train(config, data):
    print("training for qa lands with the recipes issue")
    return None


def main(argv=None):
    config = parse_config(QaConfig, argv, description=__doc__, prog=PROG)
    data = load_data(config)
    report_sizes(data, unit="questions")
    train(config, data)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
