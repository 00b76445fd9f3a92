"""The Hugging Face architectures we import, and the one routine that builds a model and fills its weights.

`ARCHITECTURES` maps a config's `model_type` to its module (`zoo.convert.bert`, `.gpt2`, `.t5`). Each such
module defines
    MODEL_TYPE, BACKBONE (the name of the `zoo.models` class it fills), TASK (the task model that fits it,
        "masked_lm" | "causal_lm" | "seq2seq_lm"), HEAD_TENSORS (a regular expression: the head tensors a
        backbone-only conversion skips);
    backbone_arguments(config) -> the backbone's constructor arguments (a ValueError names an unsupported field);
    task_arguments(config, tensors, backbone) -> the task model's constructor arguments besides the backbone;
    map_backbone(mapper, backbone, config) and map_heads(mapper, model, config) -> the weight map.
A fourth architecture is one more such module and one more line here.

Classes are passed in (`build(directory, backbone_class, task_class)`), never imported: this module sits
below `zoo.models`, so that `Backbone.from_preset` can call `load_preset_backbone` without an import circle.
"""

from zoo.convert import bert, gpt2, t5
from zoo.convert.checkpoint import read_config, read_safetensors
from zoo.convert.mapping import Mapper, SourceTensors
from zoo.presets import get_preset, preset_directory

ARCHITECTURES = {module.MODEL_TYPE: module for module in (bert, gpt2, t5)}


def architecture_of(config):
    """The architecture module for a config's `model_type`; a ValueError names an unsupported one."""
    model_type = config.get("model_type")
    if model_type not in ARCHITECTURES:
        raise ValueError(
            f"config.json: unsupported model_type={model_type!r}; supported: {sorted(ARCHITECTURES)}"
        )
    return ARCHITECTURES[model_type]


def build(directory, config, backbone_class, task_class=None):
    """A `backbone_class` (or, with `task_class`, a task model around one) holding the checkpoint's weights.

    Every weight of the model is set exactly once from a tensor of the right shape, and a tensor left unused is
    an error (except known buffers, duplicates of tied weights and, for a backbone, the `HEAD_TENSORS`).
    """
    architecture = architecture_of(config)
    # Validate the whole config before reading (possibly large) weights.
    arguments = architecture.backbone_arguments(config)
    tensors = SourceTensors(read_safetensors(directory), directory, kind="HF tensor")
    backbone = backbone_class(**arguments)
    if task_class is None:
        model = backbone
    else:
        model = task_class(backbone, **architecture.task_arguments(config, tensors, backbone))
    mapper = Mapper(tensors, model)
    architecture.map_backbone(mapper, backbone, config)
    if task_class is None:
        mapper.ignore_matching(architecture.HEAD_TENSORS)
    else:
        architecture.map_heads(mapper, model, config)
    mapper.finish()
    return model


def load_preset_backbone(backbone_class, name):
    """The `backbone_class` of preset `name` with its checkpoint's weights; checks the checkpoint against the
    preset's architecture and config."""
    preset = get_preset(name)
    directory = preset_directory(name)
    config = read_config(directory)
    if config.get("model_type") != preset["architecture"]:
        raise ValueError(
            f"preset {name!r}: {directory!r} holds model_type={config.get('model_type')!r}, not the preset's "
            f"{preset['architecture']!r}"
        )
    backbone = build(directory, config, backbone_class)
    built = backbone.get_config()
    wrong = {key: (value, built[key]) for key, value in preset["config"].items() if built.get(key) != value}
    if wrong:
        raise ValueError(f"preset {name!r}: checkpoint config differs from the preset: {wrong} (preset, file)")
    return backbone
