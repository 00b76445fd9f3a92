"""`load_source`: one entry point for local files, TensorFlow Datasets (`tfds:`) and the HF Hub (`hf:`)."""

import os

import numpy as np

from zoo.data.conll import read_conll
from zoo.data.errors import DataError, SourceUnavailableError
from zoo.data.jsonl import read_jsonl
from zoo.data.parallel import read_parallel, read_parallel_tsv
from zoo.data.squad import read_squad
from zoo.data.tsv import read_csv, read_tsv

READERS = {
    "tsv": read_tsv,
    "csv": read_csv,
    "conll": read_conll,
    "parallel": read_parallel,
    "parallel_tsv": read_parallel_tsv,
    "jsonl": read_jsonl,
    "squad": read_squad,
}

EXTENSIONS = {
    ".tsv": "tsv",
    ".csv": "csv",
    ".conll": "conll",
    ".conllu": "conll",
    ".iob": "conll",
    ".bio": "conll",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "squad",
}


def _format_of(path):
    name = os.path.basename(str(path))
    if name.endswith(".gz"):
        name = name[:-3]
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        raise ValueError(
            f"cannot tell the format of {path} from its extension {extension!r}; pass format= one of "
            f"{sorted(READERS)} (known extensions: {sorted(EXTENSIONS)})"
        )
    return EXTENSIONS[extension]


def _split_spec(spec, scheme, example):
    rest = spec[len(scheme) + 1:]
    name, sep, split = rest.partition(":")
    if not name or not sep or not split:
        raise ValueError(f"{spec!r}: expected {example}")
    return name, split


def _to_python(value, where):
    """tfds numpy values -> plain Python (bytes are decoded as UTF-8)."""
    if isinstance(value, dict):
        return {key: _to_python(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise DataError(where.split("[", 1)[0], "UTF-8 text", f"invalid bytes {value[:40]!r}",
                            record=where) from None
    if isinstance(value, np.ndarray):
        return [_to_python(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _load_tfds(spec, data_dir=None, download=True, limit=None):
    name, split = _split_spec(spec, "tfds", "tfds:NAME[/config]:split, e.g. tfds:glue/sst2:train")
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise SourceUnavailableError(
            f"tfds:{name} needs network access to download its data and the package tensorflow_datasets "
            f"(pip install tensorflow-datasets), which is not importable here ({error}); "
            "or use a local file path instead"
        ) from error
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as error:  # an unknown name may need the network to look up community datasets
        raise SourceUnavailableError(
            f"tfds:{name} was not found by the package tensorflow_datasets (community datasets need network "
            f"access to download their definition): {type(error).__name__}: {error}"
        ) from error
    if not builder.is_prepared():
        if not download:
            raise SourceUnavailableError(
                f"tfds:{name} needs network access to download its data (package tensorflow_datasets); "
                f"it is not prepared in {builder.data_dir} and download=False"
            )
        try:
            builder.download_and_prepare()
        except Exception as error:
            raise SourceUnavailableError(
                f"tfds:{name} needs network access to download its data (package tensorflow_datasets), "
                f"which failed: {type(error).__name__}: {error}; prepare it where there is network and "
                "pass data_dir=, or use a local file path"
            ) from error
    dataset = builder.as_dataset(split=split)
    if limit is not None:
        dataset = dataset.take(limit)
    return [_to_python(example, f"tfds:{name}:{split}[{index}]")
            for index, example in enumerate(tfds.as_numpy(dataset))]


def _load_hf(spec, config=None, cache_dir=None, limit=None):
    name, split = _split_spec(spec, "hf", "hf:NAME:split, e.g. hf:stanfordnlp/sst2:train")
    try:
        import datasets
    except ImportError as error:
        raise SourceUnavailableError(
            f"hf:{name} needs network access to download from the Hugging Face Hub and the package datasets "
            f"(pip install datasets), which is not importable here ({error}); or use a local file path instead"
        ) from error
    try:
        rows = datasets.load_dataset(name, config, split=split, cache_dir=cache_dir)
    except Exception as error:
        raise SourceUnavailableError(
            f"hf:{name} needs network access to download from the Hugging Face Hub (package datasets) unless "
            f"it is cached; loading failed: {type(error).__name__}: {error}"
        ) from error
    examples = []
    for index, row in enumerate(rows):
        if limit is not None and index >= limit:
            break
        examples.append(dict(row))
    return examples


def load_source(spec, format=None, **kwargs):
    """Loads examples from a local file or a named remote dataset, as a list of dicts.

    Args:
        spec: one of
            - a local path: dispatched on `format`, or else on the extension (`.gz` ignored):
              `.tsv`, `.csv`, `.conll`/`.conllu`/`.iob`/`.bio`, `.jsonl`/`.ndjson`, `.json` (SQuAD);
            - `tfds:NAME[/config]:split` (TensorFlow Datasets; kwargs `data_dir`, `download`, `limit`);
            - `hf:NAME:split` (Hugging Face `datasets`; kwargs `config`, `cache_dir`, `limit`).
        format: for local paths, one of `tsv, csv, conll, parallel, parallel_tsv, jsonl, squad`.
            `parallel` reads `spec` as the source file and needs `target_path=`.
        **kwargs: passed to the reader (e.g. `label_names`, `source_field`, `token_prefix`).

    Returns:
        A list of dicts: the reader's validated examples for local files; the dataset's own fields
        (strings decoded, numpy converted to Python) for `tfds:`/`hf:`.

    Raises:
        SourceUnavailableError: a remote source whose package is missing or whose download fails
            (this machine has no network), e.g. "tfds:NAME needs network access to download ...".
        FileNotFoundError, DataError: for local files (see the readers).
        ValueError: an unknown format or extension, or a malformed `tfds:`/`hf:` spec.

    Example:
    ```python
    examples = load_source("data/dev.tsv", label_names=["negative", "positive"])
    examples = load_source("data/train.txt.gz", format="conll")
    ```
    """
    spec = os.fspath(spec)
    if spec.startswith("tfds:"):
        return _load_tfds(spec, **kwargs)
    if spec.startswith("hf:"):
        return _load_hf(spec, **kwargs)
    if format is None:
        if not os.path.exists(spec):
            raise FileNotFoundError(2, f"data file not found: {spec}", spec)
        format = _format_of(spec)
    if format not in READERS:
        raise ValueError(f"unknown format {format!r}; expected one of {sorted(READERS)}")
    if format == "parallel":
        if "target_path" not in kwargs:
            raise ValueError("format='parallel' needs target_path= (the line-aligned target-language file)")
        return read_parallel(spec, kwargs.pop("target_path"), **kwargs)
    return READERS[format](spec, **kwargs)
