import keras
import numpy as np
import pytest

from zoo.models.losses import SparseLabelSmoothingCrossentropy


def random_batch(seed=0, vocabulary=7):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(3, 5, vocabulary)).astype("float32")
    labels = rng.integers(vocabulary, size=(3, 5))
    weights = (rng.random((3, 5)) < 0.7).astype("float32")
    return labels, logits, weights


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_matches_keras_categorical_crossentropy_on_one_hot_labels(smoothing):
    labels, logits, weights = random_batch()
    ours = SparseLabelSmoothingCrossentropy(label_smoothing=smoothing)(labels, logits, sample_weight=weights)
    reference = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing,
                                                     reduction="mean_with_sample_weight")
    np.testing.assert_allclose(float(ours), float(reference(keras.ops.one_hot(labels, 7), logits, weights)),
                               rtol=1e-5)


def test_mean_over_the_weighted_positions():
    """Padding does not dilute the loss: a row padded to twice its length gives the same value."""
    labels, logits, weights = random_batch(2)
    loss = SparseLabelSmoothingCrossentropy(0.1)
    padded = (np.pad(labels, [[0, 0], [0, 5]]), np.pad(logits, [[0, 0], [0, 5], [0, 0]]),
              np.pad(weights, [[0, 0], [0, 5]]))
    np.testing.assert_allclose(float(loss(*padded[:2], sample_weight=padded[2])),
                               float(loss(labels, logits, sample_weight=weights)), rtol=1e-6)
    per_position = SparseLabelSmoothingCrossentropy(0.1, reduction="none")(labels, logits)
    np.testing.assert_allclose(float(loss(labels, logits, sample_weight=weights)),
                               float(np.sum(per_position * weights) / np.sum(weights)), rtol=1e-6)


def test_smoothing_changes_the_loss_and_masked_positions_do_not_count():
    labels, logits, weights = random_batch(1)
    loss = SparseLabelSmoothingCrossentropy(0.1)
    assert abs(float(loss(labels, logits)) - float(SparseLabelSmoothingCrossentropy(0.0)(labels, logits))) > 1e-3
    changed = logits.copy()
    changed[weights == 0] = 50.0 * np.sign(changed[weights == 0])
    np.testing.assert_allclose(float(loss(labels, changed, sample_weight=weights)),
                               float(loss(labels, logits, sample_weight=weights)), rtol=1e-6)


def test_config_round_trip_and_bad_value():
    loss = SparseLabelSmoothingCrossentropy(0.2)
    assert keras.losses.deserialize(keras.losses.serialize(loss)).label_smoothing == 0.2
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\), got 1.5"):
        SparseLabelSmoothingCrossentropy(1.5)
