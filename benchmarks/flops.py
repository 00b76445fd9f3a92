"""Model FLOPs of a BERT sequence classifier's training step (the numerator of MFU), counted from the config.

Counted: the matrix multiplications of the forward pass (2 FLOPs per multiply-add) -- query/key/value and output
projections, the two feed-forward matmuls, attention scores and context over the full padded length, the pooler
and the classifier -- times 3 for a training step (backward = 2x forward). Not counted: embedding gathers,
softmax, norms, activations, the optimizer (the usual MFU convention: work the model needs, not what an engine
happens to execute).

`pooled_only=True` counts what zoo's `TextClassifier` runs: the last block at the first token only (its keys
and values still over every token), the only position the pooler reads. The peers compute the last block at
every position, so their figures count it in full: each engine is credited with the matmuls it performs for the
same classifier outputs, never with work it skips.
"""


def bert_forward_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes=2, pooled_only=False):
    tokens = batch * length

    def block(queries):  # `queries` positions per sequence attend to all `length` keys
        rows = batch * queries
        return (
            2 * tokens * hidden_dim * 2 * hidden_dim  # key, value projections (every token)
            + 2 * rows * hidden_dim * 2 * hidden_dim  # query and attention output projections
            + 2 * 2 * rows * hidden_dim * intermediate_dim  # feed-forward in and out
            + 2 * 2 * rows * length * hidden_dim  # scores q.k and context p.v, all heads
        )

    head = 2 * batch * hidden_dim * hidden_dim + 2 * batch * hidden_dim * num_classes  # pooler, classifier
    return (num_layers - 1) * block(length) + block(1 if pooled_only else length) + head


def bert_train_step_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes=2, pooled_only=False):
    """3x the forward matmul FLOPs (forward + gradients of activations and of weights)."""
    return 3 * bert_forward_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes, pooled_only)


def matmul_flops(n):
    """FLOPs of one (n, n) @ (n, n) product."""
    return 2 * n ** 3
