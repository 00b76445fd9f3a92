"""`--init`: where a recipe's model starts, and the tokenizer that comes with it.

`starting_point(init, ...)` accepts
- "" (empty): a randomly initialised backbone, with a vocabulary trained on the training data;
- a zoo `.keras` file (a backbone, or a task model whose backbone is taken), with its tokenizer beside it
  (`vocab.txt`, WordPiece; or `spiece.model`, SentencePiece);
- a Hugging Face checkpoint directory (`config.json` + `*.safetensors`), converted by `zoo.convert.hf`;
- a TF Model Garden `BertEncoderV2` checkpoint: its prefix (`<prefix>.index` exists) or a directory holding
  a `checkpoint` file, with the `vocab.txt` of its directory;
- a preset name (`all_minilm_l6_v2`, ...): its packaged checkpoint, or a random copy of its geometry.
A checkpoint without a vocabulary gets one trained on the data, at most as large as its embedding table.
Anything else is a `ConfigError` naming the path, raised before any data is tokenized or model built.

Example:

```python
start = starting_point("all_minilm_l6_v2", train_tokenizer=..., random_backbone=...)
with strategy.scope():
    backbone = start.build_backbone()
```
"""

import dataclasses
import os
import typing
from pathlib import Path

from zoo.presets import PRESETS, has_checkpoint, preset_directory
from zoo.training.config import ConfigError

_CHECKPOINT_FORMS = ("a zoo .keras file, a Hugging Face checkpoint directory (config.json + *.safetensors), a "
                     "Model Garden checkpoint (<prefix>.index, or a directory with a 'checkpoint' file) or a "
                     "preset name")


@dataclasses.dataclass
class Start:
    """A model's starting point: its tokenizer, a function building the backbone (call it inside
    `strategy.scope()`), and a one-line description for the logs."""

    tokenizer: typing.Any
    build_backbone: typing.Callable[[], typing.Any]
    description: str


def checkpoint_kind(init):
    """`(kind, location)` of an `--init` value: kind is "keras", "hf", "model_garden" or "preset"; for Model
    Garden the location is the checkpoint prefix. Raises ConfigError for anything that is not a checkpoint."""
    path = Path(init).expanduser()
    if path.is_file() and path.suffix == ".keras":
        return "keras", path
    if path.is_dir():
        if (path / "config.json").is_file():
            return "hf", path
        if (path / "checkpoint").is_file():
            import tensorflow as tf

            prefix = tf.train.latest_checkpoint(str(path))
            if prefix is None:
                raise ConfigError(f"field 'init': {path}: its 'checkpoint' file names no readable checkpoint")
            return "model_garden", Path(prefix)
        found = sorted(entry.name for entry in path.iterdir())[:8]
        raise ConfigError(f"field 'init': directory {path} is not a checkpoint: expected {_CHECKPOINT_FORMS}; "
                          f"it holds {found or 'nothing'}")
    if Path(f"{path}.index").is_file():
        return "model_garden", path
    if path.exists():
        raise ConfigError(f"field 'init': file {path} is not a checkpoint: expected {_CHECKPOINT_FORMS}")
    if init in PRESETS:
        return "preset", init
    raise ConfigError(f"field 'init': {init!r} is not a file, a directory or a preset name; expected "
                      f"{_CHECKPOINT_FORMS} (presets: {', '.join(sorted(PRESETS))})")


def _vocabulary_beside(path, lowercase):
    from zoo.tokenizers import SentencePieceTokenizer, WordPieceTokenizer

    directory = Path(path) if Path(path).is_dir() else Path(path).parent
    if (directory / "spiece.model").is_file():
        return SentencePieceTokenizer(str(directory / "spiece.model"), extra_ids=_extra_ids(directory))
    vocabulary = directory / "vocab.txt"
    return WordPieceTokenizer(str(vocabulary), lowercase=lowercase) if vocabulary.is_file() else None


def _extra_ids(directory):
    """The T5 sentinel count a recipe saved beside its `spiece.model` (`tokenizer_config.json`), else 0."""
    import json

    path = directory / "tokenizer_config.json"
    if not path.is_file():
        return 0
    extra_ids = json.loads(path.read_text(encoding="utf-8")).get("extra_ids", 0)
    if not isinstance(extra_ids, int) or isinstance(extra_ids, bool) or extra_ids < 0:
        raise ConfigError(f"field 'init': {path}: 'extra_ids' must be an integer >= 0, got {extra_ids!r}")
    return extra_ids


def _load_keras(path):
    import keras

    import zoo.models  # noqa: F401  (registers the zoo classes with Keras)
    from zoo.models import Backbone, TaskModel

    model = keras.saving.load_model(path)
    if isinstance(model, TaskModel):
        return model.backbone
    if not isinstance(model, Backbone):
        raise ConfigError(f"field 'init': {path} holds a {type(model).__name__}, not a zoo backbone or task model")
    return model


def _loaded(load, tokenizer, where):
    """`load()`, with any failure to read the checkpoint turned into a ConfigError naming it, and its embedding
    table checked against the tokenizer."""
    import zipfile

    try:
        backbone = load()
    except ConfigError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ConfigError(f"field 'init': {where} could not be loaded as a checkpoint: {error}") from error
    if tokenizer.vocabulary_size() > backbone.vocabulary_size:
        raise ConfigError(f"field 'init': the tokenizer has {tokenizer.vocabulary_size()} ids but the checkpoint "
                          f"{where} embeds only {backbone.vocabulary_size}; lower --vocabulary_size")
    return backbone


def starting_point(init, train_tokenizer, random_backbone, lowercase=True):
    """The `Start` for `init` (see the module docstring).

    Args:
        init: the `--init` value.
        train_tokenizer: `() -> tokenizer` trained on the data, for a start without a vocabulary file.
        random_backbone: `(tokenizer, preset=None) -> backbone` of random weights, for an empty `init` or a preset
            without a checkpoint.
        lowercase: lower-casing of a bare `vocab.txt` (a Hugging Face directory's `tokenizer_config.json` wins).
    """
    if not init:
        tokenizer = train_tokenizer()
        return Start(tokenizer, lambda: random_backbone(tokenizer), "random initialisation, vocabulary trained "
                     f"on the training data ({tokenizer.vocabulary_size()} tokens)")
    kind, location = checkpoint_kind(init)
    if kind == "preset":
        from zoo.convert.hf import load_preset

        if not has_checkpoint(PRESETS[location]):
            tokenizer = train_tokenizer()
            return Start(tokenizer, lambda: random_backbone(tokenizer, preset=location),
                         f"preset {location} (random initialisation of its geometry)")
        directory = preset_directory(location)
        return _start_from_hf(directory, lambda: load_preset(location), f"preset {location}", train_tokenizer)
    if kind == "hf":
        from zoo.convert.hf import load_backbone

        return _start_from_hf(location, lambda: load_backbone(str(location)), f"Hugging Face checkpoint {location}",
                              train_tokenizer)
    if kind == "keras":
        load = _load_keras
        description = f"zoo checkpoint {location}"
    else:
        def load(prefix):
            from zoo.convert.model_garden import load_backbone

            return load_backbone(str(prefix))

        description = f"Model Garden checkpoint {location}"
    tokenizer = _vocabulary_beside(location, lowercase)
    if tokenizer is None:
        tokenizer = train_tokenizer()
        description += f" (no vocab.txt or spiece.model beside it: vocabulary of {tokenizer.vocabulary_size()} trained on the data)"
    return Start(tokenizer, lambda: _loaded(lambda: load(location), tokenizer, location), description)


def _start_from_hf(directory, load, description, train_tokenizer):
    from zoo.convert.checkpoint import load_tokenizer

    if any(os.path.isfile(os.path.join(directory, name)) for name in ("vocab.txt", "vocab.json", "spiece.model")):
        tokenizer = load_tokenizer(str(directory))
    else:
        tokenizer = train_tokenizer()
        description += f" (no tokenizer files: vocabulary of {tokenizer.vocabulary_size()} trained on the data)"
    return Start(tokenizer, lambda: _loaded(load, tokenizer, directory), description)
