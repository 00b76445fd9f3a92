"""Greedy generation speed, new tokens per second: zoo vs keras-hub GPT2CausalLM vs transformers GPT2LMHeadModel.

Run from the repository root: `python -m benchmarks.generation` (needs keras-hub, torch and transformers;
this is a benchmark, not a test). Random weights, GPT config 4 layers / hidden 256 / 4 heads / intermediate
1024 / vocab 8192, batch 8, prompt 32, 128 new tokens. The three engines are timed alternately in one process,
after a warm-up call each; the record holds medians. Every engine is checked to produce exactly 128 new
tokens per row (no early stop). Writes `benchmarks/results/generation.json`.
"""

import argparse
import statistics
import time

import numpy as np
# torch (and the triton it loads) must be imported before TensorFlow, or the process segfaults.
import torch  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402

from zoo.models import CausalLM, GPTBackbone  # noqa: E402
from benchmarks.results_file import report  # noqa: E402

CONFIG = dict(vocabulary_size=8192, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024)
BATCH, PROMPT, NEW = 8, 32, 128
MAX_SEQUENCE_LENGTH = 256
TARGET = {"transformers": 1.5, "keras_hub": 2.5}


def prompts():
    return np.random.default_rng(0).integers(1, CONFIG["vocabulary_size"], size=(BATCH, PROMPT)).astype("int32")


def ours_engine():
    keras.utils.set_random_seed(0)
    model = CausalLM(GPTBackbone(**CONFIG, dropout=0.0, max_sequence_length=MAX_SEQUENCE_LENGTH))
    ids = prompts()

    def run():
        outputs = model.generate({"token_ids": ids}, max_new_tokens=NEW, sampler="greedy")
        return outputs["padding_mask"].sum(axis=1)  # new tokens per row

    return run


def keras_hub_engine():
    import keras_hub

    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.GPT2Backbone(
        vocabulary_size=CONFIG["vocabulary_size"], num_layers=CONFIG["num_layers"],
        num_heads=CONFIG["num_heads"], hidden_dim=CONFIG["hidden_dim"],
        intermediate_dim=CONFIG["intermediate_dim"], dropout=0.0, max_sequence_length=MAX_SEQUENCE_LENGTH,
    )
    model = keras_hub.models.GPT2CausalLM(backbone=backbone, preprocessor=None)
    ids = np.zeros((BATCH, PROMPT + NEW), "int32")
    ids[:, :PROMPT] = prompts()
    mask = np.zeros((BATCH, PROMPT + NEW), bool)
    mask[:, :PROMPT] = True

    def run():
        # Without a preprocessor keras-hub fills the token_ids tensor up to its width (prompt + 128).
        outputs = model.generate({"token_ids": ids, "padding_mask": mask}, stop_token_ids=None)
        return np.asarray(outputs["padding_mask"]).sum(axis=1) - PROMPT

    return run


def transformers_engine():
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=CONFIG["vocabulary_size"], n_positions=MAX_SEQUENCE_LENGTH, n_embd=CONFIG["hidden_dim"],
        n_layer=CONFIG["num_layers"], n_head=CONFIG["num_heads"], n_inner=CONFIG["intermediate_dim"],
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    )
    model = GPT2LMHeadModel(config).eval()
    ids = torch.tensor(prompts(), dtype=torch.long)
    mask = torch.ones_like(ids)

    def run():
        with torch.no_grad():
            outputs = model.generate(ids, attention_mask=mask, do_sample=False, max_new_tokens=NEW,
                                     min_new_tokens=NEW, pad_token_id=0)
        return np.full(BATCH, outputs.shape[1] - PROMPT)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write the results file")
    args = parser.parse_args()

    engines = {"ours": ours_engine(), "keras_hub": keras_hub_engine(), "transformers": transformers_engine()}
    for name, run in engines.items():  # warm-up: tracing, XLA compilation
        start = time.perf_counter()
        counts = run()
        print(f"warm-up {name}: {time.perf_counter() - start:.1f}s, new tokens per row {counts.tolist()}")
        if not np.all(counts == NEW):
            raise RuntimeError(f"{name} produced {counts.tolist()} new tokens per row, expected {NEW}")
    rates = {name: [] for name in engines}
    for repeat in range(args.repeats):
        for name, run in engines.items():
            start = time.perf_counter()
            counts = run()
            elapsed = time.perf_counter() - start
            assert np.all(counts == NEW), (name, counts)
            rates[name].append(BATCH * NEW / elapsed)
        print(f"repeat {repeat}: " + ", ".join(f"{n} {r[-1]:.0f} tok/s" for n, r in rates.items()))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    peers = {name: round(medians[name], 1) for name in ("transformers", "keras_hub")}
    record = {
        "name": "gpt_greedy_generation",
        "metric": "new_tokens_per_s",
        "higher_is_better": True,
        "ours": round(medians["ours"], 1),
        "peers": peers,
        "ratios": {name: round(medians["ours"] / medians[name], 2) for name in peers},
        "target": TARGET,
        "config": {"layers": CONFIG["num_layers"], "hidden": CONFIG["hidden_dim"], "heads": CONFIG["num_heads"],
                   "intermediate": CONFIG["intermediate_dim"], "vocab": CONFIG["vocabulary_size"],
                   "batch": BATCH, "prompt": PROMPT, "new_tokens": NEW, "repeats": args.repeats,
                   "weights": "random", "decoding": "greedy"},
    }
    report("generation", record, write=not args.no_write)


if __name__ == "__main__":
    main()
