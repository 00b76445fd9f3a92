import numpy as np
import pytest

from zoo.metrics import SCHEMES, entity_scores, iob1_to_iob2, tags_to_entities

# Gold: PER(0-1), LOC(3) | ORG(0-2), PER(4) | MISC(1)            -> 5 entities
# Pred: PER(0-1) ok, LOC(3) typed ORG | ORG(0-1) short, PER(4) ok | nothing
REFERENCES = [["B-PER", "I-PER", "O", "B-LOC"],
              ["B-ORG", "I-ORG", "I-ORG", "O", "B-PER"],
              ["O", "B-MISC", "O"]]
PREDICTIONS = [["B-PER", "I-PER", "O", "B-ORG"],
               ["B-ORG", "I-ORG", "O", "O", "B-PER"],
               ["O", "O", "O"]]


def test_hand_computed_micro_and_per_type_scores():
    scores = entity_scores(REFERENCES, PREDICTIONS, scheme="IOB2")
    # 2 right of 4 predicted, 2 found of 5 gold
    assert scores["precision"] == pytest.approx(50.0)
    assert scores["recall"] == pytest.approx(40.0)
    assert scores["f1"] == pytest.approx(2 * 50 * 40 / 90)
    assert scores["support"] == 5
    assert list(scores["per_type"]) == ["LOC", "MISC", "ORG", "PER"]
    assert scores["per_type"]["PER"] == pytest.approx({"precision": 100.0, "recall": 100.0, "f1": 100.0, "support": 2})
    assert scores["per_type"]["ORG"] == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1})
    assert scores["per_type"]["LOC"]["support"] == 1 and scores["per_type"]["LOC"]["recall"] == 0.0
    assert scores["per_type"]["MISC"]["support"] == 1


def test_iob2_is_strict_and_iob1_reads_a_leading_i_as_an_entity_start():
    references = [["B-PER", "I-PER", "O", "B-LOC"]]
    predictions = [["I-PER", "I-PER", "O", "B-LOC"]]
    strict = entity_scores(references, predictions, scheme="IOB2")  # the I-PER run is no entity: LOC only
    assert (strict["precision"], strict["recall"]) == pytest.approx((100.0, 50.0))
    lenient = entity_scores(references, predictions, scheme="IOB1")  # conlleval reading: PER(0-1) found
    assert lenient["f1"] == pytest.approx(100.0)


def test_bioes_needs_well_formed_entities():
    references = [["B-PER", "E-PER", "O", "S-LOC"]]
    assert entity_scores(references, references, scheme="BIOES")["f1"] == pytest.approx(100.0)
    unfinished = [["B-PER", "I-PER", "O", "S-LOC"]]  # B-I without E- is not an entity
    scores = entity_scores(references, unfinished, scheme="BIOES")
    assert (scores["precision"], scores["recall"]) == pytest.approx((100.0, 50.0))


@pytest.mark.parametrize("scheme, tags, expected", [
    ("IOB2", ["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC"], [("PER", 0, 2), ("LOC", 4, 6)]),
    ("IOB2", ["B-PER", "I-LOC", "B-PER", "B-PER"], [("PER", 0, 1), ("PER", 2, 3), ("PER", 3, 4)]),
    ("IOB1", ["I-PER", "I-PER", "B-PER", "I-LOC", "O", "I-ORG"],
     [("PER", 0, 2), ("PER", 2, 3), ("LOC", 3, 4), ("ORG", 5, 6)]),
    ("BIOES", ["S-ORG", "B-PER", "I-PER", "E-PER", "B-LOC", "O", "E-LOC"], [("ORG", 0, 1), ("PER", 1, 4)]),
    ("IOB2", ["O", "O"], []),
])
def test_tags_to_entities(scheme, tags, expected):
    assert tags_to_entities(tags, scheme=scheme) == expected


def _scores_from_spans(references, predictions, scheme):
    gold = {(i, span) for i, tags in enumerate(references) for span in tags_to_entities(tags, scheme)}
    found = {(i, span) for i, tags in enumerate(predictions) for span in tags_to_entities(tags, scheme)}
    correct = len(gold & found)
    precision = 100.0 * correct / len(found) if found else 0.0
    recall = 100.0 * correct / len(gold) if gold else 0.0
    return precision, recall


@pytest.mark.parametrize("scheme", SCHEMES)
def test_tags_to_entities_reads_tags_as_entity_scores_does(scheme):
    rng = np.random.default_rng(0)
    prefixes = ["B", "I"] + (["E", "S"] if scheme == "BIOES" else [])
    vocabulary = ["O", "O"] + [f"{prefix}-{name}" for prefix in prefixes for name in ("PER", "LOC")]
    references = [list(rng.choice(vocabulary, size=12)) for _ in range(40)]
    predictions = [list(rng.choice(vocabulary, size=12)) for _ in range(40)]
    scores = entity_scores(references, predictions, scheme=scheme)
    assert scores["support"] > 0
    assert (scores["precision"], scores["recall"]) == pytest.approx(_scores_from_spans(references, predictions, scheme))


def test_iob1_to_iob2():
    # CoNLL-2003's original IOB1 tagging of "U.N. official Ekeus heads for Baghdad ." and of two adjacent PERs
    assert iob1_to_iob2(["I-ORG", "O", "I-PER", "O", "O", "I-LOC", "O"]) == \
        ["B-ORG", "O", "B-PER", "O", "O", "B-LOC", "O"]
    assert iob1_to_iob2(["I-PER", "I-PER", "B-PER", "I-PER", "I-LOC"]) == ["B-PER", "I-PER", "B-PER", "I-PER", "B-LOC"]


def test_iob1_to_iob2_keeps_the_entities():
    rng = np.random.default_rng(1)
    vocabulary = ["O", "O", "I-PER", "I-PER", "B-PER", "I-LOC", "B-LOC"]
    for _ in range(50):
        tags = list(rng.choice(vocabulary, size=10))
        assert tags_to_entities(iob1_to_iob2(tags), "IOB2") == tags_to_entities(tags, "IOB1")


def test_no_entities_scores_zero():
    assert entity_scores([["O", "O"]], [["O", "O"]]) == \
        {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "per_type": {}}


@pytest.mark.parametrize("call, message", [
    (lambda: entity_scores([["O"]], [["O"]], scheme="IOBES"), "unknown tagging scheme 'IOBES'"),
    (lambda: entity_scores([["O", "B-PER"]], [["O", "E-PER"]]), r"predictions\[0\], tag 1: 'E-PER' is not a IOB2 tag"),
    (lambda: entity_scores([["O"], ["PER"]], [["O"], ["O"]]), r"references\[1\], tag 0: 'PER'"),
    (lambda: entity_scores([["O"], ["B-"]], [["O"], ["O"]]), r"references\[1\], tag 0: 'B-'"),
    (lambda: entity_scores([["O"], ["O", "O"]], [["O"], ["O"]]), "sentence 1: references has 2 tags but predictions has 1"),
    (lambda: entity_scores([["O"]], [["O"], ["O"]]), "references has 1 items but predictions has 2"),
    (lambda: tags_to_entities(["B-PER", 3]), "tags, tag 1: 3"),
    (lambda: iob1_to_iob2(["S-PER"]), "'S-PER' is not a IOB1 tag"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
