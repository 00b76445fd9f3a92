"""FeatureTable / BatchPlan: seeded epoch orders, length buckets, exact skipping for resumed runs."""

import numpy as np
import pytest

from zoo.training.batches import BatchPlan, FeatureTable, bucket_lengths, group_by_bucket


def table(lengths, width=40):
    lengths = np.asarray(lengths)
    mask = np.arange(width)[None, :] < lengths[:, None]
    ids = np.where(mask, np.arange(1, width + 1)[None, :], 0)
    return FeatureTable({"token_ids": ids, "padding_mask": mask, "label": np.arange(len(lengths)),
                         "tags": np.where(mask, 7, -100)})


def test_bucket_lengths():
    assert bucket_lengths(64) == [16, 32, 48, 64]
    assert bucket_lengths(40) == [16, 32, 40]
    assert bucket_lengths(384)[-3:] == [256, 320, 384]
    assert bucket_lengths(64, enabled=False) == [64]


def test_group_by_bucket_pads_each_batch_to_its_bucket():
    lengths = np.array([3, 20, 5, 17, 40, 2, 33, 16])
    batches = group_by_bucket(np.arange(8), lengths, 2, [16, 32, 40], drop_remainder=False)
    assert sorted(row for rows, _ in batches for row in rows) == list(range(8))  # every row exactly once
    for rows, padded in batches:
        assert all(lengths[rows] <= padded)
        lower = {16: 0, 32: 16, 40: 32}[padded]
        assert all(lengths[rows] > lower)  # no row in a longer bucket than it needs
    full = group_by_bucket(np.arange(8), lengths, 2, [16, 32, 40], drop_remainder=True)
    odd = group_by_bucket(np.arange(7), lengths[:7], 2, [16, 32, 40], drop_remainder=True)
    assert len(odd) == 3 and 5 not in [row for rows, _ in odd for row in rows]  # length 2 waits alone in bucket 16: dropped
    assert all(len(rows) == 2 for rows, _ in full) and len(full) == 4  # buckets 16: 4 rows, 32: 2, 40: 2


def test_epochs_are_seeded_and_differ():
    lengths = np.random.default_rng(0).integers(1, 40, size=50)
    plan = BatchPlan(lengths, 4, [16, 32, 40], seed=3)
    again = BatchPlan(lengths, 4, [16, 32, 40], seed=3)
    for epoch in range(3):
        assert [list(rows) for rows, _ in plan.epoch(epoch)] == [list(rows) for rows, _ in again.epoch(epoch)]
    assert [list(r) for r, _ in plan.epoch(0)] != [list(r) for r, _ in plan.epoch(1)]
    assert [list(r) for r, _ in plan.epoch(0)] != [list(r) for r, _ in BatchPlan(lengths, 4, [16, 32, 40], 4).epoch(0)]
    assert all(len(plan.epoch(epoch)) == plan.steps_per_epoch for epoch in range(4))


def test_resumed_batches_continue_exactly():
    lengths = np.random.default_rng(1).integers(1, 40, size=30)
    plan = BatchPlan(lengths, 4, [16, 32, 40], seed=0, max_steps=6)
    everything = plan.batches(0, 3)
    assert len(everything) == 3 * plan.steps_per_epoch == 18
    resumed = plan.batches(1, 3, skip=4)
    assert [list(r) for r, _ in resumed] == [list(r) for r, _ in everything[6 + 4:]]


def test_no_full_batch_is_an_error():
    with pytest.raises(ValueError, match="no full batch of 8"):
        BatchPlan([3, 4, 5], 8, [16], seed=0, drop_remainder=True)


def test_dataset_cuts_sequences_to_the_padded_length():
    features = table([3, 20, 5, 17, 40, 2])
    batches = features.sorted_batches(2, [16, 32, 40])
    seen = []
    for batch in features.dataset(batches).as_numpy_iterator():
        width = batch["token_ids"].shape[1]
        assert width in (16, 32, 40) and batch["tags"].shape[1] == width
        assert batch["label"].shape == (len(batch["label"]),)  # not a sequence: left whole
        np.testing.assert_array_equal(batch["padding_mask"].sum(1), features.lengths[batch["label"]])
        seen.extend(batch["label"])
    assert sorted(seen) == list(range(6))


def test_dataset_split_and_from_dataset():
    import tensorflow as tf

    source = tf.data.Dataset.from_tensor_slices({"padding_mask": [[1, 1, 0], [1, 0, 0]], "label": [5, 6]}).batch(1)
    features = FeatureTable.from_dataset(source)
    assert len(features) == 2 and list(features.lengths) == [2, 1]
    dataset = features.dataset(features.sorted_batches(4, [3]), split=lambda f: (f["padding_mask"], f["label"]))
    (mask, label), = list(dataset.as_numpy_iterator())
    assert mask.shape == (2, 3) and sorted(label) == [5, 6]
