"""SQuAD-format extractive QA files (SQuAD v1.1, v2.0, XQuAD, ...): one example per question."""

import json

import tensorflow as tf

from zoo.data.errors import DataError, quote
from zoo.data.io import read_text
from zoo.data.tensors import examples_to_dataset


def _get(node, key, kind, path, record, allow_empty=True):
    """`node[key]`, checked to be of type `kind`; DataError naming the record path otherwise."""
    where = f"{record}.{key}"
    if not isinstance(node, dict):
        raise DataError(path, "a JSON object", f"a JSON {type(node).__name__}", record=record)
    if key not in node:
        raise DataError(path, f"a key {key!r}", f"keys {sorted(node)}", record=where)
    value = node[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise DataError(path, f"a JSON {name}", f"{type(value).__name__} {quote(value)}", record=where)
    if not allow_empty and isinstance(value, str) and not value.strip():
        raise DataError(path, "a non-empty string", quote(value), record=where)
    return value


def read_squad(path):
    """Reads a SQuAD v1.1/v2.0 JSON file (optionally gzipped) into one validated example per question.

    Every answer is checked against its paragraph: `context[start:start + len(text)] == text`.
    Questions marked `is_impossible` (v2.0) must have no answers and get empty answer lists; every
    other question needs at least one answer. Question ids must be unique.

    Args:
        path: the `.json` or `.json.gz` file.

    Returns:
        A list of dicts `{"id", "title", "context", "question", "answer_texts": [str],
        "answer_starts": [int] (character offsets), "is_impossible": bool}`.

    Raises:
        DataError: naming the record path (e.g. `data[3].paragraphs[0].qas[5].answers[0].answer_start`)
            and, for answers, the question id: for a missing key, a wrong type, an answer that does not
            match the context at its offset, a duplicate id; for invalid JSON or UTF-8 it names the line.
    """
    text = read_text(path)
    try:
        root = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(path, "a JSON document", f"invalid JSON ({error.msg} at column {error.colno})",
                        line=error.lineno) from None
    if not isinstance(root, dict):
        raise DataError(path, "a JSON object with a 'data' list", f"a JSON {type(root).__name__}", record="(root)")
    articles = _get(root, "data", list, path, "(root)")
    examples = []
    seen_ids = {}
    for a, article in enumerate(articles):
        article_record = f"data[{a}]"
        title = _get(article, "title", str, path, article_record)
        paragraphs = _get(article, "paragraphs", list, path, article_record)
        for p, paragraph in enumerate(paragraphs):
            paragraph_record = f"{article_record}.paragraphs[{p}]"
            context = _get(paragraph, "context", str, path, paragraph_record, allow_empty=False)
            questions = _get(paragraph, "qas", list, path, paragraph_record)
            for q, qa in enumerate(questions):
                qa_record = f"{paragraph_record}.qas[{q}]"
                question_id = _get(qa, "id", str, path, qa_record, allow_empty=False)
                if question_id in seen_ids:
                    raise DataError(path, "a unique question id",
                                    f"{question_id!r}, already used at {seen_ids[question_id]}",
                                    record=f"{qa_record}.id")
                seen_ids[question_id] = qa_record
                question = _get(qa, "question", str, path, qa_record, allow_empty=False)
                is_impossible = _get(qa, "is_impossible", bool, path, qa_record) if "is_impossible" in qa else False
                answers = _get(qa, "answers", list, path, qa_record)
                if is_impossible and answers:
                    raise DataError(path, f"no answers for is_impossible question {question_id!r}",
                                    f"{len(answers)} answers", record=f"{qa_record}.answers")
                if not is_impossible and not answers:
                    raise DataError(path, f"at least one answer for question {question_id!r} (or is_impossible)",
                                    "an empty list", record=f"{qa_record}.answers")
                texts, starts = [], []
                for n, answer in enumerate(answers):
                    answer_record = f"{qa_record}.answers[{n}]"
                    answer_text = _get(answer, "text", str, path, answer_record, allow_empty=False)
                    start = _get(answer, "answer_start", int, path, answer_record)
                    span = context[start:start + len(answer_text)] if start >= 0 else None
                    if span != answer_text:
                        raise DataError(
                            path,
                            f"context[{start}:{start + len(answer_text)}] == {quote(answer_text)} "
                            f"for question {question_id!r} (answer_start {start})",
                            quote(span) if span is not None else "a negative offset",
                            record=f"{answer_record}.answer_start",
                        )
                    texts.append(answer_text)
                    starts.append(start)
                examples.append({
                    "id": question_id,
                    "title": title,
                    "context": context,
                    "question": question,
                    "answer_texts": texts,
                    "answer_starts": starts,
                    "is_impossible": is_impossible,
                })
    if not examples:
        raise DataError(path, "at least one question", "no questions", record="data")
    return examples


def squad_dataset(path):
    """`read_squad` as a `tf.data.Dataset`; `answer_texts`/`answer_starts` are variable-length per element."""
    spec = {
        "id": (tf.string, False),
        "title": (tf.string, False),
        "context": (tf.string, False),
        "question": (tf.string, False),
        "answer_texts": (tf.string, True),
        "answer_starts": (tf.int32, True),
        "is_impossible": (tf.bool, False),
    }
    return examples_to_dataset(read_squad(path), spec)
