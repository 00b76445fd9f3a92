"""Sampler names: the one table from a name ("greedy", "temperature", "top_k", "top_p", "beam") to a sampler."""

from zoo.generation.beam import BeamSampler
from zoo.generation.greedy import GreedySampler
from zoo.generation.sampler import Sampler
from zoo.generation.temperature import TemperatureSampler
from zoo.generation.top_k import TopKSampler
from zoo.generation.top_p import TopPSampler

#: Name -> a sampler with default arguments (each name is the sampler class it builds).
SAMPLERS = {
    "greedy": GreedySampler,
    "temperature": TemperatureSampler,
    "top_k": lambda: TopKSampler(k=50),
    "top_p": lambda: TopPSampler(p=0.9),
    "beam": BeamSampler,
}


def get_sampler(sampler):
    """A `Sampler` from an instance or one of the names in `SAMPLERS`; anything else is an error listing them."""
    if isinstance(sampler, Sampler):
        return sampler
    if isinstance(sampler, str) and sampler in SAMPLERS:
        return SAMPLERS[sampler]()
    raise ValueError(f"sampler must be a Sampler or one of {sorted(SAMPLERS)}, got {sampler!r}")
