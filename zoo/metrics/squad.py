"""SQuAD v1.1/v2.0 evaluation: answer normalisation, exact match, token F1, no-answer threshold search.

This follows the official v2.0 evaluation script (which scores v1.1 data the same way):

- `normalize_answer`: lower-case, delete ASCII punctuation (Python's `string.punctuation` only: unicode
  quotes and dashes such as `“ ” – —` stay), replace the whole words a/an/the by a space, collapse
  whitespace. Punctuation goes before articles, so "the-end" becomes "theend" and keeps its "the".
- A question's gold answers are its answer texts minus those that normalise to nothing; a question with
  none left (a v2.0 unanswerable question, gold list empty) has the single gold answer "" (no answer).
- Exact match: 1 if the normalised prediction equals a normalised gold answer. Token F1: F1 of the bags of
  normalised whitespace tokens; when either side has no token, 1 if both have none, else 0. Both take the
  maximum over the gold answers.
- Corpus scores are means over all questions in percent, plus the `HasAns_`/`NoAns_` breakdown over the
  questions with/without gold answers (each present only when there are such questions).
- The no-answer threshold search (`find_best_threshold`, the official `find_best_thresh`): given a
  no-answer probability (or any score, larger = more likely unanswerable) per question, a question is
  answered "" when its probability is above the threshold; the search returns the threshold with the best
  corpus EM (and, separately, F1). Two details differ from the official loop, both so that the returned
  score is exactly what `apply_no_answer_threshold` with that threshold then scores: questions with equal
  probabilities move together (the official loop may report a score reached in the middle of a tie), and
  an answered unanswerable question keeps the score its prediction earns (the official loop counts a
  prediction such as "the", which normalises to nothing, as a wrong answer). When answering nothing is
  best, the threshold is the largest float below every probability.

The v1.1 script differs only for predictions that normalise to nothing (it keeps gold answers such as "."
and gives F1 0 to an empty pair), which a span extractor does not produce.

References are, per question, the list of gold answer texts (empty list = unanswerable); predictions the
answer text ("" = no answer). Both are either dicts keyed by question id or lists in the same order.

>>> normalize_answer("The  Beatles' \\"Abbey Road\\"!")
'beatles abbey road'
>>> references = {"q1": ["Denver Broncos", "the Broncos"], "q2": [], "q3": ["1887"]}
>>> scores = squad_scores(references, {"q1": "Broncos", "q2": "", "q3": "in 1887"})
>>> round(scores["exact"], 2), round(scores["f1"], 2), scores["HasAns_total"], scores["NoAns_exact"]
(66.67, 88.89, 2, 100.0)
"""

import collections
import math
import re
import string
from collections.abc import Mapping

from zoo.metrics._inputs import as_list

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)


def normalize_answer(text):
    """Lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace.

    >>> normalize_answer("An  Apple, a DAY (the end).")
    'apple day end'
    """
    text = "".join(character for character in text.lower() if character not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _gold_answers(answers):
    if isinstance(answers, str):
        answers = [answers]
    golds = [answer for answer in answers if normalize_answer(answer)]
    return golds or [""]


def _pair_f1(gold, prediction):
    gold_tokens = normalize_answer(gold).split()
    predicted_tokens = normalize_answer(prediction).split()
    if not gold_tokens or not predicted_tokens:
        return float(gold_tokens == predicted_tokens)
    common = sum((collections.Counter(gold_tokens) & collections.Counter(predicted_tokens)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted_tokens)
    recall = common / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def exact_match(answers, prediction):
    """1.0 if `prediction` equals one of the gold `answers` after normalisation, else 0.0.

    `answers` is a list of gold texts (a single string counts as one); `[]` means unanswerable, matched
    only by a prediction that normalises to "".

    >>> exact_match(["Saint Bernadette Soubirous"], "saint bernadette soubirous.")
    1.0
    >>> exact_match([], "")
    1.0
    """
    predicted = normalize_answer(prediction)
    return max(float(normalize_answer(gold) == predicted) for gold in _gold_answers(answers))


def token_f1(answers, prediction):
    """Token-bag F1 (0-1) between `prediction` and the best-matching gold answer (see `exact_match`).

    >>> round(token_f1(["the Denver Broncos"], "Broncos of Denver"), 4)
    0.8
    """
    return max(_pair_f1(gold, prediction) for gold in _gold_answers(answers))


def _by_id(values, name):
    if isinstance(values, Mapping):
        return dict(values)
    return dict(enumerate(as_list(values, name)))


def _answer_list(answers, key):
    answers = [answers] if isinstance(answers, str) else as_list(answers, f"references[{key!r}]")
    for answer in answers:
        if not isinstance(answer, str):
            raise ValueError(f"references[{key!r}] must hold answer strings, got {type(answer).__name__}")
    return answers


def _aligned(references, predictions):
    references = {key: _answer_list(answers, key) for key, answers in _by_id(references, "references").items()}
    predictions = _by_id(predictions, "predictions")
    if not references:
        raise ValueError("references is empty: there is no question to score")
    missing = [question_id for question_id in references if question_id not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} of {len(references)} questions have no prediction "
                         f"(first: {missing[:5]})")
    for question_id in references:
        if not isinstance(predictions[question_id], str):
            raise ValueError(f"predictions[{question_id!r}] must be a string (\"\" for no answer), "
                             f"got {type(predictions[question_id]).__name__}")
    return references, {question_id: predictions[question_id] for question_id in references}


def _probabilities(no_answer_probabilities, references):
    probabilities = _by_id(no_answer_probabilities, "no_answer_probabilities")
    checked = {}
    for question_id in references:
        if question_id not in probabilities:
            raise ValueError(f"no_answer_probabilities has no value for question {question_id!r}")
        value = float(probabilities[question_id])
        if not math.isfinite(value):
            raise ValueError(f"no_answer_probabilities[{question_id!r}] is {value}, not a finite number")
        checked[question_id] = value
    return checked


def apply_no_answer_threshold(predictions, no_answer_probabilities, threshold):
    """The predictions with "" (no answer) wherever the no-answer probability is above `threshold`.

    Returns a dict for dict input, a list for list input.

    >>> apply_no_answer_threshold(["Paris", "1887"], [0.9, 0.2], threshold=0.5)
    ['', '1887']
    """
    by_id = _by_id(predictions, "predictions")
    probabilities = _probabilities(no_answer_probabilities, by_id)
    answered = {key: "" if probabilities[key] > threshold else text for key, text in by_id.items()}
    return answered if isinstance(predictions, Mapping) else list(answered.values())


def _summary(exact, f1, question_ids, prefix=""):
    total = len(question_ids)
    return {f"{prefix}exact": 100.0 * sum(exact[key] for key in question_ids) / total,
            f"{prefix}f1": 100.0 * sum(f1[key] for key in question_ids) / total,
            f"{prefix}total": total}


def _best_threshold(scores, has_answer, probabilities):
    current = sum(not has_answer[key] for key in scores)  # everything answered "": only no-answer questions score
    best = current
    best_threshold = math.nextafter(min(probabilities.values()), -math.inf)
    order = sorted(scores, key=probabilities.get)
    for position, key in enumerate(order):
        # answering this question trades its no-answer score (1 if unanswerable, else 0) for its own score
        current += scores[key] - (0.0 if has_answer[key] else 1.0)
        end_of_tie = position + 1 == len(order) or probabilities[order[position + 1]] != probabilities[key]
        if end_of_tie and current > best:
            best, best_threshold = current, probabilities[key]
    return 100.0 * best / len(scores), best_threshold


def find_best_threshold(references, predictions, no_answer_probabilities):
    """The no-answer thresholds that maximise corpus exact match and F1 (SQuAD v2.0's `find_best_thresh`).

    Returns:
        `{"best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh"}` (scores in percent): answering ""
        where the probability is above `best_f1_thresh` gives corpus F1 `best_f1`.

    >>> references = {"a": ["Paris"], "b": [], "c": ["1887"]}
    >>> predictions = {"a": "Paris", "b": "London", "c": "1890"}
    >>> best = find_best_threshold(references, predictions, {"a": 0.1, "b": 0.7, "c": 0.4})
    >>> round(best["best_exact"], 2), best["best_exact_thresh"]
    (66.67, 0.1)
    """
    references, predictions = _aligned(references, predictions)
    probabilities = _probabilities(no_answer_probabilities, references)
    has_answer = {key: bool(answers) for key, answers in references.items()}
    best_exact, exact_threshold = _best_threshold(
        {key: exact_match(answers, predictions[key]) for key, answers in references.items()},
        has_answer, probabilities)
    best_f1, f1_threshold = _best_threshold(
        {key: token_f1(answers, predictions[key]) for key, answers in references.items()},
        has_answer, probabilities)
    return {"best_exact": best_exact, "best_exact_thresh": exact_threshold,
            "best_f1": best_f1, "best_f1_thresh": f1_threshold}


def squad_scores(references, predictions, no_answer_probabilities=None, no_answer_threshold=None):
    """Corpus exact match and F1 in percent, with the v2.0 HasAns/NoAns breakdown.

    Args:
        references: per question, the list of gold answer texts (`[]` for an unanswerable question).
        predictions: per question, the predicted text (`""` for no answer); extra ids are ignored.
        no_answer_probabilities: optional per-question no-answer probabilities or scores; adds the
            `find_best_threshold` keys (computed on `predictions` as given).
        no_answer_threshold: optional; predictions whose probability is above it become "" before
            scoring (needs `no_answer_probabilities`).

    Returns:
        `{"exact", "f1", "total"}`, plus `HasAns_exact/f1/total` when some question has an answer,
        `NoAns_exact/f1/total` when some has none, and `best_exact`, `best_exact_thresh`, `best_f1`,
        `best_f1_thresh` when `no_answer_probabilities` is given: the keys of the official v2.0 script.

    Raises:
        ValueError: for a question without prediction (naming the first ids) or without probability.
    """
    references, predictions = _aligned(references, predictions)
    scored = predictions
    if no_answer_threshold is not None:
        if no_answer_probabilities is None:
            raise ValueError("no_answer_threshold needs no_answer_probabilities")
        scored = apply_no_answer_threshold(predictions, no_answer_probabilities, no_answer_threshold)
    exact = {key: exact_match(answers, scored[key]) for key, answers in references.items()}
    f1 = {key: token_f1(answers, scored[key]) for key, answers in references.items()}
    scores = _summary(exact, f1, list(references))
    answerable = [key for key, answers in references.items() if answers]
    unanswerable = [key for key, answers in references.items() if not answers]
    if answerable:
        scores.update(_summary(exact, f1, answerable, prefix="HasAns_"))
    if unanswerable:
        scores.update(_summary(exact, f1, unanswerable, prefix="NoAns_"))
    if no_answer_probabilities is not None:
        scores.update(find_best_threshold(references, predictions, no_answer_probabilities))
    return scores
