"""The hyperparameter search space of a recipe: the `search:` block of its YAML file, read and checked.

Each entry names a config field and either lists the values to try or gives a range:

```yaml
search:
  learning_rate: {min: 1.0e-3, max: 1.0e-2, sampling: log}   # float field: a range (log or linear)
  warmup_ratio: {min: 0.0, max: 0.2}                          # linear by default
  num_layers: {min: 1, max: 3}                                # int field: every integer in the range
  hidden_dim: [16, 32]                                        # any field: a list of choices
  batch_size: [8, 16]
```

`zoo.tune` turns it into keras-tuner hyperparameters (`hyperparameters`); the recipes themselves ignore the
block, so a search file also trains as it is. An unknown field, an empty range or list, or a value of the wrong
type is a `ConfigError` naming the file and the field, raised before any trial starts.
"""

import dataclasses

from zoo.training.config import ConfigError, _convert, _field_types, _read_yaml, _split_optional

SAMPLINGS = ("linear", "log")

#: Fields a search must not change: where the run reads and writes (the tuner sets them per trial).
_FIXED = ("train", "dev", "test", "output_dir", "export_dir", "strategy", "num_cpu_devices")


@dataclasses.dataclass
class Dimension:
    """One searched field: `choices` (a list), or a range `low`..`high` of `kind` int or float."""

    name: str
    kind: type
    choices: list = None
    low: float = None
    high: float = None
    sampling: str = "linear"


def read_search(config_class, yaml_path):
    """The `Dimension`s of the `search:` block of `yaml_path` for `config_class` ([] when there is none)."""
    block = _read_yaml(yaml_path).get("search")
    if block is None:
        return []
    where = f"{yaml_path}: search"
    if not isinstance(block, dict) or not block:
        raise ConfigError(f"{where}: expected a mapping of field: [choices] or {{min, max, sampling}}, got {block!r}")
    types = _field_types(config_class)
    dimensions = []
    for name, spec in block.items():
        if name not in types:
            raise ConfigError(f"{where}: unknown field '{name}' for {config_class.__name__} (known fields: "
                              f"{', '.join(sorted(types))})")
        if name in _FIXED:
            raise ConfigError(f"{where}: field '{name}' cannot be searched (the tuner sets it per trial)")
        dimensions.append(_dimension(name, _split_optional(types[name])[0], spec, f"{where}: field '{name}'"))
    return dimensions


def _dimension(name, kind, spec, where):
    if isinstance(spec, list):
        if not spec:
            raise ConfigError(f"{where}: empty list of choices")
        try:
            choices = [_convert(value, kind, from_text=False) for value in spec]
        except ValueError as error:
            raise ConfigError(f"{where}: {error}") from None
        if len(set(choices)) != len(choices):
            raise ConfigError(f"{where}: repeated choices {spec}")
        return Dimension(name, kind, choices=choices)
    if not isinstance(spec, dict) or set(spec) - {"min", "max", "sampling"} or not {"min", "max"} <= set(spec):
        raise ConfigError(f"{where}: expected a list of choices or {{min: .., max: .., sampling: linear|log}}, "
                          f"got {spec!r}")
    if kind not in (int, float):
        raise ConfigError(f"{where}: a range needs a numeric field, this one is {kind.__name__}; list the choices")
    try:
        low, high = (_convert(spec[key], kind, from_text=False) for key in ("min", "max"))
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    sampling = spec.get("sampling", "linear")
    if sampling not in SAMPLINGS:
        raise ConfigError(f"{where}: sampling must be one of {', '.join(SAMPLINGS)}, got {sampling!r}")
    if not low < high:
        raise ConfigError(f"{where}: empty range: min {low} is not below max {high}")
    if sampling == "log" and low <= 0:
        raise ConfigError(f"{where}: a log range needs min > 0, got {low}")
    return Dimension(name, kind, low=low, high=high, sampling=sampling)


def hyperparameters(dimensions, hp):
    """Declares `dimensions` on the keras-tuner `HyperParameters` `hp`; returns `{field: value}` of this trial."""
    values = {}
    for dimension in dimensions:
        if dimension.choices is not None:
            values[dimension.name] = hp.Choice(dimension.name, dimension.choices)
        elif dimension.kind is int:
            values[dimension.name] = hp.Int(dimension.name, dimension.low, dimension.high, sampling=dimension.sampling)
        else:
            values[dimension.name] = hp.Float(dimension.name, dimension.low, dimension.high,
                                              sampling=dimension.sampling)
    return values
