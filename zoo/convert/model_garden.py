"""Import a TF Model Garden `official.nlp.modeling.networks.BertEncoderV2` checkpoint into a `BertBackbone`.

The checkpoint (`tf.train.Checkpoint(encoder=encoder).write(prefix)` or a bigger object graph holding the
encoder) is read with `tf.train.load_checkpoint`, so neither `official` nor `tf_keras` is needed here. The
geometry (vocabulary, width, layers, heads, inner width, positions, segments) is read from the variable
shapes. What a checkpoint does not record must be given and must match how the encoder was built:
`activation` (Model Garden's default `inner_activation` is the tanh-approximate GELU, our
"gelu_approximate") and `layer_norm_epsilon` (Model Garden: 1e-12 for the embedding and block norms).
Only the post-layer-norm encoder (`norm_first=False`) without an embedding projection is supported.

Example:
```python
from zoo.convert.model_garden import load_bert_encoder_v2
backbone = load_bert_encoder_v2("/tmp/bert/ckpt-1")
```
"""

import re

from zoo.convert.mapping import ConversionError, SourceTensors, TargetWeights

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_PROBE = "_embedding_layer/embeddings" + _SUFFIX


def read_checkpoint(prefix):
    """All variables of a `tf.train.Checkpoint` as numpy arrays, keyed by their object-graph names."""
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.NotFoundError, tf.errors.DataLossError, ValueError) as error:
        raise FileNotFoundError(
            f"{prefix!r}: not a readable TF checkpoint (expected the prefix of <prefix>.index and "
            f"<prefix>.data-*): {error}"
        ) from None
    names = reader.get_variable_to_shape_map()
    return {
        name: reader.get_tensor(name)
        for name in names
        if name.endswith(_SUFFIX) and ".OPTIMIZER_SLOT" not in name
    }


def _encoder_root(variables, source, root):
    if root is not None:
        if root + _PROBE not in variables:
            raise ConversionError(f"{source}: no checkpoint variable {root + _PROBE!r} (encoder root {root!r})")
        return root
    roots = sorted(name[: -len(_PROBE)] for name in variables if name.endswith(_PROBE))
    roots = [root for root in roots if root == "" or root.endswith("/")]  # not "_position_embedding_layer"
    if not roots:
        raise ConversionError(
            f"{source}: no BertEncoderV2 in this checkpoint (no variable ending in {_PROBE!r})"
        )
    if len(roots) > 1:
        raise ConversionError(f"{source}: several encoders {roots}; pass `root=` to pick one")
    return roots[0]


def bert_arguments(variables, root, source, activation, layer_norm_epsilon, dropout):
    """`BertBackbone` constructor arguments read from the variable shapes under `root`."""

    def shape(name):
        key = root + name + _SUFFIX
        if key not in variables:
            raise ConversionError(f"{source}: missing checkpoint variable {key!r}")
        return variables[key].shape

    if any(name.startswith(root + "_embedding_projection/") for name in variables):
        raise ConversionError(
            f"{source}: the encoder has an embedding projection (embedding_width != hidden_size), which "
            "BertBackbone does not support"
        )
    layers = {
        int(match.group(1))
        for name in variables
        if (match := re.match(re.escape(root) + r"_transformer_layers/(\d+)/", name))
    }
    if layers != set(range(len(layers))) or not layers:
        raise ConversionError(f"{source}: transformer layers {sorted(layers)} are not 0..n-1")
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
        dropout=dropout,
        max_sequence_length=int(shape("_position_embedding_layer/embeddings")[0]),
        num_segments=int(shape("_type_embedding_layer/embeddings")[0]),
        layer_norm_epsilon=layer_norm_epsilon,
        activation=activation,
    )


def load_bert_encoder_v2(
    prefix,
    num_layers=None,
    activation="gelu_approximate",
    layer_norm_epsilon=1e-12,
    dropout=0.1,
    root=None,
):
    """A `BertBackbone` holding the weights of a Model Garden `BertEncoderV2` checkpoint.

    Args:
        prefix: checkpoint prefix (what `tf.train.Checkpoint.write` / `save` returned).
        num_layers: optional check: error unless the checkpoint has this many transformer layers.
        activation: the encoder's `inner_activation`: "gelu_approximate" (Model Garden default), "gelu"
            (exact, `tf_keras.activations.gelu(approximate=False)`) or "relu".
        layer_norm_epsilon: the encoder's layer norm epsilon (Model Garden: 1e-12).
        dropout: our dropout rate (not stored in checkpoints; only matters for training).
        root: object-graph path of the encoder, e.g. "encoder/" (found automatically when unique).
    """
    from zoo.models import BertBackbone

    variables = read_checkpoint(prefix)
    source = f"checkpoint {prefix!r}"
    root = _encoder_root(variables, source, root)
    encoder = {name: value for name, value in variables.items() if name.startswith(root)}
    arguments = bert_arguments(encoder, root, source, activation, layer_norm_epsilon, dropout)
    if num_layers is not None and num_layers != arguments["num_layers"]:
        raise ConversionError(
            f"{source}: has {arguments['num_layers']} transformer layers, but num_layers={num_layers} was given"
        )
    backbone = BertBackbone(**arguments)
    tensors = SourceTensors(
        {name[len(root): -len(_SUFFIX)]: value for name, value in encoder.items()},
        f"{source} (encoder root {root!r})",
        kind="checkpoint variable",
    )
    target = TargetWeights(backbone)

    heads, head_dim = arguments["num_heads"], arguments["hidden_dim"] // arguments["num_heads"]
    hidden = arguments["hidden_dim"]

    def copy(variable, name, source_shape=None):
        value = tensors.get(name, source_shape or tuple(variable.shape))
        target.assign(variable, value.reshape(variable.shape), name)

    def dense(layer, name, kernel_shape=None, bias_shape=None):
        copy(layer.kernel, name + "/kernel", kernel_shape)
        copy(layer.bias, name + "/bias", bias_shape)

    def projection(layer, name):  # EinsumDense "abc,cde->abde": kernel (hidden, heads, head_dim)
        dense(layer, name, (hidden, heads, head_dim), (heads, head_dim))

    def norm(layer, name):
        copy(layer.gamma, name + "/gamma")
        copy(layer.beta, name + "/beta")

    copy(backbone.token_embedding.embeddings, "_embedding_layer/embeddings")
    copy(backbone.position_embedding.embeddings, "_position_embedding_layer/embeddings")
    copy(backbone.segment_embedding.embeddings, "_type_embedding_layer/embeddings")
    norm(backbone.embeddings_norm, "_embedding_norm_layer")
    for i, layer in enumerate(backbone.encoder_layers):
        p = f"_transformer_layers/{i}/"
        attention = layer.attention
        # EinsumDense kernels: q/k/v (hidden, heads, head_dim), output (heads, head_dim, hidden).
        projection(attention.query_dense, p + "_attention_layer/_query_dense")
        projection(attention.key_dense, p + "_attention_layer/_key_dense")
        projection(attention.value_dense, p + "_attention_layer/_value_dense")
        dense(attention.output_dense, p + "_attention_layer/_output_dense", (heads, head_dim, hidden))
        norm(layer.attention_norm, p + "_attention_layer_norm")
        dense(layer.feed_forward.intermediate_dense, p + "_intermediate_dense")
        dense(layer.feed_forward.output_dense, p + "_output_dense")
        norm(layer.feed_forward_norm, p + "_output_layer_norm")
    dense(backbone.pooler_dense, "_pooler_layer")
    target.check_all_assigned()
    tensors.check_all_used()
    return backbone
