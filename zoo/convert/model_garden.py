"""Import TF Model Garden BERT checkpoints (`official.nlp.modeling.networks.BertEncoderV2`) into a `BertBackbone`,
or a pretrainer's (`BertPretrainerV2`) into a `MaskedLM` with its masked-LM and next-sentence heads.

What loads: a bare encoder (`tf.train.Checkpoint(encoder=encoder)`), a pretrainer's `checkpoint_items`, and the
checkpoints Model Garden's trainer writes during pretraining or fine-tuning (`ckpt-N` in the model dir, holding
`global_step`, `model`, `optimizer` and the model's checkpoint items; a fine-tuned classifier's head and the
optimizer slots are skipped). The path may be a prefix, `<prefix>.index`, `<prefix>.data-*` or a model dir (its
latest checkpoint). The encoder is found through the checkpoint's object graph (`zoo.convert.garden_checkpoint`),
so neither `official` nor `tf_keras` is imported. Its geometry comes from the variable shapes; the rest
(activation, `norm_first`, epsilon, dropout) from the experiment config beside the checkpoint (`params.yaml`) or
given with `config=`, else from Model Garden's defaults, each assumption printed (`zoo.convert.garden_config`).

Example:
```python
from zoo.convert.model_garden import load_backbone, load_masked_lm
backbone = load_backbone("/tmp/model_dir")                # latest ckpt-N, settings from /tmp/model_dir/params.yaml
model = load_masked_lm("/tmp/model_dir/ckpt-1000.index")  # the pretrainer with its MLM (and NSP) heads
```
"""

import sys

from zoo.convert.garden_checkpoint import (
    ObjectGraph, find_encoder, find_masked_lm, find_next_sentence, resolve_prefix,
)
from zoo.convert.garden_config import (
    check_against_weights, find_config, read_experiment_config, resolve_settings,
)
from zoo.convert.mapping import ConversionError, SourceTensors, TargetWeights

ENCODER_SETTINGS = ("activation", "norm_first", "layer_norm_epsilon", "dropout")


def _shape(tensors, name, source):
    if name not in tensors:
        raise ConversionError(f"{source}: missing checkpoint variable {name!r}")
    return tensors[name].shape


def bert_arguments(graph, encoder, tensors, name, source):
    """`BertBackbone` geometry read from the encoder object and its variable shapes (`name(role, path)` names an
    encoder variable)."""
    projection = graph.child(encoder, "_embedding_projection")
    if projection is not None and graph.variables({"p": projection})[0]:
        raise ConversionError(
            f"{source}: the encoder has an embedding projection (embedding_width != hidden_size), which "
            "BertBackbone does not support"
        )
    blocks = graph.children(graph.child(encoder, "_transformer_layers"))
    layers = {int(index) for index in blocks if index.isdigit()}
    if layers != set(range(len(layers))) or not layers:
        raise ConversionError(f"{source}: transformer layers {sorted(layers)} are not 0..n-1")

    def shape(path):
        return _shape(tensors, name("encoder", path), source)

    vocabulary_size, hidden_dim = shape("_embedding_layer/embeddings")
    _, num_heads, head_dim = shape("_transformer_layers/0/_attention_layer/_query_dense/kernel")
    if num_heads * head_dim != hidden_dim:
        raise ConversionError(
            f"{source}: {num_heads} heads x {head_dim} != hidden size {hidden_dim}; BertBackbone needs "
            "heads * head_dim == hidden_dim"
        )
    return dict(
        vocabulary_size=int(vocabulary_size),
        num_layers=len(layers),
        num_heads=int(num_heads),
        hidden_dim=int(hidden_dim),
        intermediate_dim=int(shape("_transformer_layers/0/_intermediate_dense/kernel")[1]),
        max_sequence_length=int(shape("_position_embedding_layer/embeddings")[0]),
        num_segments=int(shape("_type_embedding_layer/embeddings")[0]),
    )


class _Copier:
    """Copies checkpoint variables into the weights of `model`, every one exactly once (see `zoo.convert.mapping`)."""

    def __init__(self, tensors, name, model):
        self.tensors, self.name, self.target = tensors, name, TargetWeights(model)

    def copy(self, variable, role, path, source_shape=None):
        key = self.name(role, path)
        value = self.tensors.get(key, source_shape or tuple(variable.shape))
        self.target.assign(variable, value.reshape(variable.shape), key)

    def dense(self, layer, role, path, kernel_shape=None, bias_shape=None):
        self.copy(layer.kernel, role, path + "/kernel", kernel_shape)
        self.copy(layer.bias, role, path + "/bias", bias_shape)

    def norm(self, layer, role, path):
        self.copy(layer.gamma, role, path + "/gamma")
        self.copy(layer.beta, role, path + "/beta")


def _map_encoder(copier, backbone, pooler=("encoder", "_pooler_layer")):
    heads, hidden = backbone.num_heads, backbone.hidden_dim
    head_dim = hidden // heads
    copier.copy(backbone.token_embedding.embeddings, "encoder", "_embedding_layer/embeddings")
    copier.copy(backbone.position_embedding.embeddings, "encoder", "_position_embedding_layer/embeddings")
    copier.copy(backbone.segment_embedding.embeddings, "encoder", "_type_embedding_layer/embeddings")
    copier.norm(backbone.embeddings_norm, "encoder", "_embedding_norm_layer")
    for i, layer in enumerate(backbone.encoder_layers):
        p = f"_transformer_layers/{i}/"
        attention = layer.attention
        # EinsumDense kernels: q/k/v (hidden, heads, head_dim), output (heads, head_dim, hidden).
        for ours, theirs in ((attention.query_dense, "_query_dense"), (attention.key_dense, "_key_dense"),
                             (attention.value_dense, "_value_dense")):
            copier.dense(ours, "encoder", p + "_attention_layer/" + theirs, (hidden, heads, head_dim),
                         (heads, head_dim))
        copier.dense(attention.output_dense, "encoder", p + "_attention_layer/_output_dense",
                     (heads, head_dim, hidden))
        copier.norm(layer.attention_norm, "encoder", p + "_attention_layer_norm")
        copier.dense(layer.feed_forward.intermediate_dense, "encoder", p + "_intermediate_dense")
        copier.dense(layer.feed_forward.output_dense, "encoder", p + "_output_dense")
        copier.norm(layer.feed_forward_norm, "encoder", p + "_output_layer_norm")
    copier.dense(backbone.pooler_dense, *pooler)


def _read(path, config, root, given, setting_names):
    """Everything a conversion needs: the object graph, the encoder (and head) nodes, the settings."""
    prefix = resolve_prefix(path)
    graph = ObjectGraph(prefix)
    config_path = find_config(prefix, config)
    experiment = read_experiment_config(config_path) if config_path else None
    encoder = find_encoder(graph, root)
    return graph, encoder, experiment, resolve_settings(given, experiment, setting_names)


def _build_backbone(graph, roots, experiment, settings, num_layers):
    from zoo.models import BertBackbone

    tensors, name = graph.variables(roots)
    source = f"{graph.source} (encoder {graph.describe(roots['encoder'])})"
    arguments = bert_arguments(graph, roots["encoder"], tensors, name, source)
    check_against_weights(experiment, arguments, graph.source)
    if num_layers is not None and num_layers != arguments["num_layers"]:
        raise ConversionError(
            f"{source}: has {arguments['num_layers']} transformer layers, but num_layers={num_layers} was given"
        )
    backbone = BertBackbone(**arguments, **{key: settings[key] for key in ENCODER_SETTINGS})
    return backbone, SourceTensors(tensors, source, kind="checkpoint variable"), name


def load_backbone(path, config=None, activation=None, norm_first=None, layer_norm_epsilon=None, dropout=None,
                  num_layers=None, root=None):
    """A `BertBackbone` holding the encoder of a Model Garden checkpoint.

    Args:
        path: checkpoint prefix, `<prefix>.index`, `<prefix>.data-*`, or a model dir (its latest checkpoint).
        config: a Model Garden experiment config (YAML); default: `params.yaml` beside the checkpoint, if any.
        activation: the encoder's feed-forward activation in zoo's names: "gelu_approximate" (Model Garden's
            default and its config's `gelu`), "gelu" (exact) or "relu".
        norm_first: whether the encoder was built with `norm_first=True` (pre-layer-norm).
        layer_norm_epsilon: layer norm epsilon (Model Garden: 1e-12).
        dropout: our dropout rate (not stored in checkpoints; only matters for training).
        num_layers: optional check: error unless the checkpoint has this many transformer layers.
        root: object path of the encoder, e.g. "model/encoder_network" (found automatically when unique).
    The settings left None come from the config, else from Model Garden's defaults (printed); a setting given
    here that the config contradicts is an error.
    """
    given = dict(activation=activation, norm_first=norm_first, layer_norm_epsilon=layer_norm_epsilon,
                 dropout=dropout)
    graph, encoder, experiment, settings = _read(path, config, root, given, ENCODER_SETTINGS)
    backbone, tensors, name = _build_backbone(graph, {"encoder": encoder}, experiment, settings, num_layers)
    copier = _Copier(tensors, name, backbone)
    _map_encoder(copier, backbone)
    copier.target.check_all_assigned()
    tensors.check_all_used()
    return backbone


def load_masked_lm(path, config=None, activation=None, norm_first=None, layer_norm_epsilon=None, dropout=None,
                   mlm_activation=None, num_layers=None, root=None):
    """A `MaskedLM` holding a Model Garden pretrainer (`BertPretrainerV2`): the encoder, its masked-LM head and,
    where the checkpoint holds it whole, the `next_sentence` head.

    Garden's next-sentence head has a pooler of its own (`next_sentence.pooler_dense`, on the first token); the
    encoder's pooler is not trained by Garden's pretraining losses. zoo's NSP head reads the backbone's pooled
    output, so the head's pooler becomes the backbone's pooler (as Garden's own fine-tuning initialisation carries
    it to the classifier) and the encoder's `_pooler_layer` is left out; a printed line says so.

    Args: as `load_backbone`, plus `mlm_activation`: the masked-LM transform's activation (Model Garden's
        `mlm_activation`; its config's default `gelu` is "gelu_approximate").
    """
    from zoo.models import MaskedLM

    given = dict(activation=activation, norm_first=norm_first, layer_norm_epsilon=layer_norm_epsilon,
                 dropout=dropout, mlm_activation=mlm_activation)
    graph, encoder, experiment, settings = _read(path, config, root, given, ENCODER_SETTINGS + ("mlm_activation",))
    word = graph.child(encoder, "_embedding_layer", "embeddings")
    masked_lm = find_masked_lm(graph, word)
    if masked_lm is None:
        raise ConversionError(
            f"{graph.source}: no masked-LM head sharing the encoder's word embeddings (a pretrainer's `masked_lm`); "
            "convert the encoder alone with the backbone task"
        )
    roots = {"encoder": encoder, "masked_lm": masked_lm}
    pooler, head = find_next_sentence(graph)
    if head is not None:
        roots["next_sentence"] = head
        heads = (experiment or {}).get("cls_heads", {})
        activation_of_head = heads.get("next_sentence", {}).get("activation", "tanh")
        if activation_of_head != "tanh":
            raise ValueError(
                f"{experiment['path']}: the next_sentence head's activation is {activation_of_head!r}; zoo's "
                "pooler (which carries it) is tanh"
            )
    elif pooler is not None:
        print(f"zoo.convert garden: {graph.source} holds the next_sentence head's pooler but not its output layer "
              "(only the model's checkpoint items were saved): MaskedLM is built without next-sentence prediction",
              file=sys.stderr)
    backbone, tensors, name = _build_backbone(graph, roots, experiment, settings, num_layers)
    model = MaskedLM(backbone, include_nsp=head is not None, activation=settings["mlm_activation"],
                     layer_norm_epsilon=1e-12)  # Garden's MaskedLM layer norm epsilon is fixed
    copier = _Copier(tensors, name, model)
    if head is not None:
        _map_encoder(copier, backbone, pooler=("next_sentence", "dense"))
        tensors.ignore(name("encoder", "_pooler_layer/kernel"))
        tensors.ignore(name("encoder", "_pooler_layer/bias"))
        print("zoo.convert garden: the backbone's pooler is the next_sentence head's pooler_dense (the encoder's own "
              "_pooler_layer, which Garden's pretraining does not train, is left out)", file=sys.stderr)
        copier.dense(model.nsp_dense, "next_sentence", "out_proj")
    else:
        _map_encoder(copier, backbone)
    # masked_lm/embedding_table is the encoder's word-embedding variable, copied above into the tied embedding.
    copier.dense(model.transform_dense, "masked_lm", "dense")
    copier.norm(model.transform_norm, "masked_lm", "layer_norm")
    copier.copy(model.output_bias, "masked_lm", "output_bias/bias")
    copier.target.check_all_assigned()
    tensors.check_all_used()
    return model
