"""T5 relative position buckets against the T5 formula, and the bias they index."""

import math

import numpy as np
import pytest

import zoo  # noqa: F401
import keras

from zoo.layers import RelativePositionBias


def t5_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    """T5's bucketing (Raffel et al. 2020, as in Mesh TensorFlow and Hugging Face `_relative_position_bucket`),
    written out in NumPy in float32 like the original: `relative_position = key - query`; half the buckets (all
    when unidirectional) hold exact distances below `max_exact`, the rest log-spaced distances up to
    `max_distance`; keys after the query get the upper half when bidirectional, bucket 0 when not."""
    relative_position = np.asarray(relative_position, np.int64)
    bucket = np.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        bucket += (relative_position > 0).astype(np.int64) * num_buckets
        distance = np.abs(relative_position)
    else:
        distance = -np.minimum(relative_position, 0)
    max_exact = num_buckets // 2
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0): that distance takes the exact branch
        log_ratio = np.log(distance.astype(np.float32) / np.float32(max_exact)) / np.float32(
            math.log(max_distance / max_exact))
        if_large = max_exact + (log_ratio * np.float32(num_buckets - max_exact)).astype(np.int64)
    if_large = np.minimum(if_large, num_buckets - 1)
    return bucket + np.where(distance < max_exact, distance, if_large)


# key - query: 0, +-1, the exact range (< 8 bidirectional, < 16 unidirectional), both sides of each range's
# boundary, log buckets, just below/at/above max_distance (128), and far beyond.
DISTANCES = [0, 1, -1, 2, -2, 5, -5, 7, -7, 8, -8, 9, -9, 15, -15, 16, -16, 17, -17, 31, -32, 33, -64, 100,
             -127, 127, -128, 128, -129, 500, -500, 10_000, -10_000]

# Worked by hand from the formula (32 buckets, max_distance 128), so a bug shared by the layer and the NumPy
# reference above still fails: bidirectional max_exact 8, log range 8..15 (+16 for keys after the query);
# unidirectional max_exact 16, log range 16..31, keys after the query in bucket 0.
BY_HAND = {
    True: {0: 0, -1: 1, 1: 17, -7: 7, 7: 23, -8: 8, 8: 24, -16: 10, -127: 15, -128: 15, 10_000: 31},
    False: {0: 0, 5: 0, -1: 1, -15: 15, -16: 16, -32: 21, -127: 31, -128: 31, -10_000: 31},
}


@pytest.mark.parametrize("bidirectional", [True, False], ids=["bidirectional", "unidirectional"])
def test_buckets_match_the_t5_formula(bidirectional):
    layer = RelativePositionBias(num_heads=2, bidirectional=bidirectional)
    relative = np.array(DISTANCES, "int32")
    buckets = keras.ops.convert_to_numpy(layer.bucket(keras.ops.convert_to_tensor(relative)))
    expected = t5_bucket(relative, bidirectional)
    mismatches = {int(d): (int(b), int(e)) for d, b, e in zip(relative, buckets, expected) if b != e}
    assert not mismatches, f"distance: (ours, T5) {mismatches}"
    for distance, bucket in BY_HAND[bidirectional].items():
        assert t5_bucket(distance, bidirectional) == bucket, distance


@pytest.mark.parametrize("bidirectional", [True, False], ids=["bidirectional", "unidirectional"])
@pytest.mark.parametrize("num_buckets,max_distance", [(32, 128), (16, 20)])
def test_every_distance_up_to_twice_max_distance(bidirectional, num_buckets, max_distance):
    layer = RelativePositionBias(num_heads=2, num_buckets=num_buckets, max_distance=max_distance,
                                 bidirectional=bidirectional)
    relative = np.arange(-2 * max_distance, 2 * max_distance + 1, dtype="int32")
    buckets = keras.ops.convert_to_numpy(layer.bucket(keras.ops.convert_to_tensor(relative)))
    np.testing.assert_array_equal(buckets, t5_bucket(relative, bidirectional, num_buckets, max_distance))
    # Every bucket is reached (none collapsed) but, when bidirectional, "after the query at distance 0".
    unreachable = {num_buckets // 2} if bidirectional else set()
    assert set(buckets.tolist()) == set(range(num_buckets)) - unreachable


def test_bias_is_the_bucket_embedding_of_key_minus_query():
    layer = RelativePositionBias(num_heads=3, num_buckets=8, max_distance=16, bidirectional=True)
    query_positions, key_positions = np.array([5]), np.arange(9)  # one decoding step at position 5
    bias = keras.ops.convert_to_numpy(layer(query_positions, key_positions))
    assert bias.shape == (1, 3, 1, 9)  # (1, heads, query_length, key_length)
    table = keras.ops.convert_to_numpy(layer.embeddings)  # (num_buckets, heads)
    relative = key_positions[None, :] - query_positions[:, None]
    expected = table[t5_bucket(relative, True, 8, 16)].transpose(2, 0, 1)[None]
    np.testing.assert_array_equal(bias, expected)
