"""Checkpoint import: Hugging Face safetensors (`zoo.convert.hf`) and TF Model Garden BERT checkpoints
(`zoo.convert.model_garden`) into zoo backbones and task models. CLI: `python -m zoo.convert --help`.

Two tiers, so that models and converters never import each other in a circle:
- below `zoo.models` (they import nothing from it and work on the model they are given):
  `checkpoint` (reading a HF directory: config.json, safetensors, tokenizer files), `mapping` (the strict
  tensor mapper), one module per architecture (`bert`, `gpt2`, `t5`: config translation + weight map) and
  `architectures` (their registry and the build-and-fill routine). `Backbone.from_preset` reaches these.
  For Model Garden: `garden_checkpoint` (a checkpoint's object graph) and `garden_config` (its params.yaml).
- above `zoo.models` (they choose the classes to build): `hf`, `model_garden` and the CLI (`__main__`).
This file imports only the lower tier, since importing any `zoo.convert.x` runs it.
"""

from zoo.convert.mapping import ConversionError

__all__ = ["ConversionError"]
