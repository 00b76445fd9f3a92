"""T5 v1.0 and v1.1 (`model_type: t5`; T5Model, T5ForConditionalGeneration) into `T5Backbone` / `Seq2SeqLM`:
the config translation and the weight map side by side. `zoo.convert.architectures` says what an
architecture module defines, and why it imports nothing from `zoo.models`.
"""

import numpy as np

from zoo.convert.checkpoint import ACTIVATIONS, field

MODEL_TYPE = "t5"
BACKBONE = "T5Backbone"  # the zoo.models class this module fills, named, not imported
TASK = "seq2seq_lm"
HEAD_TENSORS = r"lm_head\.weight"  # the LM head: skipped when only the backbone is converted


def head(config):
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


def backbone_arguments(config):
    """`T5Backbone` constructor arguments from a HF T5 config."""
    projection = field(config, "feed_forward_proj", "relu")
    gated = projection.startswith("gated-")
    name = projection[len("gated-"):] if gated else projection
    if name == "gelu" and gated:
        name = "gelu_new"  # HF maps "gated-gelu" to the tanh GELU (T5 v1.1 checkpoints)
    if name not in ACTIVATIONS or projection.count("-") > 1 or (not gated and "-" in projection):
        raise ValueError(
            f"config.json: unsupported feed_forward_proj={projection!r}; supported: "
            f"{sorted(ACTIVATIONS)} and 'gated-' followed by one of them"
        )
    tied, scale = head(config)
    return dict(
        vocabulary_size=field(config, "vocab_size"),
        num_layers=field(config, "num_layers"),
        num_heads=field(config, "num_heads"),
        hidden_dim=field(config, "d_model"),
        intermediate_dim=field(config, "d_ff"),
        head_dim=field(config, "d_kv"),
        num_decoder_layers=field(config, "num_decoder_layers", field(config, "num_layers")),
        dropout=field(config, "dropout_rate", 0.1),
        activation=("gated-" if gated else "") + ACTIVATIONS[name],
        layer_norm_epsilon=field(config, "layer_norm_epsilon", 1e-6),
        num_buckets=field(config, "relative_attention_num_buckets", 32),
        max_distance=field(config, "relative_attention_max_distance", 128),
        # Our tied head always rescales; any other combination gets its own (possibly rescaled) projection.
        tie_embeddings=bool(tied and scale),
    )


def task_arguments(config, tensors, backbone):
    """`Seq2SeqLM` takes nothing besides the backbone (which knows whether its head is tied)."""
    return {}


def _map_attention(mapper, attention, prefix):
    for ours, theirs in (("query", "q"), ("key", "k"), ("value", "v"), ("output", "o")):
        mapper.dense(getattr(attention, ours + "_dense"), f"{prefix}.{theirs}", bias=False)


def map_backbone(mapper, backbone, config):
    mapper.copy(backbone.token_embedding.embeddings, "shared.weight")
    for stack in ("encoder", "decoder"):
        mapper.same_as(f"{stack}.embed_tokens.weight", "shared.weight", "T5 shares one embedding")
        bias = getattr(backbone, f"{stack}_position_bias")
        mapper.copy(bias.embeddings, f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
        for i, block in enumerate(getattr(backbone, f"{stack}_layers")):
            p = f"{stack}.block.{i}.layer."
            mapper.copy(block.self_attention_norm.scale, p + "0.layer_norm.weight")
            _map_attention(mapper, block.self_attention, p + "0.SelfAttention")
            n = 1
            if stack == "decoder":
                mapper.copy(block.cross_attention_norm.scale, p + "1.layer_norm.weight")
                _map_attention(mapper, block.cross_attention, p + "1.EncDecAttention")
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


def map_heads(mapper, model, config):
    tied, scale = head(config)
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
