import json

import pytest

from zoo.data import DataError, jsonl_dataset, read_jsonl, read_jsonl_references


def lines(*records):
    return "".join(json.dumps(record) + "\n" for record in records)


@pytest.mark.parametrize("name", ["dev.jsonl", "dev.jsonl.gz"])
def test_read_jsonl(write_file, name):
    path = write_file(name, lines({"dialogue": "A: hi\nB: hello", "summary": "They greet.", "topic": "x"},
                                       {"dialogue": "A: bye", "summary": "A leaves.", "topic": "y"}) + "\n")
    assert read_jsonl(path, "dialogue", "summary") == [
        {"source": "A: hi\nB: hello", "target": "They greet."},
        {"source": "A: bye", "target": "A leaves."},
    ]


def test_list_fields_are_joined_and_extra_fields_kept(write_file):
    path = write_file("sci.jsonl", lines({"source": ["First.", "Second."], "target": ["TLDR."], "ann0": "x"}))
    assert read_jsonl(path, "source", "target", extra_fields=("ann0",)) == [
        {"source": "First. Second.", "target": "TLDR.", "ann0": "x"}
    ]


def test_bad_json(write_file):
    path = write_file("x.jsonl", lines({"a": "1", "b": "2"}) + '{"a": "1", "b": \n')
    with pytest.raises(DataError) as info:
        read_jsonl(path, "a", "b")
    message = str(info.value)
    assert path in message and "line 2" in message and "invalid JSON" in message


def test_missing_field(write_file):
    path = write_file("x.jsonl.gz", lines({"a": "1", "b": "2"}, {"a": "1"}))
    with pytest.raises(DataError) as info:
        read_jsonl(path, "a", "b")
    message = str(info.value)
    assert path in message and "line 2" in message and "field 'b'" in message and "fields ['a']" in message


def test_wrong_type_and_empty(write_file):
    expected = r"line 1, field 'b': expected a string or a non-empty list of strings, found int 3"
    with pytest.raises(DataError, match=expected):
        read_jsonl(write_file("t.jsonl", lines({"a": "x", "b": 3})), "a", "b")
    with pytest.raises(DataError, match=r"field 'b'.*found list \['x', 1\]"):
        read_jsonl(write_file("l.jsonl", lines({"a": "x", "b": ["x", 1]})), "a", "b")
    with pytest.raises(DataError, match=r"line 1, field 'a': expected a non-empty text"):
        read_jsonl(write_file("e.jsonl", lines({"a": " ", "b": "y"})), "a", "b")
    with pytest.raises(DataError, match=r"line 1: expected a JSON object, found a JSON list"):
        read_jsonl(write_file("arr.jsonl", "[1, 2]\n"), "a", "b")


def test_empty_missing_bad_utf8(tmp_path, write_file):
    with pytest.raises(DataError, match="empty file"):
        read_jsonl(write_file("empty.jsonl", ""), "a", "b")
    with pytest.raises(FileNotFoundError, match="gone.jsonl"):
        read_jsonl(str(tmp_path / "gone.jsonl"), "a", "b")
    with pytest.raises(DataError, match=r"line 1: expected UTF-8"):
        read_jsonl(write_file("bad.jsonl", b'{"a": "\xff"}\n'), "a", "b")


def test_jsonl_dataset(write_file):
    path = write_file("x.jsonl", lines({"a": "in", "b": "out"}))
    (element,) = list(jsonl_dataset(path, "a", "b"))
    assert element["source"].numpy() == b"in" and element["target"].numpy() == b"out"


def test_several_references_per_record(write_file):
    path = write_file("test.jsonl", lines({"dialogue": "A: hi", "summary1": "One.", "summary2": ["Two", "parts."]},
                                          {"dialogue": "B: yo", "summary": "Only."}))
    assert read_jsonl_references(path, "dialogue", ("summary", "summary1", "summary2", "summary3")) == [
        {"source": "A: hi", "references": ["One.", "Two parts."]},
        {"source": "B: yo", "references": ["Only."]},
    ]


def test_record_without_any_reference(write_file):
    path = write_file("test.jsonl", lines({"dialogue": "A: hi", "summary1": "One."}, {"dialogue": "B: yo"}))
    with pytest.raises(DataError) as info:
        read_jsonl_references(path, "dialogue", ["summary1", "summary2"])
    message = str(info.value)
    assert f"{path}, line 2" in message and "['summary1', 'summary2']" in message and "['dialogue']" in message
    with pytest.raises(DataError, match=r"line 1, field 'summary1': expected a non-empty text"):
        read_jsonl_references(write_file("e.jsonl", lines({"d": "x", "summary1": " "})), "d", ["summary1"])
    with pytest.raises(ValueError, match="at least one field"):
        read_jsonl_references(path, "dialogue", [])
