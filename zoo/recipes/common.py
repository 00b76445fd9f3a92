"""Glue shared by the recipes: data-path resolution, dataset size report, metrics file, CLI error handling.

`import zoo` loads TensorFlow (it registers the Keras-serializable models), so `--help` takes as long as that.
"""

import json
import sys
from pathlib import Path

from zoo.training.config import ConfigError, config_to_dict, resolve_path


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


def write_metrics(config, metrics, filename="metrics.json"):
    """Writes `{"metrics": ..., "config": ...}` as JSON to `config.output_dir/filename`; returns the path."""
    output_dir = Path(config.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / filename
    payload = {"metrics": metrics, "config": config_to_dict(config)}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


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
