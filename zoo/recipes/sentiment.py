"""Sentiment (text classification) recipe: a BERT-style encoder + `TextClassifier`, any number of classes.

    python -m zoo.recipes.sentiment --config recipes/sentiment/bert_tiny.yaml [--epochs 1 ...]
    python -m zoo.recipes.sentiment --config recipes/sentiment/all_minilm_l6_v2.yaml   # the README's main job

Data: `text[<TAB>text_pair]<TAB>label` files; labels are any strings or integers, the label set is the training
file's (a dev/test label outside it is an error naming its line). Metric: dev accuracy (picks the best epoch)
and macro-F1. Export: `<export_dir>/<version>/`, raw text (`text`, and `text_pair` when trained on pairs) in,
label / label id / scores out.
"""

import dataclasses
import sys
import typing

from zoo.recipes.common import (
    export_location, load_split, padded_lengths, report_sizes, run_cli, start_model, vocabulary_saver)
from zoo.training.config import ConfigError, RecipeConfig, option, parse_config

PROG = "python -m zoo.recipes.sentiment"


@dataclasses.dataclass
class SentimentConfig(RecipeConfig):
    """Text classification from `text[<TAB>text_pair]<TAB>label` files (binary sentiment by default)."""

    train: str = option("tasks/sentiment/train.tsv", "training TSV: text<TAB>label, no header")
    dev: str = option("tasks/sentiment/dev.tsv", "evaluation TSV, same format as --train")
    text_column: int = option(0, "column of the text")
    text_pair_column: typing.Optional[int] = option(None, "column of a second text (sentence-pair tasks)")
    label_column: int = option(1, "column of the label (any string or integer)")
    lowercase: bool = option(True, "lower-case texts (a vocabulary trained here, or a bare vocab.txt)")
    metric: str = option("accuracy", "dev metric that picks the best epoch", choices=("accuracy", "macro_f1"))
    vocabulary_size: int = option(200, "size of the WordPiece vocabulary trained on the training texts")
    max_sequence_length: int = option(32, "maximum tokens per text (pair), [CLS] and [SEP] included")
    epochs: int = option(6, "number of passes over the training data")
    learning_rate: float = option(5e-3, "peak learning rate")
    output_dir: str = option("runs/sentiment", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/sentiment", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")


def load_data(config):
    """The splits (examples with label ids) and the label names, ordered (numerically when all are integers)."""
    from zoo.data import DataError, read_tsv

    columns = dict(text_column=config.text_column, text_pair_column=config.text_pair_column,
                   label_column=config.label_column)
    raw = load_split(config, "train", lambda path: read_tsv(path, string_labels=True, **columns),
                     limit=config.max_train_examples)
    names = sorted({example["label"] for example in raw})
    if all(name.lstrip("-").isdigit() for name in names):
        names.sort(key=int)
    if len(names) < 2:
        raise ConfigError(f"{config.train}: expected at least 2 labels in the training data, found only {names}")

    def reader(path):
        try:
            return read_tsv(path, label_names=names, label_ids=False, **columns)
        except DataError as error:
            if error.field is None or "(label)" not in error.field:
                raise
            raise DataError(path, f"a label of the training data {names}", error.found, line=error.line,
                            field=error.field) from None

    data = {"train": [dict(example, label=names.index(example["label"])) for example in raw]}
    data.update({split: load_split(config, split, reader) for split in ("dev", "test") if split == "dev" or config.test})
    return data, names


def texts_of(examples):
    return [text for example in examples for text in (example["text"], example.get("text_pair")) if text]


def features(config, preprocessor, examples):
    """A FeatureTable of BERT inputs, the label id and the example's index."""
    import tensorflow as tf

    from zoo.training.batches import FeatureTable

    columns = {"text": [example["text"] for example in examples], "label": [e["label"] for e in examples],
               "index": list(range(len(examples)))}
    if config.text_pair_column is not None:
        columns["text_pair"] = [example["text_pair"] for example in examples]

    def preprocess(batch):
        segments = (batch["text"], batch["text_pair"]) if "text_pair" in batch else batch["text"]
        return {**preprocessor(segments), "label": batch["label"], "index": batch["index"]}

    return FeatureTable.from_dataset(tf.data.Dataset.from_tensor_slices(columns).batch(256).map(preprocess))


def main(argv=None):
    import numpy as np

    from zoo.export import export
    from zoo.metrics import accuracy, macro_f1
    from zoo.models import TextClassifier
    from zoo.models.bert.bert_preprocessor import BertPreprocessor
    from zoo.training.evaluation import Predictor
    from zoo.training.runner import Recipe, check_config, run

    config = parse_config(SentimentConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    data, labels = load_data(config)
    report_sizes(data)
    start, build_backbone = start_model(config, texts_of(data["train"]))
    preprocessor = BertPreprocessor(start.tokenizer, sequence_length=config.max_sequence_length)
    tables = {split: features(config, preprocessor, examples) for split, examples in data.items()}
    predictor = Predictor(config.eval_batch_size, padded_lengths(config), config.jit_compile)
    pairs = config.text_pair_column is not None  # the export then serves `text` and `text_pair`
    serving_inputs = ("text", "text_pair") if pairs else ("text",)

    def evaluate(model, split):
        predictions = np.zeros(len(data[split]), np.int64)
        for batch, logits in predictor(model, tables[split]):
            predictions[batch["index"]] = logits.argmax(-1)
        gold = [example["label"] for example in data[split]]
        return {"accuracy": accuracy(gold, predictions.tolist()), "macro_f1": macro_f1(gold, predictions.tolist())}

    def demo(path):
        import tensorflow as tf

        examples = data["dev"][:4]
        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        inputs = {name: tf.constant([example[name] for example in examples]) for name in serving_inputs}
        answers = serve(**inputs)
        return [f"{example['text'][:60]!r} -> {answer.decode()} ({max(scores):.2f}; gold {labels[example['label']]})"
                for example, answer, scores in zip(examples, answers["label"].numpy(), answers["scores"].numpy())]

    recipe = Recipe(
        name="sentiment",
        build_model=lambda: TextClassifier(build_backbone(), num_classes=len(labels), dropout=config.dropout),
        train=tables["train"],
        split=lambda batch: ({key: batch[key] for key in ("token_ids", "padding_mask", "segment_ids")},
                             batch["label"]),
        evaluate=evaluate, metric=config.metric,
        export=lambda model: export(model, preprocessor, *export_location(config), labels=labels, pairs=pairs,
                                    xla=config.serving_xla),
        save_assets=vocabulary_saver(start.tokenizer), demo=demo,
        info={"labels": labels, "start": start.description, **{f"{s}_examples": len(e) for s, e in data.items()}})
    run(config, recipe)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
