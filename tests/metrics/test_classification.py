import numpy as np
import pytest

from zoo.metrics import accuracy, classification_scores, macro_f1

# class 0: TP 2 of 2 predicted, 3 gold -> P 100, R 66.7, F1 80
# class 1: TP 1 of 2 predicted, 2 gold -> P 50, R 50, F1 50
# class 2: TP 1 of 2 predicted, 1 gold -> P 50, R 100, F1 66.7
REFERENCES = [0, 0, 0, 1, 1, 2]
PREDICTIONS = [0, 0, 1, 1, 2, 2]


def test_hand_computed_scores():
    scores = classification_scores(REFERENCES, PREDICTIONS)
    assert scores["accuracy"] == pytest.approx(400 / 6)
    assert scores["macro_f1"] == pytest.approx((80 + 50 + 200 / 3) / 3)
    assert list(scores["per_class"]) == [0, 1, 2]
    assert scores["per_class"][0] == pytest.approx({"precision": 100.0, "recall": 200 / 3, "f1": 80.0, "support": 3})
    assert scores["per_class"][1] == pytest.approx({"precision": 50.0, "recall": 50.0, "f1": 50.0, "support": 2})
    assert scores["per_class"][2] == pytest.approx({"precision": 50.0, "recall": 100.0, "f1": 200 / 3, "support": 1})
    assert accuracy(REFERENCES, PREDICTIONS) == pytest.approx(400 / 6)
    assert macro_f1(REFERENCES, PREDICTIONS) == pytest.approx(scores["macro_f1"])


def test_macro_f1_weighs_a_rare_class_like_a_frequent_one():
    # 9 of 10 right, but the one "neg" example is missed: macro-F1 = (F1 pos 94.7 + F1 neg 0) / 2.
    references = ["pos"] * 9 + ["neg"]
    predictions = ["pos"] * 10
    assert accuracy(references, predictions) == 90.0
    assert macro_f1(references, predictions) == pytest.approx((2 * 90 * 100 / 190) / 2)


def test_strings_and_numpy_arrays_give_the_same_scores():
    names = np.array(["neg", "neu", "pos"])
    as_strings = classification_scores(list(names[REFERENCES]), list(names[PREDICTIONS]))
    as_arrays = classification_scores(np.array(REFERENCES, dtype=np.int64), np.array(PREDICTIONS))
    assert as_strings["macro_f1"] == pytest.approx(as_arrays["macro_f1"])
    assert list(as_strings["per_class"]) == ["neg", "neu", "pos"]
    assert all(type(label) is int for label in as_arrays["per_class"])  # plain ints, JSON-serialisable keys


def test_classes_absent_from_both_sides_count_in_the_macro_average():
    assert macro_f1(["a", "b"], ["a", "b"]) == 100.0
    scores = classification_scores(["a", "b"], ["a", "b"], classes=["a", "b", "c"])
    assert scores["macro_f1"] == pytest.approx(200 / 3)
    assert scores["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


@pytest.mark.parametrize("references, predictions, classes, message", [
    ([0, 1, 1], [0, 1], None, "references has 3 items but predictions has 2"),
    ([], [], None, "empty"),
    ([0, 1], [0, "1"], None, "mix types"),
    (["a", "b"], ["a", "z"], ["a", "b"], "'z'"),
    (["a", "b"], ["a", "b"], ["a", "a", "b"], "duplicates"),
    (np.zeros((2, 2)), np.zeros((2, 2)), None, "one-dimensional"),
    ("ab", "ab", None, "got str"),
])
def test_bad_input_is_named(references, predictions, classes, message):
    with pytest.raises(ValueError, match=message):
        classification_scores(references, predictions, classes=classes)
