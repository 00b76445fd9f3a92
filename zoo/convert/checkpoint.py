"""Reading a Hugging Face checkpoint directory: `config.json` (and the helpers that read its fields),
`*.safetensors` (one file or a sharded index), and the tokenizer files.

Only safetensors are read (with `safetensors.numpy`): pickled `pytorch_model.bin` files are never opened.
"""

import json
import os

from zoo.presets import resolve_directory

SAFETENSORS_FILE = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
_PICKLE_FILES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")

# HF activation names -> ours.
ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_python": "gelu",
    "gelu_new": "gelu_approximate",
    "gelu_pytorch_tanh": "gelu_approximate",
    "gelu_fast": "gelu_approximate",
    "relu": "relu",
}


def _read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path!r} is not valid UTF-8 JSON{what}: {error}") from None


def read_config(directory):
    """`config.json` of `directory` as a dict."""
    path = os.path.join(directory, "config.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path!r} not found: a Hugging Face checkpoint directory needs its config.json")
    config = _read_json(path, "")
    if not isinstance(config, dict):
        raise ValueError(f"{path!r}: expected a JSON object, got {type(config).__name__}")
    return config


def read_safetensors(directory):
    """All tensors of `directory` (one `model.safetensors`, a sharded index, or the `*.safetensors` files)."""
    from safetensors.numpy import load_file

    index_path = os.path.join(directory, SAFETENSORS_INDEX)
    if os.path.isfile(index_path):
        index = _read_json(index_path, " (expected an object with a 'weight_map')")
        weight_map = index.get("weight_map") if isinstance(index, dict) else None
        if not isinstance(weight_map, dict):
            raise ValueError(f"{index_path!r}: expected JSON with a 'weight_map' object")
        files = sorted(set(weight_map.values()))
    else:
        files = sorted(name for name in os.listdir(directory) if name.endswith(".safetensors"))
        weight_map = None
    if not files:
        found = [name for name in _PICKLE_FILES if os.path.exists(os.path.join(directory, name))]
        if found or any(name.endswith(".bin") for name in os.listdir(directory)):
            raise ValueError(
                f"{directory!r} holds only {found or 'a *.bin file'}: safetensors is required. We never load "
                "pickled (torch .bin) weights; save the model with `save_pretrained(..., "
                "safe_serialization=True)` or convert it to model.safetensors first"
            )
        raise FileNotFoundError(f"{directory!r}: no *.safetensors file (expected {SAFETENSORS_FILE})")
    tensors = {}
    for name in files:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{index_path!r} names shard {name!r}, which is missing")
        try:
            shard = load_file(path)
        except Exception as error:  # safetensors raises its own error types on malformed headers
            raise ValueError(f"{path!r} is not a readable safetensors file: {error}") from None
        for key, value in shard.items():
            if key in tensors:
                raise ValueError(f"tensor {key!r} appears in more than one shard (second: {path!r})")
            tensors[key] = value
    if weight_map is not None:
        for key, shard in sorted(weight_map.items()):
            if key not in tensors:
                raise ValueError(f"{index_path!r} lists tensor {key!r} in {shard!r}, which does not hold it")
    return tensors


# ----------------------------------------------------------------------------------------------- config fields


def field(config, name, default=None, required=True):
    """`config[name]`; `default` when it is absent or null; a ValueError naming it when required and absent."""
    if name in config and config[name] is not None:
        return config[name]
    if required and default is None:
        raise ValueError(f"config.json: missing field {name!r}")
    return default


def activation(config, name, default=None):
    """Our activation name for the HF activation in field `name`; a ValueError naming it when unsupported."""
    value = field(config, name, default)
    if value not in ACTIVATIONS:
        raise ValueError(f"config.json: unsupported {name}={value!r}; supported: {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[value]


def reject(config, name, allowed, why):
    """ValueError naming field `name` when the config sets it to a value outside `allowed` (absent = allowed)."""
    if name in config and config[name] not in allowed:
        raise ValueError(f"config.json: unsupported {name}={config[name]!r} ({why}); supported: {allowed}")


# ----------------------------------------------------------------------------------------------- tokenizers


def load_tokenizer(path):
    """Our tokenizer for a HF checkpoint directory (or `hf://owner/name`): WordPiece (`vocab.txt`), byte-level
    BPE (`vocab.json` + `merges.txt`) or SentencePiece (`spiece.model`); `tokenizer_config.json` settings are
    honoured for WordPiece (`do_lower_case`, `strip_accents`, special tokens)."""
    from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer

    directory = resolve_directory(path)
    settings_path = os.path.join(directory, "tokenizer_config.json")
    settings = _read_json(settings_path, "") if os.path.isfile(settings_path) else {}
    if not isinstance(settings, dict):
        raise ValueError(f"{settings_path!r}: expected a JSON object, got {type(settings).__name__}")

    def special(name, default):
        value = settings.get(name, default)
        return value.get("content", default) if isinstance(value, dict) else value

    def file(name):
        path = os.path.join(directory, name)
        return path if os.path.isfile(path) else None

    if file("vocab.txt"):
        return WordPieceTokenizer(
            file("vocab.txt"),
            lowercase=settings.get("do_lower_case", True),
            strip_accents=settings.get("strip_accents"),
            unk_token=special("unk_token", "[UNK]"),
            pad_token=special("pad_token", "[PAD]"),
            cls_token=special("cls_token", "[CLS]"),
            sep_token=special("sep_token", "[SEP]"),
            mask_token=special("mask_token", "[MASK]"),
        )
    if file("vocab.json") and file("merges.txt"):
        eos = special("eos_token", "<|endoftext|>")
        return BytePairTokenizer(file("vocab.json"), file("merges.txt"), special_tokens=(eos,), eos_token=eos)
    if file("spiece.model"):  # T5: 100 sentinels <extra_id_N> after the pieces unless the settings say otherwise
        is_t5 = file("config.json") and _read_json(file("config.json"), "").get("model_type") == "t5"
        return SentencePieceTokenizer(file("spiece.model"), extra_ids=settings.get("extra_ids", 100 if is_t5 else 0))
    raise FileNotFoundError(
        f"{directory!r}: no tokenizer files (expected vocab.txt, vocab.json + merges.txt, or spiece.model)"
    )
