"""The pretraining batches feed their models: shapes, labels and one training step each."""

import keras
import numpy as np
import tensorflow as tf

import zoo  # noqa: F401
from zoo.data.pretraining import pack_sentence_pairs
from zoo.data.span_corruption import span_corruption_lengths
from zoo.models import BertBackbone, CausalLM, GPTBackbone, MaskedLM, Seq2SeqLM, T5Backbone, bert_mask_generator
from zoo.models.pretraining import causal_lm_batch, masked_lm_batch, span_corruption_batch

TINY = dict(num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=16, dropout=0.0)


def sentence_pair_rows(rows=16, length=24, seed=0):
    rng = np.random.default_rng(seed)
    pairs = [(rng.integers(10, 60, int(rng.integers(1, 10))).tolist(), rng.integers(10, 60, int(rng.integers(1, 10)))
              .tolist(), int(rng.integers(2))) for _ in range(rows)]
    return pack_sentence_pairs(pairs, length, cls_id=2, sep_id=3, pad_id=0)


def test_masked_lm_batch_labels_are_the_original_tokens_and_trains_a_step():
    keras.utils.set_random_seed(0)
    features = sentence_pair_rows()
    generator = bert_mask_generator(60, 4, [0, 2, 3], max_selections=6)
    inputs, labels, weights = masked_lm_batch({k: tf.constant(v) for k, v in features.items()}, generator)
    positions, selected = inputs["mask_positions"].numpy(), weights["mlm_logits"].numpy() > 0
    original = np.take_along_axis(features["token_ids"], positions, axis=1)
    np.testing.assert_array_equal(labels["mlm_logits"].numpy()[selected], original[selected])
    assert selected.any() and not np.isin(original[selected], [0, 2, 3]).any()  # never specials or padding
    changed = inputs["token_ids"].numpy() != features["token_ids"]
    assert changed.sum() <= selected.sum() and changed[~features["padding_mask"]].sum() == 0
    np.testing.assert_array_equal(labels["nsp_logits"], features["next_sentence_labels"])
    model = MaskedLM(BertBackbone(vocabulary_size=60, max_sequence_length=24, **TINY), include_nsp=True)
    model.compile(learning_rate=1e-3, jit_compile=False)
    history = model.fit(tf.data.Dataset.from_tensors((inputs, labels, weights)), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_causal_lm_batch_shifts_by_one_and_trains_a_step():
    rows = np.arange(10, 10 + 4 * 9, dtype=np.int32).reshape(4, 9)
    inputs, labels, weights = causal_lm_batch({"token_ids": rows, "padding_mask": np.ones_like(rows, bool)})
    np.testing.assert_array_equal(inputs["token_ids"], rows[:, :-1])
    np.testing.assert_array_equal(labels, rows[:, 1:])
    assert weights.shape == (4, 8)
    model = CausalLM(GPTBackbone(vocabulary_size=60, max_sequence_length=16, **TINY))
    model.compile(learning_rate=1e-3, jit_compile=False)
    assert np.isfinite(model.fit(tf.data.Dataset.from_tensors((inputs, labels, weights)), verbose=0)
                       .history["loss"][0])


def test_span_corruption_batch_feeds_the_decoder_the_shifted_targets_and_trains_a_step():
    keras.utils.set_random_seed(1)
    rows = tf.reshape(tf.range(10, 10 + 4 * 40), [4, 40])
    inputs, targets, weights = span_corruption_batch({"token_ids": rows}, first_sentinel_id=299, eos_id=1)
    assert (inputs["encoder_token_ids"].shape[1], targets.shape[1]) == span_corruption_lengths(40)
    np.testing.assert_array_equal(inputs["decoder_token_ids"][:, 0], 0)
    np.testing.assert_array_equal(inputs["decoder_token_ids"][:, 1:], targets[:, :-1])
    assert targets.numpy()[0, 0] == 299 and weights.numpy().all()
    again = span_corruption_batch({"token_ids": rows}, first_sentinel_id=299, eos_id=1)[0]["encoder_token_ids"]
    assert not np.array_equal(again, inputs["encoder_token_ids"])  # a new mask at every call
    model = Seq2SeqLM(T5Backbone(vocabulary_size=300, **TINY))
    model.compile(learning_rate=1e-3, jit_compile=False)
    assert np.isfinite(model.fit(tf.data.Dataset.from_tensors((inputs, targets, weights)), verbose=0)
                       .history["loss"][0])
