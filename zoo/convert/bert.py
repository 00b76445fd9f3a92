"""BERT (`model_type: bert`; BertModel, BertForPreTraining, BertForMaskedLM) into `BertBackbone` / `MaskedLM`:
the config translation and the weight map side by side. `zoo.convert.architectures` says what an
architecture module defines, and why it imports nothing from `zoo.models`.
"""

import logging
import re

import numpy as np

from zoo.convert.checkpoint import activation, field, reject
from zoo.convert.mapping import find_prefix

logger = logging.getLogger(__name__)

MODEL_TYPE = "bert"
BACKBONE = "BertBackbone"  # the zoo.models class this module fills, named, not imported
TASK = "masked_lm"
HEAD_TENSORS = r"cls\..*"  # pre-training heads: skipped when only the backbone is converted


def backbone_arguments(config):
    """`BertBackbone` constructor arguments from a HF BERT config."""
    reject(config, "position_embedding_type", ["absolute", None], "only learned absolute positions")
    reject(config, "is_decoder", [False, None], "BERT as a causal decoder is not supported")
    reject(config, "add_cross_attention", [False, None], "cross-attention is not supported")
    if config.get("embedding_size") not in (None, config.get("hidden_size")):
        raise ValueError("config.json: unsupported embedding_size != hidden_size (factorised embeddings)")
    return dict(
        vocabulary_size=field(config, "vocab_size"),
        num_layers=field(config, "num_hidden_layers"),
        num_heads=field(config, "num_attention_heads"),
        hidden_dim=field(config, "hidden_size"),
        intermediate_dim=field(config, "intermediate_size"),
        dropout=field(config, "hidden_dropout_prob", 0.1),
        max_sequence_length=field(config, "max_position_embeddings"),
        num_segments=field(config, "type_vocab_size", 2),
        layer_norm_epsilon=field(config, "layer_norm_eps", 1e-12),
        activation=activation(config, "hidden_act", "gelu"),
    )


def task_arguments(config, tensors, backbone):
    """`MaskedLM` arguments besides the backbone: NSP when the checkpoint has its head."""
    return dict(
        include_nsp="cls.seq_relationship.weight" in tensors,
        activation=backbone.activation,
        layer_norm_epsilon=backbone.layer_norm_epsilon,
    )


def _prefix(tensors):
    return find_prefix(tensors, ["bert.", ""], "embeddings.word_embeddings.weight")


def map_backbone(mapper, backbone, config):
    t = mapper.tensors
    prefix = _prefix(t)
    e = prefix + "embeddings."
    mapper.copy(backbone.token_embedding.embeddings, e + "word_embeddings.weight")
    mapper.copy(backbone.position_embedding.embeddings, e + "position_embeddings.weight")
    mapper.copy(backbone.segment_embedding.embeddings, e + "token_type_embeddings.weight")
    mapper.layer_norm(backbone.embeddings_norm, e + "LayerNorm")
    mapper.ignore_matching(re.escape(e) + r"position_ids")  # a buffer, not a weight
    for i, layer in enumerate(backbone.encoder_layers):
        p = f"{prefix}encoder.layer.{i}."
        attention = layer.attention
        mapper.dense(attention.query_dense, p + "attention.self.query")
        mapper.dense(attention.key_dense, p + "attention.self.key")
        mapper.dense(attention.value_dense, p + "attention.self.value")
        mapper.dense(attention.output_dense, p + "attention.output.dense")
        mapper.layer_norm(layer.attention_norm, p + "attention.output.LayerNorm")
        mapper.dense(layer.feed_forward.intermediate_dense, p + "intermediate.dense")
        mapper.dense(layer.feed_forward.output_dense, p + "output.dense")
        mapper.layer_norm(layer.feed_forward_norm, p + "output.LayerNorm")
    pooler = prefix + "pooler.dense"
    if pooler + ".weight" in t or "BertForMaskedLM" not in config.get("architectures", []):
        mapper.dense(backbone.pooler_dense, pooler)
    else:
        # BertForMaskedLM has no pooler: pooled_output is tanh(0) = 0 instead of random noise.
        logger.warning("%s: no pooler in a BertForMaskedLM checkpoint; pooler weights set to zero", t.source)
        for variable in (backbone.pooler_dense.kernel, backbone.pooler_dense.bias):
            mapper.target.assign(variable, np.zeros(variable.shape, "float32"), "(zero pooler)")


def map_heads(mapper, model, config):
    p = "cls.predictions."
    mapper.dense(model.transform_dense, p + "transform.dense")
    mapper.layer_norm(model.transform_norm, p + "transform.LayerNorm")
    mapper.copy(model.output_bias, p + "bias")
    word = _prefix(mapper.tensors) + "embeddings.word_embeddings.weight"
    mapper.same_as(p + "decoder.weight", word, "our MLM decoder is tied to the word embeddings")
    mapper.same_as(p + "decoder.bias", p + "bias", "it is the same parameter as cls.predictions.bias")
    if model.include_nsp:
        mapper.dense(model.nsp_dense, "cls.seq_relationship")
