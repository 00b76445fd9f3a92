"""Evaluation metrics for the recipes: pure Python/NumPy, no TensorFlow.

Conventions: `references` come before `predictions` in every function; corpus-level scores are in percent
(0-100), the per-example SQuAD functions return fractions in [0, 1] as the official script does.
`seqeval` and `rouge_score` are imported on first use, so `import zoo.metrics` stays cheap.

- classification: `accuracy`, `macro_f1`, `classification_scores` (per-class precision/recall/F1).
- entities: `entity_scores` (seqeval; IOB1, IOB2, BIOES), `tags_to_entities`, `iob1_to_iob2`.
- squad: `normalize_answer`, `exact_match`, `token_f1`, `squad_scores`, `find_best_threshold`,
  `apply_no_answer_threshold` (official SQuAD v1.1/v2.0 behaviour).
- generation: `corpus_bleu` (sacreBLEU score and signature), `rouge_scores` (ROUGE-1/2/L F1, stemmed,
  several references), `perplexity`.
"""

from zoo.metrics.classification import accuracy, classification_scores, macro_f1
from zoo.metrics.entities import SCHEMES, entity_scores, iob1_to_iob2, tags_to_entities
from zoo.metrics.generation import BleuResult, corpus_bleu, perplexity, rouge_scores
from zoo.metrics.squad import (
    apply_no_answer_threshold,
    exact_match,
    find_best_threshold,
    normalize_answer,
    squad_scores,
    token_f1,
)

__all__ = [
    "SCHEMES",
    "BleuResult",
    "accuracy",
    "apply_no_answer_threshold",
    "classification_scores",
    "corpus_bleu",
    "entity_scores",
    "exact_match",
    "find_best_threshold",
    "iob1_to_iob2",
    "macro_f1",
    "normalize_answer",
    "perplexity",
    "rouge_scores",
    "squad_scores",
    "tags_to_entities",
    "token_f1",
]
