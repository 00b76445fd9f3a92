"""CoNLL-style token classification files: one `token ... tag` line per token, blank line between sentences."""

import re

import tensorflow as tf

from zoo.data.errors import DataError, quote
from zoo.data.io import iter_lines
from zoo.data.labels import LabelSet
from zoo.data.tensors import examples_to_dataset

_DOCSTART = "-DOCSTART-"
# Characters that real files leave on otherwise blank lines (WNUT-17 dev ends with a BOM-only line).
_INVISIBLE = "\ufeff\u200b\u200e\u200f\u2060"
_DROP_INVISIBLE = str.maketrans("", "", _INVISIBLE)


def _is_blank(line):
    return not line.translate(_DROP_INVISIBLE).strip()


def read_conll(path, token_column=0, tag_column=-1, delimiter=None, label_names=None, token_prefix=None,
               tag_pattern=None):
    """Reads a CoNLL file (CoNLL-2003, WNUT-17, WikiANN, ...) into validated sentences.

    `-DOCSTART-` lines are skipped; a blank line (also one holding only a byte-order mark or another
    invisible character) ends a sentence; the last sentence needs no trailing blank line. Any number
    of columns is accepted, but it must be the same on every token line of the file.

    Args:
        path: the file; a name ending in `.gz` is decompressed on the fly.
        token_column: index of the token column (negative counts from the end).
        tag_column: index of the tag column (default: the last one).
        delimiter: the column separator; None splits on any run of whitespace.
        label_names: optional list of tag names; any other tag raises `DataError`.
        token_prefix: a prefix every token carries and that is stripped, e.g. `"en:"` for WikiANN.
        tag_pattern: optional regular expression every tag must match in full (e.g. IOB tags).

    Returns:
        A list of dicts `{"tokens": [str], "tags": [str]}`, one per sentence.

    Raises:
        DataError: naming the file and line, for an inconsistent column count, an empty token, a tag
            outside `label_names` or not matching `tag_pattern`, a token without `token_prefix`, an empty file or
            invalid UTF-8.
    """
    labels = LabelSet(label_names) if label_names is not None else None
    num_columns = None
    first_token_line = None
    sentences = []
    tokens, tags = [], []
    for line_number, line in iter_lines(path):
        if _is_blank(line):
            if tokens:
                sentences.append({"tokens": tokens, "tags": tags})
                tokens, tags = [], []
            continue
        columns = line.split(delimiter)
        if columns[0].translate(_DROP_INVISIBLE).strip() == _DOCSTART:
            continue
        if num_columns is None:
            num_columns, first_token_line = len(columns), line_number
            if not (-num_columns <= token_column < num_columns and -num_columns <= tag_column < num_columns):
                raise DataError(path, f"columns {token_column} (token) and {tag_column} (tag) to exist",
                                f"{num_columns} columns", line=line_number)
            if num_columns < 2:
                raise DataError(path, "at least 2 columns (token and tag)", f"1 column: {quote(line)}",
                                line=line_number)
        elif len(columns) != num_columns:
            raise DataError(path, f"{num_columns} columns, as on line {first_token_line}",
                            f"{len(columns)} columns: {quote(line)}", line=line_number)
        token = columns[token_column]
        if token_prefix is not None:
            if not token.startswith(token_prefix):
                raise DataError(path, f"a token starting with {token_prefix!r}", quote(token), line=line_number,
                                field=f"column {token_column} (token)")
            token = token[len(token_prefix):]
        if not token.strip():
            raise DataError(path, "a non-empty token", quote(columns[token_column]), line=line_number,
                            field=f"column {token_column} (token)")
        tag = columns[tag_column].strip()
        if tag_pattern is not None and not re.fullmatch(tag_pattern, tag):
            raise DataError(path, f"a tag matching {tag_pattern}", quote(tag), line=line_number,
                            field=f"column {tag_column} (tag)")
        if labels is not None and tag not in labels:
            labels.id_of(tag, path, line=line_number, field=f"column {tag_column} (tag)", allow_ids=False)
        tokens.append(token)
        tags.append(tag)
    if tokens:
        sentences.append({"tokens": tokens, "tags": tags})
    if not sentences:
        raise DataError(path, "at least one sentence", "no token lines", line=1)
    return sentences


def conll_dataset(path, token_column=0, tag_column=-1, delimiter=None, label_names=None, token_prefix=None):
    """`read_conll` as a `tf.data.Dataset` of `{"tokens": tf.string[None], "tags": ...[None]}`.

    `tags` holds int32 tag ids when `label_names` is given, else the tag strings. Each element has its
    own length; batch with `batch_dataset` (padded) or `ragged_batch`.
    """
    sentences = read_conll(path, token_column=token_column, tag_column=tag_column, delimiter=delimiter,
                           label_names=label_names, token_prefix=token_prefix)
    if label_names is None:
        return examples_to_dataset(sentences, {"tokens": (tf.string, True), "tags": (tf.string, True)})
    ids = {name: index for index, name in enumerate(label_names)}
    examples = [{"tokens": s["tokens"], "tags": [ids[tag] for tag in s["tags"]]} for s in sentences]
    return examples_to_dataset(examples, {"tokens": (tf.string, True), "tags": (tf.int32, True)})
