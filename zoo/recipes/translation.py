"""Translation recipe (sequence to sequence, T5-style encoder-decoder).

    python -m zoo.recipes.translation --config recipes/translation/t5_tiny.yaml [--epochs 1 ...]

Data: `source<TAB>target` TSV files, or two line-aligned files per split (`--train train.en.gz
--train_target train.de.gz`). Metric: sacreBLEU on the dev split.
"""

import dataclasses
import sys
import typing

from zoo.recipes.common import load_split, report_sizes, run_cli
from zoo.training.config import RecipeConfig, option, parse_config, resolve_path


@dataclasses.dataclass
class TranslationConfig(RecipeConfig):
    """Sequence-to-sequence translation from `source<TAB>target` files or a pair of aligned files."""

    train: str = option("tasks/translation/train.tsv", "training pairs: source<TAB>target TSV, or the source side "
                        "of two aligned one-sentence-a-line files (see --train_target)")
    dev: str = option("tasks/translation/dev.tsv", "evaluation pairs, same forms as --train")
    train_target: typing.Optional[str] = option(None, "target side of --train when it is a one-sentence-a-line "
                                                "file (e.g. train.de.gz beside train.en.gz)")
    dev_target: typing.Optional[str] = option(None, "target side of --dev, as --train_target")
    max_target_length: int = option(64, "maximum tokens per target sequence")
    num_beams: int = option(1, "beam width for decoding at evaluation (1 = greedy)")
    output_dir: str = option("runs/translation", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/translation", "where the SavedModel for TF Serving is written")


PROG = "python -m zoo.recipes.translation"


def pair_reader(target_name):
    """A reader for one split: a TSV of pairs, or (with a target file) two aligned files."""
    from zoo.data import read_parallel, read_parallel_tsv

    if target_name:
        return lambda path: read_parallel(path, resolve_path(target_name))
    return read_parallel_tsv


def load_data(config):
    return {"train": load_split(config, "train", pair_reader(config.train_target), limit=config.max_train_examples),
            "dev": load_split(config, "dev", pair_reader(config.dev_target))}


def train(config, data):
    print("training for translation lands with the recipes issue")
    return None


def main(argv=None):
    config = parse_config(TranslationConfig, argv, description=__doc__, prog=PROG)
    data = load_data(config)
    report_sizes(data, unit="sentence pairs")
    train(config, data)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
