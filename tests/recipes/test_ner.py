"""NER recipe end to end on the packaged sample: one step from a random model and from a tiny HF checkpoint."""

import shutil
from pathlib import Path

import pytest

from tests.recipes.helpers import TINY, assert_xla_export, metrics, outputs, serve
from zoo.data import read_conll
from zoo.recipes import ner
from zoo.resources import resource_path

ONE_STEP = ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8", "--max_sequence_length", "32"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def check_run(tmp_path, xla=False):
    saved = metrics(tmp_path / "run")
    assert saved["metrics"]["train_steps"] == 1 and 0.0 <= saved["metrics"]["dev_f1"] <= 100.0
    assert saved["info"]["labels"] == ["O", "B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER"]
    dev = read_conll(resource_path("tasks", "ner", "dev.conll"))
    lines = (tmp_path / "run" / "predictions_dev.conll").read_text(encoding="utf-8").split("\n")
    first = dev[0]
    for token, tag, line in zip(first["tokens"], first["tags"], lines):
        word, gold, predicted = line.split(" ")
        assert (word, gold) == (token, tag) and predicted in saved["info"]["labels"]
    assert lines[len(first["tokens"])] == ""  # a blank line after each sentence
    assert sum(1 for line in lines if line) == sum(len(sentence["tokens"]) for sentence in dev)
    answers = serve(tmp_path / "saved" / "run" / "1", text=["Rosa Larsen was born in Madrid .", ""])
    assert answers["num_entities"].shape == (2,) and answers["num_entities"][1] == 0
    for row in range(answers["num_entities"][0]):
        start, end = answers["entity_start"][0, row], answers["entity_end"][0, row]
        assert "Rosa Larsen was born in Madrid ."[start:end] == answers["entity_text"][0, row].decode()
    assert_xla_export(tmp_path / "saved" / "run" / "1", xla=xla)
    return saved


def test_one_step_from_random_model(tmp_path):
    assert ner.main(TINY + ONE_STEP + outputs(tmp_path)) == 0
    assert "random" in check_run(tmp_path)["info"]["start"]


def test_one_step_from_tiny_hugging_face_checkpoint(tmp_path):
    """bert_tiny (2 layers, hidden 32, 99 ids) with a vocabulary learned from the sample: the ids are the file's."""
    from zoo.tokenizers import train_wordpiece

    directory = tmp_path / "hf_bert_tiny"
    shutil.copytree(FIXTURES / "bert_tiny", directory, ignore=shutil.ignore_patterns("reference.npz"))
    texts = [" ".join(s["tokens"]) for s in read_conll(resource_path("tasks", "ner", "train.conll"))]
    vocabulary = train_wordpiece(texts, vocabulary_size=99, lowercase=False)
    vocabulary += [f"[unused{index}]" for index in range(99 - len(vocabulary))]
    (directory / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
    (directory / "tokenizer_config.json").write_text('{"do_lower_case": false}', encoding="utf-8")
    args = ["--init", str(directory), "--strategy", "default", "--serving_xla", "true"]
    assert ner.main(args + ONE_STEP + outputs(tmp_path)) == 0
    saved = check_run(tmp_path, xla=True)
    assert f"Hugging Face checkpoint {directory}" == saved["info"]["start"]
    assert (tmp_path / "run" / "vocab.txt").read_text(encoding="utf-8").split("\n")[:99] == vocabulary


@pytest.mark.parametrize("scheme", ["BIOES"])
def test_other_tag_schemes(tmp_path, scheme):
    train = tmp_path / "train.conll"
    train.write_text("Rosa B-PER\nLarsen E-PER\nsang O\n\nin O\nParis S-LOC\n\n" * 4, encoding="utf-8")
    args = ["--train", str(train), "--dev", str(train), "--tag_scheme", scheme, "--epochs", "1", "--batch_size", "4",
            "--vocabulary_size", "30"]
    assert ner.main(TINY + args + outputs(tmp_path)) == 0
    assert metrics(tmp_path / "run")["info"]["labels"] == ["O", "B-PER", "E-PER", "S-LOC"]
