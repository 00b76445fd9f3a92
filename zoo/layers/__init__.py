"""Shared building blocks, one class a file."""

from zoo.layers.attention import MultiHeadAttention
from zoo.layers.dense import Dense
from zoo.layers.dropout import Dropout
from zoo.layers.embeddings import PositionEmbedding, TiedEmbedding
from zoo.layers.feed_forward import FeedForward
from zoo.layers.layer_norm import LayerNormalization
from zoo.layers.masking import causal_mask, merge_masks
from zoo.layers.relative_position_bias import RelativePositionBias
from zoo.layers.rms_norm import RMSNorm
from zoo.layers.transformer_decoder import TransformerDecoder
from zoo.layers.transformer_encoder import TransformerEncoder
from zoo.layers.transformer_layer import TransformerLayer

__all__ = [
    "Dense",
    "Dropout",
    "FeedForward",
    "LayerNormalization",
    "MultiHeadAttention",
    "PositionEmbedding",
    "RMSNorm",
    "RelativePositionBias",
    "TiedEmbedding",
    "TransformerDecoder",
    "TransformerEncoder",
    "TransformerLayer",
    "causal_mask",
    "merge_masks",
]
