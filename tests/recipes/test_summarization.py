"""Summarization recipe on the packaged sample and on small made-up files."""

import json

from tests.recipes.helpers import (TINY, assert_stopped_before_training, assert_xla_export, metrics, outputs,
                                   run_in_process, serve)
from zoo.recipes import summarization


def test_one_step_with_several_references_and_the_lead_baseline(tmp_path, capsys):
    records = [{"document": f"#Person1#: I lost my {thing}.\n#Person2#: Look under the {place}.",
                "summary1": f"#Person1# lost a {thing}.", "summary2": f"#Person2# says the {place}."}
               for thing, place in [("key", "bed"), ("cat", "car"), ("pen", "desk")]]
    test = tmp_path / "test.jsonl"
    test.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    args = ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8", "--test", str(test),
            "--reference_fields", "summary,summary1,summary2", "--serving_xla", "true"]
    assert summarization.main(TINY + ["--vocabulary_size", "300"] + args + outputs(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "dev ROUGE-1/2/L " in out and "; lead-" in out and "test ROUGE-1/2/L " in out
    saved = metrics(tmp_path / "run")["metrics"]
    export = tmp_path / "saved" / "run" / "1"
    assert_xla_export(export, xla=True)  # --serving_xla: the XLA variant (Python's TensorFlow runs it)
    answers = serve(export, text=[records[0]["document"], ""])
    assert answers["text"].shape == (2,) and (answers["num_new_tokens"] > 0).all()
    for split in ("dev", "test"):
        for name in ("rouge1", "rouge2", "rougeL", "lead_rougeL"):
            assert 0.0 <= saved[f"{split}_{name}"] <= 100.0
    assert saved["test_lead_rouge1"] > 0  # the turns share words with the references


def test_record_missing_the_configured_field(tmp_path, capsys):
    train = tmp_path / "train.jsonl"
    train.write_text('{"document": "a text .", "summary": "a."}\n{"document": "b text ."}\n', encoding="utf-8")
    result = run_in_process(capsys, "summarization", "--train", train, *outputs(tmp_path))
    assert_stopped_before_training(result, f"{train}, line 2", "'summary'")
