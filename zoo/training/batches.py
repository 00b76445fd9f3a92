"""Preprocessed features held in memory and batched by length, in an order fixed by (seed, epoch).

The recipes run their in-graph preprocessor over a split once (`FeatureTable.from_dataset`), then draw
batches from the table: every epoch in its own seeded order, examples grouped by length into buckets and
each batch padded only to its bucket's length (`bucket_lengths`). The batches of an epoch depend on nothing
but the seed and the epoch number, so a resumed run skips exactly the batches it had already trained on.

Example:

```python
table = FeatureTable.from_dataset(texts.batch(256).map(preprocess))
plan = table.plan(batch_size=32, boundaries=bucket_lengths(128), seed=42)
dataset = table.dataset(plan.batches(start_epoch=0, epochs=3), split=lambda f: (x_of(f), f["labels"]))
```
"""

import collections

import numpy as np
import tensorflow as tf

_BUCKET_STEPS = (16, 32, 48, 64, 96, 128, 192, 256, 320, 384, 448, 512)


def bucket_lengths(max_length, enabled=True):
    """The padded lengths batches may have: a few fixed steps below `max_length`, then `max_length` itself.

    Few distinct shapes keep the number of XLA compilations small; `enabled=False` pads everything to
    `max_length`.
    """
    if not enabled:
        return [max_length]
    return [length for length in _BUCKET_STEPS if length < max_length] + [max_length]


class FeatureTable:
    """The features of one split: a dict of NumPy arrays with one row per feature (an example, or a window of
    one), sequences padded to a common length `L`, plus each row's real length (`padding_mask` sum).

    Args:
        columns: dict name -> array `(rows, ...)`; arrays whose second dimension is `L` (the width of
            `padding_mask`) are sequences and are cut to each batch's padded length.
        sequence_columns: the names of the columns cut to the batch's padded length, when not all arrays of
            width `L` are (e.g. a seq2seq table: the encoder's columns, not the decoder's, which may have the
            same width and are cut by the recipe to their own length).
    """

    def __init__(self, columns, sequence_columns=None):
        if "padding_mask" not in columns:
            raise ValueError(f"features need a padding_mask, got {sorted(columns)}")
        self.columns = {name: np.asarray(value) for name, value in columns.items()}
        self.lengths = self.columns["padding_mask"].astype(bool).sum(axis=1)
        self.max_length = self.columns["padding_mask"].shape[1]
        rows = {name: value.shape[0] for name, value in self.columns.items()}
        if len(set(rows.values())) != 1:
            raise ValueError(f"feature columns have different numbers of rows: {rows}")
        if sequence_columns is None:
            sequence_columns = [name for name, value in self.columns.items()
                                if value.ndim >= 2 and value.shape[1] == self.max_length]
        for name in sequence_columns:
            value = self.columns.get(name)
            if value is None or value.ndim < 2 or value.shape[1] != self.max_length:
                raise ValueError(f"sequence column {name!r} must be an array of width {self.max_length}, the "
                                 f"width of padding_mask")
        self.sequence_columns = set(sequence_columns)

    @classmethod
    def from_dataset(cls, dataset, sequence_columns=None):
        """Runs `dataset` (batches of feature dicts, e.g. a batched split mapped through a preprocessor) once and
        keeps the results."""
        parts = collections.defaultdict(list)
        for batch in dataset.as_numpy_iterator():
            for name, value in batch.items():
                parts[name].append(value)
        if not parts:
            raise ValueError("the preprocessing pass produced no features")
        return cls({name: np.concatenate(values) for name, values in parts.items()}, sequence_columns)

    def __len__(self):
        return len(self.lengths)

    def plan(self, batch_size, boundaries, seed, drop_remainder=False, max_steps=None):
        """The batching plan of training epochs (see `BatchPlan`)."""
        return BatchPlan(self.lengths, batch_size, boundaries, seed, drop_remainder, max_steps)

    def sorted_batches(self, batch_size, boundaries):
        """Evaluation batches: rows in order of length (then position), grouped by bucket, remainders kept."""
        order = np.argsort(self.lengths, kind="stable")
        return group_by_bucket(order, self.lengths, batch_size, boundaries, drop_remainder=False)

    def dataset(self, batches, split=None):
        """A `tf.data.Dataset` of the `(indices, padded_length)` batches, each a dict of the columns cut to
        its padded length, passed through `split` (e.g. `lambda f: (inputs, labels)`) when given."""
        indices = np.concatenate([rows for rows, _ in batches]).astype(np.int64) if batches else np.zeros(0, np.int64)
        ends = np.cumsum([len(rows) for rows, _ in batches]).astype(np.int64)
        starts = ends - np.asarray([len(rows) for rows, _ in batches], np.int64)
        lengths = np.asarray([length for _, length in batches], np.int32)
        indices = tf.constant(indices)
        columns = {name: tf.constant(value) for name, value in self.columns.items()}
        sequences = self.sequence_columns

        def gather(start, end, length):
            rows = indices[start:end]
            batch = {}
            for name, value in columns.items():
                picked = tf.gather(value, rows)
                batch[name] = picked[:, :length] if name in sequences else picked
            return split(batch) if split is not None else batch

        dataset = tf.data.Dataset.from_tensor_slices((starts, ends, lengths))
        return dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def group_by_bucket(order, lengths, batch_size, boundaries, drop_remainder):
    """Walks `order`, putting each row into the bucket of its length (the first boundary >= it); a bucket that
    fills up becomes a batch. Returns `[(row indices, padded length), ...]`; partial buckets come last,
    shortest first, unless `drop_remainder`."""
    boundaries = np.asarray(boundaries)
    buckets = np.minimum(np.searchsorted(boundaries, lengths[order], side="left"), len(boundaries) - 1)
    pending = collections.defaultdict(list)
    batches = []
    for row, bucket in zip(order, buckets):
        pending[bucket].append(row)
        if len(pending[bucket]) == batch_size:
            batches.append((np.asarray(pending.pop(bucket)), int(boundaries[bucket])))
    if not drop_remainder:
        for bucket in sorted(pending):
            batches.append((np.asarray(pending[bucket]), int(boundaries[bucket])))
    return batches


class BatchPlan:
    """The training batches of every epoch: epoch `e` shuffles the rows with `numpy.random.default_rng((seed,
    e))`, then groups them by bucket (`group_by_bucket`). Every epoch has the same number of batches,
    `steps_per_epoch` (at most `max_steps`), since a bucket's row count does not depend on the order.

    Raises:
        ValueError: when no batch can be formed (fewer rows than `batch_size` in every bucket with
            `drop_remainder`).
    """

    def __init__(self, lengths, batch_size, boundaries, seed, drop_remainder=False, max_steps=None):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.boundaries = list(boundaries)
        self.seed = seed
        self.drop_remainder = drop_remainder
        steps = len(self.epoch(0))
        if steps == 0:
            raise ValueError(f"{len(self.lengths)} training rows make no full batch of {batch_size} in any length "
                             f"bucket {self.boundaries}; lower batch_size or set length_buckets false")
        self.steps_per_epoch = min(steps, max_steps) if max_steps else steps

    def epoch(self, epoch):
        order = np.random.default_rng((self.seed, epoch)).permutation(len(self.lengths))
        return group_by_bucket(order, self.lengths, self.batch_size, self.boundaries, self.drop_remainder)

    def batches(self, start_epoch, epochs, skip=0):
        """The batches of epochs `start_epoch .. epochs - 1`, without the first `skip` of `start_epoch`."""
        batches = []
        for epoch in range(start_epoch, epochs):
            batches.extend(self.epoch(epoch)[skip if epoch == start_epoch else 0: self.steps_per_epoch])
        return batches
