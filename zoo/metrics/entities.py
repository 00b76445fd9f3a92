"""Entity-level precision/recall/F1 for tag sequences (a `seqeval` wrapper), entity spans, IOB1 -> IOB2.

An entity counts as correct only when its type, first word and last word all match a reference entity.
Three tagging schemes:

- `"IOB2"` (every entity starts with `B-`): seqeval's `mode="strict"` with `scheme=IOB2`. An `I-` tag that
  does not continue an entity of its own type (after `O`, at the start, after another type) is not part of
  any entity, so a prediction with a broken start earns nothing.
- `"BIOES"` (`B-`, `I-`, `E-` end, `S-` single word): `mode="strict"` with seqeval's `IOBES`. An entity
  must be a well-formed `S-X` or `B-X (I-X)* E-X`; anything else is dropped.
- `"IOB1"` (CoNLL-2003's original tagging: `I-` everywhere, `B-` only to start an entity right after
  another of the same type): seqeval's default mode, which follows conlleval.pl. An `I-X` after `O` or
  after another type starts an entity, a `B-X` always starts one, an `I-X` after `B-X`/`I-X` continues it:
  that is exactly how IOB1 is read. (seqeval's strict mode has an IOB1 class too, but it does not start an
  entity at a `B-` after `O`, and seqeval documents strict mode for IOB2/IOE2/IOBES only.) The same lenient
  reading applied to IOB2 data is what conlleval.pl reports; pass `"IOB2"` for the strict figure.

The NER data in /work/shared/data/ner is already IOB2: CoNLL-2003 (`conll2003/*`, re-tagged from the
original IOB1 release; no `I-` starts an entity in any split), WNUT-17 and WikiANN. Files in the original
IOB1 tagging can be converted with `iob1_to_iob2` before training.

Scores are in percent (0-100); with nothing to count (no predicted or no reference entity) a score is 0.

>>> references = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
>>> predictions = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
>>> scores = entity_scores(references, predictions, scheme="IOB2")
>>> round(scores["precision"], 2), round(scores["recall"], 2), round(scores["f1"], 2)
(66.67, 66.67, 66.67)
>>> scores["per_type"]["ORG"]
{'precision': 50.0, 'recall': 100.0, 'f1': 66.66666666666666, 'support': 1}
"""

import warnings

from zoo.metrics._inputs import as_list, paired_lists

SCHEMES = ("IOB1", "IOB2", "BIOES")
_PREFIXES = {"IOB1": ("B", "I"), "IOB2": ("B", "I"), "BIOES": ("B", "I", "E", "S")}


def _check_scheme(scheme):
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tagging scheme {scheme!r}: expected one of {', '.join(SCHEMES)}")


def _check_tags(tags, scheme, where):
    tags = as_list(tags, where)
    prefixes = _PREFIXES[scheme]
    for position, tag in enumerate(tags):
        valid = isinstance(tag, str) and (
            tag == "O" or (len(tag) > 2 and tag[0] in prefixes and tag[1] == "-"))
        if not valid:
            forms = ", ".join(f"'{prefix}-<type>'" for prefix in prefixes)
            raise ValueError(f"{where}, tag {position}: {tag!r} is not a {scheme} tag (expected 'O', {forms})")
    return tags


def _check_corpus(references, predictions, scheme):
    _check_scheme(scheme)
    references, predictions = paired_lists(references, predictions)
    for index, (reference, prediction) in enumerate(zip(references, predictions)):
        reference = _check_tags(reference, scheme, f"references[{index}]")
        prediction = _check_tags(prediction, scheme, f"predictions[{index}]")
        if len(reference) != len(prediction):
            raise ValueError(f"sentence {index}: references has {len(reference)} tags "
                             f"but predictions has {len(prediction)}")
        references[index], predictions[index] = reference, prediction
    return references, predictions


def _seqeval_options(scheme):
    # seqeval pulls in scikit-learn (about a second): imported when first used, not with zoo.metrics.
    from seqeval.scheme import IOB2, IOBES

    return {"IOB1": {"mode": None, "scheme": None},
            "IOB2": {"mode": "strict", "scheme": IOB2},
            "BIOES": {"mode": "strict", "scheme": IOBES}}[scheme]


def entity_scores(references, predictions, scheme="IOB2"):
    """Micro-averaged entity precision/recall/F1 and the same per entity type.

    Args:
        references: gold tag sequences, one list of tag strings per sentence.
        predictions: predicted tag sequences, each as long as its reference.
        scheme: `"IOB2"` (default), `"IOB1"` or `"BIOES"` (see the module docstring).

    Returns:
        `{"precision", "recall", "f1", "support", "per_type": {type: {"precision", "recall", "f1",
        "support"}}}`, scores in percent, `support` the number of reference entities. `per_type` lists
        every type seen in the references or the predictions, sorted by name.

    Raises:
        ValueError: naming the sentence and tag for a tag outside the scheme, or a length mismatch.
    """
    from seqeval.metrics import classification_report

    references, predictions = _check_corpus(references, predictions, scheme)
    with warnings.catch_warnings():  # seqeval averages an empty array when there is no entity at all
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(references, predictions, output_dict=True, zero_division=0,
                                       **_seqeval_options(scheme))

    def row(values):
        return {"precision": 100.0 * float(values["precision"]), "recall": 100.0 * float(values["recall"]),
                "f1": 100.0 * float(values["f1-score"]), "support": int(values["support"])}

    averages = ("micro avg", "macro avg", "weighted avg")
    types = sorted(name for name in report if name not in averages)
    if types:
        scores = row(report["micro avg"])
    else:
        scores = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    scores["per_type"] = {name: row(report[name]) for name in types}
    return scores


def tags_to_entities(tags, scheme="IOB2"):
    """The entities of one tag sequence as `(type, start, end)` word spans, read as `entity_scores` reads them.

    `end` is exclusive: the entity's words are `words[start:end]`.

    >>> tags_to_entities(["B-PER", "I-PER", "O", "I-LOC", "B-LOC"], scheme="IOB2")
    [('PER', 0, 2), ('LOC', 4, 5)]
    >>> tags_to_entities(["I-PER", "I-PER", "B-PER", "O", "I-LOC"], scheme="IOB1")
    [('PER', 0, 2), ('PER', 2, 3), ('LOC', 4, 5)]
    >>> tags_to_entities(["S-ORG", "B-PER", "E-PER", "B-LOC"], scheme="BIOES")
    [('ORG', 0, 1), ('PER', 1, 3)]
    """
    _check_scheme(scheme)
    tags = _check_tags(tags, scheme, "tags")
    options = _seqeval_options(scheme)
    if options["mode"] is None:
        from seqeval.metrics.sequence_labeling import get_entities

        return [(name, start, last + 1) for name, start, last in get_entities(tags)]
    from seqeval.scheme import Tokens

    return [(entity.tag, entity.start, entity.end) for entity in Tokens(tags, scheme=options["scheme"]).entities]


def iob1_to_iob2(tags):
    """Retags one IOB1 sequence as IOB2: an `I-X` that starts an entity becomes `B-X`.

    >>> iob1_to_iob2(["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG"])
    ['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC', 'B-ORG']
    """
    tags = _check_tags(tags, "IOB1", "tags")
    converted = []
    previous_type = None  # entity type of the previous word, None after O
    for tag in tags:
        entity_type = None if tag == "O" else tag[2:]
        if tag.startswith("I-") and entity_type != previous_type:
            tag = "B-" + entity_type
        converted.append(tag)
        previous_type = entity_type
    return converted
