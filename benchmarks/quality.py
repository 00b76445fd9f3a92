"""Quality of the recipes on real data, each with a fixed seed and a time budget.

    python -m benchmarks.quality --task sentiment [--data ../shared/data] [--time_budget 15] [--with-peers]
    python -m benchmarks.quality --task ner            # CoNLL-2003, test entity F1 (all-MiniLM-L6-v2)
    python -m benchmarks.quality --task qa             # SQuAD v1.1 (44-article train subset), dev F1
    python -m benchmarks.quality --task translation    # Multi30k de->en, test2016 sacreBLEU (T5 from scratch)
    python -m benchmarks.quality --task summarization  # DialogSum, test ROUGE-L F1 and the lead-N baseline
    python -m benchmarks.quality --task pretrain_pays  # SST-2 dev accuracy, MLM-pretrained BERT vs random init
                                       # [--pretrain_time_budget 20 --time_budget 8]

Each task runs its recipe (`python -m zoo.recipes.<task>`) with the committed config named in
`benchmarks.quality_tasks.TASKS` (sequence length, batch, learning rate, XLA, length buckets, time budget), the
data paths taken from `--data`. The record is merged by name into `benchmarks/results/quality.json` (format:
`../shared/RESULTS.md`), and `benchmarks/results/quality.md` is rewritten as a table of all records.
`--with-peers` (sentiment) also fine-tunes keras-hub's `BertTextClassifier` from the same MiniLM directory with
the same length, batch, epochs and learning rate, in the same run. A cheap smoke run of any task:
`--max_train_examples 64 --max_eval_examples 16 --time_budget 1 --epochs 1 --set vocabulary_size=200 --no-write`.
"""

import argparse
import json
import os
import sys
import time

from benchmarks.quality_tasks import (
    ROOT, TASKS, build_record, parse_settings, pretrain_pays, recipe_overrides, task_peers)
from benchmarks.results_file import RESULTS_DIR

DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data")


def run_recipe(task, config_path, overrides):
    """Runs `zoo.recipes.<task>` with the config file `config_path` (relative to the repository) and `overrides`
    in this process; returns (metrics.json content, config)."""
    from zoo.training.config import load_config
    from zoo.tune import recipe

    module, config_class = recipe(task)
    config = load_config(config_class, os.path.join(ROOT, config_path), overrides)
    arguments = ["--config", os.path.join(ROOT, config_path)]
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
    write_table(records)


def write_table(records):
    """results/quality.md: one row per record of quality.json."""
    lines = ["| record | metric | ours | target | peers | training s | date |", "|---|---|---|---|---|---|---|"]
    for item in records:
        peers = ", ".join(f"{name} {value}" for name, value in item.get("peers", {}).items()) or "-"
        target = ", ".join(f"{name.removeprefix('above_')} + {value}" if name.startswith("above_") else str(value)
                           for name, value in item["target"].items()) or "-"
        lines.append(f"| {item['name']} | {item['metric']} | {item['ours']} | {target} "
                     f"| {peers} | {item['config'].get('train_seconds', '-')} | {item['date']} |")
    with open(os.path.join(RESULTS_DIR, "quality.md"), "w", encoding="utf-8") as file:
        file.write("# Recipe quality (benchmarks/quality.py)\n\n" + "\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", required=True, choices=sorted(TASKS))
    parser.add_argument("--data", default=DEFAULT_DATA, help="the shared data directory")
    parser.add_argument("--time_budget", type=float, default=None, help="minutes of training (default: the config's)")
    parser.add_argument("--pretrain_time_budget", type=float, default=None,
                        help="pretrain_pays: minutes of MLM pretraining (default: the pretraining config's; "
                             "--time_budget then sets the two fine-tunings)")
    parser.add_argument("--seed", type=int, default=None, help="default: the config's (42)")
    parser.add_argument("--max_train_examples", type=int, default=None, help="smoke tests only")
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: the config's (the learning rate decays over them: fit them to the budget)")
    parser.add_argument("--learning_rate", type=float, default=None, help="peak learning rate (default: the config's)")
    parser.add_argument("--jit_compile", default=None, choices=("true", "false"), help="default: the config's")
    parser.add_argument("--output_dir", default=None, help="run directory (default: runs/quality/<task>)")
    parser.add_argument("--with-peers", dest="with_peers", action="store_true",
                        help="sentiment: also run keras-hub's BertTextClassifier in the same process")
    parser.add_argument("--max_eval_examples", type=int, default=None,
                        help="smoke tests only: evaluate on the first N lines of each dev/test file")
    parser.add_argument("--set", action="append", metavar="FIELD=VALUE",
                        help="any other recipe field, for every recipe of the run (smoke tests: model sizes)")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    args = parser.parse_args(argv)

    output_dir = args.output_dir or os.path.join("runs", "quality", args.task)
    command = "python -m benchmarks.quality " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.task == "pretrain_pays":
        record = pretrain_pays(args, output_dir, run_recipe, command)
    else:
        results, config = run_recipe(args.task, TASKS[args.task][0], recipe_overrides(args.task, args, output_dir))
        record = build_record(args.task, config, results["metrics"], command,
                              peers=task_peers(args.task, results["metrics"]))
    if args.set or args.max_eval_examples:  # a smoke run: say so in the record
        record["config"]["smoke"] = {"set": parse_settings(args.set), "max_eval_examples": args.max_eval_examples}
    if args.with_peers and args.task == "sentiment":
        accuracy, seconds = keras_hub_peer(config, args.data)
        record["peers"]["keras_hub"] = accuracy
        record["ratios"]["keras_hub"] = round(record["ours"] / accuracy, 3) if accuracy else None
        record["config"]["keras_hub_train_seconds"] = seconds
    merge(record, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
