import copy
import json

import pytest

from zoo.data import DataError, read_squad, squad_dataset

CONTEXT = "The Broncos beat the Panthers 24-10 in Super Bowl 50."
SQUAD_V1 = {
    "version": "1.1",
    "data": [
        {"title": "Super_Bowl_50", "paragraphs": [{"context": CONTEXT, "qas": [
            {"id": "q1", "question": "Who won?", "answers": [
                {"text": "The Broncos", "answer_start": 0}, {"text": "Broncos", "answer_start": 4}]},
            {"id": "q2", "question": "What was the score?", "answers": [{"text": "24-10", "answer_start": 30}]},
        ]}]},
    ],
}


def squad_v2():
    data = copy.deepcopy(SQUAD_V1)
    data["version"] = "v2.0"
    for qa in data["data"][0]["paragraphs"][0]["qas"]:
        qa["is_impossible"] = False
    data["data"][0]["paragraphs"][0]["qas"].append({
        "id": "q3", "question": "Who lost the Super Bowl 51?", "answers": [], "is_impossible": True,
        "plausible_answers": [{"text": "the Panthers", "answer_start": 17}],
    })
    return data


@pytest.mark.parametrize("name", ["dev-v1.1.json", "dev-v1.1.json.gz"])
def test_read_squad_v1(write_file, name):
    examples = read_squad(write_file(name, json.dumps(SQUAD_V1)))
    assert examples[0] == {
        "id": "q1", "title": "Super_Bowl_50", "context": CONTEXT, "question": "Who won?",
        "answer_texts": ["The Broncos", "Broncos"], "answer_starts": [0, 4], "is_impossible": False,
    }
    assert examples[1]["answer_texts"] == ["24-10"] and examples[1]["answer_starts"] == [30]


def test_read_squad_v2_impossible(write_file):
    examples = read_squad(write_file("dev-v2.0.json", json.dumps(squad_v2())))
    assert [e["is_impossible"] for e in examples] == [False, False, True]
    assert examples[2]["answer_texts"] == [] and examples[2]["answer_starts"] == []


def test_answer_offset_not_matching_context(write_file):
    data = copy.deepcopy(SQUAD_V1)
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"] = 31
    path = write_file("bad.json", json.dumps(data))
    with pytest.raises(DataError) as info:
        read_squad(path)
    message = str(info.value)
    assert path in message
    assert "data[0].paragraphs[0].qas[1].answers[0].answer_start" in message
    assert "'q2'" in message and "answer_start 31" in message and "found '4-10 '" in message


def test_offset_past_end_and_negative(write_file):
    for start in (len(CONTEXT) - 2, -1):
        data = copy.deepcopy(SQUAD_V1)
        data["data"][0]["paragraphs"][0]["qas"][0]["answers"][1]["answer_start"] = start
        with pytest.raises(DataError, match=r"qas\[0\]\.answers\[1\]\.answer_start.*'q1'"):
            read_squad(write_file("bad.json", json.dumps(data)))


def test_missing_keys_name_record_path(write_file):
    data = copy.deepcopy(SQUAD_V1)
    del data["data"][0]["paragraphs"][0]["qas"][1]["answers"][0]["answer_start"]
    with pytest.raises(DataError) as info:
        read_squad(write_file("x.json", json.dumps(data)))
    assert "record data[0].paragraphs[0].qas[1].answers[0].answer_start" in str(info.value)
    data = copy.deepcopy(SQUAD_V1)
    del data["data"][0]["paragraphs"][0]["context"]
    with pytest.raises(DataError, match=r"record data\[0\]\.paragraphs\[0\]\.context: expected a key 'context'"):
        read_squad(write_file("y.json", json.dumps(data)))
    with pytest.raises(DataError, match=r"record \(root\)\.data"):
        read_squad(write_file("z.json", json.dumps({"version": "1.1"})))


def test_wrong_types_and_consistency(write_file):
    data = copy.deepcopy(SQUAD_V1)
    data["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["answer_start"] = "0"
    with pytest.raises(DataError, match=r"answers\[0\]\.answer_start: expected a JSON int, found str '0'"):
        read_squad(write_file("a.json", json.dumps(data)))
    data = squad_v2()
    data["data"][0]["paragraphs"][0]["qas"][2]["answers"] = [{"text": "the Panthers", "answer_start": 17}]
    with pytest.raises(DataError, match=r"qas\[2\]\.answers: expected no answers for is_impossible question 'q3'"):
        read_squad(write_file("b.json", json.dumps(data)))
    data = copy.deepcopy(SQUAD_V1)
    data["data"][0]["paragraphs"][0]["qas"][1]["answers"] = []
    with pytest.raises(DataError, match=r"qas\[1\]\.answers: expected at least one answer for question 'q2'"):
        read_squad(write_file("c.json", json.dumps(data)))
    data = copy.deepcopy(SQUAD_V1)
    data["data"][0]["paragraphs"][0]["qas"][1]["id"] = "q1"
    with pytest.raises(DataError, match=r"qas\[1\]\.id: expected a unique question id"):
        read_squad(write_file("d.json", json.dumps(data)))


def test_bad_json_empty_missing_bad_utf8(tmp_path, write_file):
    with pytest.raises(DataError, match=r"bad\.json, line 3: expected a JSON document, found invalid JSON"):
        read_squad(write_file("bad.json", '{\n "data": [\n oops]\n}\n'))
    with pytest.raises(DataError, match="empty file"):
        read_squad(write_file("empty.json.gz", ""))
    with pytest.raises(FileNotFoundError, match="absent.json"):
        read_squad(str(tmp_path / "absent.json"))
    with pytest.raises(DataError, match=r"line 2: expected UTF-8"):
        read_squad(write_file("utf.json", b'{"data":\n "\xff"}'))


def test_squad_dataset(write_file):
    dataset = squad_dataset(write_file("v2.json", json.dumps(squad_v2())))
    elements = list(dataset)
    assert elements[0]["answer_starts"].numpy().tolist() == [0, 4]
    assert elements[2]["answer_texts"].shape == (0,) and bool(elements[2]["is_impossible"])
