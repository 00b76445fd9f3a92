"""Sentiment recipe end to end on the packaged sample and on small made-up files."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.recipes.helpers import TINY, assert_xla_export, metrics, outputs, serve
from zoo.models.bert.bert_preprocessor import BertPreprocessor
from zoo.recipes import sentiment
from zoo.tokenizers import WordPieceTokenizer

ONE_STEP = ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8", "--max_train_examples", "64",
            "--max_sequence_length", "16"]


@pytest.fixture(scope="module")
def random_run(tmp_path_factory):
    """One step from a random tiny model on the sample; its run directory is reused as an --init checkpoint."""
    tmp_path = tmp_path_factory.mktemp("sentiment")
    assert sentiment.main(TINY + ONE_STEP + outputs(tmp_path)) == 0
    return tmp_path


def test_one_step_from_random_model(random_run, capsys):
    run_dir = random_run / "run"
    saved = metrics(run_dir)
    assert saved["metrics"]["train_steps"] == 1 and saved["metrics"]["epochs_trained"] == 1
    assert 0.0 <= saved["metrics"]["dev_accuracy"] <= 100.0
    assert saved["info"]["train_examples"] == 64 and saved["info"]["dev_examples"] == 100
    assert saved["info"]["labels"] == ["0", "1"] and saved["config"]["steps_per_epoch"] == 1
    for name in ("model.keras", "vocab.txt", "best.weights.h5", "history.json", "curves.png"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((run_dir / "tensorboard").rglob("events.out.tfevents.*"))
    assert not (run_dir / "backup").exists()  # removed once the run is complete
    export = random_run / "saved" / "run" / "1"
    assert saved["export"] == str(export)
    answers = serve(export, text=["i loved this film .", ""])  # an empty row gets an answer too
    assert set(answers["label"].tolist()) <= {b"0", b"1"} and answers["scores"].shape == (2, 2)
    np.testing.assert_allclose(answers["scores"].sum(-1), 1.0, rtol=1e-5)
    assert_xla_export(export, xla=False)


def test_one_step_from_tiny_init_checkpoint(random_run, tmp_path):
    """The first run's model.keras + vocab.txt is a checkpoint: its vocabulary is reused, not retrained."""
    init = random_run / "run" / "model.keras"
    args = ["--init", str(init), "--strategy", "default", "--serving_xla", "true"]
    assert sentiment.main(args + ONE_STEP + outputs(tmp_path)) == 0
    saved = metrics(tmp_path / "run")
    assert "zoo checkpoint" in saved["info"]["start"] and str(init) in saved["info"]["start"]
    assert (tmp_path / "run" / "vocab.txt").read_text() == (random_run / "run" / "vocab.txt").read_text()
    assert serve(tmp_path / "saved" / "run" / "1", text=["fine"])["scores"].shape == (1, 2)
    assert_xla_export(tmp_path / "saved" / "run" / "1", xla=True)


def test_string_labels_three_classes_and_pairs(tmp_path):
    rows = {"pos": "a great day\twe loved it", "neg": "a sad day\twe hated it", "mid": "a day\tit was"}
    train = tmp_path / "train.tsv"
    train.write_text("".join(f"{text}\t{label}\n" for label, text in rows.items()) * 6, encoding="utf-8")
    dev = tmp_path / "dev.tsv"
    dev.write_text("".join(f"{text}\t{label}\n" for label, text in rows.items()), encoding="utf-8")
    args = ["--train", train, "--dev", dev, "--text_pair_column", "1", "--label_column", "2", "--epochs", "1",
            "--batch_size", "4", "--metric", "macro_f1", "--vocabulary_size", "40"]
    assert sentiment.main(TINY + [str(arg) for arg in args] + outputs(tmp_path)) == 0  # later options win
    saved = metrics(tmp_path / "run")
    assert saved["info"]["labels"] == ["mid", "neg", "pos"]
    assert {"dev_accuracy", "dev_macro_f1"} <= set(saved["metrics"])
    history = json.loads((tmp_path / "run" / "history.json").read_text())["history"]
    assert saved["metrics"]["best_epoch"] == 1 and len(history) == 1
    # Trained on pairs, the export serves pairs, through the training preprocessing.
    pair = {"text": ["a great day", "a sad day", ""], "text_pair": ["we loved it", "", "it was"]}
    answers = serve(tmp_path / "saved" / "run" / "1", **pair)
    assert set(answers["label"].tolist()) <= {b"mid", b"neg", b"pos"} and answers["scores"].shape == (3, 3)
    model = keras.saving.load_model(tmp_path / "run" / "model.keras")
    preprocessor = BertPreprocessor(WordPieceTokenizer(str(tmp_path / "run" / "vocab.txt")), sequence_length=32)
    def scores(segments):
        return tf.nn.softmax(model(preprocessor(segments), training=False), axis=-1).numpy()

    expected = scores((tf.constant(pair["text"]), tf.constant(pair["text_pair"])))
    single = scores(tf.constant(pair["text"]))  # what an export of the first text alone would answer
    # One epoch leaves the scores close together: the export must be far closer to the pair's than to the single
    # text's (float rounding only).
    error = np.abs(answers["scores"] - expected).max()
    assert error < 1e-6 and error < 0.05 * np.abs(single - expected).max(), (error, single, expected)


def test_early_stopping_keeps_the_best_epoch(tmp_path):
    """With a learning rate too small to learn anything, the dev accuracy never improves after epoch 1."""
    args = TINY + ["--epochs", "5", "--patience", "2", "--learning_rate", "1e-9", "--max_train_examples", "32",
                   "--batch_size", "16", "--max_sequence_length", "16"] + outputs(tmp_path)
    assert sentiment.main(args) == 0
    saved = metrics(tmp_path / "run")
    assert saved["metrics"]["epochs_trained"] == 3 and saved["metrics"]["best_epoch"] == 1
    assert saved["metrics"]["train_steps"] == 3 * 2
    assert saved["metrics"]["dev_accuracy"] == saved["history"][0]["dev_accuracy"]


def test_tiny_model_learns_the_sample(tmp_path):
    """The sample's label is decided by its sentiment words: the default tiny BERT must get well above chance."""
    assert sentiment.main(["--dropout", "0", "--strategy", "default"] + outputs(tmp_path)) == 0
    assert metrics(tmp_path / "run")["metrics"]["dev_accuracy"] >= 90.0


def test_time_budget_stops_before_an_epoch_that_would_overrun_it(tmp_path):
    args = TINY + ["--epochs", "4", "--time_budget", "0.0001", "--max_train_examples", "16", "--batch_size", "16",
                   "--max_sequence_length", "16"] + outputs(tmp_path)
    assert sentiment.main(args) == 0
    assert metrics(tmp_path / "run")["metrics"]["epochs_trained"] == 1
