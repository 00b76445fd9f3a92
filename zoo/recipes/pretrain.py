"""Pretraining recipe on plain text: BERT masked LM (`mlm`), GPT causal LM (`clm`) or T5 span corruption
(`span`), chosen by `--objective`.

    python -m zoo.recipes.pretrain --config recipes/pretrain/bert_mlm_tiny.yaml [--epochs 1 ...]

Data: UTF-8 text (`.txt` or `.gz`), one sentence a line, a blank line between documents. Metric: loss and
perplexity (clm) or masked-token accuracy (mlm, span) on the dev text when one is given.
"""

import dataclasses
import sys

from zoo.data.text import read_documents
from zoo.recipes.common import load_split, run_cli
from zoo.training.config import RecipeConfig, option, parse_config


PRETRAIN_OBJECTIVES = ("mlm", "clm", "span")


@dataclasses.dataclass
class PretrainConfig(RecipeConfig):
    """Self-supervised pretraining on plain text: masked LM, causal LM or span corruption."""

    train: str = option("tasks/pretraining/corpus.txt", "training text: one sentence a line, blank line between "
                        "documents (.txt or .txt.gz)")
    dev: str = option("", "held-out text in the same format; empty for no evaluation")
    objective: str = option("mlm", "mlm = BERT masked LM, clm = GPT causal LM, span = T5 span corruption",
                            choices=PRETRAIN_OBJECTIVES)
    mask_rate: float = option(0.15, "fraction of tokens masked (mlm) or corrupted (span)")
    mean_span_length: float = option(3.0, "mean corrupted span length in tokens (span objective)")
    output_dir: str = option("runs/pretrain", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/pretrain", "where the SavedModel for TF Serving is written")


PROG = "python -m zoo.recipes.pretrain"


def load_data(config):
    data = {"train": load_split(config, "train", read_documents, limit=config.max_train_examples)}
    if config.dev:
        data["dev"] = load_split(config, "dev", read_documents)
    return data


def train(config, data):
    print(f"training for pretrain ({config.objective}) lands with the recipes issue")
    return None


def main(argv=None):
    config = parse_config(PretrainConfig, argv, description=__doc__, prog=PROG)
    data = load_data(config)
    for split, documents in data.items():
        print(f"{split}: {len(documents)} documents, {sum(len(document) for document in documents)} lines")
    train(config, data)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
