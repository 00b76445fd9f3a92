import numpy as np
import pytest

from zoo.metrics import (apply_no_answer_threshold, exact_match, find_best_threshold, normalize_answer,
                         squad_scores, token_f1)


@pytest.mark.parametrize("text, expected", [
    ("The Beatles", "beatles"),                      # articles go, case folds
    ("an apple a day", "apple day"),
    ("Theatre and Anthem", "theatre and anthem"),    # only whole words are articles
    ("A", ""),
    ("U.S.A. (1776)!", "usa 1776"),                  # ASCII punctuation is deleted, not replaced by a space
    ("rock-'n'-roll", "rocknroll"),
    ("the-end", "theend"),                           # punctuation goes first, so no article is left to remove
    ("  New\tYork \n City ", "new york city"),       # whitespace collapses
    ("“Hello” — world…", "“hello” — world…"),         # unicode punctuation is not in string.punctuation: kept
    ("Émile Zola", "émile zola"),
])
def test_normalize_answer_matches_the_official_script(text, expected):
    assert normalize_answer(text) == expected


def test_exact_match():
    assert exact_match(["Denver Broncos"], "the Denver broncos!") == 1.0
    assert exact_match(["Denver Broncos"], "Broncos") == 0.0
    assert exact_match(["Denver Broncos", "Broncos"], "Broncos") == 1.0  # best of several gold answers
    assert exact_match(["Broncos"], "“Broncos”") == 0.0                  # unicode quotes are not stripped
    assert exact_match("Broncos", "broncos") == 1.0                      # a single string is one gold answer


def test_token_f1():
    # pred tokens [broncos, team]; vs "Denver Broncos": P 1/2, R 1/2 -> 0.5; vs "Broncos": P 1/2, R 1 -> 2/3
    assert token_f1(["Denver Broncos"], "the Broncos team") == pytest.approx(0.5)
    assert token_f1(["Denver Broncos", "Broncos"], "the Broncos team") == pytest.approx(2 / 3)
    assert token_f1(["x y y"], "y y y") == pytest.approx(2 / 3)  # common tokens counted with multiplicity
    assert token_f1(["Denver"], "Broncos") == 0.0
    assert token_f1(["The Broncos."], "broncos") == 1.0


def test_no_answer():
    assert exact_match([], "") == 1.0 and token_f1([], "") == 1.0
    assert exact_match([], "Paris") == 0.0 and token_f1([], "Paris") == 0.0
    assert exact_match(["Paris"], "") == 0.0 and token_f1(["Paris"], "") == 0.0
    assert exact_match([], "The.") == 1.0                                # normalises to no answer
    # gold answers that normalise to nothing are dropped; if none is left the question has no answer
    assert exact_match([".", "Paris"], "") == 0.0 and exact_match([".", "Paris"], "paris") == 1.0
    assert exact_match(["."], "") == 1.0 and token_f1(["the"], "") == 1.0


REFERENCES = {"q1": ["Denver Broncos", "The Broncos"], "q2": ["1887"], "q3": [], "q4": [], "q5": ["Paris, France"]}
PREDICTIONS = {"q1": "the broncos", "q2": "in 1887", "q3": "", "q4": "London", "q5": "France", "extra": "x"}
# per question: exact 1, 0, 1, 0, 0; F1 1, 2/3, 1, 0, 2/3


def test_squad_scores_hand_computed():
    scores = squad_scores(REFERENCES, PREDICTIONS)
    assert scores == pytest.approx({
        "exact": 40.0, "f1": 100 * (1 + 2 / 3 + 1 + 0 + 2 / 3) / 5, "total": 5,
        "HasAns_exact": 100 / 3, "HasAns_f1": 100 * (1 + 4 / 3) / 3, "HasAns_total": 3,
        "NoAns_exact": 50.0, "NoAns_f1": 50.0, "NoAns_total": 2})


def test_squad_scores_v1_data_has_no_no_answer_keys_and_lists_work_like_dicts():
    references = [["Denver Broncos"], ["1887", "in 1887"]]
    scores = squad_scores(references, ["Broncos", "1887"])
    assert scores == pytest.approx({"exact": 50.0, "f1": 100 * (2 / 3 + 1) / 2, "total": 2,
                                    "HasAns_exact": 50.0, "HasAns_f1": 100 * (2 / 3 + 1) / 2, "HasAns_total": 2})
    assert squad_scores(dict(enumerate(references)), {0: "Broncos", 1: "1887"}) == scores


def test_no_answer_threshold_is_applied_before_scoring():
    probabilities = {"q1": 0.1, "q2": 0.2, "q3": 0.9, "q4": 0.8, "q5": 0.95}
    # above 0.5: q3 (already ""), q4 ("London" -> "" : right now), q5 ("France" -> "" : F1 2/3 -> 0)
    scores = squad_scores(REFERENCES, PREDICTIONS, probabilities, no_answer_threshold=0.5)
    assert scores["exact"] == pytest.approx(60.0)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3 + 1 + 1 + 0) / 5)
    assert scores["best_f1"] >= scores["f1"]
    assert apply_no_answer_threshold(PREDICTIONS, probabilities | {"extra": 0.0}, 0.5)["q4"] == ""


def test_find_best_threshold_hand_computed():
    # ascending probability: q1 (+1 exact), q2 (+0), q5 (+0), q4 (-1: an unanswerable question answered), q3 (0)
    # starting from "answer nothing" = 2 right (q3, q4), the best is answering q1 only: 3 of 5
    probabilities = {"q1": 0.1, "q2": 0.2, "q5": 0.3, "q4": 0.4, "q3": 0.5}
    best = find_best_threshold(REFERENCES, PREDICTIONS, probabilities)
    assert best["best_exact"] == pytest.approx(60.0) and best["best_exact_thresh"] == 0.1
    # F1: q1 +1, q2 +2/3, q5 +2/3 -> 2 + 7/3 at 0.3, then q4 -1
    assert best["best_f1"] == pytest.approx(100 * (2 + 7 / 3) / 5) and best["best_f1_thresh"] == 0.3


def test_answering_nothing_can_be_best():
    best = find_best_threshold({"a": [], "b": ["Paris"]}, {"a": "x", "b": "Rome"}, {"a": 0.3, "b": 0.6})
    assert best["best_exact"] == 50.0
    assert best["best_exact_thresh"] < 0.3
    assert squad_scores({"a": [], "b": ["Paris"]}, {"a": "x", "b": "Rome"}, {"a": 0.3, "b": 0.6},
                        no_answer_threshold=best["best_exact_thresh"])["exact"] == 50.0


def test_tied_probabilities_move_together():
    # The official loop would report 100 at 0.5 (q_has answered, q_none not yet), but at threshold 0.5
    # both questions are answered and only one is right.
    references = {"has": ["Paris"], "none": []}
    best = find_best_threshold(references, {"has": "Paris", "none": "Rome"}, {"has": 0.5, "none": 0.5})
    assert best["best_exact"] == 50.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_threshold_is_the_best_of_all_thresholds(seed):
    rng = np.random.default_rng(seed)
    words = ["paris", "rome", "the city", "old rome", "x"]
    references = {f"q{i}": list(rng.choice(words, size=rng.integers(0, 3))) for i in range(30)}
    predictions = {key: str(rng.choice(words + [""])) for key in references}
    probabilities = {key: round(float(rng.random()), 1) for key in references}  # rounding makes ties
    best = find_best_threshold(references, predictions, probabilities)
    candidates = [-1.0] + sorted(set(probabilities.values()))
    for metric in ("exact", "f1"):
        by_threshold = [squad_scores(references, predictions, probabilities, no_answer_threshold=threshold)[metric]
                        for threshold in candidates]
        assert best[f"best_{metric}"] == pytest.approx(max(by_threshold))
        reached = squad_scores(references, predictions, probabilities,
                               no_answer_threshold=best[f"best_{metric}_thresh"])[metric]
        assert reached == pytest.approx(best[f"best_{metric}"])


@pytest.mark.parametrize("call, message", [
    (lambda: squad_scores({"q1": ["a"], "q2": ["b"]}, {"q1": "a"}), r"1 of 2 questions have no prediction \(first: \['q2'\]\)"),
    (lambda: squad_scores({}, {}), "references is empty"),
    (lambda: squad_scores({"q1": ["a"]}, {"q1": None}), r"predictions\['q1'\] must be a string"),
    (lambda: squad_scores({"q1": [1]}, {"q1": "a"}), r"references\['q1'\] must hold answer strings"),
    (lambda: squad_scores({"q1": ["a"]}, {"q1": "a"}, no_answer_threshold=0.5), "needs no_answer_probabilities"),
    (lambda: find_best_threshold({"q1": ["a"]}, {"q1": "a"}, {}), "no value for question 'q1'"),
    (lambda: find_best_threshold({"q1": ["a"]}, {"q1": "a"}, {"q1": float("nan")}), "not a finite number"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
