"""Convert a checkpoint into a `.keras` file.

    python -m zoo.convert hf SRC_DIR OUT.keras [--task backbone|masked_lm|causal_lm|seq2seq_lm]
    python -m zoo.convert garden CKPT_PREFIX OUT.keras [--num-layers N] [--activation gelu_approximate]
                                                       [--layer-norm-epsilon 1e-12]

The output is written to a temporary file beside OUT and renamed into place only after a successful save,
so a failed conversion never leaves a half-written file nor replaces an existing good one.
"""

import argparse
import os
import sys
import tempfile

import zoo  # noqa: F401  (sets the Keras backend before keras is imported)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m zoo.convert", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="source", required=True)

    hf = commands.add_parser("hf", help="Hugging Face directory (config.json + *.safetensors) or hf://owner/name")
    hf.add_argument("src", help="checkpoint directory or hf://owner/name")
    hf.add_argument("out", help="output .keras file")
    hf.add_argument("--task", default="backbone",
                    choices=["backbone", "auto", "masked_lm", "causal_lm", "seq2seq_lm"],
                    help="backbone only (default), or a task model; 'auto' picks the one of the model_type")

    garden = commands.add_parser("garden", help="TF Model Garden BertEncoderV2 tf.train.Checkpoint")
    garden.add_argument("src", help="checkpoint prefix (<prefix>.index, <prefix>.data-*)")
    garden.add_argument("out", help="output .keras file")
    garden.add_argument("--num-layers", type=int, default=None,
                        help="expected number of transformer layers (checked against the checkpoint)")
    garden.add_argument("--activation", default="gelu_approximate", choices=["gelu_approximate", "gelu", "relu"],
                        help="the encoder's inner_activation (Model Garden default: tanh-approximate GELU)")
    garden.add_argument("--layer-norm-epsilon", type=float, default=1e-12)
    garden.add_argument("--root", default=None, help="object-graph path of the encoder, e.g. 'encoder/'")
    args = parser.parse_args(argv)
    if not args.out.endswith(".keras"):
        parser.error(f"output must end with .keras: {args.out!r}")
    return args


def convert(args):
    if args.source == "hf":
        from zoo.convert import hf

        if args.task == "backbone":
            return hf.load_backbone(args.src)
        return hf.load_task_model(args.src, task=None if args.task == "auto" else args.task)
    from zoo.convert.model_garden import load_bert_encoder_v2

    return load_bert_encoder_v2(
        args.src, num_layers=args.num_layers, activation=args.activation,
        layer_norm_epsilon=args.layer_norm_epsilon, root=args.root,
    )


def save_atomically(model, path):
    """`model.save(path)` through a temporary file in the same directory, then an atomic rename."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory!r}")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".keras", dir=directory)
    os.close(handle)
    try:
        model.save(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        model = convert(args)
        save_atomically(model, args.out)
    except (ValueError, OSError, ImportError) as error:
        print(f"zoo.convert: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({type(model).__name__}, {model.count_params()} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
