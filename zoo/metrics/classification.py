"""Classification metrics: accuracy, macro-F1 and per-class precision/recall/F1.

Labels may be integer ids or strings (the two sides must use the same kind); inputs are lists, tuples or 1-D
NumPy arrays. Every score is in percent (0-100). Macro-F1 is the unweighted mean of the per-class F1 scores
(scikit-learn's `f1_score(average="macro")`); a class with no prediction and no reference scores 0.

>>> scores = classification_scores(["pos", "neg", "neg", "pos"], ["pos", "neg", "pos", "pos"])
>>> scores["accuracy"], round(scores["macro_f1"], 2)
(75.0, 73.33)
>>> {name: round(row["f1"], 2) for name, row in scores["per_class"].items()}
{'neg': 66.67, 'pos': 80.0}
"""

from zoo.metrics._inputs import as_list, paired_lists


def _percent(numerator, denominator):
    return 100.0 * numerator / denominator if denominator else 0.0


def _class_list(references, predictions, classes):
    seen = set(references) | set(predictions)
    if classes is None:
        try:
            return sorted(seen)
        except TypeError:
            kinds = sorted({type(label).__name__ for label in seen})
            raise ValueError(f"labels mix types ({', '.join(kinds)}): use all ids or all strings") from None
    classes = as_list(classes, "classes")
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes has duplicates: {classes}")
    unknown = seen - set(classes)
    if unknown:
        raise ValueError(f"labels {sorted(map(repr, unknown))} are not in classes {classes}")
    return classes


def accuracy(references, predictions):
    """Percentage of predictions equal to their reference label.

    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    75.0
    """
    references, predictions = paired_lists(references, predictions)
    return _percent(sum(r == p for r, p in zip(references, predictions)), len(references))


def classification_scores(references, predictions, classes=None):
    """Accuracy, macro-F1 and per-class precision/recall/F1/support.

    Args:
        references: gold labels (ids or strings), one per example.
        predictions: predicted labels, one per example.
        classes: optional list of every class; the macro average runs over these (a class absent from both
            sides then counts with F1 0). Default: the sorted union of the labels seen on both sides.

    Returns:
        `{"accuracy": float, "macro_f1": float, "per_class": {label: {"precision", "recall", "f1",
        "support"}}}`, scores in percent, `support` the number of references with that label.
    """
    references, predictions = paired_lists(references, predictions)
    per_class = {}
    for label in _class_list(references, predictions, classes):
        true_positives = sum(r == label and p == label for r, p in zip(references, predictions))
        support = references.count(label)
        precision = _percent(true_positives, predictions.count(label))
        recall = _percent(true_positives, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return {
        "accuracy": accuracy(references, predictions),
        "macro_f1": sum(row["f1"] for row in per_class.values()) / len(per_class),
        "per_class": per_class,
    }


def macro_f1(references, predictions, classes=None):
    """The unweighted mean of the per-class F1 scores, in percent (see `classification_scores`).

    >>> round(macro_f1([0, 0, 1, 2], [0, 1, 1, 2]), 2)
    77.78
    """
    return classification_scores(references, predictions, classes)["macro_f1"]
