"""Sentiment (sentence classification) recipe: WordPiece vocabulary + tiny BERT + TextClassifier.

    python -m zoo.recipes.sentiment --config recipes/sentiment/bert_tiny.yaml [--epochs 1 ...]

Data: `text<TAB>label` files (label = non-negative integer id). Metric: accuracy on the dev split, written
to `<output_dir>/metrics.json`.
"""

import sys

from zoo.recipes.common import load_split, report_sizes, run_cli, write_metrics
from zoo.training.config import ConfigError, SentimentConfig, parse_config

PROG = "python -m zoo.recipes.sentiment"


def load_data(config):
    from zoo.data import read_tsv

    data = {"train": load_split(config, "train", read_tsv, limit=config.max_train_examples),
            "dev": load_split(config, "dev", read_tsv)}
    num_classes = max(example["label"] for example in data["train"]) + 1
    if num_classes < 2:
        raise ConfigError(f"{config.train}: expected at least 2 label ids in the training data, found only label 0")
    for index, example in enumerate(data["dev"]):
        if example["label"] >= num_classes:
            raise ConfigError(f"{config.dev}: example {index + 1} has label {example['label']}, but the training "
                              f"data only has labels 0..{num_classes - 1}")
    return data


def make_dataset(examples, preprocessor, config, shuffle):
    import tensorflow as tf

    texts = [example["text"] for example in examples]
    labels = [example["label"] for example in examples]
    dataset = tf.data.Dataset.from_tensor_slices((texts, labels))
    if shuffle:
        dataset = dataset.shuffle(len(texts), seed=config.seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(config.batch_size).map(lambda x, y: (preprocessor(x), y),
                                                   num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def train(config, data):
    import keras

    from zoo.models import BertBackbone, TextClassifier
    from zoo.models.bert.bert_preprocessor import BertPreprocessor
    from zoo.tokenizers import WordPieceTokenizer, train_wordpiece
    from zoo.training.strategy import get_strategy

    keras.utils.set_random_seed(config.seed)
    keras.mixed_precision.set_global_policy(config.mixed_precision)
    texts = [example["text"] for example in data["train"]]
    vocabulary = train_wordpiece(texts, vocabulary_size=config.vocabulary_size, lowercase=config.lowercase)
    tokenizer = WordPieceTokenizer(vocabulary, lowercase=config.lowercase)
    preprocessor = BertPreprocessor(tokenizer, sequence_length=config.max_sequence_length)
    train_data = make_dataset(data["train"], preprocessor, config, shuffle=True)
    dev_data = make_dataset(data["dev"], preprocessor, config, shuffle=False)
    steps_per_epoch = config.steps_per_epoch or -(-len(data["train"]) // config.batch_size)
    total_steps = steps_per_epoch * config.epochs

    strategy = get_strategy(config.strategy)
    with strategy.scope():
        backbone = BertBackbone(
            vocabulary_size=tokenizer.vocabulary_size(), num_layers=config.num_layers, num_heads=config.num_heads,
            hidden_dim=config.hidden_dim, intermediate_dim=config.intermediate_dim, dropout=config.dropout,
            max_sequence_length=config.max_sequence_length)
        num_classes = max(example["label"] for example in data["train"]) + 1
        model = TextClassifier(backbone, num_classes=num_classes, dropout=config.dropout)
        model.compile(learning_rate=config.learning_rate, warmup_steps=int(config.warmup_ratio * total_steps),
                      total_steps=total_steps, jit_compile=config.jit_compile)
    # The dataset shuffles itself (seeded); Keras must not try to.
    model.fit(train_data, epochs=config.epochs, steps_per_epoch=config.steps_per_epoch, shuffle=False, verbose=2)
    results = model.evaluate(dev_data, return_dict=True, verbose=0)
    metrics = {"dev_accuracy": float(results["accuracy"]), "dev_loss": float(results["loss"]),
               "train_examples": len(data["train"]), "dev_examples": len(data["dev"]),
               "vocabulary_size": tokenizer.vocabulary_size()}
    path = write_metrics(config, metrics)
    print(f"dev accuracy: {metrics['dev_accuracy']:.4f} (metrics written to {path})")
    return metrics


def main(argv=None):
    config = parse_config(SentimentConfig, argv, description=__doc__, prog=PROG)
    data = load_data(config)
    report_sizes(data)
    train(config, data)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
