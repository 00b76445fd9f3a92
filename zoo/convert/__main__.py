"""Convert a checkpoint into a `.keras` file.

    python -m zoo.convert hf SRC_DIR OUT.keras [--task backbone|masked_lm|causal_lm|seq2seq_lm]
    python -m zoo.convert garden CKPT_OR_MODEL_DIR OUT.keras [--task backbone|masked_lm] [--config params.yaml]
                                 [--activation A] [--norm-first|--no-norm-first] [--layer-norm-epsilon E] ...

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

    garden = commands.add_parser("garden", help="TF Model Garden BertEncoderV2 / BertPretrainerV2 checkpoint")
    garden.add_argument("src", help="checkpoint prefix, <prefix>.index, <prefix>.data-*, or a model dir (latest)")
    garden.add_argument("out", help="output .keras file")
    garden.add_argument("--task", default="backbone", choices=["backbone", "masked_lm"],
                        help="the encoder only (default), or a pretrainer with its masked-LM (and NSP) heads")
    garden.add_argument("--config", default=None,
                        help="Model Garden experiment config (default: params.yaml beside the checkpoint)")
    garden.add_argument("--activation", default=None, choices=["gelu_approximate", "gelu", "relu"],
                        help="the encoder's inner activation (Garden default: tanh-approximate GELU); "
                             "'gelu' is exact GELU")
    garden.add_argument("--norm-first", default=None, action=argparse.BooleanOptionalAction,
                        help="pre-layer-norm encoder (Garden's norm_first=True)")
    garden.add_argument("--layer-norm-epsilon", type=float, default=None)
    garden.add_argument("--dropout", type=float, default=None)
    garden.add_argument("--mlm-activation", default=None, choices=["gelu_approximate", "gelu", "relu", "linear"],
                        help="with --task masked_lm: the masked-LM transform's activation")
    garden.add_argument("--num-layers", type=int, default=None,
                        help="expected number of transformer layers (checked against the checkpoint)")
    garden.add_argument("--root", default=None, help="object path of the encoder, e.g. 'model/encoder_network'")
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
    from zoo.convert import model_garden

    settings = dict(config=args.config, activation=args.activation, norm_first=args.norm_first,
                    layer_norm_epsilon=args.layer_norm_epsilon, dropout=args.dropout, num_layers=args.num_layers,
                    root=args.root)
    if args.task == "masked_lm":
        return model_garden.load_masked_lm(args.src, mlm_activation=args.mlm_activation, **settings)
    if args.mlm_activation is not None:
        raise ValueError("--mlm-activation needs --task masked_lm")
    return model_garden.load_backbone(args.src, **settings)


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
