"""`python -m zoo.recipes.<task>`: --help, bad options and bad files, run as each module's `__main__` in ONE fresh
process (importing TensorFlow costs seconds a process), from a directory that is not a checkout."""

import dataclasses
import json
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

# Runs in the fresh process: each call is `python -m zoo.recipes.<task> args` (runpy runs the module as
# `__main__`, as -m does) or, for task None, `python -c args[0]`; its exit status, stdout and stderr are
# collected, a traceback lands in its stderr.
RUN_CALLS = """
import contextlib, io, json, runpy, sys, traceback
results = {}
for name, (task, args) in json.loads(sys.argv[1]).items():
    out, err = io.StringIO(), io.StringIO()
    sys.argv = [f"zoo/recipes/{task}.py", *args]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if task is None:
                exec(args[0], {"__name__": "__main__"})
            else:
                runpy.run_module(f"zoo.recipes.{task}", run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    results[name] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(results))
"""


# Without a checkout as working directory the packaged sample names still resolve (data loading only: these
# recipes' training is covered by their own smoke tests).
SAMPLE_SIZES = {
    "translation": {"train": 400, "dev": 100},
    "summarization": {"train": 200, "dev": 50},
    "pretrain": {"train": 108, "dev": 12},  # 120 documents, 10% held out
}
LOAD_SAMPLES = "; ".join(
    f"import zoo.recipes.{task} as m{index}; "
    f"c{index} = m{index}.parse_config(m{index}.{config}, ['--config', 'recipes/{task}/{name}.yaml']); "
    f"print('{task}', {{k: len(v) for k, v in m{index}.load_data(c{index}).items()}})"
    for index, (task, config, name) in enumerate([
        ("translation", "TranslationConfig", "t5_tiny"),
        ("summarization", "SummarizationConfig", "t5_tiny"), ("pretrain", "PretrainConfig", "gpt_clm_tiny")]))


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """`{call name: CompletedProcess}` of every call below, all run in one process with a temporary directory
    (no checkout) as its working directory."""
    tmp_path = tmp_path_factory.mktemp("cli")
    typo = tmp_path / "typo.yaml"
    typo.write_text("epochs: 1\nlearning_rat: 0.1\n", encoding="utf-8")
    bad = tmp_path / "train.tsv"
    bad.write_text("good text\t1\nbad text without a label column\n", encoding="utf-8")
    calls = {f"help_{task}": (task, ["--help"]) for task in RECIPES}
    calls.update({
        "bad_option": ("pretrain", ["--objective", "xlnet"]),
        "bad_value": ("ner", ["--epochs", "two"]),
        "unknown_yaml_field": ("sentiment", ["--config", str(typo)]),
        "malformed_data_file": ("sentiment", ["--train", str(bad)]),
        "load_samples": (None, [LOAD_SAMPLES]),
    })
    # Every call stops before training: a call that trained would show up as exit status 0 below.
    result = subprocess.run([sys.executable, "-c", RUN_CALLS, json.dumps(calls)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                         "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(results) == sorted(calls)
    answers = {name: subprocess.CompletedProcess(calls[name], *results[name]) for name in calls}
    return answers, typo, bad


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_help_lists_every_option(cli, task):
    result = cli[0][f"help_{task}"]
    assert result.returncode == 0, result.stderr
    assert f"python -m zoo.recipes.{task}" in result.stdout
    assert "--config PATH" in result.stdout
    for field in dataclasses.fields(RECIPES[task]):
        assert f"--{field.name} " in result.stdout, field.name
        assert field.metadata["help"].split()[0] in result.stdout


def test_bad_option_and_bad_value_exit_2(cli):
    result = cli[0]["bad_option"]
    assert result.returncode == 2 and "invalid choice" in result.stderr
    result = cli[0]["bad_value"]
    assert result.returncode == 2 and "'epochs'" in result.stderr and "Traceback" not in result.stderr


def test_unknown_yaml_field_is_one_line_error(cli):
    result, path = cli[0]["unknown_yaml_field"], cli[1]
    assert result.returncode == 2
    assert "learning_rat" in result.stderr and str(path) in result.stderr and "Traceback" not in result.stderr


def test_malformed_data_file_is_one_line_error(cli):
    result, bad = cli[0]["malformed_data_file"], cli[2]
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


def test_seq2seq_and_pretrain_recipes_load_samples_from_any_directory(cli):
    result = cli[0]["load_samples"]
    assert result.returncode == 0, result.stderr
    for task, sizes in SAMPLE_SIZES.items():
        assert f"{task} {sizes}" in result.stdout, result.stdout
