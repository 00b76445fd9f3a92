"""Generation: samplers driving a model's `next(token_ids, cache, index)` in one XLA loop, and `generate`.

Modules: `sampler` (the protocol) and one sampler a file; `registry` (sampler names); `prompts` (prompt
preparation); `decode` (the compiled loops); `outputs` (new tokens out of the loop's buffer); `generate` and
`export` (the eager and the exportable entry points).
"""

from zoo.generation.beam import BeamSampler
from zoo.generation.decode import causal_lm_decode_function, seq2seq_lm_decode_function
from zoo.generation.export import causal_lm_export_function, seq2seq_lm_export_function
from zoo.generation.generate import causal_lm_generate, seq2seq_lm_generate
from zoo.generation.greedy import GreedySampler
from zoo.generation.prompts import LENGTH_BUCKET
from zoo.generation.registry import SAMPLERS, get_sampler
from zoo.generation.sampler import Sampler
from zoo.generation.temperature import TemperatureSampler
from zoo.generation.top_k import TopKSampler
from zoo.generation.top_p import TopPSampler

__all__ = [
    "BeamSampler",
    "GreedySampler",
    "LENGTH_BUCKET",
    "SAMPLERS",
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
