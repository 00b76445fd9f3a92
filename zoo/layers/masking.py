"""Attention-mask helpers shared by the encoder and decoder blocks."""

from keras import ops


def causal_mask(query_length, key_length, start_index=0):
    """Boolean `(query_length, key_length)`: query i (at position start_index + i) sees keys 0..its position."""
    query_positions = ops.arange(query_length) + start_index
    key_positions = ops.arange(key_length)
    return key_positions[None, :] <= query_positions[:, None]


def merge_masks(padding_mask=None, causal=None):
    """Combines a key padding mask `(batch, key_length)` and a causal mask into `(batch|1, q, k)` or None."""
    mask = None
    if padding_mask is not None:
        mask = ops.expand_dims(ops.cast(padding_mask, "bool"), 1)  # (batch, 1, key_length)
    if causal is not None:
        causal = ops.expand_dims(causal, 0)  # (1, q, k)
        mask = causal if mask is None else ops.logical_and(mask, causal)
    return mask
