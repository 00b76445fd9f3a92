"""Hyperparameter search over a recipe with keras-tuner: `python -m zoo.tune`.

    python -m zoo.tune sentiment --config recipes/sentiment/search_tiny.yaml --trials 4 --tuner random
    python -m zoo.tune sentiment --config recipes/sentiment/search_tiny.yaml --tuner hyperband  # epochs: its budget
    python -m zoo.tune --config recipes/sentiment/search_tiny.yaml --epochs 1   # task from the config's folder

The search space is the `search:` block of the recipe YAML (`zoo.training.search`); every other option
(`--<field> VALUE`) is a recipe override that holds for all trials. Each trial runs the recipe, exactly as
`python -m zoo.recipes.<task>` would, on a config written to `<directory>/trials/<id>/recipe.yaml`; its
objective is the recipe's dev metric (from the trial's `metrics.json`). Between trials the Keras session is
cleared. At the end: the trials table (printed, and `<directory>/trials.csv`), the best config as a recipe
YAML (`<directory>/best.yaml`, output paths those of the base config) and the best trial's SavedModel copied to
the next version of the base config's `export_dir`.

Distributed search (keras-tuner's chief/worker mode): start one process with `KERASTUNER_TUNER_ID=chief` (the
oracle: it hands out trials and records them) and any number with `KERASTUNER_TUNER_ID=tuner0`, `tuner1`, ...
(they run trials), all with `KERASTUNER_ORACLE_IP` / `KERASTUNER_ORACLE_PORT` naming the chief and the same
command line and `--directory` on a shared filesystem. The chief writes the table, best config and export.
"""

import argparse
import csv
import dataclasses
import gc
import importlib
import os
import resource
import shutil
import sys
import time
from pathlib import Path

TASKS = ("sentiment", "ner", "qa", "translation", "summarization", "pretrain")
TUNERS = ("random", "bayesian", "hyperband")
OBJECTIVE = "dev_metric"
PROG = "python -m zoo.tune"


def resident_megabytes():
    """The resident memory of this process now, in MB (Linux `/proc/self/statm`; elsewhere its peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recipe(task):
    """`(module, config class)` of the recipe `task`."""
    from zoo.training.config import RecipeConfig

    module = importlib.import_module(f"zoo.recipes.{task}")
    classes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, RecipeConfig) and value is not RecipeConfig]
    return module, classes[0]


def _task_of(config_path):
    parent = Path(config_path).parent.name
    if parent not in TASKS:
        raise SystemExit(f"{PROG}: error: name the task ({', '.join(TASKS)}): the config {config_path} is not in a "
                         "recipes/<task>/ folder")
    return parent


def parse_arguments(argv):
    argv = list(sys.argv[1:] if argv is None else argv)
    task = argv.pop(0) if argv and not argv[0].startswith("-") else None
    parser = argparse.ArgumentParser(prog=PROG, usage=f"{PROG} [TASK] --config PATH [options] [--<field> VALUE ...]",
                                     description=__doc__.split("\n\n")[0],
                                     epilog=f"TASK: one of {', '.join(TASKS)} (default: the config file's folder). "
                                     "Other --<field> VALUE options override the recipe config for all trials.")
    parser.add_argument("--config", required=True, help="recipe YAML with a search: block")
    parser.add_argument("--trials", type=int, default=8, help="number of trials (default 8)")
    parser.add_argument("--tuner", choices=TUNERS, default="random", help="search algorithm (default random)")
    parser.add_argument("--directory", default="runs/tune", help="trials, table and best config go to "
                        "<directory>/<task>/ (default runs/tune)")
    arguments, overrides = parser.parse_known_args(argv)
    if arguments.trials <= 0:
        parser.error(f"--trials: expected a positive number, got {arguments.trials}")
    if len(overrides) % 2 or not all(name.startswith("--") for name in overrides[::2]):
        parser.error(f"expected --<field> VALUE pairs after the tuner's own options, got {overrides}")
    if task is not None and task not in TASKS:
        parser.error(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    arguments.task = task or _task_of(arguments.config)
    arguments.overrides = {name[2:]: value for name, value in zip(overrides[::2], overrides[1::2])}
    return arguments


def write_recipe_yaml(config, path, note):
    """Writes `config` as a recipe YAML file that `python -m zoo.recipes.<task> --config` accepts."""
    import yaml

    from zoo.training.config import config_to_dict
    from zoo.training.files import write_text

    return write_text(path, f"# {note}\n" + yaml.safe_dump(config_to_dict(config), sort_keys=False))


def make_tuner(kind, space, trials, directory, seed, run_trial, max_epochs):
    """A keras-tuner tuner of `kind` over the declared `space` whose trials are `run_trial(trial) -> float`.

    Hyperband chooses each trial's epochs (at most `max_epochs`, see `trial_values`) and its own number of
    trials (from `max_epochs` and its reduction factor 3), so `trials` does not apply to it.
    """
    import keras_tuner

    base = {"random": keras_tuner.RandomSearch, "bayesian": keras_tuner.BayesianOptimization,
            "hyperband": keras_tuner.Hyperband}[kind]
    budget = dict(max_epochs=max_epochs, factor=3) if kind == "hyperband" else dict(max_trials=trials)

    class RecipeTuner(base):
        def run_trial(self, trial, *args, **kwargs):
            return {OBJECTIVE: run_trial(trial)}

    return RecipeTuner(objective=keras_tuner.Objective(OBJECTIVE, direction="max"), hyperparameters=space,
                       seed=seed, directory=str(directory.parent), project_name=directory.name,
                       max_consecutive_failed_trials=1, **budget)


def trial_values(trial, dimensions):
    """`{field: value}` of a trial: the searched fields, and `epochs` when the tuner sets it (Hyperband)."""
    values = {dimension.name: trial.hyperparameters.get(dimension.name) for dimension in dimensions}
    if "tuner/epochs" in trial.hyperparameters.values:
        values["epochs"] = int(trial.hyperparameters.values["tuner/epochs"])
    return values


def main(argv=None):
    import keras
    import keras_tuner

    from zoo.training.config import load_config, resolve_path
    from zoo.training.files import read_json
    from zoo.training.search import hyperparameters, read_search

    arguments = parse_arguments(argv)
    module, config_class = recipe(arguments.task)
    config_path = resolve_path(arguments.config)
    base = load_config(config_class, config_path, arguments.overrides)
    dimensions = read_search(config_class, config_path)
    if not dimensions:
        raise SystemExit(f"{PROG}: error: {config_path} has no search: block (see zoo.training.search)")
    space = keras_tuner.HyperParameters()
    hyperparameters(dimensions, space)
    directory = Path(arguments.directory).resolve() / arguments.task

    def run_trial(trial):
        values = trial_values(trial, dimensions)
        trial_dir = directory / "trials" / trial.trial_id
        config = dataclasses.replace(base, **values, output_dir=str(trial_dir / "run"),
                                     export_dir=str(trial_dir / "saved" / arguments.task))
        path = write_recipe_yaml(config, trial_dir / "recipe.yaml", f"trial {trial.trial_id} of {config_path}")
        print(f"trial {trial.trial_id}: {values}", flush=True)
        started = time.perf_counter()
        if module.main(["--config", str(path)]) != 0:
            raise RuntimeError(f"trial {trial.trial_id}: the recipe failed")
        saved = read_json(trial_dir / "run" / "metrics.json")
        keras.backend.clear_session(free_memory=True)
        gc.collect()
        value = saved["metrics"][saved["objective"]]
        print(f"trial {trial.trial_id} done: {saved['objective']} {value:.4f} in {time.perf_counter() - started:.1f} s; "
              f"resident memory {resident_megabytes():.0f} MB", flush=True)
        return value

    tuner = make_tuner(arguments.tuner, space, arguments.trials, directory, base.seed, run_trial, base.epochs)
    tuner.search(verbose=0)
    from keras_tuner.src.distribute import utils as distribution

    if distribution.has_chief_oracle() and not distribution.is_chief_oracle():
        print(f"{os.environ['KERASTUNER_TUNER_ID']}: no trials left; the chief writes the results", flush=True)
        return 0
    return report(tuner.oracle, dimensions, base, directory, arguments.task, str(config_path))


def report(oracle, dimensions, base, directory, task, source):
    """Prints the trials table, writes `trials.csv`, `best.yaml` and the best trial's export; returns 0."""
    from zoo.export.saved_model import _publish

    trials = sorted(oracle.trials.items())
    names = list(dict.fromkeys(name for _, trial in trials for name in trial_values(trial, dimensions)))
    rows = []
    for trial_id, trial in trials:
        value = trial.metrics.get_best_value(OBJECTIVE) if trial.metrics.exists(OBJECTIVE) else None
        values = trial_values(trial, dimensions)
        rows.append([trial_id, trial.status, value, *(values.get(name) for name in names)])
    header = ["trial", "status", OBJECTIVE, *names]
    with open(directory / "trials.csv", "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([header, *rows])
    widths = [max(len(_cell(row[index])) for row in [header, *rows]) for index in range(len(header))]
    print("\n" + "  ".join(name.ljust(width) for name, width in zip(header, widths)))
    for row in rows:
        print("  ".join(_cell(value).ljust(width) for value, width in zip(row, widths)))
    best = oracle.get_best_trials(1)[0]
    values = trial_values(best, dimensions)
    config = dataclasses.replace(base, **values)
    best_yaml = write_recipe_yaml(config, directory / "best.yaml", f"best trial {best.trial_id} of {source}: "
                                  f"{OBJECTIVE} {best.score:.4f}")
    exports = sorted((directory / "trials" / best.trial_id / "saved" / task).iterdir())
    target = Path(config.export_dir)
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f".tune-{os.getpid()}"
    shutil.copytree(exports[-1], staging)
    exported = _publish(str(staging), str(target))
    print(f"\nbest: trial {best.trial_id}, {OBJECTIVE} {best.score:.4f}, {values}\nbest config {best_yaml}\n"
          f"trials table {directory / 'trials.csv'}\nSavedModel {exported}", flush=True)
    return 0


def _cell(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    from zoo.recipes.common import run_cli

    sys.exit(run_cli(main, PROG))
