import math

import numpy as np
import pytest

from zoo.metrics import BleuResult, corpus_bleu, perplexity, rouge_scores


def test_bleu_hand_computed():
    # 1-4-gram precisions 5/6, 3/5, 2/4, 1/3 ("the" clipped to one); same length, so no brevity penalty
    result = corpus_bleu(["the cat sat on a mat"], ["the cat sat on the mat"])
    assert isinstance(result, BleuResult)
    assert result.score == pytest.approx(100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25, abs=1e-6)
    assert result.signature.startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    score, signature = result  # unpacks like a tuple
    assert signature == result.signature


def test_bleu_brevity_penalty():
    # every n-gram right, but 4 words against a 6-word reference: BP = exp(1 - 6/4)
    assert corpus_bleu(["the cat sat on a mat"], ["the cat sat on"]).score == pytest.approx(100 * math.exp(-0.5), abs=1e-6)


def test_bleu_several_and_a_varying_number_of_references():
    # example 1: n-grams matched against either reference, only the second "the" is clipped -> 5/6, 5/5, 4/4, 3/3
    # example 2: exact copy -> 4/4, 3/3, 2/2, 1/1; corpus precisions 9/10, 8/8, 6/6, 4/4, lengths 10 vs 10
    references = [["the cat sat on a mat", "a cat sat on the mat"], "a b c d"]
    result = corpus_bleu(references, ["the cat sat on the mat", "a b c d"])
    assert result.score == pytest.approx(100 * 0.9 ** 0.25, abs=1e-6)
    assert result.signature.startswith("nrefs:var|")


def test_bleu_case_and_tokenizer_options():
    references, predictions = ["the cat sat on the mat ."], ["The Cat sat on the mat."]
    # case-sensitive: "The" and "Cat" miss -> precisions 5/7, 4/6, 3/5, 2/4
    assert corpus_bleu(references, predictions).score == pytest.approx(100 * (5 / 7 * 4 / 6 * 3 / 5 * 2 / 4) ** 0.25)
    result = corpus_bleu(references, predictions, lowercase=True)
    assert result.score == pytest.approx(100.0) and "case:lc" in result.signature  # 13a splits off the "."
    assert "tok:none" in corpus_bleu(references, predictions, tokenize="none").signature


def test_rouge_hand_computed():
    # unigrams 5 of 6 both ways; bigrams 3 of 5 (the cat, on the, the mat); LCS "the cat on the mat" = 5
    scores = rouge_scores(["the cat sat on the mat"], ["the cat lay on the mat"])
    assert scores == pytest.approx({"rouge1": 500 / 6, "rouge2": 60.0, "rougeL": 500 / 6})


def test_rouge_stems_by_default():
    # stemmed: the cat run / the cat run; unstemmed only "the" matches of three tokens each
    assert rouge_scores(["the cats running"], ["the cat runs"])["rouge1"] == pytest.approx(100.0)
    assert rouge_scores(["the cats running"], ["the cat runs"], use_stemmer=False)["rouge1"] == pytest.approx(100 / 3)


def test_rouge_takes_the_best_reference_per_type_and_averages_examples():
    # example 1, ref A "a b c d" vs "a b d c": R1 = 1, R2 = 1/3 (a b); ref B "a b d x": R1 = 3/4, R2 = 2/3
    #   -> R1 from A, R2 from B; example 2 scores 0
    references = [["a b c d", "a b d x"], "y z"]
    scores = rouge_scores(references, ["a b d c", "w"], rouge_types=("rouge1", "rouge2"))
    assert scores == pytest.approx({"rouge1": 50.0, "rouge2": 100 * (2 / 3) / 2})


def test_perplexity():
    assert perplexity(4 * math.log(10.0), 4) == pytest.approx(10.0)
    assert perplexity(np.float32(0.0), np.int64(7)) == 1.0
    assert perplexity(1e6, 1) == math.inf


@pytest.mark.parametrize("call, message", [
    (lambda: corpus_bleu(["a", "b"], ["a"]), "references has 2 items but predictions has 1"),
    (lambda: corpus_bleu([[]], ["a"]), r"references\[0\] must be a string or a non-empty list"),
    (lambda: rouge_scores(["a", ["b", 3]], ["a", "b"]), r"references\[1\]"),
    (lambda: rouge_scores(["a"], [None]), r"predictions\[0\] must be a string"),
    (lambda: corpus_bleu([], []), "empty"),
    (lambda: perplexity(3.0, 0), "num_tokens must be positive"),
    (lambda: perplexity(float("nan"), 3), "total_nll must be a finite non-negative"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
