"""From a sampler's token buffer to what `generate` and the exported functions return: the new tokens only.

`new_tokens` and `detokenize` are TensorFlow ops (eager in `generate`, in the graph of an exported function);
`to_python` shapes their result for `generate`.
"""

import numpy as np
import tensorflow as tf


def new_tokens(outputs, starts, max_new_tokens, pad_token_id):
    """The new tokens out of a sampler's `(batch[, n], total_length)` buffer, those of prompt `i` starting at
    `starts[i]`: a dict of `token_ids` `(batch[, n], max_new_tokens)` padded with `pad_token_id`,
    `num_new_tokens` `(batch[, n])` and, from beam search, `scores` `(batch, n)`."""
    token_ids, counts = outputs["token_ids"], outputs["num_new_tokens"]
    rank = counts.shape.rank  # 1, or 2 with n hypotheses per prompt
    offsets = tf.range(max_new_tokens)
    starts = tf.reshape(tf.cast(starts, tf.int32), [-1] + [1] * rank)  # (batch, 1[, 1])
    positions = tf.minimum(starts + offsets, tf.shape(token_ids)[-1] - 1)
    positions = tf.broadcast_to(positions, tf.concat([tf.shape(counts), [max_new_tokens]], 0))
    new = tf.gather(token_ids, positions, batch_dims=rank)  # (batch[, n], max_new_tokens)
    result = {"token_ids": tf.where(offsets < counts[..., None], new, pad_token_id), "num_new_tokens": counts}
    if "scores" in outputs:
        result["scores"] = outputs["scores"]
    return result


def best(result):
    """The first (best) of n hypotheses per prompt: `(batch, n, ...)` -> `(batch, ...)`; one stays one."""
    if result["num_new_tokens"].shape.rank == 1:
        return result
    return {key: value[:, 0] for key, value in result.items()}


def detokenize(preprocessor, token_ids, counts):
    """Text `(batch[, n])` of the first `counts` ids of each row, through the `detokenize` of a tokenizer or
    of a preprocessor's tokenizer."""
    detokenize = getattr(preprocessor, "detokenize", None) or preprocessor.tokenizer.detokenize
    rows = tf.reshape(token_ids, [-1, tf.shape(token_ids)[-1]])
    ragged = tf.RaggedTensor.from_tensor(rows, lengths=tf.reshape(counts, [-1]))
    return tf.reshape(detokenize(ragged), tf.shape(counts))


def to_python(result, as_lists, preprocessor=None):
    """`new_tokens`' result as `generate` returns it: a list of token-id lists (a list of n-best lists when
    beam search returns several per prompt), texts in that layout when a `preprocessor` detokenizes them, or
    else arrays `{"token_ids", "padding_mask"}` (+ `"scores"` from beam search)."""
    counts = result["num_new_tokens"]
    if counts.shape.rank == 2 and counts.shape[1] == 1:
        result = best(result)
        counts = result["num_new_tokens"]
    if preprocessor is not None:
        texts = detokenize(preprocessor, result["token_ids"], counts).numpy().reshape([-1]).tolist()
        return _grouped([t.decode("utf-8") if isinstance(t, bytes) else t for t in texts], counts.shape)
    token_ids, counts = result["token_ids"].numpy(), counts.numpy()
    if as_lists:
        rows = token_ids.reshape([-1, token_ids.shape[-1]])
        return _grouped([row[:n].tolist() for row, n in zip(rows, counts.reshape([-1]))], counts.shape)
    arrays = {"token_ids": token_ids, "padding_mask": np.arange(token_ids.shape[-1]) < counts[..., None]}
    if "scores" in result:
        arrays["scores"] = result["scores"].numpy()
    return arrays


def _grouped(flat, shape):
    """`flat` (one item per hypothesis) as one item per prompt, or a list of n per prompt for shape (batch, n)."""
    if len(shape) == 1:
        return flat
    n = shape[1]
    return [flat[i * n : (i + 1) * n] for i in range(shape[0])]
