"""Training batches of the three pretraining objectives, built in the graph from packed token rows (see
`zoo.data.pretraining`): `(inputs, labels, sample_weight)` for `fit`, new random masks at every call.

- `masked_lm_batch`: BERT masked LM + next-sentence prediction, for `MaskedLM(include_nsp=True)`;
- `causal_lm_batch`: next-token prediction, for `CausalLM`;
- `span_corruption_batch`: T5 span corruption, for `Seq2SeqLM`.

Example:
```python
generator = bert_mask_generator(vocabulary_size, mask_token_id, [cls_id, sep_id, pad_id], max_selections=20)
dataset = rows.batch(32).map(lambda batch: masked_lm_batch(batch, generator))
model.fit(dataset)  # MaskedLM(backbone, include_nsp=True), compiled with its default losses
```
"""

import tensorflow as tf

from zoo.data.span_corruption import corrupt_spans


def masked_lm_batch(batch, mask_generator):
    """A batch of packed sentence pairs (`token_ids`, `segment_ids`, `padding_mask`, `next_sentence_labels`)
    masked by `mask_generator` (`bert_mask_generator`: 80% `[MASK]`, 10% random, 10% kept).

    Returns:
        `(inputs, labels, sample_weight)`: inputs with the masked `token_ids` and `mask_positions`; labels and
        weights keyed by the model's outputs, `mlm_logits` (the original tokens, weighted 1 at real selections
        and 0 at padding) and `nsp_logits` (the next-sentence label, weight 1).
    """
    masked = mask_generator(batch["token_ids"])
    inputs = {"token_ids": tf.cast(masked["token_ids"], tf.int32), "segment_ids": batch["segment_ids"],
              "padding_mask": batch["padding_mask"], "mask_positions": tf.cast(masked["mask_positions"], tf.int32)}
    next_sentence = batch["next_sentence_labels"]
    labels = {"mlm_logits": tf.cast(masked["mask_ids"], tf.int32), "nsp_logits": next_sentence}
    weights = {"mlm_logits": tf.cast(masked["mask_weights"], tf.float32),
               "nsp_logits": tf.ones_like(next_sentence, tf.float32)}
    return inputs, labels, weights


def causal_lm_batch(batch):
    """`token_ids` rows `(batch, length)` -> inputs of `length - 1` tokens, each labelled with the next token,
    weighted by `padding_mask` (all ones for packed rows)."""
    token_ids, mask = batch["token_ids"], batch["padding_mask"]
    inputs = {"token_ids": token_ids[:, :-1], "padding_mask": mask[:, :-1]}
    return inputs, token_ids[:, 1:], tf.cast(mask[:, 1:], tf.float32)


def span_corruption_batch(batch, first_sentinel_id, eos_id, pad_id=0, noise_density=0.15, mean_span_length=3.0,
                          seed=None):
    """Packed `token_ids` rows (equal lengths, static) corrupted into T5 inputs (`zoo.data.corrupt_spans`); the
    decoder reads the targets shifted right after `pad_id`, T5's start token.

    Args:
        seed: int32 pair of the corruption; None draws one from TensorFlow's global random state (so masks
            change at every batch and follow `keras.utils.set_random_seed`).

    Returns:
        `(inputs, targets, sample_weight)` for `Seq2SeqLM`.
    """
    if seed is None:
        seed = tf.random.uniform([2], maxval=2**31 - 1, dtype=tf.int32)
    inputs, targets = corrupt_spans(batch["token_ids"], first_sentinel_id, eos_id, noise_density, mean_span_length,
                                    seed)
    start = tf.fill([tf.shape(targets)[0], 1], tf.cast(pad_id, targets.dtype))
    features = {"encoder_token_ids": inputs, "encoder_padding_mask": tf.ones_like(inputs, tf.bool),
                "decoder_token_ids": tf.concat([start, targets[:, :-1]], axis=1),
                "decoder_padding_mask": tf.ones_like(targets, tf.bool)}
    return features, targets, tf.ones_like(targets, tf.float32)
