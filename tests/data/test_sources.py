import sys

import pytest

from zoo.data import DataError, SourceUnavailableError, load_source


def test_dispatch_by_extension(write_file):
    assert load_source(write_file("a.tsv.gz", "good\t1\n")) == [{"text": "good", "label": 1}]
    assert load_source(write_file("a.csv", '"x, y",0\n')) == [{"text": "x, y", "label": 0}]
    assert load_source(write_file("a.conll", "a O\n")) == [{"tokens": ["a"], "tags": ["O"]}]
    assert load_source(write_file("a.jsonl", '{"s": "x", "t": "y"}\n'), source_field="s",
                       target_field="t") == [{"source": "x", "target": "y"}]
    squad = '{"data": [{"title": "t", "paragraphs": [{"context": "abc", "qas": [{"id": "1", "question": "q?", ' \
            '"answers": [{"text": "b", "answer_start": 1}]}]}]}]}'
    assert load_source(write_file("s.json", squad))[0]["answer_texts"] == ["b"]


def test_dispatch_by_format(write_file):
    assert load_source(write_file("train.txt", "x y B-PER\n"), format="conll") == [
        {"tokens": ["x"], "tags": ["B-PER"]}]
    source = write_file("a.en", "hi\n")
    target = write_file("a.de", "hallo\n")
    assert load_source(source, format="parallel", target_path=target) == [{"source": "hi", "target": "hallo"}]
    assert load_source(write_file("p.txt", "hi\thallo\n"), format="parallel_tsv") == [
        {"source": "hi", "target": "hallo"}]


def test_local_errors(tmp_path, write_file):
    with pytest.raises(ValueError, match=r"extension '\.txt'.*format="):
        load_source(write_file("x.txt", "a\t1\n"))
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        load_source(write_file("y.txt", "a\n"), format="xml")
    with pytest.raises(FileNotFoundError, match="missing.tsv"):
        load_source(str(tmp_path / "missing.tsv"))
    with pytest.raises(DataError, match=r"bad\.tsv, line 1"):
        load_source(write_file("bad.tsv", "a\tb\n"))
    with pytest.raises(ValueError, match="needs target_path"):
        load_source(write_file("z.en", "a\n"), format="parallel")


def test_malformed_remote_specs():
    with pytest.raises(ValueError, match=r"tfds:NAME\[/config\]:split"):
        load_source("tfds:glue/sst2")
    with pytest.raises(ValueError, match="hf:NAME:split"):
        load_source("hf:imdb")


def test_tfds_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # makes `import` raise ImportError
    with pytest.raises(SourceUnavailableError,
                       match=r"tfds:glue/sst2 needs network access to download .*package tensorflow_datasets"):
        load_source("tfds:glue/sst2:train")


def test_hf_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(SourceUnavailableError, match=r"hf:stanfordnlp/sst2 needs network access.*package datasets"):
        load_source("hf:stanfordnlp/sst2:train")


def test_tfds_offline_not_prepared(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    with pytest.raises(SourceUnavailableError,
                       match=r"tfds:glue/sst2 needs network access to download .*not prepared.*download=False"):
        load_source("tfds:glue/sst2:train", data_dir=str(tmp_path), download=False)
