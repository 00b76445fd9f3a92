import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from zoo.recipes import ner, pretrain, qa, sentiment, summarization, translation

ROOT = Path(__file__).resolve().parents[2]
RECIPES = {
    "sentiment": sentiment.SentimentConfig,
    "ner": ner.NerConfig,
    "qa": qa.QaConfig,
    "translation": translation.TranslationConfig,
    "summarization": summarization.SummarizationConfig,
    "pretrain": pretrain.PretrainConfig,
}


def run_module(task, *args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", f"zoo.recipes.{task}", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_help_lists_every_option(task):
    result = run_module(task, "--help")
    assert result.returncode == 0, result.stderr
    assert f"python -m zoo.recipes.{task}" in result.stdout
    assert "--config PATH" in result.stdout
    for field in dataclasses.fields(RECIPES[task]):
        assert f"--{field.name} " in result.stdout, field.name
        assert field.metadata["help"].split()[0] in result.stdout


def test_bad_option_and_bad_value_exit_2():
    result = run_module("pretrain", "--objective", "xlnet")
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = run_module("ner", "--epochs", "two")
    assert result.returncode == 2 and "'epochs'" in result.stderr and "Traceback" not in result.stderr


def test_unknown_yaml_field_is_one_line_error(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("epochs: 1\nlearning_rat: 0.1\n", encoding="utf-8")
    result = run_module("sentiment", "--config", str(path))
    assert result.returncode == 2
    assert "learning_rat" in result.stderr and str(path) in result.stderr and "Traceback" not in result.stderr


def test_malformed_data_file_is_one_line_error(tmp_path):
    bad = tmp_path / "train.tsv"
    bad.write_text("good text\t1\nbad text without a label column\n", encoding="utf-8")
    result = run_module("sentiment", "--train", str(bad))
    assert result.returncode == 2
    assert f"{bad}, line 2" in result.stderr and "Traceback" not in result.stderr


def test_missing_and_empty_data_files_in_process(tmp_path, capsys):
    from zoo.recipes import qa, sentiment
    from zoo.recipes.common import run_cli

    assert run_cli(lambda: qa.main(["--dev", str(tmp_path / "missing.json")]), "qa") == 2
    assert "missing.json" in capsys.readouterr().err
    empty = tmp_path / "empty.tsv"
    empty.write_bytes(b"")
    assert run_cli(lambda: sentiment.main(["--train", str(empty)]), "sentiment") == 2
    assert f"{empty}, line 1: expected at least one line, found an empty file" in capsys.readouterr().err
    one_class = tmp_path / "one_class.tsv"
    one_class.write_text("a fine text\t0\nanother text\t0\n", encoding="utf-8")
    assert run_cli(lambda: sentiment.main(["--train", str(one_class)]), "sentiment") == 2
    assert "at least 2 labels" in capsys.readouterr().err
    with pytest.raises(ZeroDivisionError):  # Programming errors are not turned into one-line messages.
        run_cli(lambda: 1 / 0, "x")


def test_seq2seq_and_pretrain_recipes_load_samples_from_any_directory(tmp_path):
    """Without a checkout as working directory the packaged sample names still resolve (data loading only:
    these recipes' training is covered by their own smoke tests)."""
    expected = {
        "translation": {"train": 400, "dev": 100},
        "summarization": {"train": 200, "dev": 50},
        "pretrain": {"train": 108, "dev": 12},  # 120 documents, 10% held out
    }
    code = "; ".join(
        f"import zoo.recipes.{task} as m{index}; "
        f"c{index} = m{index}.parse_config(m{index}.{config}, ['--config', 'recipes/{task}/{name}.yaml']); "
        f"print('{task}', {{k: len(v) for k, v in m{index}.load_data(c{index}).items()}})"
        for index, (task, config, name) in enumerate([
            ("translation", "TranslationConfig", "t5_tiny"),
            ("summarization", "SummarizationConfig", "t5_tiny"), ("pretrain", "PretrainConfig", "gpt_clm_tiny")]))
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    for task, sizes in expected.items():
        assert f"{task} {sizes}" in result.stdout, result.stdout
