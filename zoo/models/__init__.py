"""Backbones and generic task models."""

from zoo.models.backbone import Backbone
from zoo.models.bert.bert_backbone import BertBackbone
from zoo.models.causal_lm import CausalLM
from zoo.models.gpt.gpt_backbone import GPTBackbone
from zoo.models.losses import SparseLabelSmoothingCrossentropy
from zoo.models.masked_lm import MaskedLM, bert_mask_generator
from zoo.models.seq2seq_lm import Seq2SeqLM
from zoo.models.span_extractor import SpanExtractor
from zoo.models.t5.t5_backbone import T5Backbone
from zoo.models.task_model import TaskModel
from zoo.models.text_classifier import TextClassifier
from zoo.models.token_classifier import IGNORE_LABEL, TokenClassifier

__all__ = [
    "Backbone",
    "BertBackbone",
    "CausalLM",
    "GPTBackbone",
    "IGNORE_LABEL",
    "MaskedLM",
    "Seq2SeqLM",
    "SparseLabelSmoothingCrossentropy",
    "SpanExtractor",
    "T5Backbone",
    "TaskModel",
    "TextClassifier",
    "TokenClassifier",
    "bert_mask_generator",
]
