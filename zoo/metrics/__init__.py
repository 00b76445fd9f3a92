"""Evaluation metrics for the recipes: pure Python/NumPy, no TensorFlow.

Conventions: `references` come before `predictions` in every function; corpus-level scores are in percent
(0-100), the per-example SQuAD functions return fractions in [0, 1] as the official script does.
`seqeval` and `rouge_score` are imported on first use, so `import zoo.metrics` stays cheap.

- classification: `accuracy`, `macro_f1`, `classification_scores` (per-class precision/recall/F1).
- entities: `entity_scores` (seqeval; IOB1, IOB2, BIOES), `tags_to_entities`, `iob1_to_iob2`.
"""

from zoo.metrics.classification import accuracy, classification_scores, macro_f1
from zoo.metrics.entities import SCHEMES, entity_scores, iob1_to_iob2, tags_to_entities

__all__ = [
    "SCHEMES",
    "accuracy",
    "classification_scores",
    "entity_scores",
    "iob1_to_iob2",
    "macro_f1",
    "tags_to_entities",
]
