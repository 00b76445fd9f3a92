"""Bad input stops a recipe before training, with one line naming the file and line (or record, or field)."""

import json

import pytest

from tests.recipes.helpers import TINY, outputs
from zoo.recipes import ner, qa, sentiment
from zoo.recipes.common import run_cli
from zoo.resources import resource_path

RECIPES = {"sentiment": sentiment, "ner": ner, "qa": qa}


def sample(*parts):
    return str(resource_path("tasks", *parts))


def stops(capsys, tmp_path, task, *args):
    """Runs the recipe in-process; asserts exit status 2, no training, and returns the one error line."""
    arguments = [str(arg) for arg in (*TINY, *args, *outputs(tmp_path))]
    assert run_cli(lambda: RECIPES[task].main(arguments), task) == 2
    captured = capsys.readouterr()
    assert "Epoch 1/" not in captured.out and not (tmp_path / "run" / "history.json").exists()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{task}: error: "), captured.err
    return lines[0]


@pytest.mark.parametrize("task, data, where", [
    ("sentiment", sample("qa", "train.json"), "train.json, line 1"),  # JSON is not text<TAB>label
    ("ner", sample("sentiment", "train.tsv"), "train.tsv, line 1"),  # "0" is no IOB tag
    ("qa", sample("ner", "train.conll"), "train.conll, line 1"),  # not JSON
])
def test_data_file_of_the_wrong_format(capsys, tmp_path, task, data, where):
    assert where in stops(capsys, tmp_path, task, "--train", data)


def test_dev_label_missing_from_train(capsys, tmp_path):
    dev = tmp_path / "dev.tsv"
    dev.write_text("a good one\t1\na new one\tneutral\n", encoding="utf-8")
    error = stops(capsys, tmp_path, "sentiment", "--dev", dev)
    assert f"{dev}, line 2, field column 1 (label)" in error and "'neutral'" in error and "['0', '1']" in error
    conll = tmp_path / "dev.conll"
    conll.write_text("Rosa B-PER\nsang O\n\nin O\nParis B-MISC\n", encoding="utf-8")
    error = stops(capsys, tmp_path, "ner", "--dev", conll)
    assert f"{conll}, line 5, field column -1 (tag)" in error and "'B-MISC'" in error


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_empty_split(capsys, tmp_path, task):
    empty = tmp_path / "empty.data"
    empty.write_bytes(b"")
    assert f"{empty}, line 1: expected " in stops(capsys, tmp_path, task, "--dev", empty)
    assert "field 'dev': no data file given" in stops(capsys, tmp_path, task, "--dev", "")
    assert "field 'max_train_examples'" in stops(capsys, tmp_path, task, "--max_train_examples", "0")


def test_conll_file_without_sentences_and_tags_outside_the_scheme(capsys, tmp_path):
    only_headers = tmp_path / "headers.conll"
    only_headers.write_text("-DOCSTART- -X- O O\n\n", encoding="utf-8")
    assert f"{only_headers}, line 1: expected at least one sentence" in stops(capsys, tmp_path, "ner", "--train",
                                                                                 only_headers)
    not_tags = tmp_path / "labels.conll"
    not_tags.write_text("good 1\nbad 0\n", encoding="utf-8")
    assert f"{not_tags}, line 1, field column -1 (tag): expected a tag matching" in stops(
        capsys, tmp_path, "ner", "--train", not_tags)


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_unknown_config_field(capsys, tmp_path, task):
    config = tmp_path / "typo.yaml"
    config.write_text("epochs: 1\nlearning_rat: 0.1\n", encoding="utf-8")
    error = stops(capsys, tmp_path, task, "--config", config)
    assert f"{config}: unknown field 'learning_rat'" in error


def test_qa_answer_offset_that_does_not_match_its_context(capsys, tmp_path):
    data = json.loads(open(sample("qa", "train.json"), encoding="utf-8").read())
    answer = data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]
    answer["answer_start"] += 1
    broken = tmp_path / "train.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    error = stops(capsys, tmp_path, "qa", "--train", broken)
    assert f"{broken}, record data[0].paragraphs[0].qas[1].answers[0].answer_start" in error
    assert repr(answer["text"]) in error


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_init_that_is_not_a_checkpoint(capsys, tmp_path, task):
    error = stops(capsys, tmp_path, task, "--init", sample("sentiment", "train.tsv"))
    assert "field 'init'" in error and "train.tsv is not a checkpoint" in error
    error = stops(capsys, tmp_path, task, "--init", tmp_path)
    assert f"directory {tmp_path} is not a checkpoint" in error
    assert "'bert_huge' is not a file, a directory or a preset name" in stops(capsys, tmp_path, task, "--init",
                                                                             "bert_huge")


def test_unknown_strategy_name(capsys, tmp_path):
    config = tmp_path / "recipe.yaml"
    config.write_text("epochs: 1\nstrategy: gpus\n", encoding="utf-8")
    error = stops(capsys, tmp_path, "sentiment", "--config", config)
    assert str(config) in error and "field 'strategy'" in error and "'gpus'" in error
    assert "one_device, mirrored, multi_worker, tpu" in error


@pytest.mark.parametrize("tf_config, fragments", [
    ('{"cluster": {"worker": ["localhost:1", "localhost:2"]}, "task": {"type": "worker", "index": 0}',
     ["TF_CONFIG is not valid JSON", "line 1 column 95", "\"index\": 0}')"]),  # the missing closing brace, quoted
    ('{"cluster": {"worker": ["localhost:1", "localhost:2"]}, "task": {"type": "worker", "index": 2}}',
     ["TF_CONFIG: task index 2 is outside the cluster", "job 'worker' has 2 address(es)"]),
    ('{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "chief", "index": 0}}',
     ["TF_CONFIG: task type 'chief' is not a job of the cluster (jobs: worker)"]),
    ('{"cluster": {"worker": ["localhost:1"], "ps": ["localhost:2"]}, "task": {"type": "worker", "index": 0}}',
     ["Keras 3 does not support parameter-server training"]),
])
def test_bad_tf_config_for_multi_worker(capsys, tmp_path, monkeypatch, tf_config, fragments):
    monkeypatch.setenv("TF_CONFIG", tf_config)
    error = stops(capsys, tmp_path, "sentiment", "--strategy", "multi_worker")
    for fragment in fragments:
        assert fragment in error, error
