"""GPT-2 (`model_type: gpt2`; GPT2Model, GPT2LMHeadModel) into `GPTBackbone` / `CausalLM`: the config
translation and the weight map side by side. `zoo.convert.architectures` says what an architecture module
defines, and why it imports nothing from `zoo.models`.
"""

import numpy as np

from zoo.convert.checkpoint import activation, field, reject
from zoo.convert.mapping import find_prefix

MODEL_TYPE = "gpt2"
BACKBONE = "GPTBackbone"  # the zoo.models class this module fills, named, not imported
TASK = "causal_lm"
HEAD_TENSORS = r"lm_head\.weight"  # the LM head: skipped when only the backbone is converted


def backbone_arguments(config):
    """`GPTBackbone` constructor arguments from a HF GPT-2 config."""
    reject(config, "scale_attn_weights", [True], "attention scores are always scaled by head_dim**-0.5")
    reject(config, "scale_attn_by_inverse_layer_idx", [False], "no per-layer attention scaling")
    reject(config, "add_cross_attention", [False, None], "cross-attention is not supported")
    hidden_dim = field(config, "n_embd")
    return dict(
        vocabulary_size=field(config, "vocab_size"),
        num_layers=field(config, "n_layer"),
        num_heads=field(config, "n_head"),
        hidden_dim=hidden_dim,
        intermediate_dim=field(config, "n_inner", 4 * hidden_dim),
        dropout=field(config, "resid_pdrop", 0.1),
        max_sequence_length=field(config, "n_positions"),
        layer_norm_epsilon=field(config, "layer_norm_epsilon", 1e-5),
        activation=activation(config, "activation_function", "gelu_new"),
    )


def task_arguments(config, tensors, backbone):
    """`CausalLM` takes nothing besides the backbone; its head is the token embedding, so it must be tied."""
    if config.get("tie_word_embeddings", True) is False:
        raise ValueError(
            "config.json: unsupported tie_word_embeddings=false for gpt2 (GPTBackbone's LM head is the token "
            "embedding)"
        )
    return {}


def _prefix(tensors):
    return find_prefix(tensors, ["transformer.", ""], "wte.weight")


def map_backbone(mapper, backbone, config):
    t = mapper.tensors
    prefix = _prefix(t)
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
        # c_attn is one Conv1D: kernel (hidden, 3 * hidden) holding query | key | value side by side.
        kernel = t.get(p + "attn.c_attn.weight", (hidden, 3 * hidden))
        bias = t.get(p + "attn.c_attn.bias", (3 * hidden,))
        parts = zip(("query", "key", "value"), np.split(kernel, 3, axis=1), np.split(bias, 3))
        for name, k, b in parts:
            dense = getattr(attention, name + "_dense")
            mapper.target.assign(dense.kernel, k, f"{p}attn.c_attn.weight[{name}]")
            mapper.target.assign(dense.bias, b, f"{p}attn.c_attn.bias[{name}]")
        mapper.dense(attention.output_dense, p + "attn.c_proj", conv1d=True)
        mapper.layer_norm(layer.feed_forward_norm, p + "ln_2")
        mapper.dense(layer.feed_forward.intermediate_dense, p + "mlp.c_fc", conv1d=True)
        mapper.dense(layer.feed_forward.output_dense, p + "mlp.c_proj", conv1d=True)
    mapper.layer_norm(backbone.final_norm, prefix + "ln_f")


def map_heads(mapper, model, config):
    wte = _prefix(mapper.tensors) + "wte.weight"
    mapper.same_as("lm_head.weight", wte, "GPT-2's LM head is tied to wte")
