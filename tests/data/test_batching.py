import pytest
import tensorflow as tf

from zoo.data import batch_dataset, to_dataset


def token_dataset(lengths):
    examples = [{"tokens": [f"t{i}"] * n, "ids": list(range(1, n + 1)), "label": i}
                for i, n in enumerate(lengths)]
    return to_dataset(examples)


def token_length(example):
    return tf.shape(example["tokens"])[0]


def test_padded_batches_without_buckets():
    batches = list(batch_dataset(token_dataset([1, 3, 2, 5, 4]), batch_size=2))
    assert [b["ids"].shape.as_list() for b in batches] == [[2, 3], [2, 5], [1, 4]]
    assert batches[0]["ids"].numpy().tolist() == [[1, 0, 0], [1, 2, 3]]
    assert batches[0]["tokens"].numpy().tolist()[0] == [b"t0", b"", b""]
    assert len(list(batch_dataset(token_dataset([1, 3, 2, 5, 4]), 2, drop_remainder=True))) == 2


def test_bucketing_groups_by_length():
    lengths = [1, 9, 2, 8, 3, 7, 1, 9, 2, 8, 12, 15]
    batches = list(batch_dataset(token_dataset(lengths), batch_size=2, length_fn=token_length,
                                 bucket_boundaries=[4, 10]))
    seen = []
    for batch in batches:
        labels = batch["label"].numpy().tolist()
        batch_lengths = [lengths[label] for label in labels]
        buckets = {0 if n < 4 else 1 if n < 10 else 2 for n in batch_lengths}
        assert len(buckets) == 1, f"batch mixes buckets: lengths {batch_lengths}"
        assert batch["tokens"].shape[1] == max(batch_lengths)  # padded to the longest in the batch
        seen += labels
    assert sorted(seen) == list(range(len(lengths)))


def test_seeded_shuffle_is_reproducible():
    def order(seed):
        batches = batch_dataset(token_dataset([3] * 40), batch_size=8, shuffle_buffer=40, seed=seed,
                                length_fn=token_length, bucket_boundaries=[2])
        return [label for batch in batches for label in batch["label"].numpy().tolist()]

    first, again, other = order(7), order(7), order(8)
    assert first == again
    assert sorted(first) == list(range(40))
    assert first != list(range(40)) and first != other


def test_argument_errors():
    dataset = token_dataset([1, 2])
    with pytest.raises(ValueError, match="needs length_fn"):
        batch_dataset(dataset, 2, bucket_boundaries=[2])
    with pytest.raises(ValueError, match="strictly increasing"):
        batch_dataset(dataset, 2, length_fn=token_length, bucket_boundaries=[4, 4])
    with pytest.raises(ValueError, match="batch_size"):
        batch_dataset(dataset, 0)
