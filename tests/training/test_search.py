"""The `search:` block of a recipe YAML: ranges and choices become keras-tuner hyperparameters; bad spaces are
errors naming the file and field."""

import keras_tuner
import pytest

from zoo.recipes.sentiment import SentimentConfig
from zoo.training.config import ConfigError, load_config
from zoo.training.search import hyperparameters, read_search

SPACE = """epochs: 2
search:
  learning_rate: {min: 1.0e-3, max: 1.0e-2, sampling: log}
  num_layers: {min: 1, max: 3}
  hidden_dim: [16, 32]
"""


def test_ranges_and_choices_become_hyperparameters(tmp_path):
    path = tmp_path / "search.yaml"
    path.write_text(SPACE, encoding="utf-8")
    space = keras_tuner.HyperParameters()
    values = hyperparameters(read_search(SentimentConfig, path), space)
    assert values == {"learning_rate": 1e-3, "num_layers": 1, "hidden_dim": 16}  # each one's default: the first
    learning_rate, layers, width = (space._hps[name][0] for name in ("learning_rate", "num_layers", "hidden_dim"))
    assert (learning_rate.min_value, learning_rate.max_value, learning_rate.sampling) == (1e-3, 1e-2, "log")
    assert (layers.min_value, layers.max_value) == (1, 3) and type(layers).__name__ == "Int"
    assert width.values == [16, 32]
    assert load_config(SentimentConfig, path).epochs == 2  # the recipes ignore the block


@pytest.mark.parametrize("block, fragments", [
    ("  learning_rat: [0.1]\n", ["search: unknown field 'learning_rat' for SentimentConfig"]),
    ("  dropout: {min: 0.2, max: 0.2}\n", ["field 'dropout': empty range: min 0.2 is not below max 0.2"]),
    ("  hidden_dim: []\n", ["field 'hidden_dim': empty list of choices"]),
    ("  num_layers: [1, two]\n", ["field 'num_layers': expected int, got str 'two'"]),
    ("  learning_rate: {min: 0.0, max: 0.1, sampling: log}\n", ["a log range needs min > 0"]),
    ("  output_dir: [a, b]\n", ["field 'output_dir' cannot be searched"]),
])
def test_bad_search_space(tmp_path, block, fragments):
    path = tmp_path / "search.yaml"
    path.write_text("search:\n" + block, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        read_search(SentimentConfig, path)
    for fragment in [str(path), *fragments]:
        assert fragment in str(error.value)
