"""What `benchmarks/quality.py` shares across tasks: the task table, recipe overrides, evaluation subsets for
smoke runs, the record builder, and the `pretrain_pays` experiment (BERT pretrained with the masked-LM recipe on
raw English text of the data folder, then fine-tuned on SST-2, against the same model from random weights).
"""

import datetime
import gzip
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MULTI30K = "translation/multi30k/"
DIALOGSUM = "summarization/dialogsum/"
SST2 = {"train": "sentiment/sst2_sentences/train.tsv", "dev": "sentiment/sst2_sentences/dev.tsv"}
TASKS = {
    # task: (config, record name, metric key in metrics.json, record metric, data paths, target, model);
    # targets are absolute, or margins over a peer of the same run
    "sentiment": ("recipes/sentiment/minilm_sst2.yaml", "sst2_all_minilm_l6_v2_finetune", "dev_accuracy",
                  "dev_accuracy", SST2, {"absolute": 89.0}, "all-MiniLM-L6-v2"),
    "ner": ("recipes/ner/minilm_conll2003.yaml", "conll2003_all_minilm_l6_v2_finetune", "test_f1",
            "test_entity_f1", {"train": "ner/conll2003/train.txt.gz", "dev": "ner/conll2003/valid.txt",
                               "test": "ner/conll2003/test.txt"}, {"absolute": 88.0}, "all-MiniLM-L6-v2"),
    "qa": ("recipes/qa/minilm_squad.yaml", "squad_v1.1_all_minilm_l6_v2_finetune", "dev_f1", "dev_f1",
           {"train": "qa/squad_v1.1/train-v1.1-subset-44articles.json.gz",
            "dev": "qa/squad_v1.1/dev-v1.1.json.gz"}, {"absolute": 70.0}, "all-MiniLM-L6-v2"),
    "translation": ("recipes/translation/t5_multi30k.yaml", "multi30k_de_en_t5_from_scratch", "test_bleu",
                    "test2016_sacrebleu",
                    {"train": MULTI30K + "train.de.gz", "train_target": MULTI30K + "train.en.gz",
                     "dev": MULTI30K + "val.de.gz", "dev_target": MULTI30K + "val.en.gz",
                     "test": MULTI30K + "test_2016_flickr.de.gz", "test_target": MULTI30K + "test_2016_flickr.en.gz"},
                    {"absolute": 33.0}, "T5 3+3 layers, hidden 256, from scratch"),
    "summarization": ("recipes/summarization/t5_dialogsum.yaml", "dialogsum_t5_from_scratch", "test_rougeL",
                      "test_rougeL_f1", {"train": DIALOGSUM + "train.jsonl.gz", "dev": DIALOGSUM + "dev.jsonl",
                                         "test": DIALOGSUM + "test.jsonl"},
                      {"above_lead_baseline": 5.0},
                      "T5 3+3 layers, hidden 256, from scratch"),
    "pretrain_pays": ("recipes/sentiment/bert_sst2_pays.yaml", "sst2_bert_small_pretrain_pays", "dev_accuracy",
                      "dev_accuracy", SST2, {"above_random_init": 0.0},
                      "BERT 4 layers, hidden 256, MLM+NSP pretrained"),
}
PRETRAIN_CONFIG = "recipes/pretrain/bert_mlm_pays.yaml"
# Raw English text for pretraining (never the SST-2 sentences): DialogSum training dialogues and summaries, the
# BBC news articles, the SciTLDR-A training abstracts.
PRETRAIN_SOURCES = {"dialogsum": DIALOGSUM + "train.jsonl.gz", "bbc": "summarization/bbc_news_summary/"
                    "bbc_news_summary.jsonl.gz", "scitldr": "summarization/scitldr_a/train.jsonl.gz"}
#: Options of quality.py passed on to every recipe of the run when given.
PASSED_OPTIONS = ("time_budget", "seed", "max_train_examples", "epochs", "learning_rate", "jit_compile")


def parse_settings(settings):
    """`["name=value", ...]` (the `--set` options) as `{name: value}`; ValueError naming a malformed one."""
    overrides = {}
    for setting in settings or ():
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            raise ValueError(f"--set {setting!r}: expected FIELD=VALUE, e.g. --set vocabulary_size=200")
        overrides[name.strip()] = value.strip()
    return overrides


def recipe_overrides(task, args, output_dir):
    """The recipe options of a quality run: the data paths under `args.data`, the run and export directories,
    the quality.py options that were given, and the `--set` fields."""
    paths = TASKS[task][4]
    overrides = {split: os.path.join(args.data, path) for split, path in paths.items()}
    overrides["output_dir"] = output_dir
    overrides["export_dir"] = os.path.join(output_dir, "saved_models", task)
    overrides.update({name: getattr(args, name) for name in PASSED_OPTIONS if getattr(args, name) is not None})
    overrides.update(parse_settings(args.set))
    if args.max_eval_examples is not None:
        overrides.update(eval_subsets(overrides, args.max_eval_examples, os.path.join(output_dir, "eval_subset")))
    return overrides


def eval_subsets(overrides, limit, directory):
    """Smoke runs: the first `limit` lines of each evaluation file (dev, test and their aligned targets) copied
    to `directory`; returns the overrides pointing at the copies. Line-based formats only (TSV, JSONL, aligned
    text; CoNLL is cut at a line)."""
    os.makedirs(directory, exist_ok=True)
    copies = {}
    for split in ("dev", "dev_target", "test", "test_target"):
        path = overrides.get(split)
        if not path:
            continue
        if path.endswith((".json", ".json.gz")):
            raise ValueError(f"--max_eval_examples: {path} is one JSON document, not cut by lines")
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as file:
            lines = [line for _, line in zip(range(limit), file)]
        copy = os.path.join(directory, f"{split}_" + os.path.basename(path).removesuffix(".gz"))
        with open(copy, "w", encoding="utf-8") as file:
            file.writelines(lines)
        copies[split] = copy
    return copies


def build_record(task, config, metrics, command, peers=None, extra=None):
    """The quality.json record (`../shared/RESULTS.md`) of a finished recipe run of `task`: `metrics` is the
    `metrics` object of its metrics.json, `config` its config, `peers` `{name: score}` measured in the same run
    (their ratios are ours/peer), `extra` more config facts."""
    _, name, key, metric, paths, target, model = TASKS[task]
    if key not in metrics:
        raise KeyError(f"{task}: the recipe's metrics.json has no {key!r} (has {sorted(metrics)})")
    ours = round(metrics[key], 2)
    peers = {peer: round(score, 2) for peer, score in (peers or {}).items()}
    summary = {k: round(v, 2) for k, v in metrics.items() if k.startswith(("dev_", "test_"))}
    return {
        "name": name, "metric": metric, "higher_is_better": True, "ours": ours, "peers": peers,
        "ratios": {peer: round(ours / score, 3) if score else None for peer, score in peers.items()},
        "target": dict(target),
        "config": {"dataset": dict(paths), "model": model, "seed": config.seed,
                   "time_budget_minutes": config.time_budget, "epochs_trained": metrics["epochs_trained"],
                   "best_epoch": metrics["best_epoch"], "train_seconds": metrics["train_seconds"],
                   "sequence_length": config.max_sequence_length, "batch": config.batch_size,
                   "learning_rate": config.learning_rate, "jit_compile": config.jit_compile,
                   "length_buckets": config.length_buckets, "max_train_examples": config.max_train_examples,
                   "all_metrics": summary, **(extra or {})},
        "command": command, "machine": "2-core x86_64 CPU, no GPU", "date": datetime.date.today().isoformat(),
    }


def task_peers(task, metrics):
    """Baselines a recipe scores in its own run: summarization's lead-N ROUGE-L on test (`lead_baseline`)."""
    if task == "summarization":
        return {"lead_baseline": metrics["test_lead_rougeL"]}
    return {}


def _sentences(text):
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


def _records(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def write_pretraining_corpus(data, path, max_documents=None):
    """Writes the raw English text of `PRETRAIN_SOURCES` under `data` to `path` in the pretrain recipe's format
    (one sentence or dialogue turn a line, a blank line between documents); returns `{source: documents}`."""
    counts = {}
    with open(path, "w", encoding="utf-8") as out:
        for source, relative in PRETRAIN_SOURCES.items():
            counts[source] = 0
            for record in _records(os.path.join(data, relative)):
                if max_documents is not None and counts[source] >= max_documents:
                    break
                if source == "dialogsum":
                    lines = [turn.split(":", 1)[-1].strip() for turn in record["dialogue"].splitlines()]
                    lines += _sentences(record["summary"])
                elif source == "bbc":
                    lines = [s for paragraph in record["article"].splitlines() for s in _sentences(paragraph)]
                else:
                    lines = [sentence.strip() for sentence in record["source"]]
                lines = [line for line in lines if line]
                if len(lines) >= 2:
                    out.write("\n".join(lines) + "\n\n")
                    counts[source] += 1
    return counts


def pretrain_pays(args, output_dir, run_recipe, command):
    """Pretrains BERT (MLM+NSP) on `write_pretraining_corpus`, fine-tunes it on SST-2 (`--init` its checkpoint)
    and fine-tunes the same model from random weights with the same config and budget; returns the record."""
    base = recipe_overrides("pretrain_pays", args, output_dir)
    corpus = os.path.join(output_dir, "pretraining_corpus.txt")
    os.makedirs(output_dir, exist_ok=True)
    counts = write_pretraining_corpus(args.data, corpus, max_documents=args.max_train_examples)
    print(f"pretraining corpus {corpus}: {counts} documents", flush=True)
    # --max_train_examples limits the corpus per source (above), so the held-out documents come from all three
    pretrain = {name: value for name, value in base.items() if name not in ("train", "dev", "max_train_examples")}
    pretrain.update(train=corpus, dev="", output_dir=os.path.join(output_dir, "pretrain"),
                    export_dir=os.path.join(output_dir, "pretrain", "unused"))
    if getattr(args, "pretrain_time_budget", None) is not None:
        pretrain["time_budget"] = args.pretrain_time_budget
    pretrained, pretrain_config = run_recipe("pretrain", PRETRAIN_CONFIG, pretrain)
    finetune = dict(base, output_dir=os.path.join(output_dir, "pretrained"),
                    init=os.path.join(pretrain_config.output_dir, "model.keras"))
    results, config = run_recipe("sentiment", TASKS["pretrain_pays"][0], finetune)
    scratch = dict(base, output_dir=os.path.join(output_dir, "random_init"),
                   export_dir=os.path.join(output_dir, "saved_models", "random_init"))
    random_results, _ = run_recipe("sentiment", TASKS["pretrain_pays"][0], scratch)
    metrics, random_metrics = results["metrics"], random_results["metrics"]
    extra = {"pretraining": {"config": PRETRAIN_CONFIG, "corpus_documents": counts,
                             "time_budget_minutes": pretrain_config.time_budget,
                             "train_seconds": pretrained["metrics"]["train_seconds"],
                             "dev_mlm_accuracy": round(pretrained["metrics"]["dev_mlm_accuracy"], 2),
                             "dev_nsp_accuracy": round(pretrained["metrics"]["dev_nsp_accuracy"], 2)},
             "random_init_train_seconds": random_metrics["train_seconds"],
             "random_init_epochs_trained": random_metrics["epochs_trained"]}
    return build_record("pretrain_pays", config, metrics, command,
                        peers={"random_init": random_metrics["dev_accuracy"]}, extra=extra)
