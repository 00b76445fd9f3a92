"""Translation recipe on the packaged sample and on small made-up files."""

import gzip
import json
import subprocess
import sys

import pytest

from tests.recipes.helpers import (ROOT, TINY, assert_stopped_before_training, assert_xla_export, environment, metrics,
                                   outputs, run_in_process)
from zoo.recipes import translation

ONE_STEP = ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8", "--max_train_examples", "64"]


def test_one_step_then_the_export_translates_in_a_fresh_process(tmp_path, capsys):
    assert translation.main(TINY + ONE_STEP + ["--vocabulary_size", "120"] + outputs(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "dev BLEU " in out and "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" in out
    run_dir = tmp_path / "run"
    saved = metrics(run_dir)
    assert saved["metrics"]["train_steps"] == 1 and 0.0 <= saved["metrics"]["dev_bleu"] <= 100.0
    assert saved["info"]["bleu_signature"].startswith("nrefs:1|")
    assert len((run_dir / "dev_predictions.txt").read_text(encoding="utf-8").splitlines()) == 100
    assert (run_dir / "spiece.model").is_file() and (run_dir / "model.keras").is_file()
    assert_xla_export(saved["export"], xla=False)  # zoo.export's decode loop, as TF Serving runs it
    code = ("import sys, json, tensorflow as tf, tensorflow_text;"
            "serve = tf.saved_model.load(sys.argv[1]).signatures['serving_default'];"
            "out = serve(text=tf.constant(['a red house .', '']));"
            "print(json.dumps([t.decode() for t in out['text'].numpy()]))")
    result = subprocess.run([sys.executable, "-c", code, saved["export"]], capture_output=True, text=True,
                            timeout=300, cwd=ROOT, env=environment())
    assert result.returncode == 0, result.stderr
    texts = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(texts) == 2 and all(isinstance(text, str) for text in texts) and texts[0]


def write_lines(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("".join(line + "\n" for line in lines))
    return str(path)


@pytest.mark.parametrize("case", ["line_counts", "empty_line", "vocabulary"])
def test_bad_input_stops_before_training(tmp_path, capsys, case):
    sources = ["a red house .", "my small dog .", "the big cat ."] * 4
    targets = ["lo neru mi .", "minefe da ne .", "neka toruka ju ."] * 4
    args = ["--vocabulary_size", "40"]
    if case == "line_counts":
        targets = targets[:-1]
    if case == "empty_line":
        targets[4] = " "
    if case == "vocabulary":
        args = ["--vocabulary_size", "5000"]
    source = write_lines(tmp_path / "train.en.gz", sources)
    target = write_lines(tmp_path / "train.zz.gz", targets)
    result = run_in_process(capsys, "translation", "--train", source, "--train_target", target, *args,
                            *outputs(tmp_path))
    expected = {
        "line_counts": [source, target, "12 lines", "11 lines"],
        "empty_line": [target, "line 5", "expected a non-empty sentence"],
        "vocabulary": ["field 'vocabulary_size'", "too small", "5000"],
    }[case]
    assert_stopped_before_training(result, *expected)
