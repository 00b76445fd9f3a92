"""The packaged sample data (tasks/<task>/) parses with the zoo readers and is what make_samples.py writes."""

import importlib.util
import re
import sys

from zoo.data import read_conll, read_jsonl, read_parallel_tsv, read_squad, read_tsv
from zoo.data import read_documents
from zoo.resources import resource_path


def load_generator():
    path = resource_path("tasks", "make_samples.py")
    spec = importlib.util.spec_from_file_location("make_samples", path)
    module = importlib.util.module_from_spec(spec)
    write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # No __pycache__ inside tasks/: the wheel ships that folder as data.
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = write_bytecode
    return module


def test_committed_samples_match_generator_and_stay_small():
    generator = load_generator()
    files = generator.build_files()
    total = 0
    for relative, text in files.items():
        path = resource_path("tasks", *relative.split("/"))
        assert path.read_text(encoding="utf-8") == text, f"{relative} is stale: run python tasks/make_samples.py"
        total += len(text.encode("utf-8"))
    assert total < 500_000
    assert generator.build_files(seed=7) != files  # The seed matters.


def test_sentiment_samples_are_balanced_and_learnable():
    generator = load_generator()
    for split, size in (("train", 400), ("dev", 100)):
        examples = read_tsv(resource_path("tasks", "sentiment", f"{split}.tsv"))
        assert len(examples) == size
        assert sum(example["label"] for example in examples) == size // 2
        positive = set(generator.POSITIVE_ADJECTIVES + generator.POSITIVE_VERBS)
        negative = set(generator.NEGATIVE_ADJECTIVES + generator.NEGATIVE_VERBS)
        for example in examples:
            words = set(example["text"].split())
            # The label is decided by the sentiment words alone: a bag-of-words rule gets 100%.
            assert bool(words & positive) == bool(example["label"]) and bool(words & negative) != bool(
                example["label"]), example


def test_ner_samples_are_valid_iob2():
    for split in ("train", "dev"):
        sentences = read_conll(resource_path("tasks", "ner", f"{split}.conll"))
        assert len(sentences) >= 80
        tags = {tag for sentence in sentences for tag in sentence["tags"]}
        assert tags == {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"}
        for sentence in sentences:
            previous = "O"
            for tag in sentence["tags"]:
                if tag.startswith("I-"):
                    assert previous[2:] == tag[2:], sentence  # I-X only continues an X entity.
                previous = tag


def test_qa_samples_answers_are_context_spans():
    for split, questions in (("train", 240), ("dev", 60)):
        examples = read_squad(resource_path("tasks", "qa", f"{split}.json"))  # Checks every answer_start.
        assert len(examples) == questions
        assert len({example["id"] for example in examples}) == questions
        for example in examples:
            start, text = example["answer_starts"][0], example["answer_texts"][0]
            assert example["context"][start:start + len(text)] == text
            assert not example["is_impossible"]


def test_translation_samples_follow_one_lexicon():
    generator = load_generator()
    lexicon = generator.zedish_lexicon(__import__("random").Random(generator.SEED))
    for split in ("train", "dev"):
        pairs = read_parallel_tsv(resource_path("tasks", "translation", f"{split}.tsv"))
        assert len(pairs) in (400, 100)
        for pair in pairs:
            source, target = pair["source"].split(), pair["target"].split()
            assert len(source) == len(target)
            assert sorted(target) == sorted(lexicon[word] for word in source)


def test_summarization_and_pretraining_samples():
    for split, size in (("train", 200), ("dev", 50)):
        examples = read_jsonl(resource_path("tasks", "summarization", f"{split}.jsonl"), "document", "summary")
        assert len(examples) == size
        for example in examples:
            name = re.match(r"^(\S+ \S+) ", example["target"]).group(1)
            assert name in example["source"] and len(example["target"]) < len(example["source"])
    documents = read_documents(resource_path("tasks", "pretraining", "corpus.txt"))
    assert len(documents) == 120 and all(5 <= len(document) <= 10 for document in documents)
