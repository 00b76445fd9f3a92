"""The settings of a Model Garden encoder that its checkpoint does not record, and the experiment config that does.

A checkpoint holds weights only: the feed-forward activation, `norm_first`, the layer norm epsilon and dropout
are invisible in it, and a wrong guess gives a model that runs and is wrong (a pre-norm encoder read as post-norm
is off by about half the output's scale; exact GELU read as the tanh approximation by ~1e-4). Model Garden writes
its experiment config beside its checkpoints (`params.yaml` in the model dir); `read_experiment_config` reads the
encoder part of it (or of a file in the same layout given with `--config`), `resolve_settings` merges it with
settings given by the caller (a disagreement is an error naming both) and fills what neither says with Model
Garden's defaults, printing one line that lists every assumed value, and `check_against_weights` compares it with
what the weights do show.

Activation names are read with Model Garden's meaning: its config's `gelu` is `tf_utils.get_activation("gelu")`,
the tanh approximation (zoo's "gelu_approximate"). Garden's config has no name for exact GELU (an encoder built
in code with `tf_keras.activations.gelu`); a config given with `--config` may say `exact_gelu` for it.
"""

import os
import sys

import yaml

# Model Garden's BertEncoderV2 / BERT pretraining defaults, in zoo's names.
GARDEN_DEFAULTS = {
    "activation": "gelu_approximate",  # BertEncoderV2(inner_activation=...) and the config's hidden_activation: gelu
    "norm_first": False,
    "layer_norm_epsilon": 1e-12,  # fixed in BertEncoderV2 and TransformerEncoderBlock
    "dropout": 0.1,
    "mlm_activation": "gelu_approximate",  # the masked_lm task's model.mlm_activation: gelu
}
# A config's activation name (Model Garden's meaning) -> zoo's.
ACTIVATIONS = {"gelu": "gelu_approximate", "exact_gelu": "gelu", "relu": "relu", "linear": "linear"}
ENCODER_TYPES = ("bert_v2", "bert")  # BertEncoderV2 and the legacy BertEncoder: the same function and objects
UNSUPPORTED_TYPES = {"albert": "ALBERT (AlbertEncoder: factorised embeddings, one block shared by all layers)"}
# Config field -> BertBackbone argument, for the fields the weights show.
SHAPE_FIELDS = {
    "vocab_size": "vocabulary_size",
    "hidden_size": "hidden_dim",
    "num_layers": "num_layers",
    "num_attention_heads": "num_heads",
    "intermediate_size": "intermediate_dim",
    "max_position_embeddings": "max_sequence_length",
    "type_vocab_size": "num_segments",
}


def find_config(prefix, config=None):
    """The experiment config for the checkpoint `prefix`: `config` when given, else `params.yaml` beside it, else
    None."""
    if config is not None:
        if not os.path.isfile(config):
            raise FileNotFoundError(f"config file {os.fspath(config)!r} not found")
        return os.fspath(config)
    candidate = os.path.join(os.path.dirname(os.path.abspath(prefix)), "params.yaml")
    return candidate if os.path.isfile(candidate) else None


def _section(document, path):
    node = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def read_experiment_config(path):
    """The settings a Model Garden experiment config (`params.yaml`) gives for its encoder, in zoo's names, with
    `fields` (zoo name -> the config field it came from, for messages) and `shapes` (BertBackbone argument ->
    value, for `check_against_weights`). Looks for the encoder at `task.model.encoder`, `model.encoder` or
    `encoder`."""
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a readable YAML file: {error}") from None
    for where in (("task", "model"), ("model",), ()):
        model = _section(document, where) if where else document
        if isinstance(model, dict) and isinstance(model.get("encoder"), dict):
            break
    else:
        raise ValueError(f"{path}: no encoder config (expected task.model.encoder with `type` and its section)")
    encoder = model["encoder"]
    prefix = ".".join(where + ("encoder",))
    branches = [key for key, value in encoder.items() if key != "type" and isinstance(value, dict)]
    kind = encoder.get("type", branches[0] if len(branches) == 1 else None)
    if kind not in ENCODER_TYPES:
        what = f", {UNSUPPORTED_TYPES[kind]}," if kind in UNSUPPORTED_TYPES else ""
        raise ValueError(
            f"{path}: {prefix}.type is {kind!r}{what} which zoo does not import; supported: 'bert_v2' "
            "(BertEncoderV2) and 'bert' (BertEncoder)"
        )
    fields = encoder.get(kind)
    if not isinstance(fields, dict):
        raise ValueError(f"{path}: {prefix}.{kind} is missing (the settings of the {kind!r} encoder)")
    prefix += f".{kind}"

    def typed(name, types, what):
        value = fields[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{path}: {prefix}.{name} must be {what}, got {value!r}")
        return value

    def activation(value, field):
        if value not in ACTIVATIONS:
            raise ValueError(
                f"{path}: {field} is {value!r}; supported: 'gelu' (Model Garden's tanh-approximate GELU), "
                "'exact_gelu', 'relu'"
            )
        return ACTIVATIONS[value]

    embedding_size = fields.get("embedding_size")
    if embedding_size is not None and embedding_size != fields.get("hidden_size"):
        raise ValueError(
            f"{path}: {prefix}.embedding_size is {embedding_size} and hidden_size {fields.get('hidden_size')}: an "
            "embedding projection, which BertBackbone does not support"
        )
    settings, origin = {}, {}
    if "hidden_activation" in fields:
        settings["activation"] = activation(fields["hidden_activation"], f"{prefix}.hidden_activation")
        origin["activation"] = f"{prefix}.hidden_activation"
    if "norm_first" in fields:
        settings["norm_first"] = typed("norm_first", (bool,), "true or false")
        origin["norm_first"] = f"{prefix}.norm_first"
    settings["layer_norm_epsilon"] = 1e-12  # fixed in both encoders (no config field sets it)
    origin["layer_norm_epsilon"] = f"{prefix[: -len(kind) - 1]}.type {kind!r} (epsilon fixed at 1e-12)"
    if "dropout_rate" in fields:
        settings["dropout"] = float(typed("dropout_rate", (int, float), "a number"))
        origin["dropout"] = f"{prefix}.dropout_rate"
        attention = fields.get("attention_dropout_rate", settings["dropout"])
        if attention != settings["dropout"]:
            print(f"zoo.convert garden: {path}: attention_dropout_rate {attention} differs from dropout_rate "
                  f"{settings['dropout']}; zoo uses one rate, dropout={settings['dropout']}", file=sys.stderr)
    if "mlm_activation" in model:
        settings["mlm_activation"] = activation(model["mlm_activation"], ".".join(where + ("mlm_activation",)))
        origin["mlm_activation"] = ".".join(where + ("mlm_activation",))
    if model.get("mlm_output_weights_use_proj"):
        raise ValueError(f"{path}: mlm_output_weights_use_proj is true (an extra output projection), not supported")
    shapes = {argument: typed(name, (int,), "an integer") for name, argument in SHAPE_FIELDS.items()
              if fields.get(name) is not None}
    origin.update({argument: f"{prefix}.{name}" for name, argument in SHAPE_FIELDS.items() if argument in shapes})
    heads = {head.get("name"): head for head in model.get("cls_heads") or [] if isinstance(head, dict)}
    return {"path": path, "settings": settings, "shapes": shapes, "origin": origin, "cls_heads": heads}


def resolve_settings(given, config, names):
    """The settings `names` for a conversion: what the caller `given` (None = not given), else what `config` says,
    else Model Garden's default; one printed line lists the defaults assumed. A given setting that the config
    contradicts is an error naming both."""
    resolved, assumed = {}, []
    for name in names:
        said = (config or {}).get("settings", {}).get(name)
        if given.get(name) is not None:
            if said is not None and said != given[name]:
                raise ValueError(
                    f"{name}={given[name]!r} was given, but {config['path']} says {config['origin'][name]}, "
                    f"which is {name}={said!r} in zoo's terms"
                )
            resolved[name] = given[name]
        elif said is not None:
            resolved[name] = said
        else:
            resolved[name] = GARDEN_DEFAULTS[name]
            assumed.append(f"{name}={GARDEN_DEFAULTS[name]!r}")
    if assumed:
        where = "no params.yaml beside the checkpoint and no --config" if config is None else config["path"]
        print(f"zoo.convert garden: assumed Model Garden defaults ({where}): {', '.join(assumed)}; the checkpoint "
              "does not record these: give a config or the settings if the encoder was built otherwise",
              file=sys.stderr)
    return resolved


def check_against_weights(config, arguments, source):
    """A ValueError naming both sides when the config's encoder geometry differs from the weights'."""
    if config is None:
        return
    for argument, value in config["shapes"].items():
        if arguments[argument] != value:
            raise ValueError(
                f"{config['path']}: {config['origin'][argument]} is {value}, but {source} has {argument}="
                f"{arguments[argument]}: the config does not describe these weights"
            )
