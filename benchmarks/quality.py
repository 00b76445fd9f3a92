"""Quality of the recipes on real data: all-MiniLM-L6-v2 fine-tuned with a fixed seed and a time budget.

    python -m benchmarks.quality --task sentiment [--data ../shared/data] [--time_budget 15] [--with-peers]
    python -m benchmarks.quality --task ner       # CoNLL-2003, test entity F1
    python -m benchmarks.quality --task qa        # SQuAD v1.1 (44-article train subset), dev F1

Each task runs its recipe (`python -m zoo.recipes.<task>`) with the committed config
`recipes/<task>/minilm_*.yaml` (sequence length, batch, learning rate, XLA, length buckets, time budget), the
data paths taken from `--data`. The record is merged by name into `benchmarks/results/quality.json` (format:
`../shared/RESULTS.md`), and `benchmarks/results/quality.md` is rewritten as a table of all records.
`--with-peers` (sentiment) also fine-tunes keras-hub's `BertTextClassifier` from the same MiniLM directory with
the same length, batch, epochs and learning rate, in the same run.
"""

import argparse
import datetime
import json
import os
import sys
import time

from benchmarks.results_file import MACHINE, RESULTS_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data")
TASKS = {
    # task: (config, record name, metric key in metrics.json, record metric, data paths, target)
    "sentiment": ("recipes/sentiment/minilm_sst2.yaml", "sst2_all_minilm_l6_v2_finetune", "dev_accuracy",
                  "dev_accuracy", {"train": "sentiment/sst2_sentences/train.tsv",
                                   "dev": "sentiment/sst2_sentences/dev.tsv"}, 89.0),
    "ner": ("recipes/ner/minilm_conll2003.yaml", "conll2003_all_minilm_l6_v2_finetune", "test_f1",
            "test_entity_f1", {"train": "ner/conll2003/train.txt.gz", "dev": "ner/conll2003/valid.txt",
                               "test": "ner/conll2003/test.txt"}, 88.0),
    "qa": ("recipes/qa/minilm_squad.yaml", "squad_v1.1_all_minilm_l6_v2_finetune", "dev_f1", "dev_f1",
           {"train": "qa/squad_v1.1/train-v1.1-subset-44articles.json.gz",
            "dev": "qa/squad_v1.1/dev-v1.1.json.gz"}, 70.0),
}


def run_recipe(task, overrides):
    """Runs the task's recipe in this process; returns (metrics.json content, config)."""
    import importlib

    from zoo.training.config import load_config

    module = importlib.import_module(f"zoo.recipes.{task}")
    config_class = next(value for name, value in vars(module).items() if name.endswith("Config") and
                        name != "RecipeConfig")
    config = load_config(config_class, os.path.join(ROOT, TASKS[task][0]), overrides)
    arguments = ["--config", os.path.join(ROOT, TASKS[task][0])]
    for name, value in overrides.items():
        arguments += [f"--{name}", str(value)]
    if module.main(arguments) != 0:
        raise RuntimeError(f"the {task} recipe failed")
    with open(os.path.join(config.output_dir, "metrics.json"), encoding="utf-8") as file:
        return json.load(file), config


def keras_hub_peer(config, data):
    """keras-hub's BertTextClassifier from the MiniLM directory, same length, batch, epochs and learning rate."""
    import keras
    import keras_hub
    import numpy as np

    from zoo.data import read_tsv
    from zoo.presets import preset_directory

    keras.utils.set_random_seed(config.seed)
    train, dev = (read_tsv(os.path.join(data, TASKS["sentiment"][4][split])) for split in ("train", "dev"))
    if config.max_train_examples:
        train = train[: config.max_train_examples]
    directory = preset_directory("all_minilm_l6_v2")
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(
        directory, sequence_length=config.max_sequence_length)
    model = keras_hub.models.BertTextClassifier.from_preset(directory, num_classes=2, preprocessor=preprocessor)
    steps = -(-len(train) // config.batch_size) * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps - int(0.1 * steps), warmup_target=config.learning_rate,
                                                      warmup_steps=int(0.1 * steps))
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                  jit_compile=config.jit_compile)
    texts, labels = [e["text"] for e in train], np.array([e["label"] for e in train])
    start = time.perf_counter()
    model.fit(texts, labels, batch_size=config.batch_size, epochs=config.epochs, verbose=2)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate([e["text"] for e in dev], np.array([e["label"] for e in dev]),
                              batch_size=config.eval_batch_size, verbose=0, return_dict=True)["accuracy"]
    return round(100 * float(accuracy), 2), round(seconds, 1)


def merge(record, write):
    """Merges `record` by name into results/quality.json and rewrites results/quality.md."""
    print(json.dumps(record, indent=2))
    if not write:
        return
    path = os.path.join(RESULTS_DIR, "quality.json")
    records = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            records = [old for old in json.load(file)["records"] if old["name"] != record["name"]]
    records = sorted(records + [record], key=lambda item: item["name"])
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"records": records}, file, indent=2)
        file.write("\n")
    lines = ["| record | metric | ours | target | peers | training s | date |", "|---|---|---|---|---|---|---|"]
    for item in records:
        peers = ", ".join(f"{name} {value}" for name, value in item.get("peers", {}).items()) or "-"
        lines.append(f"| {item['name']} | {item['metric']} | {item['ours']} | {item['target'].get('absolute', '-')} "
                     f"| {peers} | {item['config'].get('train_seconds', '-')} | {item['date']} |")
    with open(os.path.join(RESULTS_DIR, "quality.md"), "w", encoding="utf-8") as file:
        file.write("# Recipe quality (benchmarks/quality.py)\n\n" + "\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", required=True, choices=sorted(TASKS))
    parser.add_argument("--data", default=DEFAULT_DATA, help="the shared data directory")
    parser.add_argument("--time_budget", type=float, default=None, help="minutes of training (default: the config's)")
    parser.add_argument("--seed", type=int, default=None, help="default: the config's (42)")
    parser.add_argument("--max_train_examples", type=int, default=None, help="smoke tests only")
    parser.add_argument("--epochs", type=int, default=None, help="default: the config's")
    parser.add_argument("--jit_compile", default=None, choices=("true", "false"), help="default: the config's")
    parser.add_argument("--output_dir", default=None, help="run directory (default: runs/quality/<task>)")
    parser.add_argument("--with-peers", dest="with_peers", action="store_true",
                        help="sentiment: also run keras-hub's BertTextClassifier in the same process")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    args = parser.parse_args(argv)

    _, name, key, metric, paths, target = TASKS[args.task]
    overrides = {split: os.path.join(args.data, path) for split, path in paths.items()}
    overrides["output_dir"] = args.output_dir or os.path.join("runs", "quality", args.task)
    overrides["export_dir"] = os.path.join(overrides["output_dir"], "saved_models", args.task)
    for option in ("time_budget", "seed", "max_train_examples", "epochs", "jit_compile"):
        if getattr(args, option) is not None:
            overrides[option] = getattr(args, option)
    results, config = run_recipe(args.task, overrides)
    metrics = results["metrics"]
    record = {
        "name": name, "metric": metric, "higher_is_better": True, "ours": round(metrics[key], 2), "peers": {},
        "ratios": {}, "target": {"absolute": target},
        "config": {"dataset": {split: path for split, path in paths.items()}, "model": "all-MiniLM-L6-v2",
                   "seed": config.seed, "time_budget_minutes": config.time_budget, "epochs_trained":
                   metrics["epochs_trained"], "best_epoch": metrics["best_epoch"], "train_seconds":
                   metrics["train_seconds"], "sequence_length": config.max_sequence_length, "batch": config.batch_size,
                   "learning_rate": config.learning_rate, "jit_compile": config.jit_compile,
                   "length_buckets": config.length_buckets, "max_train_examples": config.max_train_examples,
                   "all_metrics": {k: round(v, 2) for k, v in metrics.items() if k.startswith(("dev_", "test_"))}},
        "command": "python -m benchmarks.quality " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": MACHINE, "date": datetime.date.today().isoformat(),
    }
    if args.with_peers and args.task == "sentiment":
        accuracy, seconds = keras_hub_peer(config, args.data)
        record["peers"]["keras_hub"] = accuracy
        record["ratios"]["keras_hub"] = round(record["ours"] / accuracy, 3) if accuracy else None
        record["config"]["keras_hub_train_seconds"] = seconds
    merge(record, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
