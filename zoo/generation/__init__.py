"""Generation: samplers driving a model's `next(token_ids, cache, index)` in one XLA loop, and `generate`."""

from zoo.generation.beam import BeamSampler
from zoo.generation.export import causal_lm_export_function, seq2seq_lm_export_function
from zoo.generation.generate import (
    LENGTH_BUCKET,
    causal_lm_decode_function,
    causal_lm_generate,
    get_sampler,
    seq2seq_lm_decode_function,
    seq2seq_lm_generate,
)
from zoo.generation.greedy import GreedySampler
from zoo.generation.random import TemperatureSampler
from zoo.generation.sampler import Sampler
from zoo.generation.top_k import TopKSampler
from zoo.generation.top_p import TopPSampler

__all__ = [
    "BeamSampler",
    "GreedySampler",
    "LENGTH_BUCKET",
    "Sampler",
    "TemperatureSampler",
    "TopKSampler",
    "TopPSampler",
    "causal_lm_decode_function",
    "causal_lm_export_function",
    "causal_lm_generate",
    "get_sampler",
    "seq2seq_lm_decode_function",
    "seq2seq_lm_export_function",
    "seq2seq_lm_generate",
]
