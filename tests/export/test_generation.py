"""GPT generation, translation and summarization exports: the C++ serving check (XLA disabled) and a fresh
Python process give the in-memory model's texts, with the preprocessor's prompts, for every sampler. The
translation and summarization exports take their options from the recipes' config (`serving_options`)."""

import os

import keras
import pytest
import tensorflow as tf

import zoo  # noqa: F401
from tests.export.helpers import (assert_same_outputs, assert_serving_export, bad_inputs, in_memory_outputs,
                                  outputs_to_json, run_fresh_processes, run_serving_check)
from zoo.export import audit_ops, export
from zoo.export.generation import signatures
from zoo.generation import BeamSampler, TopKSampler, TopPSampler
from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone
from zoo.models.gpt.gpt_preprocessor import GPTPreprocessor
from zoo.models.t5.t5_preprocessor import T5Preprocessor
from zoo.recipes.seq2seq import serving_options
from zoo.recipes.summarization import SummarizationConfig
from zoo.recipes.translation import TranslationConfig
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer

TOKENIZERS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tokenizers")
MAX_PROMPT_LENGTH, MAX_NEW_TOKENS = 12, 4
# An empty prompt and `<|endoftext|>` alone (how GPT-2 starts unconditional generation) are answered (#16).
PROMPTS = ["hello world", "The quick brown fox jumps over the lazy dog", "", "a", "<|endoftext|>"]
SIZES = dict(max_prompt_length=MAX_PROMPT_LENGTH, max_new_tokens=MAX_NEW_TOKENS)
RECIPE_SIZES = dict(max_sequence_length=MAX_PROMPT_LENGTH, max_target_length=MAX_NEW_TOKENS, seed=3)
# name -> (model kind, export options): GPT generation (top-k: the XLA variant's test); translation and
# summarization are Seq2SeqLMs exported with their recipe's options.
EXPORTS = {
    "gpt_greedy": ("causal", dict(sampler="greedy", seed=3, **SIZES)),
    "gpt_top_p": ("causal", dict(sampler=TopPSampler(p=0.9), seed=3, **SIZES)),
    "gpt_beam": ("causal", dict(sampler=BeamSampler(num_beams=3), seed=3, **SIZES)),
    "translation_greedy": ("seq2seq", serving_options(TranslationConfig(num_beams=1, **RECIPE_SIZES))),
    "summarization_beam": ("seq2seq", serving_options(SummarizationConfig(num_beams=2, **RECIPE_SIZES))),
}


def tiny_gpt():
    keras.utils.set_random_seed(11)
    tokenizer = BytePairTokenizer(os.path.join(TOKENIZERS, "bpe_vocab.json"),
                                  os.path.join(TOKENIZERS, "bpe_merges.txt"))
    model = CausalLM(GPTBackbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2, hidden_dim=16,
                                 intermediate_dim=32, dropout=0.0, max_sequence_length=32))
    return model, GPTPreprocessor(tokenizer, sequence_length=MAX_PROMPT_LENGTH)


def tiny_t5():
    keras.utils.set_random_seed(12)  # before the tokenizer too: a recipe seeds first (the op resource survives)
    tokenizer = SentencePieceTokenizer(os.path.join(TOKENIZERS, "spm_unigram.model"))
    model = Seq2SeqLM(T5Backbone(vocabulary_size=tokenizer.vocabulary_size(), num_layers=2, num_heads=2,
                                 hidden_dim=16, intermediate_dim=32, dropout=0.0))
    return model, T5Preprocessor(tokenizer, MAX_PROMPT_LENGTH, MAX_NEW_TOKENS + 1)


@pytest.fixture(scope="module")
def models():
    return {"causal": tiny_gpt(), "seq2seq": tiny_t5()}


@pytest.fixture(scope="module")
def exports(models, tmp_path_factory):
    """name -> (export path, in-memory signature functions, model, preprocessor, sampler)."""
    base_dir = tmp_path_factory.mktemp("saved_models")
    result = {}
    for name, (kind, options) in EXPORTS.items():
        model, preprocessor = models[kind]
        functions = signatures(model, preprocessor, **options)
        path = export(model, preprocessor, base_dir, name=name, signatures=functions)
        result[name] = (path, functions, model, preprocessor, options["sampler"])
    return result


def test_cpp_check_and_fresh_process_equal_the_in_memory_model(exports, serving_check):
    in_fresh_process = ("gpt_top_p", "translation_greedy", "summarization_beam")  # all in one process
    fresh = dict(zip(in_fresh_process, run_fresh_processes([exports[name][0] for name in in_fresh_process],
                                                           [PROMPTS])))
    for name, (path, functions, model, preprocessor, sampler) in exports.items():
        assert audit_ops(path)[1] == [], name
        expected = in_memory_outputs(functions["serving_default"], PROMPTS)
        returncode, results, stderr = run_serving_check(serving_check, path, [PROMPTS])
        assert returncode == 0, (name, stderr[-3000:])
        assert_same_outputs(results[0], expected)
        if name in fresh:
            assert_same_outputs(fresh[name][0], expected)
        if name in ("gpt_greedy", "summarization_beam"):  # deterministic: generate() (XLA) agrees
            assert_generate_agrees(model, preprocessor, sampler, results[0])


def assert_generate_agrees(model, preprocessor, sampler, result, seed=None):
    """`generate` with the training preprocessor gives the export's texts on the prompts that fit (on a longer
    one it keeps the start where a causal export keeps the end: see the over-long test). The same batch: random
    draws depend on the row's place in it."""
    texts = model.generate(PROMPTS, max_new_tokens=MAX_NEW_TOKENS, sampler=sampler, preprocessor=preprocessor,
                           seed=seed, stop_token_ids=[preprocessor.tokenizer.eos_token_id])
    fits = [not truncated for truncated in result["outputs"]["truncated"]["values"]]
    assert sum(fits) >= 3
    assert [t for t, f in zip(result["outputs"]["text"]["values"], fits) if f] == [t for t, f in zip(texts, fits) if f]


@pytest.mark.parametrize("name", ["gpt_beam", "translation_greedy", "summarization_beam"])
def test_saved_model_cli_and_op_audit(exports, name, tmp_path):
    outputs = ["text", "token_ids", "num_new_tokens", "truncated"] + (["scores"] if "beam" in name else [])
    assert_serving_export(exports[name][0], outputs, tmp_path)


def test_recipe_options_follow_the_config():
    options = serving_options(TranslationConfig(num_beams=3, length_penalty=0.5, serving_xla=True, **RECIPE_SIZES))
    assert options["xla"] is True and options["max_prompt_length"] == MAX_PROMPT_LENGTH
    assert options["max_new_tokens"] == MAX_NEW_TOKENS and options["seed"] == 3
    assert isinstance(options["sampler"], BeamSampler) and options["sampler"].num_beams == 3
    assert options["sampler"].length_penalty == 0.5
    assert serving_options(SummarizationConfig())["xla"] is False  # the default export is XLA-free


def test_bad_inputs_through_the_cpp_check(exports, serving_check):
    cases = dict(bad_inputs(), endoftext_alone=[b"<|endoftext|>"])
    for name in ("gpt_top_p", "summarization_beam"):
        path, functions = exports[name][:2]
        returncode, results, stderr = run_serving_check(serving_check, path, list(cases.values()))
        assert returncode == 0, (name, stderr[-3000:])
        for (case, rows), result in zip(cases.items(), results):
            assert "outputs" in result, (name, case, result)
            assert_same_outputs(result, in_memory_outputs(functions["serving_default"], rows))
        by_case = dict(zip(cases, results))
        assert by_case["long_text"]["outputs"]["truncated"]["values"] == [True]
        assert by_case["empty_batch"]["outputs"]["text"]["shape"] == [0]
        assert by_case["mixed_lengths_one_empty"]["outputs"]["num_new_tokens"]["values"][17] > 0
        for case in ("empty_string", "endoftext_alone"):  # generated from the start token (GPT) or </s> (T5)
            assert by_case[case]["outputs"]["num_new_tokens"]["values"][0] > 0, (name, case)


@pytest.mark.parametrize("name,keeps", [("gpt_greedy", "end"), ("translation_greedy", "start")])
def test_over_long_prompts_keep_the_end_for_a_causal_lm_and_the_start_for_seq2seq(exports, name, keeps):
    _, functions, _, preprocessor, _ = exports[name]
    text = " ".join(f"word{i}" for i in range(40))
    ids = preprocessor.tokenizer(tf.constant([text]))
    room = MAX_PROMPT_LENGTH - 1  # the start token (GPT) or </s> (T5) takes one position
    kept = ids[:, -room:] if keeps == "end" else ids[:, :room]
    long = functions["serving_default"](text=tf.constant([text]))
    cut = functions["serve_token_ids"](token_ids=kept.to_tensor(), padding_mask=tf.ones_like(kept).to_tensor())
    assert long["truncated"].numpy().tolist() == [True] and cut["truncated"].numpy().tolist() == [False]
    assert long["text"].numpy().tolist() == cut["text"].numpy().tolist()
    other = ids[:, :room] if keeps == "end" else ids[:, -room:]
    assert other.numpy().tolist() != kept.numpy().tolist()


def test_token_id_signature_answers_like_the_raw_string_one(exports):
    _, functions, _, preprocessor, _ = exports["gpt_beam"]
    ids = preprocessor.tokenizer(tf.constant(PROMPTS))
    from_ids = functions["serve_token_ids"](token_ids=ids.to_tensor(), padding_mask=tf.ones_like(ids).to_tensor())
    expected = in_memory_outputs(functions["serving_default"], PROMPTS)
    assert_same_outputs({"outputs": outputs_to_json(from_ids)}, expected)


def test_xla_variant_samples_as_generate_and_needs_xla_in_the_server(models, tmp_path, serving_check):
    model, preprocessor = models["causal"]
    sampler = TopKSampler(k=5)
    path = export(model, preprocessor, tmp_path, name="gpt_xla", sampler=sampler, seed=3, xla=True,
                  max_prompt_length=MAX_PROMPT_LENGTH, max_new_tokens=MAX_NEW_TOKENS)
    assert any("_XlaMustCompile" in problem for problem in audit_ops(path)[1])
    returncode, results, _ = run_serving_check(serving_check, path, [PROMPTS])
    assert returncode == 1 and "XLA" in results[0]["error"]["message"], results
    returncode, results, stderr = run_serving_check(serving_check, path, [PROMPTS], xla=True)
    assert returncode == 0, stderr[-3000:]
    assert_generate_agrees(model, preprocessor, sampler, results[0], seed=3)
