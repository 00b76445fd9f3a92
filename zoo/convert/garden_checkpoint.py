"""Reading a TF Model Garden `tf.train.Checkpoint` through its object graph, without `official` or `tf_keras`.

Model Garden writes the same encoder under different object graphs: `Checkpoint(encoder=...)`, a pretrainer's
`checkpoint_items` (`encoder`, `masked_lm`, `next_sentence.pooler_dense`), and what its trainer writes
(`Checkpoint(global_step=..., model=..., optimizer=..., **model.checkpoint_items)`, `ckpt-N` in the model dir).
A variable shared by two objects is stored once, under whichever path reaches it first: the word-embedding
table of a pretrainer is stored as `masked_lm/embedding_table`, not under the encoder. So nothing here guesses
from the stored names: `ObjectGraph` follows the checkpoint's own graph (`_CHECKPOINTABLE_OBJECT_GRAPH`) from the
object found to each of its variables, wherever the variable is stored. Optimizer slots hang off the optimizer
node and are never reached from the encoder.
"""

import os
import re

from zoo.convert.mapping import ConversionError

_DATA_SUFFIX = re.compile(r"\.data-\d+-of-\d+$")
# Children of a BERT encoder object (official.nlp.modeling.networks.BertEncoderV2, and the legacy BertEncoder).
ENCODER_CHILDREN = ("_embedding_layer", "_position_embedding_layer", "_type_embedding_layer",
                    "_embedding_norm_layer", "_transformer_layers", "_pooler_layer")


def resolve_prefix(path):
    """The checkpoint prefix for `path`: a prefix, `<prefix>.index`, `<prefix>.data-*`, or a model dir (its latest
    checkpoint, from the `checkpoint` state file Model Garden's CheckpointManager keeps)."""
    import tensorflow as tf

    path = os.fspath(path)
    if os.path.isdir(path):
        latest = tf.train.latest_checkpoint(path)
        if latest is None:
            indexes = sorted(name for name in os.listdir(path) if name.endswith(".index"))
            raise FileNotFoundError(
                f"{path!r} is a directory with no checkpoint: expected the `checkpoint` state file that names the "
                f"latest <prefix>.index / <prefix>.data-* (found index files: {indexes or 'none'})"
            )
        return latest
    if path.endswith(".index"):
        return path[: -len(".index")]
    return _DATA_SUFFIX.sub("", path)


class ObjectGraph:
    """The object graph of a checkpoint: nodes, their named children, and the variable each node holds.

    Args:
        prefix: a checkpoint prefix (see `resolve_prefix`).
    """

    def __init__(self, prefix):
        import tensorflow as tf
        from tensorflow.core.protobuf import trackable_object_graph_pb2

        self.source = f"checkpoint {prefix!r}"
        try:
            self.reader = tf.train.load_checkpoint(prefix)
        except (tf.errors.NotFoundError, tf.errors.DataLossError, ValueError) as error:
            raise FileNotFoundError(
                f"{prefix!r}: not a readable TF checkpoint (expected the prefix of <prefix>.index and "
                f"<prefix>.data-*, or a model dir): {error}"
            ) from None
        if not self.reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"):
            raise ConversionError(
                f"{self.source}: no object graph; a name-based (TF1 `tf.compat.v1.train.Saver`) checkpoint is not "
                "a Model Garden checkpoint"
            )
        graph = trackable_object_graph_pb2.TrackableObjectGraph()
        graph.ParseFromString(self.reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
        self.nodes = graph.nodes
        self.path = {0: ""}  # node id -> first path from the root (breadth first, as the checkpoint names keys)
        queue = [0]
        for node in queue:
            for child in self.nodes[node].children:
                if child.node_id not in self.path:
                    self.path[child.node_id] = self.path[node] + ("/" if self.path[node] else "") + child.local_name
                    queue.append(child.node_id)

    def children(self, node):
        return {child.local_name: child.node_id for child in self.nodes[node].children}

    def child(self, node, *names):
        """The node at `names` below `node`, or None."""
        for name in names:
            node = self.children(node).get(name)
            if node is None:
                return None
        return node

    def value(self, node):
        """The array a variable node holds, read from wherever the checkpoint stored it."""
        keys = [a.checkpoint_key for a in self.nodes[node].attributes if a.name == "VARIABLE_VALUE"]
        return self.reader.get_tensor(keys[0]) if keys else None

    def variables(self, roots):
        """The variables below the objects `roots` ({role: node id}), each once, as {name: array}, and a function
        `name(role, path)` giving the name of the variable at `path` below a root (or `role/path` when there is
        none, so that a lookup fails naming it). A variable reached from several roots or along several paths
        (Garden aliases some, like `_position_embeddings`) is named after the first root and shortest path."""
        names = {}  # variable node id -> name
        found = {}
        queue = [(node, role) for role, node in roots.items()]
        seen = {node for node, _ in queue}
        for node, name in queue:
            value = self.value(node)
            if value is not None and node not in names:
                names[node] = name
                found[name] = value
            for local, child in self.children(node).items():
                if child not in seen:
                    seen.add(child)
                    queue.append((child, f"{name}/{local}"))

        def name(role, path):
            node = self.child(roots[role], *path.split("/"))
            return names.get(node, f"{role}/{path}")

        return found, name

    def find(self, predicate):
        """Ids of the nodes for which `predicate(children_dict)` holds, in breadth-first order."""
        return [node for node in self.path if predicate(self.children(node))]

    def describe(self, node):
        return repr(self.path[node]) if self.path[node] else "the checkpoint's root"


def _is_block(graph, node):
    return {"_attention_layer", "_intermediate_dense"} <= set(graph.children(node))


def find_encoder(graph, root=None):
    """The node id of the one BERT encoder in the graph (or the object at path `root`, e.g. "model/encoder_network").

    Both `BertEncoderV2` and the legacy functional `BertEncoder` (Garden's `encoder.type: bert`, whose checkpoint
    stores its variables as `layer_with_weights-N`) keep the same named children, and compute the same function.
    Other functional encoders (`AlbertEncoder`) are named as unsupported.
    """
    if root is not None:
        node = graph.child(0, *[name for name in root.strip("/").split("/") if name])
        if node is None or not set(ENCODER_CHILDREN) <= set(graph.children(node)):
            raise ConversionError(f"{graph.source}: no BERT encoder at object path {root!r}")
        return node
    encoders = graph.find(lambda children: set(ENCODER_CHILDREN) <= set(children))
    if len(encoders) == 1:
        return encoders[0]
    if len(encoders) > 1:
        paths = [graph.path[node] for node in encoders]
        raise ConversionError(f"{graph.source}: several BERT encoders {paths}; pass root= to pick one")
    functional = graph.find(lambda children: any(
        name.startswith("layer_with_weights-") and _is_block(graph, node) for name, node in children.items()
    ))
    if functional:
        node = functional[0]
        layers = [child for name, child in graph.children(node).items() if name.startswith("layer_with_weights-")]
        blocks = {child for child in layers if _is_block(graph, child)}
        word = graph.child(node, "layer_with_weights-0", "embeddings")
        width = graph.child(next(iter(blocks)), "_output_dense", "bias")
        factorised = None not in (word, width) and graph.value(word).shape[1] != graph.value(width).shape[0]
        if len(blocks) == 1 and factorised:
            kind = "an ALBERT encoder (AlbertEncoder, encoder.type 'albert': one block shared by all layers)"
        else:
            kind = "a functional Model Garden encoder that is neither BertEncoderV2 nor the legacy BertEncoder"
        raise ConversionError(
            f"{graph.source}: {graph.describe(node)} is {kind}, which zoo does not import; only BERT encoders "
            "(encoder.type 'bert_v2' or 'bert') are supported"
        )
    top = sorted(graph.children(0))
    raise ConversionError(
        f"{graph.source}: no BERT encoder (BertEncoderV2 or BertEncoder) in this checkpoint (no object with "
        f"children {list(ENCODER_CHILDREN)}); "
        f"its top-level objects are {top}"
    )


def find_masked_lm(graph, word_embeddings):
    """The node id of Model Garden's masked-LM head (`layers.MaskedLM`) whose `embedding_table` is the encoder's
    word-embedding variable `word_embeddings`, or None."""
    heads = graph.find(lambda children: children.get("embedding_table") == word_embeddings
                       and {"dense", "layer_norm"} <= set(children))
    return heads[0] if heads else None


def find_next_sentence(graph):
    """(pooler node, head node or None) of the `next_sentence` classification head, or (None, None).

    Garden names the head only in the checkpoint items of a pretrainer (`next_sentence.pooler_dense`, the head's
    own pooler); its `out_proj` is reached through the model (`model/classification_heads/<i>`), so a checkpoint
    of the items alone holds the pooler but not the output layer (head None).
    """
    pooler = graph.child(0, "next_sentence.pooler_dense")
    if pooler is None:
        return None, None
    heads = graph.find(lambda children: children.get("dense") == pooler and "out_proj" in children)
    return pooler, heads[0] if heads else None
