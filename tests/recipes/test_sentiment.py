import json

from zoo.recipes import sentiment

TINY = ["--num_layers", "2", "--num_heads", "2", "--hidden_dim", "16", "--intermediate_dim", "32",
        "--vocabulary_size", "80", "--max_sequence_length", "16", "--strategy", "default"]


def test_one_step_smoke(tmp_path, capsys):
    assert sentiment.main(TINY + ["--epochs", "1", "--steps_per_epoch", "1", "--batch_size", "8",
                                  "--max_train_examples", "64", "--output_dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "train: 64 examples" in out and "dev: 100 examples" in out and "dev accuracy: " in out
    saved = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert 0.0 <= saved["metrics"]["dev_accuracy"] <= 1.0
    assert saved["metrics"]["train_examples"] == 64 and saved["metrics"]["dev_examples"] == 100
    assert saved["metrics"]["vocabulary_size"] <= 80
    assert saved["config"]["steps_per_epoch"] == 1


def test_tiny_model_learns_the_sample(tmp_path, capsys):
    """The sample's label is decided by its sentiment words: the default tiny BERT must get well above chance."""
    sentiment.main(["--epochs", "5", "--dropout", "0", "--strategy", "default", "--output_dir", str(tmp_path)])
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    assert metrics["dev_accuracy"] >= 0.9, metrics
