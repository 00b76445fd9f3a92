"""Greedy generation speed, new tokens per second: zoo vs keras-hub GPT2CausalLM vs transformers GPT2LMHeadModel.

Run from the repository root: `python -m benchmarks.generation` (needs keras-hub, torch and transformers;
this is a benchmark, not a test). Random weights, GPT config 4 layers / hidden 256 / 4 heads / intermediate
1024 / vocab 8192, batch 8, prompt 32, 128 new tokens. The three engines are timed alternately in one process,
after a warm-up call each; the record holds medians. Every engine is checked to produce exactly 128 new
tokens per row (no early stop). Writes the record `gpt_greedy` to `benchmarks/results/generation.json`
(`--quick`: a tiny config, to `benchmarks/results/smoke/`).
"""

import numpy as np
# torch (and the triton it loads) must be imported before TensorFlow, or the process segfaults.
import torch  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras  # noqa: E402

from zoo.models import CausalLM, GPTBackbone  # noqa: E402
from benchmarks.side_by_side import alternate, arguments, finish_arguments, publish, record  # noqa: E402

CONFIG = dict(vocabulary_size=8192, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024)
BATCH, PROMPT, NEW = 8, 32, 128
MAX_SEQUENCE_LENGTH = 256
TARGET = {"transformers": 1.5, "keras_hub": 2.5}
TINY = dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64)  # --quick


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


def main(argv=None):
    parser = arguments(__doc__.splitlines()[0], repeats=5)
    args = finish_arguments(parser.parse_args(argv))
    if args.quick:
        CONFIG.update(TINY)
        globals().update(BATCH=2, PROMPT=8, NEW=8, MAX_SEQUENCE_LENGTH=32)
    engines = {"ours": ours_engine(), "keras_hub": keras_hub_engine(), "transformers": transformers_engine()}

    def check(name, counts):  # every engine makes exactly NEW tokens per row (no early stop)
        if not np.all(counts == NEW):
            raise RuntimeError(f"{name} produced {counts.tolist()} new tokens per row, expected {NEW}")

    medians = alternate(engines, args.repeats, BATCH * NEW, check=check)
    result = record("gpt_greedy", "new_tokens_per_s", medians, TARGET, {
        "layers": CONFIG["num_layers"], "hidden": CONFIG["hidden_dim"], "heads": CONFIG["num_heads"],
        "intermediate": CONFIG["intermediate_dim"], "vocab": CONFIG["vocabulary_size"], "batch": BATCH,
        "prompt": PROMPT, "new_tokens": NEW, "repeats": args.repeats, "weights": "random", "decoding": "greedy",
    })
    publish("generation", result, args)


if __name__ == "__main__":
    main()
