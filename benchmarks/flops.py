"""Model FLOPs of a BERT sequence classifier's training step (the numerator of MFU), counted from the config.

Counted: the matrix multiplications of the forward pass (2 FLOPs per multiply-add) -- query/key/value and output
projections, the two feed-forward matmuls, attention scores and context over the full padded length, the pooler
and the classifier -- times 3 for a training step (backward = 2x forward). Not counted: embedding gathers,
softmax, norms, activations, the optimizer (the usual MFU convention: work the model needs, not what an engine
happens to execute).
"""


def bert_forward_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes=2):
    tokens = batch * length
    per_layer = (
        2 * tokens * hidden_dim * 3 * hidden_dim  # query, key, value projections
        + 2 * tokens * hidden_dim * hidden_dim  # attention output projection
        + 2 * 2 * tokens * hidden_dim * intermediate_dim  # feed-forward in and out
        + 2 * 2 * batch * length * length * hidden_dim  # scores q.k and context p.v, all heads
    )
    head = 2 * batch * hidden_dim * hidden_dim + 2 * batch * hidden_dim * num_classes  # pooler, classifier
    return num_layers * per_layer + head


def bert_train_step_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes=2):
    """3x the forward matmul FLOPs (forward + gradients of activations and of weights)."""
    return 3 * bert_forward_flops(num_layers, hidden_dim, intermediate_dim, batch, length, num_classes)


def matmul_flops(n):
    """FLOPs of one (n, n) @ (n, n) product."""
    return 2 * n ** 3
