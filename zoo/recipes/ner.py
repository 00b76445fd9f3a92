"""Named-entity recognition recipe: a BERT-style encoder + `TokenClassifier`, one tag per word.

    python -m zoo.recipes.ner --config recipes/ner/bert_tiny.yaml [--epochs 1 ...]
    python -m zoo.recipes.ner --config recipes/ner/minilm_conll2003.yaml

Data: CoNLL files (`token ... TAG` lines, blank line between sentences; `-DOCSTART-` skipped), IOB1, IOB2 or
BIOES tags. The tag set is the training file's; a dev/test tag outside it is an error naming its line. A word's
first sub-word carries its tag; the others are ignored by the loss and the metric. Metric: seqeval entity F1
(and precision, recall) over the words; predictions go to `<output_dir>/predictions_<split>.conll` (`token
gold predicted`). Export: raw text in, entities (type, character offsets, score) out.
"""

import dataclasses
import sys
import typing

from zoo.recipes.common import (
    export_location, load_split, padded_lengths, report_sizes, run_cli, start_model, vocabulary_saver)
from zoo.training.config import RecipeConfig, option, parse_config

PROG = "python -m zoo.recipes.ner"
TAG_PATTERN = r"O|[BIESLU]-\S+"


@dataclasses.dataclass
class NerConfig(RecipeConfig):
    """Token classification (named entities) from CoNLL files."""

    train: str = option("tasks/ner/train.conll", "training CoNLL file: token ... TAG, blank line between sentences")
    dev: str = option("tasks/ner/dev.conll", "evaluation CoNLL file, same format as --train")
    token_prefix: typing.Optional[str] = option(None, "prefix every token carries and that is stripped (WikiANN: en:)")
    tag_scheme: str = option("IOB2", "how the tags mark entities (for the metric)", choices=("IOB1", "IOB2", "BIOES"))
    lowercase: bool = option(False, "lower-case tokens (a vocabulary trained here, or a bare vocab.txt)")
    max_sequence_length: int = option(128, "maximum sub-words per sentence, [CLS] and [SEP] included")
    output_dir: str = option("runs/ner", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/ner", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")


def load_data(config):
    """The splits (sentences of tokens and tags) and the tag names, "O" first."""
    from zoo.data import read_conll

    def reader(path, labels=None):
        return read_conll(path, token_prefix=config.token_prefix, label_names=labels, tag_pattern=TAG_PATTERN)

    data = {"train": load_split(config, "train", reader, limit=config.max_train_examples)}
    labels = ["O"] + sorted({tag for sentence in data["train"] for tag in sentence["tags"]} - {"O"})
    for split in ("dev", "test"):
        if split == "dev" or config.test:
            data[split] = load_split(config, split, lambda path: reader(path, labels))
    print(f"tags ({len(labels)}): {' '.join(labels)}")
    return data, labels


def features(preprocessor, sentences, labels):
    """A FeatureTable of BERT inputs, `word_ids`, sub-word `labels` and the sentence's index."""
    import tensorflow as tf

    from zoo.training.batches import FeatureTable

    ids = {name: index for index, name in enumerate(labels)}
    columns = {"words": tf.ragged.constant([sentence["tokens"] for sentence in sentences]),
               "tags": tf.ragged.constant([[ids[tag] for tag in s["tags"]] for s in sentences], dtype=tf.int32),
               "index": tf.range(len(sentences))}
    dataset = tf.data.Dataset.from_tensor_slices(columns).batch(256)
    return FeatureTable.from_dataset(dataset.map(
        lambda batch: {**preprocessor(batch["words"], batch["tags"]), "index": batch["index"]}))


def main(argv=None):
    from zoo.export import export
    from zoo.metrics import entity_scores
    from zoo.models import TokenClassifier
    from zoo.models.bert.bert_token_classifier_preprocessor import BertTokenClassifierPreprocessor
    from zoo.training.evaluation import Predictor
    from zoo.training.files import write_text
    from zoo.training.runner import Recipe, check_config, run

    config = parse_config(NerConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    data, labels = load_data(config)
    report_sizes(data, unit="sentences")
    start, build_backbone = start_model(config, [" ".join(sentence["tokens"]) for sentence in data["train"]])
    preprocessor = BertTokenClassifierPreprocessor(start.tokenizer, sequence_length=config.max_sequence_length)
    tables = {split: features(preprocessor, sentences, labels) for split, sentences in data.items()}
    predictor = Predictor(config.eval_batch_size, padded_lengths(config), config.jit_compile)

    def evaluate(model, split):
        sentences = data[split]
        predicted = [["O"] * len(sentence["tokens"]) for sentence in sentences]
        for batch, logits in predictor(model, tables[split]):
            for row, words, tags in zip(batch["index"], batch["word_ids"], logits.argmax(-1)):
                for word, tag in zip(words[words >= 0], tags[words >= 0]):
                    predicted[row][word] = labels[tag]
        lines = (f"{token} {gold} {guess}\n" for sentence, guesses in zip(sentences, predicted)
                 for token, gold, guess in [*zip(sentence["tokens"], sentence["tags"], guesses), ("", "", "")])
        write_text(f"{config.output_dir}/predictions_{split}.conll", "".join(lines).replace("  \n", "\n"))
        scores = entity_scores([sentence["tags"] for sentence in sentences], predicted, scheme=config.tag_scheme)
        return {"f1": scores["f1"], "precision": scores["precision"], "recall": scores["recall"]}

    def demo(path):
        import tensorflow as tf

        texts = [" ".join(sentence["tokens"]) for sentence in data["dev"][:3]]
        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        answers = {key: value.numpy() for key, value in serve(text=tf.constant(texts)).items()}
        return [f"{text[:70]!r} -> " + ", ".join(
            f"{name.decode()} ({kind.decode()}, {start}-{end})" for name, kind, start, end in zip(
                *(answers[key][row][:answers["num_entities"][row]] for key in
                  ("entity_text", "entity_type", "entity_start", "entity_end")))) for row, text in enumerate(texts)]

    def build_model():
        model = TokenClassifier(build_backbone(), num_classes=len(labels), dropout=config.dropout)
        model.backbone.pooler_dense.trainable = False  # the head reads the sequence output only
        return model

    recipe = Recipe(
        name="ner", build_model=build_model,
        train=tables["train"],
        split=lambda batch: ({key: batch[key] for key in ("token_ids", "padding_mask", "segment_ids")},
                             batch["labels"]),
        evaluate=evaluate, metric="f1",
        export=lambda model: export(model, preprocessor, *export_location(config), labels=labels,
                                    xla=config.serving_xla),
        save_assets=vocabulary_saver(start.tokenizer), demo=demo,
        info={"labels": labels, "start": start.description, **{f"{s}_sentences": len(e) for s, e in data.items()}})
    run(config, recipe)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
