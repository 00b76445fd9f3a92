"""The lead-N summarization baseline: the first N turns (lines) or sentences of the document, scored with ROUGE.

A document with several non-blank lines (a dialogue, one turn a line) is cut into its lines; otherwise into
sentences, ending at `.`, `!` or `?` followed by white space.

>>> lead_summary("Hi. How are you? Fine!", 2)
'Hi. How are you?'
>>> lead_summary("#Person1#: Hello.\\n#Person2#: Hi. Nice day.\\n#Person1#: Yes.", 2)
'#Person1#: Hello.\\n#Person2#: Hi. Nice day.'
"""

import re

from zoo.metrics.generation import rouge_scores

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def lead_units(document):
    """The document's turns (non-blank lines) when it has several, else its sentences."""
    lines = [line.strip() for line in document.splitlines() if line.strip()]
    if len(lines) > 1:
        return lines, "\n"
    return [part for part in _SENTENCE_END.split(document.strip()) if part], " "


def lead_summary(document, n):
    """The first `n` turns or sentences of `document`, joined as they were (newline or space)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    units, separator = lead_units(document)
    return separator.join(units[:n])


def lead_baseline(references, documents, n_choices=(1, 2, 3, 4), pick_by="rougeL", pick_references=None,
                  pick_documents=None):
    """ROUGE of the lead-N baseline, with N picked among `n_choices` by its `pick_by` F1 on the pick set (a dev
    split; the scored set itself when none is given).

    Returns:
        `(n, scores)`: the chosen N and `rouge_scores(references, lead-N summaries)`.
    """
    pick_references = references if pick_references is None else pick_references
    pick_documents = documents if pick_documents is None else pick_documents
    picked = max(n_choices, key=lambda n: rouge_scores(
        pick_references, [lead_summary(document, n) for document in pick_documents])[pick_by])
    return picked, rouge_scores(references, [lead_summary(document, picked) for document in documents])
