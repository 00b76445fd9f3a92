"""Text generation metrics: corpus BLEU (`sacrebleu`), ROUGE-1/2/L F1 (`rouge-score`) and perplexity.

References come one per example (a string) or several per example (a list of strings; the count may vary
between examples). BLEU counts n-gram matches against all references of an example at once (sacreBLEU's
multi-reference BLEU); ROUGE scores each example against each of its references and keeps, per ROUGE type,
the reference with the best F1 (`rouge_score`'s `RougeScorer.score_multi`), then averages over examples.
BLEU and ROUGE are in percent (0-100).

>>> round(corpus_bleu(["the cat sat on a mat"], ["the cat sat on the mat"]).score, 2)
53.73
>>> {name: round(value, 2) for name, value in rouge_scores(["the cat sat on the mat"],
...                                                        ["the cat lay on the mat"]).items()}
{'rouge1': 83.33, 'rouge2': 60.0, 'rougeL': 83.33}
>>> perplexity(total_nll=8.0, num_tokens=4) == math.exp(2.0)
True
"""

import math
from typing import NamedTuple

from zoo.metrics._inputs import as_list, paired_lists


class BleuResult(NamedTuple):
    """Corpus BLEU in percent and sacreBLEU's signature string (how to reproduce the number)."""

    score: float
    signature: str


def _reference_lists(references):
    """Each example's references as a non-empty list of strings."""
    lists = []
    for index, item in enumerate(references):
        refs = [item] if isinstance(item, str) else as_list(item, f"references[{index}]")
        if not refs or not all(isinstance(ref, str) for ref in refs):
            raise ValueError(f"references[{index}] must be a string or a non-empty list of strings, got {item!r}")
        lists.append(refs)
    return lists


def _check_predictions(predictions):
    for index, prediction in enumerate(predictions):
        if not isinstance(prediction, str):
            raise ValueError(f"predictions[{index}] must be a string, got {type(prediction).__name__}")


def corpus_bleu(references, predictions, tokenize="13a", lowercase=False):
    """Corpus BLEU with sacreBLEU's defaults (4-grams, exponential smoothing, `13a` tokenisation).

    Args:
        references: per example, the reference string or a list of reference strings.
        predictions: per example, the system output (detokenised text).
        tokenize: a sacreBLEU tokenizer name (`"13a"`, `"intl"`, `"zh"`, `"char"`, `"none"`, ...).
        lowercase: score case-insensitively.

    Returns:
        `BleuResult(score, signature)`, e.g. `(36.1, "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|
        version:2.6.0")`; print the signature beside the score.

    Every n-gram of this prediction is in one of the two references; only the second "the" is clipped
    (each reference has one), so BLEU = (5/6 * 1 * 1 * 1) ** (1/4):

    >>> result = corpus_bleu([["the cat sat on a mat", "a cat sat on the mat"]], ["the cat sat on the mat"])
    >>> round(result.score, 2), result.signature.split("|")[0]
    (95.54, 'nrefs:2')
    """
    from sacrebleu.metrics import BLEU

    references, predictions = paired_lists(references, predictions)
    _check_predictions(predictions)
    reference_lists = _reference_lists(references)
    streams = max(len(refs) for refs in reference_lists)
    # sacreBLEU takes one stream per reference position; None marks a missing reference for that example.
    transposed = [[refs[k] if k < len(refs) else None for refs in reference_lists] for k in range(streams)]
    bleu = BLEU(tokenize=tokenize, lowercase=lowercase)
    score = bleu.corpus_score(predictions, transposed).score
    return BleuResult(float(score), str(bleu.get_signature()))


def rouge_scores(references, predictions, rouge_types=("rouge1", "rouge2", "rougeL"), use_stemmer=True):
    """Mean ROUGE F1 over examples, in percent, each example scored against its best reference.

    `rouge_score` lower-cases, keeps only ASCII letters and digits as token characters, and (with
    `use_stemmer`) Porter-stems words longer than three characters. `rougeL` is the longest common
    subsequence over the whole text (no sentence splitting).

    Returns:
        `{rouge_type: F1}` for each of `rouge_types`.

    >>> scores = rouge_scores([["the cats were running", "a dog"]], ["the cat runs"])
    >>> round(scores["rouge1"], 2), round(scores["rouge2"], 2)
    (85.71, 40.0)
    """
    # rouge_score pulls in nltk (about a second): imported when first used, not with zoo.metrics.
    from rouge_score import rouge_scorer

    references, predictions = paired_lists(references, predictions)
    _check_predictions(predictions)
    scorer = rouge_scorer.RougeScorer(list(rouge_types), use_stemmer=use_stemmer)
    totals = dict.fromkeys(rouge_types, 0.0)
    for refs, prediction in zip(_reference_lists(references), predictions):
        for name, score in scorer.score_multi(refs, prediction).items():
            totals[name] += score.fmeasure
    return {name: 100.0 * total / len(predictions) for name, total in totals.items()}


def perplexity(total_nll, num_tokens):
    """`exp(total_nll / num_tokens)`: perplexity from a summed token negative log-likelihood (natural log).

    Sum the NLL of the scored tokens only (padding masked out) and count those same tokens. Returns `inf`
    when the mean NLL is too large for a float.

    >>> round(perplexity(total_nll=3 * math.log(50.0), num_tokens=3), 6)
    50.0
    """
    total_nll, num_tokens = float(total_nll), float(num_tokens)
    if not num_tokens > 0:
        raise ValueError(f"num_tokens must be positive, got {num_tokens}")
    if not math.isfinite(total_nll) or total_nll < 0:
        raise ValueError(f"total_nll must be a finite non-negative sum of token NLLs, got {total_nll}")
    try:
        return math.exp(total_nll / num_tokens)
    except OverflowError:
        return math.inf
