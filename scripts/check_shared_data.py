"""Reads every real dataset in ../shared/data with zoo's readers and checks the counts its README gives.

    python scripts/check_shared_data.py [--data ../shared/data]

A quality check, not a test (the data stays outside the repository). Prints one line per file; exits 1 if a
file fails to parse or its count differs from the README's.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from zoo.data import read_conll, read_jsonl, read_parallel, read_squad, read_tsv  # noqa: E402

CONLL_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
WIKIANN_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]

# (path relative to the data directory, reader, expected count from ../shared/data/README.md)
CHECKS = [
    *[(f"sentiment/sst2_sentences/{split}.tsv", read_tsv, n)
      for split, n in (("train", 6920), ("dev", 872), ("test", 1821))],
    *[(f"sentiment/uci_sentiment_sentences/{name}_labelled.txt", read_tsv, 1000)
      for name in ("amazon_cells", "imdb", "yelp")],
    *[(f"ner/conll2003/{name}", lambda p: read_conll(p, label_names=CONLL_TAGS), n)
      for name, n in (("train.txt.gz", 14041), ("valid.txt", 3250), ("test.txt", 3453))],
    *[(f"ner/wnut17/{split}.conll", read_conll, n) for split, n in (("train", 3394), ("dev", 1009), ("test", 1287))],
    *[(f"ner/wikiann_en/{split}.tsv", lambda p: read_conll(p, label_names=WIKIANN_TAGS, token_prefix="en:"), n)
      for split, n in (("train", 20000), ("dev", 10000), ("test", 10000))],
    *[(f"translation/multi30k/{stem}.en.gz", lambda p: read_parallel(p, p.replace(".en.gz", ".de.gz")), n)
      for stem, n in (("train", 29000), ("val", 1014), ("test_2016_flickr", 1000), ("test_2017_flickr", 1000))],
    *[(f"summarization/dialogsum/{name}", lambda p: read_jsonl(p, "dialogue", "summary" if "test" not in p
                                                                else "summary1"), n)
      for name, n in (("train.jsonl.gz", 12460), ("dev.jsonl", 500), ("test.jsonl", 500))],
    *[(f"summarization/aeslc/{name}", lambda p: read_jsonl(p, "email_body", "subject"), n)
      for name, n in (("train.jsonl.gz", 14436), ("dev.jsonl.gz", 1960), ("test.jsonl", 1906))],
    *[(f"summarization/scitldr_a/{name}", lambda p: read_jsonl(p, "source", "target"), n)
      for name, n in (("train.jsonl.gz", 1992), ("dev.jsonl", 619), ("test.jsonl", 618))],
    ("summarization/bbc_news_summary/bbc_news_summary.jsonl.gz", lambda p: read_jsonl(p, "article", "summary"), 2225),
    ("qa/squad_v1.1/dev-v1.1.json.gz", read_squad, 10570),
    ("qa/squad_v1.1/train-v1.1-subset-44articles.json.gz", read_squad, 11877),
    ("qa/xquad_en/xquad.en.json", read_squad, 1190),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
    parser.add_argument("--data", default=default, help="the shared data directory")
    args = parser.parse_args()
    failures = 0
    for relative, reader, expected in CHECKS:
        path = os.path.join(args.data, relative)
        start = time.perf_counter()
        try:
            count = len(reader(path))
        except Exception as error:  # report every file, then fail
            print(f"FAIL {relative}: {type(error).__name__}: {error}")
            failures += 1
            continue
        status = "ok  " if count == expected else "FAIL"
        failures += count != expected
        print(f"{status} {relative}: {count} examples (README: {expected}) in {time.perf_counter() - start:.1f}s")
    print(f"{len(CHECKS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
