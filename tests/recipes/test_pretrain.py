"""Pretraining recipe: each objective on the packaged corpus, and its checkpoint as --init of another recipe."""

import pytest

from tests.recipes.helpers import TINY, assert_stopped_before_training, metrics, outputs, run_in_process
from zoo.recipes import pretrain, sentiment

ONE_STEP = ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8", "--max_sequence_length", "32",
            "--vocabulary_size", "120"]
METRICS = {"mlm": ("dev_mlm_accuracy", "dev_nsp_accuracy"), "clm": ("dev_perplexity", "dev_accuracy"),
           "span": ("dev_target_accuracy",)}
TOKENIZER = {"mlm": "vocab.txt", "clm": "spiece.model", "span": "spiece.model"}


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    """`pretrained(objective)` -> the run directory of one step of `objective`, run once per module (the tests
    below only read it)."""
    runs = {}

    def run(objective):
        if objective not in runs:
            directory = tmp_path_factory.mktemp(objective)
            assert pretrain.main(TINY + ONE_STEP + ["--objective", objective] + outputs(directory)) == 0
            runs[objective] = directory / "run"
        return runs[objective]

    return run


@pytest.mark.parametrize("objective", ["mlm", "clm", "span"])
def test_one_step_of_each_objective(pretrained, objective):
    run_dir = pretrained(objective)
    saved = metrics(run_dir)
    assert saved["metrics"]["train_steps"] == 1 and saved["info"]["objective"] == objective
    for name in METRICS[objective]:
        assert saved["metrics"][name] >= 0.0, name
    if objective == "clm":
        assert 1.0 < saved["metrics"]["dev_perplexity"] < 1000.0
    assert (run_dir / "model.keras").is_file() and (run_dir / TOKENIZER[objective]).is_file()


def test_pretrained_bert_is_a_sentiment_starting_point(pretrained, tmp_path):
    init = pretrained("mlm") / "model.keras"
    args = ["--init", str(init), "--strategy", "default", "--epochs", "1", "--steps_per_epoch", "1",
            "--batch_size", "8", "--max_sequence_length", "32"]
    assert sentiment.main(args + outputs(tmp_path, "sentiment")) == 0
    saved = metrics(tmp_path / "sentiment")
    assert str(init) in saved["info"]["start"]
    assert (tmp_path / "sentiment" / "vocab.txt").read_text() == (init.parent / "vocab.txt").read_text()


def test_span_checkpoint_records_its_sentinels_for_init(pretrained):
    import json

    from zoo.training.checkpoints import starting_point

    run_dir = pretrained("span")
    extra_ids = json.loads((run_dir / "tokenizer_config.json").read_text())["extra_ids"]
    assert extra_ids > 0
    start = starting_point(str(run_dir / "model.keras"), train_tokenizer=None, random_backbone=None)
    rows = start.build_backbone().get_config()["vocabulary_size"]
    assert start.tokenizer.extra_ids == extra_ids  # the same tokenizer: pieces + sentinels = embedding rows
    assert start.tokenizer.vocabulary_size() == rows
    assert start.tokenizer.token_to_id("<extra_id_0>") == rows - 1


def test_corpus_too_small_for_the_vocabulary(tmp_path, capsys):
    result = run_in_process(capsys, "pretrain", "--objective", "mlm", "--vocabulary_size", "5000", *outputs(tmp_path))
    assert_stopped_before_training(result, "field 'vocabulary_size'", "5000")
