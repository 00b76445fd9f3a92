"""Data readers (TSV/CSV, CoNLL, parallel text, JSONL, SQuAD) returning validated examples or
`tf.data.Dataset`s, remote sources (`tfds:`, `hf:`), length-bucketed batching, and pretraining examples
(packed rows, BERT sentence pairs, T5 span corruption)."""

from zoo.data.batching import batch_dataset
from zoo.data.conll import conll_dataset, read_conll
from zoo.data.errors import DataError, SourceUnavailableError
from zoo.data.io import iter_lines, read_text
from zoo.data.jsonl import jsonl_dataset, read_jsonl, read_jsonl_references
from zoo.data.labels import LabelSet
from zoo.data.parallel import parallel_dataset, parallel_tsv_dataset, read_parallel, read_parallel_tsv
from zoo.data.pretraining import pack_documents, pack_sentence_pairs, sentence_pairs, tokenize_documents
from zoo.data.sources import load_source
from zoo.data.span_corruption import corrupt_spans, span_corruption_lengths, tokens_length_for_inputs
from zoo.data.squad import read_squad, squad_dataset
from zoo.data.tensors import to_dataset
from zoo.data.text import read_documents
from zoo.data.tsv import csv_dataset, read_csv, read_tsv, tsv_dataset

__all__ = [
    "DataError",
    "LabelSet",
    "SourceUnavailableError",
    "batch_dataset",
    "conll_dataset",
    "csv_dataset",
    "iter_lines",
    "jsonl_dataset",
    "load_source",
    "pack_documents",
    "pack_sentence_pairs",
    "parallel_dataset",
    "parallel_tsv_dataset",
    "read_conll",
    "read_csv",
    "read_documents",
    "read_jsonl",
    "read_jsonl_references",
    "read_parallel",
    "read_parallel_tsv",
    "read_squad",
    "read_text",
    "read_tsv",
    "sentence_pairs",
    "corrupt_spans",
    "span_corruption_lengths",
    "squad_dataset",
    "to_dataset",
    "tokenize_documents",
    "tokens_length_for_inputs",
    "tsv_dataset",
]
