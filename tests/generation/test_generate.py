"""`CausalLM.generate` / `Seq2SeqLM.generate`: cache correctness, one trace per bucket, stopping, bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from zoo.generation import BeamSampler, GreedySampler, TopKSampler, TopPSampler
from zoo.generation.generate import compiled_decode_functions
from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone

PROMPTS = [[5, 6, 7], [8, 9, 10, 11, 12, 13, 14], [3]]


@pytest.fixture(scope="module")
def gpt():
    keras.utils.set_random_seed(1)
    return CausalLM(GPTBackbone(vocabulary_size=60, num_layers=2, num_heads=2, hidden_dim=16,
                                intermediate_dim=32, dropout=0.0, max_sequence_length=48))


@pytest.fixture(scope="module")
def t5():
    keras.utils.set_random_seed(2)
    return Seq2SeqLM(T5Backbone(vocabulary_size=60, num_layers=2, num_heads=2, hidden_dim=16,
                                intermediate_dim=32, dropout=0.0))


def greedy_without_cache(model, prompt, steps):
    ids = list(prompt)
    for _ in range(steps):
        logits = model({"token_ids": tf.constant([ids])})  # full recomputation, no cache
        ids.append(int(np.argmax(logits[0, -1])))
    return ids[len(prompt):]


def seq2seq_greedy_without_cache(model, prompt, steps):
    ids = [0]
    for _ in range(steps):
        logits = model({"encoder_token_ids": tf.constant([prompt]),
                        "encoder_padding_mask": tf.ones([1, len(prompt)], bool),
                        "decoder_token_ids": tf.constant([ids])})
        ids.append(int(np.argmax(logits[0, -1])))
    return ids[1:]


def test_cached_greedy_equals_recomputation(gpt):
    outputs = gpt.generate(PROMPTS, max_new_tokens=6)
    assert outputs == [greedy_without_cache(gpt, p, 6) for p in PROMPTS]


def test_cached_seq2seq_greedy_equals_recomputation(t5):
    outputs = t5.generate(PROMPTS, max_new_tokens=5, stop_token_ids=None)
    assert outputs == [seq2seq_greedy_without_cache(t5, p, 5) for p in PROMPTS]


def test_ten_calls_in_one_bucket_trace_once(gpt):
    sampler = TopKSampler(k=4)  # a sampler of its own, so this test owns the compiled function
    rng = np.random.default_rng(0)
    for call in range(10):
        lengths = rng.integers(1, 17, size=3)  # prompt bucket 16
        prompts = [rng.integers(1, 60, size=n).tolist() for n in lengths]
        max_new_tokens = int(rng.integers(1, 17))  # 16 + max_new_tokens <= 32: cache bucket 32
        outputs = gpt.generate(prompts, max_new_tokens=max_new_tokens, sampler=sampler, seed=call)
        assert [len(o) for o in outputs] == [max_new_tokens] * 3
    (function,) = [f for key, f in compiled_decode_functions(gpt).items() if key[1] == sampler.cache_key()]
    assert function.python_function.trace_count == 1
    assert function.experimental_get_tracing_count() == 1
    gpt.generate([[1] * 17], max_new_tokens=2, sampler=sampler)  # next prompt bucket: a new trace
    assert function.python_function.trace_count == 2


def test_stop_tokens_end_rows_and_pad_follows(gpt):
    free = gpt.generate(PROMPTS, max_new_tokens=8)
    stop = free[0][2]  # a token row 0 really emits at step 3
    outputs = gpt.generate(PROMPTS, max_new_tokens=8, stop_token_ids=[stop, 59], pad_token_id=0)
    for row, full in zip(outputs, free):
        if stop in full:
            assert row == full[: full.index(stop) + 1]
        else:
            assert row == full
    padded = gpt.generate({"token_ids": np.array([[5, 6, 7]])}, max_new_tokens=8, stop_token_ids=[stop])
    n = len(outputs[0])
    assert padded["token_ids"][0, :n].tolist() == outputs[0]
    assert (padded["token_ids"][0, n:] == 0).all() and not padded["padding_mask"][0, n:].any()


def test_sampled_first_token_is_in_the_allowed_set(gpt):
    prompt = [5, 6, 7]
    logits = gpt({"token_ids": tf.constant([prompt])})[0, -1].numpy()
    top_k = set(np.argsort(-logits)[:3].tolist())
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    order = np.argsort(-probabilities)
    nucleus = set(order[(np.cumsum(probabilities[order]) - probabilities[order]) < 0.6].tolist())
    seen_k, seen_p = set(), set()
    for seed in range(40):
        seen_k.add(gpt.generate([prompt], max_new_tokens=1, sampler=TopKSampler(k=3), seed=seed)[0][0])
        seen_p.add(gpt.generate([prompt], max_new_tokens=1, sampler=TopPSampler(p=0.6), seed=seed)[0][0])
    assert seen_k <= top_k and len(seen_k) > 1
    assert seen_p <= nucleus


def test_seeds_reproduce_and_differ(gpt):
    sampler = TopKSampler(k=20, temperature=2.0)
    first = gpt.generate(PROMPTS, max_new_tokens=10, sampler=sampler, seed=11)
    assert gpt.generate(PROMPTS, max_new_tokens=10, sampler=sampler, seed=11) == first
    assert gpt.generate(PROMPTS, max_new_tokens=10, sampler=sampler, seed=12) != first


def test_beam_returns_n_best_sorted(gpt, t5):
    sampler = BeamSampler(num_beams=3, num_return_sequences=2)
    outputs = gpt.generate(PROMPTS, max_new_tokens=5, sampler=sampler)
    assert [len(row) for row in outputs] == [2, 2, 2]
    scores = gpt.generate({"token_ids": np.array([[5, 6, 7]])}, max_new_tokens=5, sampler=sampler)["scores"]
    assert scores.shape == (1, 2) and scores[0, 0] >= scores[0, 1]
    # One beam is greedy search.
    assert gpt.generate(PROMPTS, max_new_tokens=5, sampler=BeamSampler(num_beams=1)) == \
        gpt.generate(PROMPTS, max_new_tokens=5, sampler=GreedySampler())
    assert t5.generate(PROMPTS, max_new_tokens=4, sampler=BeamSampler(num_beams=1), stop_token_ids=None) == \
        t5.generate(PROMPTS, max_new_tokens=4, stop_token_ids=None)


@pytest.mark.parametrize(
    "inputs,kwargs,message",
    [
        ([[5, 6], []], {}, "prompt 1 is empty"),
        ([], {}, "batch is empty"),
        ([[1] * 49], {}, "longer than max_sequence_length 48"),
        ([[1] * 40], {"max_new_tokens": 9}, "exceeds max_sequence_length 48"),
        ([[1, 2]], {"max_new_tokens": 0}, "max_new_tokens must be > 0"),
        ([[1, 2]], {"max_new_tokens": -3}, "max_new_tokens must be > 0"),
        ([[1, 2]], {"max_new_tokens": 2.5}, "max_new_tokens must be a positive int"),
        ([[1, 60]], {}, "token id 60 outside"),
        ([[1, "a"]], {}, "expected int token ids"),
        (["some text"], {}, "no `preprocessor`"),
        ({"token_ids": np.ones((2, 3)), "padding_mask": np.array([[0, 1, 1], [1, 1, 1]])}, {}, "right padding"),
        ([[1, 2]], {"sampler": "nucleus"}, "sampler must be"),
    ],
)
def test_bad_input_raises_clear_errors(gpt, inputs, kwargs, message):
    kwargs = {"max_new_tokens": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        gpt.generate(inputs, **kwargs)


def test_seq2seq_bad_input(t5):
    with pytest.raises(ValueError, match="prompt 0 is empty"):
        t5.generate([[]], max_new_tokens=3)
    with pytest.raises(ValueError, match="max_new_tokens must be > 0"):
        t5.generate([[4, 1]], max_new_tokens=0)
