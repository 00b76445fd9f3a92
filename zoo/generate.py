"""Text generation from a checkpoint, on the command line.

    python -m zoo.generate --model runs/translation/t5_small --prompt "Ein Mann schläft." --sampler beam
    python -m zoo.generate --model runs/pretrain/gpt_clm --prompts_file prompts.txt --sampler top_p --seed 1

`--model` is a recipe's run directory (its `model.keras` and tokenizer files), a `.keras` file with the
tokenizer files beside it (`spiece.model`, or `vocab.json` + `merges.txt`), or a Hugging Face checkpoint
directory (`config.json`, `*.safetensors` and tokenizer files). A `CausalLM` continues each prompt; a
`Seq2SeqLM` (T5) reads it as its encoder input. Prints one line per prompt: the generated text, with line breaks
written as spaces.
"""

import argparse
import sys
from pathlib import Path

from zoo.recipes.seq2seq import EARLY_STOPPING, EARLY_STOPPING_HELP

PROG = "python -m zoo.generate"
SAMPLER_NAMES = ("greedy", "temperature", "top_k", "top_p", "beam")
TOKENIZER_FILES = ("spiece.model", "vocab.json", "vocab.txt")


class GenerateError(ValueError):
    """A command-line input that cannot be used: the message says which and why."""


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, metavar="PATH",
                        help="run directory, .keras file or Hugging Face checkpoint directory")
    prompts = parser.add_mutually_exclusive_group(required=True)
    prompts.add_argument("--prompt", action="append", metavar="TEXT", help="a prompt (repeat for several)")
    prompts.add_argument("--prompts_file", metavar="PATH", help="UTF-8 file with one prompt a line")
    parser.add_argument("--sampler", default="greedy", choices=SAMPLER_NAMES, help="how the next token is picked")
    parser.add_argument("--max_new_tokens", type=int, default=32, help="new tokens per prompt at most")
    parser.add_argument("--temperature", type=float, default=1.0, help="divides the logits (random samplers)")
    parser.add_argument("--top_k", type=int, default=50, help="candidates kept by the top_k sampler")
    parser.add_argument("--top_p", type=float, default=0.9, help="probability mass kept by the top_p sampler")
    parser.add_argument("--num_beams", type=int, default=4, help="beams of the beam sampler")
    parser.add_argument("--length_penalty", type=float, default=1.0, help="beam score length exponent")
    parser.add_argument("--early_stopping", default="true", choices=EARLY_STOPPING, help=EARLY_STOPPING_HELP)
    parser.add_argument("--seed", type=int, default=0, help="seed of the random samplers (same seed, same text)")
    parser.add_argument("--batch_size", type=int, default=16, help="prompts decoded together")
    return parser


def make_sampler(args):
    """The `zoo.generation` sampler the options describe."""
    from zoo.generation import BeamSampler, GreedySampler, TemperatureSampler, TopKSampler, TopPSampler
    from zoo.generation.beam import EARLY_STOPPING_NAMES

    try:
        if args.sampler == "greedy":
            return GreedySampler()
        if args.sampler == "temperature":
            return TemperatureSampler(temperature=args.temperature)
        if args.sampler == "top_k":
            return TopKSampler(k=args.top_k, temperature=args.temperature)
        if args.sampler == "top_p":
            return TopPSampler(p=args.top_p, temperature=args.temperature)
        return BeamSampler(num_beams=args.num_beams, length_penalty=args.length_penalty,
                           early_stopping=EARLY_STOPPING_NAMES[args.early_stopping])
    except ValueError as error:
        raise GenerateError(f"--sampler {args.sampler}: {error}") from None


def read_prompts(args):
    if args.prompt is not None:
        prompts = list(args.prompt)
    else:
        path = Path(args.prompts_file)
        if not path.is_file():
            raise GenerateError(f"--prompts_file: {path} not found")
        try:
            prompts = [line.rstrip("\r\n") for line in path.read_text(encoding="utf-8").splitlines()]
        except UnicodeDecodeError as error:
            raise GenerateError(f"--prompts_file: {path} is not UTF-8 ({error.reason} at byte {error.start})") from None
        prompts = [prompt for prompt in prompts if prompt.strip()]
    for index, prompt in enumerate(prompts):
        if not prompt.strip():
            raise GenerateError(f"prompt {index + 1} is empty")
    if not prompts:
        raise GenerateError(f"--prompts_file: {args.prompts_file} holds no prompt")
    return prompts


def load_checkpoint(path):
    """`(task model, tokenizer)` from a run directory, a `.keras` file or a Hugging Face checkpoint directory."""
    import keras

    import zoo.models  # noqa: F401  (registers the zoo classes with Keras)
    from zoo.convert import hf

    path = Path(path)
    if path.is_dir() and (path / "model.keras").is_file():
        path = path / "model.keras"
    if path.is_file() and path.suffix == ".keras":
        directory = path.parent
        if not any((directory / name).is_file() for name in TOKENIZER_FILES):
            raise GenerateError(f"--model: no tokenizer beside {path} (expected one of {', '.join(TOKENIZER_FILES)} "
                                f"in {directory})")
        return keras.saving.load_model(path), hf.load_tokenizer(str(directory))
    if path.is_dir() and (path / "config.json").is_file():
        return hf.load_task_model(str(path)), hf.load_tokenizer(str(path))
    raise GenerateError(f"--model: {path} is not a run directory with model.keras, a .keras file or a Hugging Face "
                        "checkpoint directory")


def encode_prompts(model, tokenizer, prompts):
    """Token-id prompts: T5 encoder inputs end with `</s>` as in training; causal prompts are the bare text."""
    import tensorflow as tf

    rows = [row.tolist() for row in tokenizer(tf.constant(prompts)).numpy()]
    if hasattr(model, "encode"):
        rows = [row + [tokenizer.eos_token_id] for row in rows]
    for index, row in enumerate(rows):
        if not row:
            raise GenerateError(f"prompt {index + 1} has no tokens")
    return rows


def generate(model, tokenizer, prompts, sampler, max_new_tokens=32, seed=0, batch_size=16):
    """Generated texts, one per prompt (new tokens only, detokenized)."""
    import tensorflow as tf

    from zoo.generation.corpus import generate_corpus
    from zoo.models import CausalLM, Seq2SeqLM

    if not isinstance(model, (CausalLM, Seq2SeqLM)):
        raise GenerateError(f"--model holds a {type(model).__name__}, which does not generate text (expected a "
                            "CausalLM or a Seq2SeqLM)")
    arguments = {"max_new_tokens": max_new_tokens, "sampler": sampler, "seed": seed}
    eos = getattr(tokenizer, "eos_token_id", -1)
    arguments["stop_token_ids"] = [eos] if eos is not None and eos >= 0 else None
    pad = getattr(tokenizer, "pad_token_id", -1)
    if isinstance(model, Seq2SeqLM):
        arguments.update(pad_token_id=max(pad, 0), decoder_start_token_id=max(pad, 0))
    new_tokens = generate_corpus(model, encode_prompts(model, tokenizer, prompts), batch_size, **arguments)
    texts = tokenizer.detokenize(tf.ragged.constant(new_tokens, dtype=tf.int32, ragged_rank=1))
    return [text.decode("utf-8", errors="replace") for text in texts.numpy().tolist()]


def main(argv=None):
    args = build_parser().parse_args(argv)
    for name in ("max_new_tokens", "batch_size"):
        if getattr(args, name) < 1:
            raise GenerateError(f"--{name} must be positive, got {getattr(args, name)}")
    prompts = read_prompts(args)
    sampler = make_sampler(args)
    model, tokenizer = load_checkpoint(args.model)
    for text in generate(model, tokenizer, prompts, sampler, args.max_new_tokens, args.seed, args.batch_size):
        print(" ".join(text.splitlines()), flush=True)
    return 0


def run(argv=None):
    """`main`, with input errors (bad option values, missing files, prompts too long) as one line and status 2."""
    try:
        return main(argv)
    except (GenerateError, FileNotFoundError, ValueError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
