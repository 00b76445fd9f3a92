"""What the translation and summarization recipes share: a T5 encoder-decoder whose SentencePiece vocabulary is
trained on the data (or comes with the `--init` checkpoint), length-bucketed feature tables, decoding of a split
with greedy or beam search, the run directory's tokenizer file, and the export.

TensorFlow is imported only inside the functions, as in `zoo.recipes.common`.
"""

import re
import tempfile
from pathlib import Path

from zoo.generation.beam import EARLY_STOPPING_NAMES
from zoo.training.config import ConfigError

#: The file beside `model.keras` that makes a run directory a T5 checkpoint (the name Hugging Face uses).
SENTENCEPIECE_FILE = "spiece.model"
#: SentencePiece algorithms: T5's unigram LM, or BPE (which reaches whole words on a small corpus).
SENTENCEPIECE_TYPES = ("unigram", "bpe")
#: Beam search stopping rules, by name.
EARLY_STOPPING = tuple(EARLY_STOPPING_NAMES)
EARLY_STOPPING_HELP = ("when beam search stops (transformers' early_stopping): true = once num_beams hypotheses "
                       "have ended; false = while a running beam can still beat the worst ended one; never = the "
                       "same, bounding a running beam at its longest length")


def check_seq2seq_config(config):
    """ConfigError naming the field for a decoding setting no run can use."""
    for name in ("max_target_length", "num_beams"):
        if getattr(config, name) <= 0:
            raise ConfigError(f"field '{name}': expected a positive integer, got {getattr(config, name)}")
    if not 0.0 <= config.label_smoothing < 1.0:
        raise ConfigError(f"field 'label_smoothing': expected a fraction in [0, 1), got {config.label_smoothing}")


def train_sentencepiece_tokenizer(texts, vocabulary_size, model_type="unigram"):
    """A SentencePiece tokenizer (T5 ids: pad 0, eos 1, unk 2) of `model_type` ("unigram" or "bpe") trained on the
    lines of `texts`.

    Raises ConfigError, before any model is built, when the text cannot fill `vocabulary_size` pieces.
    """
    from zoo.tokenizers import SentencePieceTokenizer, train_sentencepiece

    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as directory:
        try:
            path = train_sentencepiece(lines, vocabulary_size=vocabulary_size, output_prefix=Path(directory) / "spm",
                                       model_type=model_type)
        except ValueError as error:
            limit = re.search(r"value <= (\d+)", str(error))
            advice = f"at most {limit.group(1)}" if limit else "a smaller value"
            raise ConfigError(f"field 'vocabulary_size': the training text ({len(lines)} lines) is too small for a "
                              f"{model_type} SentencePiece vocabulary of {vocabulary_size} pieces; use {advice}, or "
                              "more text") from None
        return SentencePieceTokenizer(path)


def seq2seq_start(config, texts):
    """The starting point of a T5 recipe (see `zoo.training.checkpoints`): a SentencePiece vocabulary trained on
    `texts` and a random `T5Backbone` of the config's size, or the `--init` checkpoint with its tokenizer; and a
    function building the backbone inside `strategy.scope()`."""
    from zoo.models import T5Backbone
    from zoo.tokenizers import SentencePieceTokenizer
    from zoo.training.checkpoints import starting_point

    def random_backbone(tokenizer, preset=None):
        size = dict(vocabulary_size=tokenizer.vocabulary_size(), dropout=config.dropout)
        if preset is not None:
            return T5Backbone.from_preset(preset, load_weights=False, **size)
        return T5Backbone(num_layers=config.num_layers, num_heads=config.num_heads, hidden_dim=config.hidden_dim,
                          intermediate_dim=config.intermediate_dim, **size)

    def train_tokenizer():
        return train_sentencepiece_tokenizer(texts, config.vocabulary_size, config.sentencepiece_type)

    start = starting_point(config.init, train_tokenizer, random_backbone)
    tokenizer = start.tokenizer
    if not isinstance(tokenizer, SentencePieceTokenizer) or tokenizer.pad_token_id < 0 or tokenizer.eos_token_id < 0:
        raise ConfigError(f"field 'init': {config.init} comes with a {type(tokenizer).__name__}; this recipe needs a "
                          f"T5 checkpoint with a SentencePiece model ({SENTENCEPIECE_FILE}, with <pad> and </s>)")
    print(f"start: {start.description}")

    def build_backbone():
        backbone = start.build_backbone()
        if not isinstance(backbone, T5Backbone):
            raise ConfigError(f"field 'init': {config.init} holds a {type(backbone).__name__}; this recipe needs a "
                              "T5 encoder-decoder (T5Backbone)")
        return backbone

    return start, build_backbone


def seq2seq_table(preprocessor, sources, targets):
    """A FeatureTable of T5 inputs: the encoder columns (`encoder_token_ids`, `padding_mask`) bucket the rows and
    are cut to the batch's padded length; the decoder columns (`decoder_token_ids`, `decoder_padding_mask`,
    `labels`) are cut by `seq2seq_split`; `index` is the example's position."""
    import tensorflow as tf

    from zoo.training.batches import FeatureTable

    columns = {"source": list(sources), "target": list(targets), "index": list(range(len(sources)))}

    def preprocess(batch):
        x, labels, _ = preprocessor(batch["source"], batch["target"])
        return {"encoder_token_ids": x["encoder_token_ids"], "padding_mask": x["encoder_padding_mask"],
                "decoder_token_ids": x["decoder_token_ids"], "decoder_padding_mask": x["decoder_padding_mask"],
                "labels": labels, "index": batch["index"]}

    dataset = tf.data.Dataset.from_tensor_slices(columns).batch(256).map(preprocess)
    return FeatureTable.from_dataset(dataset, sequence_columns=("encoder_token_ids", "padding_mask"))


def seq2seq_split(decoder_lengths):
    """`batch -> (inputs, labels, sample_weight)` for `fit`: the decoder columns cut to the first of
    `decoder_lengths` that holds the batch's longest target (few shapes, as for the encoder)."""
    import tensorflow as tf

    boundaries = tf.constant(list(decoder_lengths), tf.int32)

    def split(batch):
        mask = batch["decoder_padding_mask"]
        longest = tf.reduce_max(tf.reduce_sum(tf.cast(mask, tf.int32), axis=1))
        slot = tf.minimum(tf.searchsorted(boundaries, tf.reshape(longest, [1]))[0], tf.size(boundaries) - 1)
        length = boundaries[slot]
        inputs = {"encoder_token_ids": batch["encoder_token_ids"], "encoder_padding_mask": batch["padding_mask"],
                  "decoder_token_ids": batch["decoder_token_ids"][:, :length],
                  "decoder_padding_mask": mask[:, :length]}
        return inputs, batch["labels"][:, :length], tf.cast(mask[:, :length], tf.float32)

    return split


def compile_options(config):
    """The `compile` arguments of a seq2seq recipe: label-smoothed cross-entropy averaged over the target tokens,
    and the token accuracy over the target tokens (padding excluded: a weighted metric)."""
    import keras

    from zoo.models import SparseLabelSmoothingCrossentropy

    return {"loss": SparseLabelSmoothingCrossentropy(config.label_smoothing), "metrics": [],
            "weighted_metrics": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]}


def decoding_sampler(config):
    """Beam search with the config's `num_beams`, `length_penalty` and `early_stopping`, or greedy decoding for one
    beam."""
    from zoo.generation import BeamSampler

    if config.num_beams == 1:
        return "greedy"
    return BeamSampler(num_beams=config.num_beams, length_penalty=config.length_penalty,
                       early_stopping=EARLY_STOPPING_NAMES[config.early_stopping])


def decode_table(model, tokenizer, table, config):
    """The decoded text of every row of `table`, in example order: its encoder input (as trained: truncated,
    ending with `</s>`) through `generate` with `decoding_sampler(config)`, at most `max_target_length` tokens."""
    import numpy as np
    import tensorflow as tf

    from zoo.generation.corpus import generate_corpus

    ids, lengths = table.columns["encoder_token_ids"], table.lengths
    order = np.argsort(table.columns["index"])
    prompts = [ids[row, : lengths[row]].tolist() for row in order]
    new_tokens = generate_corpus(
        model, prompts, config.eval_batch_size, max_new_tokens=config.max_target_length,
        sampler=decoding_sampler(config), stop_token_ids=[tokenizer.eos_token_id],
        pad_token_id=tokenizer.pad_token_id, decoder_start_token_id=tokenizer.pad_token_id)
    texts = tokenizer.detokenize(tf.ragged.constant(new_tokens, dtype=tf.int32, ragged_rank=1)).numpy()
    return [text.decode("utf-8", errors="replace") for text in texts.tolist()]


def write_predictions(config, split, texts):
    """Writes one prediction a line (line breaks as spaces) to `<output_dir>/<split>_predictions.txt`."""
    from zoo.training.files import write_text

    lines = "".join(" ".join(text.splitlines()) + "\n" for text in texts)
    return write_text(Path(config.output_dir) / f"{split}_predictions.txt", lines)


def tokenizer_saver(tokenizer):
    """`run_dir -> None` writing the SentencePiece model as `spiece.model`, and its sentinel count (T5
    `<extra_id_N>`, `tokenizer.extra_ids`) as `{"extra_ids": N}` in `tokenizer_config.json` (the Hugging Face name
    and field), so the run directory is a checkpoint `--init` (and `python -m zoo.generate`) rebuild the same
    tokenizer from."""
    import json

    from zoo.training.files import atomic_path

    def save(run_dir):
        with atomic_path(Path(run_dir) / SENTENCEPIECE_FILE) as temporary:
            temporary.write_bytes(tokenizer.proto)
        with atomic_path(Path(run_dir) / "tokenizer_config.json") as temporary:
            temporary.write_text(json.dumps({"extra_ids": tokenizer.extra_ids}) + "\n", encoding="utf-8")

    return save


def serving_options(config):
    """The `zoo.export.export` options of a seq2seq recipe's export (`zoo.export.generation.signatures`): the
    evaluation's sampler, sources cut as in training (`max_sequence_length` tokens, `</s>` included), at most
    `max_target_length` new tokens, the config's seed, and `xla=config.serving_xla`."""
    return dict(sampler=decoding_sampler(config), max_prompt_length=config.max_sequence_length,
                max_new_tokens=config.max_target_length, seed=config.seed, xla=config.serving_xla)


def served_texts(path, texts):
    """The decoded answers of the SavedModel exported at `path` (its `serving_default`) to the raw `texts`: what
    a recipe's demo shows after the export."""
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return [answer.decode() for answer in serve(text=tf.constant(list(texts)))["text"].numpy()]


def seq2seq_recipe(name, config, build_backbone, preprocessor, tables, evaluate, metric, demo, info):
    """The runner's `Recipe` of a T5 task: a `Seq2SeqLM` on `build_backbone()` trained on `tables["train"]` (decoder
    columns cut by `seq2seq_split`), the best epoch picked by `metric` of `evaluate`, exported by `export_seq2seq`,
    the tokenizer saved in the run directory (`tokenizer_saver`)."""
    from zoo.models import Seq2SeqLM
    from zoo.training.batches import bucket_lengths
    from zoo.training.runner import Recipe

    return Recipe(
        name=name, build_model=lambda: Seq2SeqLM(build_backbone()), train=tables["train"],
        split=seq2seq_split(bucket_lengths(config.max_target_length, config.length_buckets)),
        evaluate=evaluate, metric=metric,
        export=lambda model: export_seq2seq(model, preprocessor, config),
        save_assets=tokenizer_saver(preprocessor.tokenizer), demo=demo, info=info,
        compile_options=compile_options(config))


def export_seq2seq(model, preprocessor, config):
    """Exports the model to `<export_dir>/<version>/` with `zoo.export.export`: `serving_default` takes raw source
    strings and returns the decoded `text` (`zoo.export.generation`: the decode loop in the graph, without XLA
    unless `--serving_xla`), `serve_token_ids` takes the tokenizer's ids."""
    from zoo.export import export
    from zoo.recipes.common import export_location

    return export(model, preprocessor, *export_location(config), **serving_options(config))
