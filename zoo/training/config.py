"""The recipe config loader: a flat dataclass per task, filled from YAML with command-line overrides.

Each task's config class sits at the top of its recipe module (`zoo.recipes.sentiment.SentimentConfig`, ...)
and extends `RecipeConfig`, the fields every recipe shares. A field has a default and a one-line help text.
A YAML file sets any subset of the fields; `--<field> VALUE` options override the file. Unknown fields and
values of the wrong type are errors that name the field and the file, so a typo never silently falls back to
a default.

Example:

```python
config = load_config(SentimentConfig, "recipes/sentiment/bert_tiny.yaml", {"epochs": "3"})
parser = build_parser(SentimentConfig)  # --config PATH and one --<field> option per field
```
"""

import argparse
import dataclasses
import typing
from pathlib import Path

import yaml

from zoo.resources import resource_path

STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")
PRECISION_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


class ConfigError(ValueError):
    """A recipe config (file or override) names an unknown field or has a value of the wrong type."""


def option(default, help, choices=None):  # noqa: A002 (argparse's own name for it)
    """A dataclass field with a default value and a one-line help text (and optional allowed values)."""
    metadata = {"help": help}
    if choices is not None:
        metadata["choices"] = tuple(choices)
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass
class RecipeConfig:
    """Fields shared by every recipe: data, starting point, model size, optimisation, devices and outputs."""

    # Data.
    train: str = option("", "training data: a path, or a packaged name such as tasks/sentiment/train.tsv")
    dev: str = option("", "evaluation data (picks the best epoch), same forms as --train")
    test: str = option("", "optional test data, evaluated once at the end with the best checkpoint")
    max_train_examples: typing.Optional[int] = option(None, "use only the first N training examples")
    # Starting point.
    init: str = option("", "checkpoint to fine-tune: a zoo .keras file, a Hugging Face checkpoint directory, a "
                       "Model Garden checkpoint, or a preset name such as all_minilm_l6_v2; empty: a randomly "
                       "initialised model of the size below, with a vocabulary trained on the data")
    # Model size (random initialisation only; a checkpoint brings its own).
    vocabulary_size: int = option(1000, "size of the vocabulary trained on the training texts")
    num_layers: int = option(2, "number of transformer layers (encoder and decoder each, for seq2seq)")
    num_heads: int = option(2, "number of attention heads")
    hidden_dim: int = option(32, "width of the transformer (embedding and hidden size)")
    intermediate_dim: int = option(64, "width of the feed-forward inner layer")
    dropout: float = option(0.1, "dropout rate")
    max_sequence_length: int = option(64, "maximum tokens per (input) sequence")
    # Optimisation.
    batch_size: int = option(32, "global batch size (split across replicas)")
    eval_batch_size: int = option(64, "batch size for evaluation and prediction")
    length_buckets: bool = option(True, "batch examples of similar length together, padded to a few fixed "
                                  "lengths, instead of padding everything to max_sequence_length")
    epochs: int = option(3, "number of passes over the training data")
    steps_per_epoch: typing.Optional[int] = option(None, "stop each epoch after N steps (default: full pass)")
    learning_rate: float = option(5e-4, "peak learning rate")
    warmup_ratio: float = option(0.1, "fraction of training steps spent warming up the learning rate")
    weight_decay: float = option(0.01, "AdamW weight decay (not applied to biases and norms)")
    patience: int = option(0, "stop when the dev metric has not improved for N epochs (0: never stop early)")
    time_budget: typing.Optional[float] = option(None, "minutes of training: no epoch starts that would end after "
                                                 "them (judged by the last epoch's time)")
    seed: int = option(42, "random seed for weights, shuffling and vocabulary sampling")
    # Devices.
    strategy: str = option("auto", "distribution strategy (multi_worker: the cluster comes from TF_CONFIG)",
                           choices=STRATEGIES)
    num_cpu_devices: typing.Optional[int] = option(None, "split the CPU into N logical devices before TensorFlow "
                                                   "starts (mirrored on a machine without GPUs)")
    jit_compile: bool = option(False, "compile train/eval steps with XLA")
    mixed_precision: str = option("float32", "Keras dtype policy", choices=PRECISION_POLICIES)
    # Outputs.
    output_dir: str = option("runs/recipe", "run directory: metrics, logs, checkpoints, backups, curves")
    backup_steps: int = option(100, "save a backup every N training steps; rerunning a killed run with the "
                               "same command resumes from it")
    export_dir: str = option("saved_models/recipe", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")
    serving_xla: bool = option(False, "export the XLA variant (forward pass / decode loop compiled with XLA); TF "
                               "Serving then needs --xla_cpu_compilation_enabled=true. Default: no XLA")


# -------------------------------------------------------------------------------------------------------------
# Field types and value checking.


def _field_types(config_class):
    hints = typing.get_type_hints(config_class)
    return {field.name: hints[field.name] for field in dataclasses.fields(config_class)}


def _split_optional(annotation):
    """Returns (base type, allows None) for `T` or `Optional[T]`."""
    if typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported config field type {annotation}")
        return args[0], True
    return annotation, False


_TRUE_WORDS = {"true", "yes", "on", "1"}
_FALSE_WORDS = {"false", "no", "off", "0"}


def _convert(value, annotation, from_text):
    """Checks (and for command-line text, parses) `value` for a field of type `annotation`.

    Raises ValueError with a short description of what was expected.
    """
    base, optional = _split_optional(annotation)
    if value is None or (from_text and optional and value.lower() in ("none", "null")):
        if optional:
            return None
        raise ValueError(f"expected {base.__name__}, got null")
    if from_text:
        if base is bool:
            if value.lower() in _TRUE_WORDS:
                return True
            if value.lower() in _FALSE_WORDS:
                return False
            raise ValueError(f"expected a boolean (true/false), got {value!r}")
        if base in (int, float):
            try:
                return base(value)
            except ValueError:
                raise ValueError(f"expected {base.__name__}, got {value!r}") from None
        return value
    # Values from YAML are already typed; only int -> float is widened. PyYAML reads `1e-3` (no dot) as a
    # string, so numeric strings are accepted for float fields.
    if base is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"expected float, got str {value!r}") from None
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and base is not bool:
        raise ValueError(f"expected {base.__name__}, got bool {value!r}")
    if not isinstance(value, base):
        raise ValueError(f"expected {base.__name__}, got {type(value).__name__} {value!r}")
    return value


def _set_fields(values, updates, config_class, where):
    fields = {field.name: field for field in dataclasses.fields(config_class)}
    types = _field_types(config_class)
    for name, value in updates.items():
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{where}: unknown field '{name}' for {config_class.__name__} (known fields: {known})")
        choices = fields[name].metadata.get("choices")
        if isinstance(value, bool) and choices is not None and str(value).lower() in choices:
            value = str(value).lower()  # YAML reads `early_stopping: false` as a boolean; the choice is its word
        try:
            value = _convert(value, types[name], from_text=isinstance(value, str) and where.startswith("override"))
        except ValueError as error:
            raise ConfigError(f"{where}: field '{name}': {error}") from None
        if choices is not None and value not in choices:
            raise ConfigError(f"{where}: field '{name}': expected one of {', '.join(choices)}, got {value!r}")
        values[name] = value


def _read_yaml(path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: malformed YAML: {error}") from None
    if content is None:
        raise ConfigError(f"{path}: empty config file; expected a mapping of field: value")
    if not isinstance(content, dict):
        raise ConfigError(f"{path}: expected a mapping of field: value at the top level, got {type(content).__name__}")
    return content


def _parse_override_items(overrides):
    """Accepts a mapping {field: value} or an iterable of 'field=value' strings."""
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    parsed = {}
    for item in overrides:
        name, separator, value = str(item).partition("=")
        if not separator:
            raise ConfigError(f"override {item!r}: expected field=value")
        parsed[name.strip().lstrip("-")] = value
    return parsed


def load_config(config_class, yaml_path=None, overrides=None):
    """Builds `config_class` from its defaults, then a YAML file, then overrides.

    Args:
        config_class: a `RecipeConfig` dataclass (e.g. `zoo.recipes.sentiment.SentimentConfig`).
        yaml_path: optional path of a YAML mapping `field: value`; a packaged name such as
            `recipes/sentiment/bert_tiny.yaml` also works after `pip install`.
        overrides: optional mapping `{field: value}` or iterable of `"field=value"` strings. String values
            are parsed to the field's type (`"3"` -> 3, `"false"` -> False, `"none"` -> None).

    Raises:
        ConfigError: unknown field, wrong type or value not among a field's choices (naming the field and
            the file), missing or malformed YAML file.
    """
    values = {}
    source = "no config file"
    if yaml_path is not None:
        path = resolve_path(yaml_path)
        source = str(path)
        content = _read_yaml(path)
        content.pop("search", None)  # the search space of `zoo.tune` (zoo.training.search), not a field
        _set_fields(values, content, config_class, where=source)
    _set_fields(values, _parse_override_items(overrides), config_class, where=f"override (config file: {source})")
    return config_class(**values)


def resolve_path(name):
    """Returns the path of a data or config file given as a real path or a packaged `tasks/`/`recipes/` name.

    A path that exists (absolute, or relative to the working directory) wins; otherwise names starting with
    `tasks/` or `recipes/` are looked up with `zoo.resources.resource_path`. Raises FileNotFoundError naming
    every place looked in.
    """
    path = Path(name).expanduser()
    if path.exists():
        return path
    parts = Path(name).parts
    if parts and parts[0] in ("tasks", "recipes"):
        try:
            return resource_path(*parts)
        except FileNotFoundError as error:
            raise FileNotFoundError(f"{name} not found in the working directory or the package ({error})") from None
    raise FileNotFoundError(f"{name} not found (resolved to {path.resolve()})")


# -------------------------------------------------------------------------------------------------------------
# Command line.


def _type_name(annotation):
    base, optional = _split_optional(annotation)
    return base.__name__ + (" or none" if optional else "")


def build_parser(config_class, description=None, prog=None):
    """An argparse parser with `--config PATH` and one `--<field> VALUE` option per config field.

    Options default to "not given" so that values from the YAML file are only overridden by options
    actually passed; the help text shows each field's type and default.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description=description or config_class.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter, argument_default=argparse.SUPPRESS)
    parser.add_argument("--config", metavar="PATH",
                        help="YAML file of field: value (a path or a packaged name such as recipes/<task>/<name>.yaml)")
    types = _field_types(config_class)
    for field in dataclasses.fields(config_class):
        choices = field.metadata.get("choices")
        kind = f"one of {', '.join(choices)}" if choices else _type_name(types[field.name])
        help_text = f"{field.metadata['help']} ({kind}; default: {field.default!r})"
        parser.add_argument(f"--{field.name}", metavar=field.name.upper(), help=help_text, type=str,
                            choices=choices)
    return parser


def parse_config(config_class, argv=None, description=None, prog=None):
    """Parses `argv` (`--config` and `--<field>` options) into a `config_class` instance."""
    arguments = vars(build_parser(config_class, description, prog).parse_args(argv))
    yaml_path = arguments.pop("config", None)
    return load_config(config_class, yaml_path, arguments)


def config_to_dict(config):
    """A plain dict of the config's fields (for logging and metrics files)."""
    return dataclasses.asdict(config)
