"""Plain-text corpora for pretraining: documents of non-blank lines, separated by blank lines."""

from zoo.data.errors import DataError
from zoo.data.io import iter_lines


def read_documents(path):
    """Reads UTF-8 text (`.gz` too) into documents: lists of stripped non-blank lines; blank lines separate
    documents. A file with no text raises `DataError`; invalid UTF-8 names the line."""
    documents, current = [], []
    for _, line in iter_lines(path):
        if line.strip():
            current.append(line.strip())
        elif current:
            documents.append(current)
            current = []
    if current:
        documents.append(current)
    if not documents:
        raise DataError(path, "at least one non-blank line of text", "only blank lines", line=1)
    return documents
