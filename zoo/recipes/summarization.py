"""Abstractive summarization recipe: a T5 encoder-decoder (`Seq2SeqLM`) trained from document/summary pairs.

    python -m zoo.recipes.summarization --config recipes/summarization/t5_tiny.yaml [--epochs 1 ...]
    python -m zoo.recipes.summarization --config recipes/summarization/t5_dialogsum.yaml   # DialogSum

Data: JSON lines with a document field and a summary field (`--document_field dialogue` for DialogSum,
`--document_field email_body --summary_field subject` for AESLC). Dev and test records may hold several
references (`--reference_fields summary1,summary2,summary3`). Metric: ROUGE-1/2/L F1 (`rouge-score`, stemmed,
best reference per example) of the decoded summaries; ROUGE-L picks the best epoch. The lead-N baseline (the
first N turns or sentences, N picked on dev) is scored on the same splits and printed beside.
"""

import dataclasses
import sys

from zoo.recipes.common import load_split, report_sizes, run_cli
from zoo.recipes.seq2seq import (
    EARLY_STOPPING, EARLY_STOPPING_HELP, SENTENCEPIECE_TYPES, check_seq2seq_config, decode_table, seq2seq_recipe,
    seq2seq_start, seq2seq_table, served_texts, write_predictions)
from zoo.training.config import RecipeConfig, option, parse_config

PROG = "python -m zoo.recipes.summarization"


@dataclasses.dataclass
class SummarizationConfig(RecipeConfig):
    """Abstractive summarization from JSON-lines files."""

    train: str = option("tasks/summarization/train.jsonl", "training JSON lines (.jsonl or .jsonl.gz)")
    dev: str = option("tasks/summarization/dev.jsonl", "evaluation JSON lines, same format as --train")
    document_field: str = option("document", "JSON field holding the text to summarize")
    summary_field: str = option("summary", "JSON field holding the reference summary (training target)")
    reference_fields: str = option("", "comma-separated JSON fields that may hold the references of a dev/test "
                                   "record; each record needs one and uses all it has (DialogSum: "
                                   "summary,summary1,summary2,summary3); empty: --summary_field")
    vocabulary_size: int = option(600, "size of the SentencePiece vocabulary trained on the training texts")
    sentencepiece_type: str = option("bpe", "SentencePiece algorithm of a vocabulary trained here: unigram (T5) "
                                     "or bpe (reaches whole words on small data)", choices=SENTENCEPIECE_TYPES)
    max_sequence_length: int = option(64, "maximum document tokens, </s> included (longer documents are cut)")
    max_target_length: int = option(16, "maximum summary tokens, </s> included (also the decoding limit)")
    label_smoothing: float = option(0.1, "label smoothing of the training cross-entropy")
    num_beams: int = option(1, "beam width for decoding at evaluation (1 = greedy)")
    length_penalty: float = option(1.0, "beam search length exponent (> 0 favours longer summaries)")
    early_stopping: str = option("true", EARLY_STOPPING_HELP, choices=EARLY_STOPPING)
    epochs: int = option(10, "number of passes over the training data")
    learning_rate: float = option(1e-3, "peak learning rate")
    output_dir: str = option("runs/summarization", "run directory: metrics, logs, checkpoints, backups, curves")
    export_dir: str = option("saved_models/summarization", "where the SavedModel for TF Serving is written, as "
                             "<export_dir>/<version>/")


def reference_fields(config):
    fields = [field.strip() for field in config.reference_fields.split(",") if field.strip()]
    return fields or [config.summary_field]


def load_data(config):
    from zoo.data import read_jsonl, read_jsonl_references

    def train_reader(path):
        examples = read_jsonl(path, source_field=config.document_field, target_field=config.summary_field)
        return [{"source": example["source"], "references": [example["target"]]} for example in examples]

    def eval_reader(path):
        return read_jsonl_references(path, config.document_field, reference_fields(config))

    data = {"train": load_split(config, "train", train_reader, limit=config.max_train_examples),
            "dev": load_split(config, "dev", eval_reader)}
    if config.test:
        data["test"] = load_split(config, "test", eval_reader)
    return data


def main(argv=None):
    from zoo.metrics import rouge_scores
    from zoo.metrics.lead import lead_baseline
    from zoo.models.t5.t5_preprocessor import T5Preprocessor
    from zoo.training.runner import check_config, run

    config = parse_config(SummarizationConfig, argv, description=__doc__, prog=PROG)
    check_config(config)
    check_seq2seq_config(config)
    data = load_data(config)
    report_sizes(data, unit="documents")
    texts = [text for example in data["train"] for text in (example["source"], *example["references"])]
    start, build_backbone = seq2seq_start(config, texts)
    tokenizer = start.tokenizer
    preprocessor = T5Preprocessor(tokenizer, config.max_sequence_length, config.max_target_length)
    tables = {split: seq2seq_table(preprocessor, [example["source"] for example in examples],
                                   [example["references"][0] for example in examples])
              for split, examples in data.items()}
    info = {"start": start.description, **{f"{split}_examples": len(examples) for split, examples in data.items()}}
    lead = {}

    def references(split):
        return [example["references"] for example in data[split]]

    def documents(split):
        return [example["source"] for example in data[split]]

    def evaluate(model, split):
        summaries = decode_table(model, tokenizer, tables[split], config)
        write_predictions(config, split, summaries)
        scores = rouge_scores(references(split), summaries)
        if split not in lead:
            lead[split] = lead_baseline(references(split), documents(split), pick_references=references("dev"),
                                        pick_documents=documents("dev"))
            info[f"{split}_lead_n"] = lead[split][0]
        n, lead_scores = lead[split]
        print(f"{split} ROUGE-1/2/L {scores['rouge1']:.2f}/{scores['rouge2']:.2f}/{scores['rougeL']:.2f}; lead-{n} "
              f"baseline {lead_scores['rouge1']:.2f}/{lead_scores['rouge2']:.2f}/{lead_scores['rougeL']:.2f}",
              flush=True)
        return {**scores, **{f"lead_{name}": value for name, value in lead_scores.items()}}

    def demo(path):
        examples = data["dev"][:2]
        answers = served_texts(path, [example["source"] for example in examples])
        return [f"{example['source'][:60]!r}... -> {answer!r} (reference {example['references'][0]!r})"
                for example, answer in zip(examples, answers)]

    run(config, seq2seq_recipe("summarization", config, build_backbone, preprocessor, tables, evaluate, "rougeL",
                               demo, info))
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main, PROG))
