"""Extractive question answering recipe: a BERT-style encoder + `SpanExtractor`, SQuAD v1.1 and v2.0.

    python -m zoo.recipes.qa --config recipes/qa/bert_tiny.yaml [--epochs 1 ...]
    python -m zoo.recipes.qa --config recipes/qa/minilm_squad.yaml

Data: SQuAD JSON (`.json` or `.json.gz`); every answer is checked against its context (an offset that does not
match is an error naming the record). Long contexts are cut into windows overlapping by `doc_stride` tokens;
the answer is the best valid span over all windows (start <= end, at most `max_answer_length` tokens, inside the
context), mapped back to character offsets of the original context. With unanswerable questions (v2.0) a
no-answer threshold is tuned on dev and exported. Metric: official SQuAD exact match and F1 on dev.
Export: question and context in; answer, character offsets, score (and has_answer) out.
"""

import dataclasses
import sys

from zoo.recipes.common import (
    export_location, load_split, padded_lengths, report_sizes, run_cli, start_model, vocabulary_saver)
from zoo.training.config import RecipeConfig, option, parse_config

PROG = "python -m zoo.recipes.qa"


@dataclasses.dataclass
class QaConfig(RecipeConfig):
    """Extractive question answering from SQuAD v1.1 / v2.0 JSON files."""

    train: str = option("tasks/qa/train.json", "training SQuAD JSON (.json or .json.gz)")
    dev: str = option("tasks/qa/dev.json", "evaluation SQuAD JSON (.json or .json.gz)")
    max_sequence_length: int = option(128, "tokens per window: [CLS] question [SEP] context part [SEP]")
    doc_stride: int = option(32, "overlap in tokens between windows of a long context")
    max_question_length: int = option(32, "question tokens kept")
    max_answer_length: int = option(16, "longest answer span, in tokens, considered at prediction")
    lowercase: bool = option(False, "lower-case texts (a vocabulary trained here, or a bare vocab.txt)")
    output_dir: str = option("runs/qa", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/qa", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")


def load_data(config):
    """The splits: one example per question (`read_squad`), answers validated against their contexts."""
    from zoo.data import read_squad

    data = {"train": load_split(config, "train", read_squad, limit=config.max_train_examples)}
    for split in ("dev", "test"):
        if split == "dev" or config.test:
            data[split] = load_split(config, split, read_squad)
    return data


def features(preprocessor, examples):
    """A FeatureTable of windows: BERT inputs, context character offsets, answer positions, the example."""
    import tensorflow as tf

    from zoo.training.batches import FeatureTable

    starts = [example["answer_starts"][0] if example["answer_starts"] else -1 for example in examples]
    columns = {"question": [example["question"] for example in examples],
               "context": [example["context"] for example in examples], "answer_start": starts,
               "answer_end": [start + len(e["answer_texts"][0]) if start >= 0 else -1 for start, e in
                              zip(starts, examples)], "index": list(range(len(examples)))}

    def preprocess(batch):
        windows = preprocessor(batch["question"], batch["context"], batch["answer_start"], batch["answer_end"])
        return {**windows, "example": tf.gather(batch["index"], windows["example"])}

    return FeatureTable.from_dataset(tf.data.Dataset.from_tensor_slices(columns).batch(128).map(preprocess))


def main(argv=None):
    import numpy as np

    from zoo.export import export
    from zoo.metrics import apply_no_answer_threshold, squad_scores
    from zoo.models import SpanExtractor
    from zoo.models.bert.bert_span_extractor_preprocessor import BertSpanExtractorPreprocessor, best_spans
    from zoo.training.evaluation import Predictor
    from zoo.training.files import write_json
    from zoo.training.runner import Recipe, check_config, run

    config = parse_config(QaConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    data = load_data(config)
    report_sizes(data, unit="questions")
    version_2 = any(example["is_impossible"] for examples in data.values() for example in examples)
    texts = [text for example in data["train"] for text in (example["question"], example["context"])]
    start, build_backbone = start_model(config, texts)
    preprocessor = BertSpanExtractorPreprocessor(start.tokenizer, config.max_sequence_length, config.doc_stride,
                                                 config.max_question_length)
    tables = {split: features(preprocessor, examples) for split, examples in data.items()}
    threshold = {}

    def decode(logits, batch):
        return best_spans(logits["start_logits"], logits["end_logits"], batch["token_starts"], batch["token_ends"],
                          config.max_answer_length)

    predictor = Predictor(config.eval_batch_size, padded_lengths(config), config.jit_compile, decode=decode)

    def evaluate(model, split):
        examples = data[split]
        best = np.full(len(examples), -np.inf)
        null = np.full(len(examples), np.inf)
        spans = np.full((len(examples), 2), -1)
        for batch, windows in predictor(model, tables[split]):
            for example, score, null_score, begin, end in zip(batch["example"], windows["score"],
                                                              windows["null_score"], windows["start"], windows["end"]):
                null[example] = min(null[example], null_score)
                if score > best[example]:
                    best[example], spans[example] = score, (begin, end)
        answers = {e["id"]: e["context"][b:f] if b >= 0 else "" for e, (b, f) in zip(examples, spans)}
        references = {example["id"]: example["answer_texts"] for example in examples}
        if not version_2:
            write_json(f"{config.output_dir}/predictions_{split}.json", answers)
            scores = squad_scores(references, answers)
            return {"f1": scores["f1"], "exact": scores["exact"]}
        margins = {example["id"]: float(n - b) for example, n, b in zip(examples, null, best)}  # > threshold: none
        scores = squad_scores(references, answers, no_answer_probabilities=margins)
        above = [margin for margin in margins.values() if margin > scores["best_f1_thresh"]]  # the same decisions,
        threshold[split] = (scores["best_f1_thresh"] + min(above, default=scores["best_f1_thresh"] + 2)) / 2  # no ties
        write_json(f"{config.output_dir}/predictions_{split}.json",
                   apply_no_answer_threshold(answers, margins, scores["best_f1_thresh"]))
        return {"f1": scores["best_f1"], "exact": scores["best_exact"], "f1_answering_all": scores["f1"],
                "no_answer_threshold": -threshold[split]}

    def demo(path):
        import tensorflow as tf

        examples = data["dev"][:3]
        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        answers = serve(question=tf.constant([e["question"] for e in examples]),
                        context=tf.constant([e["context"] for e in examples]))
        return [f"{e['question']!r} -> {answer.decode()!r} ({start}-{end}, {score:.2f}; gold {e['answer_texts'][:1]})"
                for e, answer, start, end, score in zip(examples, *(answers[key].numpy() for key in
                                                                     ("answer", "start", "end", "score")))]

    def export_model(model):
        null_threshold = -threshold["dev"] if version_2 else None
        return export(model, preprocessor, *export_location(config), max_answer_length=config.max_answer_length,
                      null_threshold=null_threshold, xla=config.serving_xla)

    def build_model():
        model = SpanExtractor(build_backbone())
        model.backbone.pooler_dense.trainable = False  # the head reads the sequence output only
        return model

    recipe = Recipe(
        name="qa", build_model=build_model, train=tables["train"],
        split=lambda batch: ({key: batch[key] for key in ("token_ids", "padding_mask", "segment_ids")},
                             {"start_logits": batch["start_positions"], "end_logits": batch["end_positions"]}),
        evaluate=evaluate, metric="f1", export=export_model, save_assets=vocabulary_saver(start.tokenizer),
        demo=demo, info={"squad_version": "2.0" if version_2 else "1.1", "start": start.description,
                         **{f"{s}_questions": len(e) for s, e in data.items()},
                         **{f"{s}_windows": len(table) for s, table in tables.items()}})
    run(config, recipe)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
