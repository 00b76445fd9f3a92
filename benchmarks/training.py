"""Training speed, examples per second: zoo TextClassifier vs keras-hub BertTextClassifier vs transformers
BertForSequenceClassification (torch CPU), same BERT config, random weights.

Run from the repository root: `python -m benchmarks.training`. Config: 6 layers, hidden 384, 12 heads,
intermediate 1536, vocab 30522 (all-MiniLM-L6-v2's geometry), batch 32, sequence 64, AdamW, dropout 0.1.
Each engine runs `--steps` train steps per repeat on the same batch, alternated in one process after a warm-up
(tracing / XLA compilation); the record holds medians. Writes `benchmarks/results/training.json`.
"""

import argparse
import statistics
import time

import numpy as np
# torch (and the triton it loads) must be imported before TensorFlow, or the process segfaults.
import torch  # noqa: E402
from transformers import BertConfig, BertForSequenceClassification  # noqa: E402

import zoo  # noqa: F401,E402  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402

from zoo.models import BertBackbone, TextClassifier  # noqa: E402
from benchmarks.results_file import report  # noqa: E402

CONFIG = dict(vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384, intermediate_dim=1536)
BATCH, LENGTH = 32, 64


def batch():
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, CONFIG["vocabulary_size"], size=(BATCH, LENGTH)).astype("int32")
    mask = np.ones((BATCH, LENGTH), bool)
    mask[::2, LENGTH // 2:] = False
    labels = rng.integers(0, 2, size=(BATCH,)).astype("int32")
    return ids, mask, labels


def ours_engine(steps):
    ids, mask, labels = batch()
    keras.utils.set_random_seed(0)
    model = TextClassifier(BertBackbone(**CONFIG, dropout=0.1, max_sequence_length=512), num_classes=2)
    model.compile(learning_rate=5e-5, total_steps=10_000, jit_compile=True)
    inputs = {"token_ids": ids, "padding_mask": mask, "segment_ids": np.zeros_like(ids)}

    def run():
        for _ in range(steps):
            loss = model.train_on_batch(inputs, labels)
        return float(np.asarray(loss).ravel()[0])

    return run


def keras_hub_engine(steps):
    import keras_hub

    ids, mask, labels = batch()
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.BertBackbone(**CONFIG, dropout=0.1, max_sequence_length=512)
    model = keras_hub.models.BertTextClassifier(backbone=backbone, num_classes=2, preprocessor=None)
    model.compile(optimizer=keras.optimizers.AdamW(5e-5), jit_compile=True)
    inputs = {"token_ids": ids, "padding_mask": mask, "segment_ids": np.zeros_like(ids)}

    def run():
        for _ in range(steps):
            loss = model.train_on_batch(inputs, labels)
        return float(np.asarray(loss).ravel()[0])

    return run


def transformers_engine(steps):
    ids, mask, labels = batch()
    torch.manual_seed(0)
    config = BertConfig(vocab_size=CONFIG["vocabulary_size"], hidden_size=CONFIG["hidden_dim"],
                        num_hidden_layers=CONFIG["num_layers"], num_attention_heads=CONFIG["num_heads"],
                        intermediate_size=CONFIG["intermediate_dim"], num_labels=2)
    model = BertForSequenceClassification(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    ids_t, mask_t = torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)
    labels_t = torch.tensor(labels, dtype=torch.long)

    def run():
        for _ in range(steps):
            optimizer.zero_grad()
            loss = model(input_ids=ids_t, attention_mask=mask_t, labels=labels_t).loss
            loss.backward()
            optimizer.step()
        return float(loss)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    args = parser.parse_args()
    engines = {"ours": ours_engine(args.steps), "keras_hub": keras_hub_engine(args.steps),
               "transformers": transformers_engine(args.steps)}
    for name, run in engines.items():  # warm-up: tracing, XLA compilation
        start = time.perf_counter()
        loss = run()
        print(f"warm-up {name}: {time.perf_counter() - start:.1f}s, loss {loss:.3f}")
    rates = {name: [] for name in engines}
    for repeat in range(args.repeats):
        for name, run in engines.items():
            start = time.perf_counter()
            run()
            rates[name].append(args.steps * BATCH / (time.perf_counter() - start))
        print(f"repeat {repeat}: " + ", ".join(f"{n} {r[-1]:.1f} ex/s" for n, r in rates.items()))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    peers = {name: round(medians[name], 1) for name in ("transformers", "keras_hub")}
    record = {
        "name": "bert_text_classifier_training",
        "metric": "examples_per_s",
        "higher_is_better": True,
        "ours": round(medians["ours"], 1),
        "peers": peers,
        "ratios": {name: round(medians["ours"] / medians[name], 2) for name in peers},
        "target": {"transformers": 1.0, "keras_hub": 1.0},
        "config": {"layers": CONFIG["num_layers"], "hidden": CONFIG["hidden_dim"], "heads": CONFIG["num_heads"],
                   "intermediate": CONFIG["intermediate_dim"], "vocab": CONFIG["vocabulary_size"],
                   "batch": BATCH, "sequence": LENGTH, "steps_per_repeat": args.steps, "repeats": args.repeats,
                   "optimizer": "AdamW", "weights": "random"},
    }
    report("training", record, write=not args.no_write)


if __name__ == "__main__":
    main()
