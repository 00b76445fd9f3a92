import pytest

from zoo.metrics.lead import lead_baseline, lead_summary, lead_units


def test_turns_of_a_dialogue_and_sentences_of_prose():
    dialogue = "#Person1#: Hello. Are you there?\n\n#Person2#: Yes!\n#Person1#: Good."
    assert lead_units(dialogue) == (["#Person1#: Hello. Are you there?", "#Person2#: Yes!", "#Person1#: Good."], "\n")
    assert lead_summary(dialogue, 2) == "#Person1#: Hello. Are you there?\n#Person2#: Yes!"
    prose = "on monday , Tara left . it rained ! was it sad ? no"
    assert lead_units(prose)[0] == ["on monday , Tara left .", "it rained !", "was it sad ?", "no"]
    assert lead_summary(prose, 1) == "on monday , Tara left ."
    assert lead_summary(prose, 9) == prose
    with pytest.raises(ValueError, match="at least 1"):
        lead_summary(prose, 0)


def test_lead_baseline_picks_n_on_the_pick_set():
    documents = ["a b. c d. e f.", "g h. i j. k l."]
    references = ["a b c d", "g h i j"]  # the first two sentences are the summary
    n, scores = lead_baseline(references, documents)
    assert n == 2 and scores["rougeL"] == pytest.approx(100.0)
    # Picked on another set whose summaries are one sentence long, N is 1, and the scored set loses recall.
    n, scores = lead_baseline(references, documents, pick_references=["x y"], pick_documents=["x y. z w."])
    assert n == 1 and scores["rouge1"] == pytest.approx(100 * 2 * (1 * 0.5) / 1.5)
