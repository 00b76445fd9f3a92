import dataclasses

import pytest

from zoo.recipes.ner import NerConfig
from zoo.recipes.pretrain import PretrainConfig
from zoo.recipes.qa import QaConfig
from zoo.recipes.sentiment import SentimentConfig
from zoo.recipes.summarization import SummarizationConfig
from zoo.recipes.translation import TranslationConfig
from zoo.training.config import (
    STRATEGIES,
    ConfigError,
    RecipeConfig,
    build_parser,
    load_config,
    parse_config,
    resolve_path,
)

ALL_CONFIGS = [SentimentConfig, NerConfig, QaConfig, TranslationConfig, SummarizationConfig, PretrainConfig]


@pytest.mark.parametrize("config_class", ALL_CONFIGS)
def test_every_field_has_default_and_help(config_class):
    for field in dataclasses.fields(config_class):
        assert field.default is not dataclasses.MISSING, field.name
        assert field.metadata["help"].strip(), field.name
    config = config_class()
    assert config.export_dir.startswith("saved_models/")
    assert config.serving_xla is False  # the default export runs in a TF Serving with XLA disabled
    for name in ("num_layers", "num_heads", "hidden_dim", "intermediate_dim", "dropout", "max_sequence_length",
                 "batch_size", "epochs", "learning_rate", "warmup_ratio", "seed", "strategy", "jit_compile",
                 "mixed_precision", "export_dir", "output_dir", "train", "dev", "test", "init", "patience",
                 "backup_steps", "length_buckets", "eval_batch_size", "serving_xla"):
        assert hasattr(config, name)


def test_yaml_values_and_overrides(write_file):
    path = write_file("config.yaml", "num_layers: 3\nhidden_dim: 48\nlearning_rate: 1e-3\ndropout: 0\n"
                                     "jit_compile: true\ntrain: some/train.tsv\n")
    config = load_config(SentimentConfig, path, {"num_layers": "4", "jit_compile": "false", "epochs": 7})
    assert config.num_layers == 4  # the override wins over the file
    assert config.hidden_dim == 48  # from the file
    assert config.learning_rate == pytest.approx(1e-3) and isinstance(config.learning_rate, float)
    assert config.dropout == 0.0 and isinstance(config.dropout, float)
    assert config.jit_compile is False
    assert config.epochs == 7
    assert config.train == "some/train.tsv"
    assert config.batch_size == SentimentConfig().batch_size  # untouched default


def test_override_strings_like_cli():
    config = load_config(TranslationConfig, None, ["train_target=a.de", "max_train_examples=none", "num_beams=4"])
    assert config.train_target == "a.de" and config.max_train_examples is None and config.num_beams == 4
    config = load_config(TranslationConfig, None, {"max_train_examples": "12"})
    assert config.max_train_examples == 12


def test_beam_early_stopping_from_yaml_booleans_and_words(write_file):
    from zoo.recipes.seq2seq import decoding_sampler

    assert TranslationConfig().early_stopping == "true"  # today's beam search unless asked
    path = write_file("config.yaml", "num_beams: 3\nearly_stopping: false\n")  # YAML reads a boolean
    config = load_config(TranslationConfig, path)
    assert config.early_stopping == "false" and decoding_sampler(config).early_stopping is False
    config = load_config(SummarizationConfig, path, ["early_stopping=never"])
    assert decoding_sampler(config).early_stopping == "never"
    with pytest.raises(ConfigError, match="'early_stopping': expected one of true, false, never"):
        load_config(TranslationConfig, path, ["early_stopping=sometimes"])
    with pytest.raises(ConfigError, match="'strategy'"):  # a boolean is not a word for other choices
        load_config(TranslationConfig, write_file("bad.yaml", "strategy: true\n"))


def test_unknown_field_in_yaml_names_field_and_file(write_file):
    path = write_file("config.yaml", "num_layers: 2\nhiden_dim: 32\n")
    with pytest.raises(ConfigError) as info:
        load_config(SentimentConfig, path)
    assert "hiden_dim" in str(info.value) and str(path) in str(info.value)


def test_unknown_field_in_override_names_field_and_file(write_file):
    path = write_file("config.yaml", "num_layers: 2\n")
    with pytest.raises(ConfigError) as info:
        load_config(NerConfig, path, {"objective": "mlm"})  # a PretrainConfig field, not NerConfig
    assert "'objective'" in str(info.value) and str(path) in str(info.value) and "override" in str(info.value)


@pytest.mark.parametrize("text, field", [
    ("batch_size: thirty\n", "batch_size"),
    ("batch_size: 3.5\n", "batch_size"),
    ("epochs: true\n", "epochs"),
    ("jit_compile: 1\n", "jit_compile"),
    ("train: [a, b]\n", "train"),
    ("learning_rate: fast\n", "learning_rate"),
    ("num_layers: null\n", "num_layers"),
    ("strategy: gpu\n", "strategy"),
])
def test_wrong_type_names_field(write_file, text, field):
    path = write_file("config.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(SentimentConfig, path)
    assert f"'{field}'" in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize("overrides, field", [
    ({"epochs": "3x"}, "epochs"), ({"jit_compile": "maybe"}, "jit_compile"), ({"seed": 1.5}, "seed"),
    ({"mixed_precision": "float8"}, "mixed_precision"), ({"num_heads": "none"}, "num_heads"),
])
def test_wrong_override_type_names_field(overrides, field):
    with pytest.raises(ConfigError, match=f"'{field}'"):
        load_config(SentimentConfig, None, overrides)


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("- a\n- b\n", "mapping"), ("num_layers: [1,\n", "malformed YAML"),
])
def test_malformed_yaml(write_file, text, message):
    path = write_file("config.yaml", text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(SentimentConfig, path)
    assert str(path) in str(info.value)


def test_invalid_utf8_and_missing_file(tmp_path, write_file):
    path = write_file("bad.yaml", b"train: caf\xe9\n")
    with pytest.raises(ConfigError, match="UTF-8") as info:
        load_config(SentimentConfig, path)
    assert str(path) in str(info.value)
    with pytest.raises(FileNotFoundError, match="missing.yaml"):
        load_config(SentimentConfig, tmp_path / "missing.yaml")


def test_override_without_equals():
    with pytest.raises(ConfigError, match="field=value"):
        load_config(SentimentConfig, None, ["epochs"])


def test_parser_lists_every_field_with_help_and_default():
    parser = build_parser(QaConfig)
    text = parser.format_help()
    assert "--config" in text
    for field in dataclasses.fields(QaConfig):
        assert f"--{field.name}" in text
    assert "(int; default: 32)" in text  # doc_stride


def test_parse_config_file_then_options(write_file):
    path = write_file("config.yaml", "epochs: 5\nbatch_size: 8\n")
    config = parse_config(PretrainConfig, ["--config", str(path), "--batch_size", "4", "--objective", "clm"])
    assert (config.epochs, config.batch_size, config.objective) == (5, 4, "clm")
    with pytest.raises(SystemExit):
        parse_config(PretrainConfig, ["--objective", "xlnet"])  # not among the choices
    with pytest.raises(SystemExit):
        parse_config(PretrainConfig, ["--no_such_option", "1"])


def test_packaged_names_resolve_outside_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("tasks/sentiment/train.tsv").is_file()
    config = load_config(SentimentConfig, "recipes/sentiment/bert_tiny.yaml")
    assert config.num_layers == 2
    with pytest.raises(FileNotFoundError, match="tasks/nope.tsv"):
        resolve_path("tasks/nope.tsv")
    with pytest.raises(FileNotFoundError, match="elsewhere.tsv"):
        resolve_path("elsewhere.tsv")


def test_strategy_names_match_strategy_module():
    from zoo.training.strategy import STRATEGY_NAMES

    assert tuple(STRATEGIES) == tuple(STRATEGY_NAMES)
    assert RecipeConfig().strategy in STRATEGIES


RECIPE_DIRS = {"sentiment": SentimentConfig, "ner": NerConfig, "qa": QaConfig, "translation": TranslationConfig,
               "summarization": SummarizationConfig, "pretrain": PretrainConfig}


def test_every_packaged_recipe_yaml_loads():
    recipes_dir = resolve_path("recipes")
    paths = sorted(recipes_dir.glob("*/*.yaml"))
    assert {path.parent.name for path in paths} == set(RECIPE_DIRS)
    for path in paths:
        config = load_config(RECIPE_DIRS[path.parent.name], path)
        if path.stem.endswith("_tiny"):
            assert config.num_layers == 2 and 32 <= config.hidden_dim <= 64, path
        if config.train.startswith("tasks/"):  # the packaged samples
            assert all(resolve_path(name).is_file() for name in (config.train, config.dev) if name), path
        else:
            # real data, or the pretraining corpus benchmarks/quality.py writes from it (pretrain_pays)
            assert config.train.startswith(("../shared/data/", "runs/quality/pretrain_pays/")), path
        assert path.stem.endswith("_tiny") or config.init or not config.train.startswith("tasks/"), path
    objectives = {load_config(PretrainConfig, recipes_dir / "pretrain" / name).objective
                  for name in ("bert_mlm_tiny.yaml", "gpt_clm_tiny.yaml", "t5_span_tiny.yaml")}
    assert objectives == {"mlm", "clm", "span"}


def test_sentiment_defaults_are_the_tiny_recipe():
    """`python -m zoo.recipes.sentiment` without --config (scripts/run.sh) runs recipes/sentiment/bert_tiny.yaml."""
    from_yaml = dataclasses.asdict(load_config(SentimentConfig, "recipes/sentiment/bert_tiny.yaml"))
    defaults = dataclasses.asdict(SentimentConfig())
    differing = {name for name in defaults if defaults[name] != from_yaml[name]}
    assert differing == {"output_dir"}, differing
