"""Checkpoint import: Hugging Face safetensors (`zoo.convert.hf`) and TF Model Garden BertEncoderV2
(`zoo.convert.model_garden`) into zoo backbones and task models. CLI: `python -m zoo.convert --help`."""

from zoo.convert._weights import ConversionError
from zoo.convert.hf import load_backbone, load_preset, load_task_model, load_tokenizer
from zoo.convert.model_garden import load_bert_encoder_v2

__all__ = [
    "ConversionError",
    "load_backbone",
    "load_bert_encoder_v2",
    "load_preset",
    "load_task_model",
    "load_tokenizer",
]
