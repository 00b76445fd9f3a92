"""Glue shared by the recipes: data-path resolution, the model's starting point (`--init`), dataset size report,
CLI error handling.

`import zoo` loads TensorFlow (it registers the Keras-serializable models), so `--help` takes as long as that.
"""

import sys
from pathlib import Path

from zoo.training.config import ConfigError, resolve_path


def load_split(config, split, reader, limit=None):
    """Reads the data file named by `config.<split>` with `reader(path)`; returns its examples.

    The name is a real path or a packaged `tasks/...` name (see `zoo.training.config.resolve_path`).
    `limit` keeps only the first examples. Raises ConfigError when the field is empty.
    """
    name = getattr(config, split)
    if not name:
        raise ConfigError(f"field '{split}': no data file given (set it in the YAML file or with --{split})")
    examples = reader(resolve_path(name))
    return examples[:limit] if limit is not None else examples


def report_sizes(data, unit="examples"):
    """Prints one line per split: `train: 400 examples`."""
    for split, examples in data.items():
        print(f"{split}: {len(examples)} {unit}")


def padded_lengths(config):
    """The lengths batches are padded to (`zoo.training.batches.bucket_lengths` of the config)."""
    from zoo.training.batches import bucket_lengths

    return bucket_lengths(config.max_sequence_length, config.length_buckets)


def export_location(config):
    """`(base_dir, name)` of `config.export_dir`: versions go to `<base_dir>/<name>/<version>/`."""
    path = Path(config.export_dir)
    if not path.name:
        raise ConfigError(f"field 'export_dir': expected a directory path, got {config.export_dir!r}")
    return str(path.parent), path.name


def start_model(config, texts):
    """The starting point of a BERT-style recipe (see `zoo.training.checkpoints`) and a function building its
    backbone inside `strategy.scope()`, checked to be a WordPiece encoder long enough for the config.

    Args:
        config: a recipe config (`init`, `vocabulary_size`, `lowercase`, the model sizes).
        texts: the training texts, for a vocabulary trained on the data when the start has none.
    """
    from zoo.models import BertBackbone
    from zoo.tokenizers import WordPieceTokenizer, train_wordpiece
    from zoo.training.checkpoints import starting_point

    def train_tokenizer():
        vocabulary = train_wordpiece(texts, vocabulary_size=config.vocabulary_size, lowercase=config.lowercase)
        return WordPieceTokenizer(vocabulary, lowercase=config.lowercase)

    def random_backbone(tokenizer, preset=None):
        size = dict(vocabulary_size=tokenizer.vocabulary_size(), dropout=config.dropout)
        if preset is not None:
            length = max(BertBackbone.presets[preset]["config"]["max_sequence_length"], config.max_sequence_length)
            return BertBackbone.from_preset(preset, load_weights=False, max_sequence_length=length, **size)
        return BertBackbone(num_layers=config.num_layers, num_heads=config.num_heads, hidden_dim=config.hidden_dim,
                            intermediate_dim=config.intermediate_dim,
                            max_sequence_length=config.max_sequence_length, **size)

    start = starting_point(config.init, train_tokenizer, random_backbone, lowercase=config.lowercase)
    if not isinstance(start.tokenizer, WordPieceTokenizer):
        raise ConfigError(f"field 'init': {config.init} comes with a {type(start.tokenizer).__name__}; this recipe "
                          "needs a BERT-style checkpoint with a WordPiece vocabulary (vocab.txt)")
    print(f"start: {start.description}")

    def build_backbone():
        backbone = start.build_backbone()
        if not isinstance(backbone, BertBackbone):
            raise ConfigError(f"field 'init': {config.init} holds a {type(backbone).__name__}; this recipe needs a "
                              "BERT-style encoder (BertBackbone)")
        if config.max_sequence_length > backbone.max_sequence_length:
            raise ConfigError(f"field 'max_sequence_length': {config.max_sequence_length} is more than the "
                              f"{backbone.max_sequence_length} positions of the checkpoint {config.init}")
        return backbone

    return start, build_backbone


def vocabulary_saver(tokenizer):
    """`run_dir -> None` writing the tokenizer's vocabulary as `vocab.txt`, so `model.keras` + `vocab.txt` in a
    run directory is a checkpoint `--init` accepts."""
    from zoo.training.files import write_text

    return lambda run_dir: write_text(Path(run_dir) / "vocab.txt", "\n".join(tokenizer.get_vocabulary()) + "\n")


def run_cli(main, prog):
    """Runs `main()` and turns input errors (config, data, missing file) into one line and exit status 2."""
    try:
        return main()
    except Exception as error:
        input_errors = (ConfigError, FileNotFoundError, IsADirectoryError)
        data_errors = sys.modules.get("zoo.data.errors")  # Loaded whenever a reader has run.
        if data_errors is not None:
            input_errors += (data_errors.DataError,)
        if not isinstance(error, input_errors):
            raise
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
