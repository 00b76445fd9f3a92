"""`python -m zoo.tune`: a 4-trial search on the sentiment sample (table, trials.csv, best YAML, best export, memory
flat across trials), a distributed search (one oracle, two workers on localhost, two trials) recording every trial
once, and a bad search space stopping before any trial. A trial runs the whole recipe (train, evaluate, export),
so each trains one step."""

import csv
import re

import pytest
import yaml

from tests.recipes.helpers import serve
from tests.training.cluster import free_ports, processes, start, tail
from zoo.recipes.common import run_cli
from zoo.recipes.sentiment import SentimentConfig
from zoo import tune
from zoo.training.config import load_config

#: A tiny model on 32 sample rows; each trial trains 1 step.
TINY = ["--num_layers", "2", "--num_heads", "2", "--hidden_dim", "16", "--intermediate_dim", "32", "--vocabulary_size",
        "90", "--max_sequence_length", "16", "--max_train_examples", "32", "--batch_size", "8"]

SEARCH = """# the tiny search of the tests
train: tasks/sentiment/train.tsv
dev: tasks/sentiment/dev.tsv
epochs: 1
steps_per_epoch: 1
strategy: default
search:
  learning_rate: {min: 1.0e-3, max: 1.0e-2, sampling: log}
  dropout: [0.0, 0.1]
"""


def search_file(tmp_path):
    path = tmp_path / "search.yaml"
    path.write_text(SEARCH, encoding="utf-8")
    return path


def command(tmp_path, trials=4):
    return ["sentiment", "--config", search_file(tmp_path), "--trials", trials, "--directory", tmp_path / "tune",
            *TINY,
            "--output_dir", tmp_path / "run", "--export_dir", tmp_path / "saved" / "sentiment"]


def completed_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return rows


def test_four_trial_search_writes_table_best_config_and_export_and_memory_stays_flat(tmp_path):
    log = tmp_path / "tune.log"
    with processes() as started:
        started.append(start("zoo.tune", command(tmp_path), log))
        started[0].wait(timeout=900)
    assert started[0].returncode == 0, tail(log)
    output = log.read_text()
    memory = [float(value) for value in re.findall(r"resident memory (\d+) MB", output)]
    assert len(memory) == 4, tail(log)
    assert memory[3] - memory[1] < 200, memory  # from trial 2 to trial 4
    rows = completed_rows(tmp_path / "tune" / "sentiment" / "trials.csv")
    assert [row["status"] for row in rows] == ["COMPLETED"] * 4
    assert re.search(r"^trial\s+status\s+dev_metric\s+learning_rate\s+dropout$", output, re.M), output
    best = max(rows, key=lambda row: float(row["dev_metric"]))
    config = load_config(SentimentConfig, tmp_path / "tune" / "sentiment" / "best.yaml")
    assert abs(config.learning_rate - float(best["learning_rate"])) <= 1e-6 * config.learning_rate
    assert config.dropout == float(best["dropout"]) and config.export_dir == str(tmp_path / "saved" / "sentiment")
    assert yaml.safe_load((tmp_path / "tune" / "sentiment" / "best.yaml").read_text())["max_sequence_length"] == 16
    export = tmp_path / "saved" / "sentiment" / "1"
    assert f"SavedModel {export}" in output
    assert serve(export, text=["a fine film ."])["scores"].shape == (1, 2)


def test_distributed_search_records_every_trial_once(tmp_path):
    port = free_ports(1)[0]
    logs = {name: tmp_path / f"{name}.log" for name in ("chief", "tuner0", "tuner1")}
    with processes() as started:
        for name, log in logs.items():
            environment = {"KERASTUNER_TUNER_ID": name, "KERASTUNER_ORACLE_IP": "127.0.0.1",
                           "KERASTUNER_ORACLE_PORT": str(port)}
            started.append(start("zoo.tune", command(tmp_path, trials=2), log, environment))
        for process, log in zip(started, logs.values()):
            process.wait(timeout=900)
            assert process.returncode == 0, tail(log)
    rows = completed_rows(tmp_path / "tune" / "sentiment" / "trials.csv")
    assert sorted(row["trial"] for row in rows) == ["0", "1"]
    assert all(row["status"] == "COMPLETED" for row in rows)
    ran = [trial for name in ("tuner0", "tuner1")
           for trial in re.findall(r"^trial (\d+) done:", logs[name].read_text(), re.M)]
    assert sorted(ran) == ["0", "1"], ran  # each trial run by exactly one worker
    assert "trial 0 done" not in logs["chief"].read_text()  # the oracle runs none
    assert (tmp_path / "saved" / "sentiment" / "1" / "saved_model.pb").is_file()


def test_bad_search_space_stops_before_any_trial(tmp_path, capsys):
    path = tmp_path / "search.yaml"
    path.write_text(SEARCH.replace("dropout: [0.0, 0.1]", "warmup_ratio: {min: 0.1, max: 0.05}"), encoding="utf-8")
    arguments = ["--config", str(path), "--directory", str(tmp_path / "tune")]
    assert run_cli(lambda: tune.main(["sentiment", *arguments]), tune.PROG) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert str(path) in error and "field 'warmup_ratio': empty range" in error
    assert not (tmp_path / "tune").exists()


@pytest.mark.parametrize("kind", ["random", "bayesian", "hyperband"])
def test_tuners_run_the_trials_they_plan_with_the_searched_values(tmp_path, kind):
    """The keras-tuner side alone (a trial scores its values instead of training): random and bayesian run
    --trials trials over the declared space; hyperband sets each trial's epochs within the budget."""
    import keras_tuner

    from zoo.training.search import hyperparameters, read_search

    dimensions = read_search(SentimentConfig, search_file(tmp_path))
    space = keras_tuner.HyperParameters()
    hyperparameters(dimensions, space)
    seen = []

    def run_trial(trial):
        values = tune.trial_values(trial, dimensions)
        seen.append(values)
        return -abs(values["learning_rate"] - 4e-3) - values["dropout"]

    tuner = tune.make_tuner(kind, space, 3, tmp_path / "tune" / "sentiment", 42, run_trial, max_epochs=3)
    tuner.search(verbose=0)
    assert all(1e-3 <= values["learning_rate"] <= 1e-2 and values["dropout"] in (0.0, 0.1) for values in seen)
    if kind == "hyperband":
        epochs = sorted({values["epochs"] for values in seen})
        assert epochs[0] == 1 and epochs[-1] == 3 and len(seen) > 3, seen  # short trials first, then the best longer
    else:
        assert len(seen) == 3 and all("epochs" not in values for values in seen)
        assert len({values["learning_rate"] for values in seen}) == 3
