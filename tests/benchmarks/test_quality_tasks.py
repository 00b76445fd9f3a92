"""benchmarks/quality.py plumbing without training: arguments to recipe options, evaluation subsets, the
pretraining corpus, the record builder, and the pretrain_pays sequence (the recipes replaced by a fake)."""

import gzip
import json
import types

import pytest

from benchmarks import quality
from benchmarks.quality_tasks import (
    TASKS, build_record, eval_subsets, parse_settings, recipe_overrides, write_pretraining_corpus)

METRICS = {"dev_rougeL": 30.0, "test_rougeL": 31.234, "test_lead_rougeL": 20.0, "dev_bleu": 20.0,
           "test_bleu": 25.678, "dev_accuracy": 80.0, "dev_mlm_accuracy": 40.0, "dev_nsp_accuracy": 60.0,
           "epochs_trained": 1, "best_epoch": 1, "train_seconds": 1.5}


def fake_config(**fields):
    base = dict(seed=42, time_budget=1.0, max_sequence_length=16, batch_size=8, learning_rate=1e-3,
                jit_compile=False, length_buckets=True, max_train_examples=64, output_dir="out")
    return types.SimpleNamespace(**{**base, **fields})


def args_for(argv):
    """quality.py's parsed arguments for `argv`, through its own parser (main with run_recipe stubbed out)."""
    seen = {}

    def stop(args, *rest):
        seen["args"] = args
        raise SystemExit(0)

    original = quality.pretrain_pays
    quality.pretrain_pays = stop
    try:
        with pytest.raises(SystemExit):
            quality.main(["--task", "pretrain_pays", *argv])
    finally:
        quality.pretrain_pays = original
    return seen["args"]


def test_parse_settings():
    assert parse_settings(["vocabulary_size=200", " num_layers = 1"]) == {"vocabulary_size": "200", "num_layers": "1"}
    with pytest.raises(ValueError, match="--set 'vocabulary_size'"):
        parse_settings(["vocabulary_size"])


def test_recipe_overrides_and_eval_subsets(tmp_path):
    data = tmp_path / "data" / "translation" / "multi30k"
    data.mkdir(parents=True)
    for name in ("val.de.gz", "val.en.gz", "test_2016_flickr.de.gz", "test_2016_flickr.en.gz"):
        with gzip.open(data / name, "wt", encoding="utf-8") as file:
            file.writelines(f"{name} {i}\n" for i in range(10))
    args = args_for(["--data", str(tmp_path / "data"), "--max_eval_examples", "3", "--time_budget", "1",
                     "--set", "vocabulary_size=200"])
    overrides = recipe_overrides("translation", args, str(tmp_path / "run"))
    assert overrides["train"] == str(tmp_path / "data" / "translation/multi30k/train.de.gz")
    assert overrides["time_budget"] == 1.0 and overrides["vocabulary_size"] == "200"
    assert "epochs" not in overrides and "seed" not in overrides  # only the options given are passed on
    for split in ("dev", "dev_target", "test", "test_target"):
        with open(overrides[split], encoding="utf-8") as file:
            lines = file.read().splitlines()
        assert len(lines) == 3 and lines[0].endswith(" 0")  # the first lines, both sides cut alike
    with pytest.raises(ValueError, match="dev-v1.1.json.gz"):
        eval_subsets({"dev": "qa/dev-v1.1.json.gz"}, 3, str(tmp_path / "subset"))


def test_build_record_summarization_has_the_lead_baseline():
    record = build_record("summarization", fake_config(), METRICS, "python -m benchmarks.quality --task x",
                          peers=quality.task_peers("summarization", METRICS))
    assert "dialogsum" in record["name"] and record["ours"] == 31.23
    assert record["peers"] == {"lead_baseline": 20.0} and record["ratios"] == {"lead_baseline": 1.562}
    assert record["target"] == {"above_lead_baseline": 5.0} and record["config"]["seed"] == 42
    assert set(record) >= {"metric", "higher_is_better", "command", "machine", "date"}
    with pytest.raises(KeyError, match="test_bleu"):
        build_record("translation", fake_config(), {"dev_bleu": 1.0}, "cmd")


def test_pretraining_corpus_format(tmp_path):
    data = tmp_path / "data"
    records = {"summarization/dialogsum/train.jsonl.gz": {"dialogue": "#Person1#: Hi there.\n#Person2#: Hello!",
                                                          "summary": "Two people greet. They smile."},
               "summarization/bbc_news_summary/bbc_news_summary.jsonl.gz": {"article": "Title\n\nOne. Two? Three."},
               "summarization/scitldr_a/train.jsonl.gz": {"source": ["First sentence.", "Second sentence."]}}
    for name, record in records.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(data / name, "wt", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n" + json.dumps(record) + "\n")
    counts = write_pretraining_corpus(str(data), str(tmp_path / "corpus.txt"), max_documents=1)
    assert counts == {"dialogsum": 1, "bbc": 1, "scitldr": 1}
    documents = (tmp_path / "corpus.txt").read_text().strip().split("\n\n")
    assert documents[0].splitlines() == ["Hi there.", "Hello!", "Two people greet.", "They smile."]
    assert documents[1].splitlines() == ["Title", "One.", "Two?", "Three."]


def test_pretrain_pays_runs_pretraining_then_both_fine_tunes(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_run_recipe(task, config_path, overrides):
        calls.append((task, config_path, dict(overrides)))
        accuracy = 85.0 if overrides.get("init") else 80.0
        return {"metrics": dict(METRICS, dev_accuracy=accuracy)}, fake_config(output_dir=overrides["output_dir"])

    monkeypatch.setattr(quality, "run_recipe", fake_run_recipe)
    monkeypatch.setattr("benchmarks.quality_tasks.write_pretraining_corpus", lambda *a, **k: {"dialogsum": 2})
    argv = ["--task", "pretrain_pays", "--no-write", "--output_dir", str(tmp_path), "--max_train_examples", "5",
            "--pretrain_time_budget", "20", "--time_budget", "8", "--learning_rate", "3e-4"]
    assert quality.main(argv) == 0
    (pretrain, _, pre_options), (first, _, tuned), (second, _, scratch) = calls
    assert (pretrain, first, second) == ("pretrain", "sentiment", "sentiment")
    assert pre_options["train"].endswith("pretraining_corpus.txt") and "sst2" not in pre_options["train"]
    assert tuned["init"] == f"{tmp_path}/pretrain/model.keras" and "init" not in scratch
    assert tuned["train"] == scratch["train"] and tuned["output_dir"] != scratch["output_dir"]
    assert "max_train_examples" not in pre_options and tuned["max_train_examples"] == scratch["max_train_examples"]
    assert pre_options["time_budget"] == 20 and tuned["time_budget"] == scratch["time_budget"] == 8
    assert pre_options["learning_rate"] == tuned["learning_rate"] == scratch["learning_rate"] == 3e-4
    out = capsys.readouterr().out
    record = json.loads(out[out.index("\n{") + 1:])
    assert "pretrain_pays" in record["name"] and record["ours"] == 85.0
    assert record["peers"] == {"random_init": 80.0} and record["config"]["pretraining"]["dev_mlm_accuracy"] == 40.0


def test_table_states_margin_targets_against_their_peer(tmp_path, monkeypatch):
    monkeypatch.setattr(quality, "RESULTS_DIR", str(tmp_path))
    record = {"name": "dialogsum_x", "metric": "test_rougeL_f1", "ours": 30.0, "peers": {"lead_baseline": 25.0},
              "target": {"above_lead_baseline": 5.0}, "config": {"train_seconds": 9.0}, "date": "2026-12-03"}
    quality.write_table([record, dict(record, name="multi30k_x", target={"absolute": 33.0}, peers={})])
    rows = (tmp_path / "quality.md").read_text().splitlines()[-2:]
    assert rows == ["| dialogsum_x | test_rougeL_f1 | 30.0 | lead_baseline + 5.0 | lead_baseline 25.0 | 9.0 "
                    "| 2026-12-03 |",
                    "| multi30k_x | test_rougeL_f1 | 30.0 | 33.0 | - | 9.0 | 2026-12-03 |"]
