import doctest

import numpy as np
import pytest
import tensorflow as tf

import zoo.data.span_corruption as module
from zoo.data.span_corruption import (
    random_spans_noise_mask,
    corrupt_spans,
    span_corruption_lengths,
    tokens_length_for_inputs,
)

SENTINEL, EOS = 999, 1


def reassemble(inputs, targets, first_sentinel_id=SENTINEL, eos_id=EOS):
    """The original row from one corrupted pair: each input sentinel replaced by the target span after it."""
    spans, current = {}, None
    for token in targets:
        if token == eos_id:
            break
        if token > first_sentinel_id - 100:
            current = token
            spans[current] = []
        else:
            spans[current].append(token)
    row = []
    for token in inputs:
        if token == eos_id:
            break
        row.extend(spans[token] if token > first_sentinel_id - 100 else [token])
    return row


def test_inputs_and_targets_reassemble_the_row_and_have_the_promised_lengths():
    tokens = np.arange(10, 10 + 8 * 57, dtype=np.int32).reshape(8, 57)
    inputs, targets = corrupt_spans(tokens, SENTINEL, EOS, seed=(3, 4))
    assert (inputs.shape[1], targets.shape[1]) == span_corruption_lengths(57)
    for row, x, y in zip(tokens, inputs.numpy(), targets.numpy()):
        assert x[-1] == EOS and y[-1] == EOS
        assert reassemble(x, y) == row.tolist()
        sentinels = [token for token in x if token > SENTINEL - 100]
        assert sentinels == list(range(SENTINEL, SENTINEL - len(sentinels), -1))  # <extra_id_0>, <extra_id_1>, ...
        assert y[0] == SENTINEL  # a row starts with kept tokens, so the targets start with <extra_id_0>


def test_noise_density_and_mean_span_length():
    mask = random_spans_noise_mask(400, 100, noise_density=0.15, mean_span_length=3.0, seed=(0, 7)).numpy()
    assert (mask.sum(axis=1) == 15).all()  # round(100 * 0.15) noise tokens in every row
    assert not mask[:, 0].any()  # every row starts with a non-noise span
    starts = mask & ~np.pad(mask[:, :-1], [[0, 0], [1, 0]])
    assert (starts.sum(axis=1) == 5).all()  # round(15 / 3) spans, so the mean span length is 3
    lengths = np.diff(np.flatnonzero(np.diff(np.pad(mask[0].astype(int), 1))))[::2]
    assert lengths.sum() == 15 and len(lengths) == 5
    # Span lengths vary between rows (a random segmentation, not fixed spans of 3).
    assert len({tuple(np.flatnonzero(row)) for row in mask}) > 300


def test_seeds_pick_the_masks():
    tokens = tf.reshape(tf.range(10, 10 + 4 * 60), [4, 60])
    first = corrupt_spans(tokens, SENTINEL, EOS, seed=(1, 2))[0].numpy()
    again = corrupt_spans(tokens, SENTINEL, EOS, seed=(1, 2))[0].numpy()
    other = corrupt_spans(tokens, SENTINEL, EOS, seed=(1, 3))[0].numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_one_span_rows_end_with_their_noise():
    # As in T5, a row with a single noise span (30 tokens: 4 noise tokens, round(4 / 3) = 1 span) keeps its
    # non-noise tokens first, so the span is the row's end whatever the seed.
    mask = random_spans_noise_mask(3, 30, seed=(9, 9)).numpy()
    assert (mask[:, -4:].all(axis=1) & ~mask[:, :-4].any(axis=1)).all()


def test_works_in_tf_data_with_a_static_length():
    dataset = tf.data.Dataset.from_tensor_slices(tf.reshape(tf.range(10, 10 + 6 * 20), [6, 20])).batch(3)
    dataset = dataset.map(lambda ids: corrupt_spans(ids, SENTINEL, EOS, seed=(5, 5)))
    inputs_length, targets_length = span_corruption_lengths(20)
    assert dataset.element_spec[0].shape.as_list() == [None, inputs_length]
    assert dataset.element_spec[1].shape.as_list() == [None, targets_length]
    assert sum(1 for _ in dataset) == 2


@pytest.mark.parametrize("inputs_length", [3, 10, 64, 512])
def test_tokens_length_for_inputs_is_the_longest_that_fits(inputs_length):
    length = tokens_length_for_inputs(inputs_length)
    assert span_corruption_lengths(length)[0] <= inputs_length < span_corruption_lengths(length + 1)[0]


def test_t5_numbers():
    # T5's C4 setting: 568 raw tokens corrupt into 512 inputs and 114 targets.
    assert tokens_length_for_inputs(512) == 568
    assert span_corruption_lengths(568) == (512, 114)


def test_bad_arguments():
    with pytest.raises(ValueError, match="static length"):
        corrupt_spans(tf.zeros([2, 3, 4], tf.int32), SENTINEL, EOS)
    with pytest.raises(ValueError, match="sentinels counting down from id 5"):
        corrupt_spans(tf.zeros([1, 200], tf.int32), 5, EOS)
    with pytest.raises(ValueError, match="at least 3"):
        tokens_length_for_inputs(2)


def test_docstring_example():
    results = doctest.testmod(module, extraglobs={"tf": tf})
    assert results.attempted > 0 and results.failed == 0
