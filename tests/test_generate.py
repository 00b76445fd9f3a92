"""`python -m zoo.generate`: text from a saved CausalLM / Seq2SeqLM with its SentencePiece model beside it."""

import subprocess
import sys
from pathlib import Path

import keras
import pytest
import tensorflow as tf

import zoo.generate as cli
from zoo.data import read_documents
from zoo.models import CausalLM, GPTBackbone, Seq2SeqLM, T5Backbone
from zoo.resources import resource_path
from zoo.tokenizers import SentencePieceTokenizer, train_sentencepiece

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ["the red teacher finds", "a house"]


def save_checkpoint(directory, model_class, backbone_class, **backbone_arguments):
    texts = [line for document in read_documents(resource_path("tasks", "pretraining", "corpus.txt"))
             for line in document]
    train_sentencepiece(texts, vocabulary_size=80, output_prefix=directory / "spiece")
    tokenizer = SentencePieceTokenizer(str(directory / "spiece.model"))
    keras.utils.set_random_seed(0)
    model = model_class(backbone_class(vocabulary_size=80, num_layers=1, num_heads=2, hidden_dim=16,
                                       intermediate_dim=16, dropout=0.0, **backbone_arguments))
    model.save(directory / "model.keras")
    return model, tokenizer


@pytest.fixture(scope="module")
def gpt_run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gpt_run")
    return (directory, *save_checkpoint(directory, CausalLM, GPTBackbone, max_sequence_length=64))


def test_greedy_text_is_the_models_own_generation(gpt_run, capsys):
    directory, model, tokenizer = gpt_run
    assert cli.run(["--model", str(directory), "--prompt", PROMPTS[0], "--prompt", PROMPTS[1],
                    "--max_new_tokens", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = [model.generate([tokenizer(tf.constant(prompt)).numpy().tolist()], max_new_tokens=5,
                               stop_token_ids=[1])[0] for prompt in PROMPTS]
    assert lines == [tokenizer.detokenize(tf.constant(ids)).numpy().decode() for ids in expected]


def test_seeded_sampling_repeats_and_the_seed_matters(gpt_run, tmp_path, capsys):
    directory = gpt_run[0]
    prompts_file = tmp_path / "prompts.txt"
    prompts_file.write_text("\n".join(PROMPTS * 3) + "\n\n", encoding="utf-8")
    outputs = []
    for seed in ("1", "1", "2"):
        args = ["--model", str(directory / "model.keras"), "--prompts_file", str(prompts_file), "--sampler",
                "top_p", "--top_p", "0.99", "--temperature", "3", "--max_new_tokens", "12", "--seed", seed]
        assert cli.run(args) == 0
        outputs.append(capsys.readouterr().out.splitlines())
    assert len(outputs[0]) == 6 and outputs[0] == outputs[1] and outputs[0] != outputs[2]


def test_seq2seq_beam_in_a_fresh_process(tmp_path):
    model, tokenizer = save_checkpoint(tmp_path, Seq2SeqLM, T5Backbone)
    result = subprocess.run(
        [sys.executable, "-m", "zoo.generate", "--model", str(tmp_path), "--prompt", PROMPTS[0], "--sampler", "beam",
         "--num_beams", "3", "--max_new_tokens", "6"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    ids = tokenizer(tf.constant(PROMPTS[0])).numpy().tolist() + [1]
    expected = model.generate([ids], max_new_tokens=6, sampler="beam")[0]
    assert result.stdout.splitlines() == [tokenizer.detokenize(tf.constant(expected)).numpy().decode()]


def test_early_stopping_option_reaches_the_beam_sampler():
    def sampler(*options):
        return cli.make_sampler(cli.build_parser().parse_args(["--model", "m", "--prompt", "x", "--sampler", "beam",
                                                               *options]))

    assert sampler().early_stopping is True  # today's beam search unless asked
    assert sampler("--early_stopping", "false").early_stopping is False
    assert sampler("--early_stopping", "never").early_stopping == "never"


def test_input_errors_are_one_line(gpt_run, tmp_path, capsys):
    directory = gpt_run[0]
    cases = [
        (["--model", str(tmp_path), "--prompt", "x"], "is not a run directory"),
        (["--model", str(directory), "--prompt", " "], "prompt 1 is empty"),
        (["--model", str(directory), "--prompts_file", str(tmp_path / "none.txt")], "none.txt not found"),
        (["--model", str(directory), "--prompt", "x", "--sampler", "top_p", "--top_p", "2"], "--sampler top_p"),
        (["--model", str(directory), "--prompt", "x", "--max_new_tokens", "0"], "--max_new_tokens must be positive"),
        (["--model", str(directory), "--prompt", "a house " * 30, "--max_new_tokens", "30"],
         "max_sequence_length"),
    ]
    for args, message in cases:
        assert cli.run(args) == 2, args
        assert message in capsys.readouterr().err
    (tmp_path / "alone").mkdir()
    keras.saving.load_model(directory / "model.keras").save(tmp_path / "alone" / "model.keras")
    assert cli.run(["--model", str(tmp_path / "alone"), "--prompt", "x"]) == 2
    assert "no tokenizer beside" in capsys.readouterr().err
