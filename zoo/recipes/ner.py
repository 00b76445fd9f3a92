"""Named-entity recognition recipe (token classification with IOB2 tags).

    python -m zoo.recipes.ner --config recipes/ner/bert_tiny.yaml [--epochs 1 ...]

Data: CoNLL files (`token ... TAG` lines, blank line between sentences; `-DOCSTART-` skipped). The tag set
is taken from the training file; a dev tag outside it is an error. Metric: seqeval entity F1.
"""

import dataclasses
import sys
import typing

from zoo.recipes.common import load_split, report_sizes, run_cli
from zoo.training.config import RecipeConfig, option, parse_config


@dataclasses.dataclass
class NerConfig(RecipeConfig):
    """Token classification (named entities) from CoNLL files with IOB2 tags."""

    train: str = option("tasks/ner/train.conll", "training CoNLL file: token ... TAG, blank line between sentences")
    dev: str = option("tasks/ner/dev.conll", "evaluation CoNLL file, same format as --train")
    token_prefix: typing.Optional[str] = option(None, "prefix every token carries and that is stripped (WikiANN: en:)")
    lowercase: bool = option(False, "lower-case tokens before WordPiece tokenization")
    output_dir: str = option("runs/ner", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/ner", "where the SavedModel for TF Serving is written")


PROG = "python -m zoo.recipes.ner"


def tag_names(sentences):
    """The tag set of the training data: "O" first, then the other tags sorted."""
    tags = {tag for sentence in sentences for tag in sentence["tags"]}
    return ["O"] + sorted(tags - {"O"})


def load_data(config):
    from zoo.data import read_conll

    def reader(path, label_names=None):
        return read_conll(path, token_prefix=config.token_prefix, label_names=label_names)

    data = {"train": load_split(config, "train", reader, limit=config.max_train_examples)}
    labels = tag_names(data["train"])
    data["dev"] = load_split(config, "dev", lambda path: reader(path, label_names=labels))
    print(f"tags ({len(labels)}): {' '.join(labels)}")
    return data


def train(config, data):
    print("training for ner lands with the recipes issue")
    return None


def main(argv=None):
    config = parse_config(NerConfig, argv, description=__doc__, prog=PROG)
    data = load_data(config)
    report_sizes(data, unit="sentences")
    train(config, data)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
