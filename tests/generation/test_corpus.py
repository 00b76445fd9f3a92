import keras
import numpy as np
import pytest

import zoo  # noqa: F401
from zoo.generation import BeamSampler
from zoo.generation.corpus import generate_corpus
from zoo.models import Seq2SeqLM, T5Backbone


class Echo:
    """Generates each prompt reversed, and records the batches it was called with."""

    def __init__(self):
        self.batches = []

    def generate(self, batch, **arguments):
        self.batches.append((batch, arguments))
        return [prompt[::-1] for prompt in batch]


def test_order_fixed_batch_size_and_arguments():
    prompts = [[1, 2, 3], [4], [5, 6], [7, 8, 9, 10], [11]]
    model = Echo()
    assert generate_corpus(model, prompts, batch_size=2, max_new_tokens=3) == [p[::-1] for p in prompts]
    assert [len(batch) for batch, _ in model.batches] == [2, 2, 2]  # the last batch is filled up
    assert [[len(p) for p in batch] for batch, _ in model.batches] == [[1, 1], [2, 3], [4, 4]]  # sorted
    assert all(arguments == {"max_new_tokens": 3} for _, arguments in model.batches)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        generate_corpus(model, prompts, batch_size=0)


def test_beam_search_over_a_corpus_equals_one_prompt_at_a_time():
    keras.utils.set_random_seed(3)
    model = Seq2SeqLM(T5Backbone(vocabulary_size=40, num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=16,
                                 dropout=0.0))
    rng = np.random.default_rng(0)
    prompts = [rng.integers(3, 40, size=int(rng.integers(1, 20))).tolist() + [1] for _ in range(7)]
    sampler = BeamSampler(num_beams=3, length_penalty=0.6)
    together = generate_corpus(model, prompts, batch_size=4, max_new_tokens=6, sampler=sampler)
    alone = [model.generate([prompt], max_new_tokens=6, sampler=sampler)[0] for prompt in prompts]
    assert together == alone
