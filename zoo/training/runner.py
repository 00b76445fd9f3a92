"""The recipe runner: what every recipe does once it has its data, model and metric.

`run(config, recipe)` builds and compiles the model inside `strategy.scope()`, trains with `model.fit` and the
callbacks of `zoo.training.callbacks` (progress bar: per step in a terminal, one line per epoch otherwise;
TensorBoard logs; resumable backups every `backup_steps` steps; the dev metric picking the best checkpoint and
stopping early after `patience` epochs), then evaluates the best weights on dev (and test), saves them as
`model.keras`, exports the SavedModel, reloads it and prints its answers to a few inputs. A killed run
rerun with the same command resumes at the batch where its last backup was taken.

The run directory (`config.output_dir`) ends up with `metrics.json`, `history.json`, `curves.png`,
`best.weights.h5`, `model.keras` (+ the recipe's assets, e.g. `vocab.txt`), `tensorboard/`, and while training
`backup/`. Every file is written atomically.

Example (the shape of a recipe's `main`):

```python
recipe = Recipe(name="sentiment", build_model=build, train=table, split=split, evaluate=evaluate,
                metric="accuracy", export=export, save_assets=save_vocabulary)
metrics = run(config, recipe)
```
"""

import dataclasses
import shutil
import sys
import tempfile
import time
import typing
from pathlib import Path

from zoo.training.batches import bucket_lengths
from zoo.training.config import ConfigError, config_to_dict
from zoo.training.files import atomic_path, plot_curves, write_json

# Settings a backup stays valid for when they change (everything else must match to resume).
_RESUMABLE_CHANGES = ("backup_steps", "patience", "test", "export_dir", "serving_xla", "strategy", "num_cpu_devices",
                      "time_budget")


@dataclasses.dataclass
class Recipe:
    """What a recipe hands the runner.

    Attributes:
        name: the task, for messages (e.g. "sentiment").
        build_model: `() -> task model`, called inside `strategy.scope()` (compiled by the runner).
        train: the training `FeatureTable`.
        split: `feature dict -> (inputs, labels)` for `fit`.
        evaluate: `(model, split_name) -> {name: float}`; may write prediction files into the run directory.
        metric: the name in `evaluate`'s result that picks the best epoch (higher is better).
        export: `model -> Path` of the exported SavedModel version; None for no export (a pretrained model).
        save_assets: `run_dir -> None`, files `model.keras` needs to be used as `--init` again (e.g. vocab.txt).
        demo: `saved_model_path -> [str]` lines showing the reloaded export's answers to a few inputs.
        info: extra facts for `metrics.json` (labels, sizes, ...).
        compile_options: more arguments of the model's `compile` (e.g. `loss=`).
    """

    name: str
    build_model: typing.Callable
    train: typing.Any
    split: typing.Callable
    evaluate: typing.Callable
    metric: str
    export: typing.Optional[typing.Callable]
    save_assets: typing.Callable = lambda run_dir: None
    demo: typing.Optional[typing.Callable] = None
    info: dict = dataclasses.field(default_factory=dict)
    compile_options: dict = dataclasses.field(default_factory=dict)


def check_config(config):
    """ConfigError naming the field for a value no run can use; then checks and creates the distribution strategy
    (`zoo.training.strategy.prepare_strategy`: TF_CONFIG, logical CPU devices), before any data is read."""
    positive = ("batch_size", "eval_batch_size", "epochs", "max_sequence_length", "backup_steps", "num_layers",
                "num_heads", "hidden_dim", "intermediate_dim", "vocabulary_size")
    for name in positive:
        if getattr(config, name) <= 0:
            raise ConfigError(f"field '{name}': expected a positive integer, got {getattr(config, name)}")
    for name in ("max_train_examples", "steps_per_epoch"):
        value = getattr(config, name)
        if value is not None and value <= 0:
            raise ConfigError(f"field '{name}': expected a positive integer or none, got {value}")
    if not config.learning_rate > 0:
        raise ConfigError(f"field 'learning_rate': expected a positive number, got {config.learning_rate}")
    if not 0 <= config.warmup_ratio < 1:
        raise ConfigError(f"field 'warmup_ratio': expected a fraction in [0, 1), got {config.warmup_ratio}")
    if not 0 <= config.dropout < 1:
        raise ConfigError(f"field 'dropout': expected a rate in [0, 1), got {config.dropout}")
    if config.patience < 0:
        raise ConfigError(f"field 'patience': expected 0 (never stop early) or more, got {config.patience}")
    if config.num_cpu_devices is not None and config.num_cpu_devices <= 0:
        raise ConfigError(f"field 'num_cpu_devices': expected a positive integer or none, got {config.num_cpu_devices}")
    from zoo.training.strategy import prepare_strategy

    prepare_strategy(config.strategy, config.num_cpu_devices)  # before any data is read (TF_CONFIG, devices)


def _build_for_distribution(model, strategy, spec):
    """Builds the compiled loss and metrics from the batch `spec` under a distribution strategy.

    Keras 3.15's `fit` would build them from the first distributed batch, averaged over the replicas with
    `strategy.reduce("MEAN")`, which fails on boolean inputs such as `padding_mask` (no AddN for bool); the
    shapes and dtypes of `spec` are all it needs, so that step is skipped for this model.
    """
    if getattr(model, "_distribute_strategy", None) is None:
        return  # built outside any strategy scope: Keras builds while tracing the train step
    with strategy.scope():
        model._symbolic_build(data_batch=spec)
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None


def weights_digest(model):
    """A SHA-256 of all of `model`'s weights (values, in order): equal digests mean identical weights."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return digest.hexdigest()


def _verbosity():
    return 1 if sys.stdout.isatty() else 2


def run(config, recipe):
    """Trains, evaluates, saves and exports `recipe` as configured; returns the final metrics dict.

    Under a multi-worker strategy every process runs all of this (saving may need every worker), but only the
    chief writes into `output_dir` and `export_dir`: a worker's `config` points at a temporary directory, which
    starts as a copy of the chief's resumable state (backup, history, best weights) and is removed at the end.
    """
    from zoo.training.strategy import get_strategy, worker_name

    strategy = get_strategy(config.strategy)
    chief, worker = worker_name(strategy)
    fingerprint = {key: value for key, value in config_to_dict(config).items() if key not in _RESUMABLE_CHANGES}
    if chief:
        return _run(config, recipe, strategy, fingerprint)
    places = {name: getattr(config, name) for name in ("output_dir", "export_dir")}
    scratch = Path(tempfile.mkdtemp(prefix=f"zoo-{recipe.name}-{worker}-"))
    try:
        chief_dir, own_dir = Path(config.output_dir), scratch / "run"
        own_dir.mkdir()
        for name in ("history.json", "best.weights.h5"):
            if (chief_dir / name).is_file():
                shutil.copy2(chief_dir / name, own_dir / name)
        if (chief_dir / "backup").is_dir():
            shutil.copytree(chief_dir / "backup", own_dir / "backup")
        config.output_dir, config.export_dir = str(own_dir), str(scratch / "export")
        print(f"{worker}: not the chief; writing to the temporary directory {scratch}", flush=True)
        return _run(config, recipe, strategy, fingerprint)
    finally:
        for name, value in places.items():
            setattr(config, name, value)
        shutil.rmtree(scratch, ignore_errors=True)


def _run(config, recipe, strategy, fingerprint):
    import keras

    from zoo.training.callbacks import DevMetric, ResumableBackup, ResumedEpoch
    from zoo.training.strategy import mean_over_workers

    run_dir = Path(config.output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    keras.mixed_precision.set_global_policy(config.mixed_precision)
    plan = recipe.train.plan(config.batch_size, bucket_lengths(config.max_sequence_length, config.length_buckets),
                             config.seed, drop_remainder=config.jit_compile, max_steps=config.steps_per_epoch)
    total_steps = plan.steps_per_epoch * config.epochs
    print(f"{recipe.name}: {len(recipe.train)} training rows, {plan.steps_per_epoch} steps per epoch, "
          f"{config.epochs} epochs; {type(strategy).__name__} with {strategy.num_replicas_in_sync} replica(s)",
          flush=True)
    with strategy.scope():
        model = recipe.build_model()
        model.compile(learning_rate=config.learning_rate, weight_decay=config.weight_decay,
                      warmup_steps=int(config.warmup_ratio * total_steps), total_steps=total_steps,
                      jit_compile=config.jit_compile, **recipe.compile_options)
        model.optimizer.build(model.trainable_variables)

    backup = ResumableBackup(run_dir / "backup", config.backup_steps, fingerprint)
    try:
        epoch, batch = backup.restore(model)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    backup.start_epoch, backup.start_batch = epoch, batch
    dev = DevMetric(lambda model: recipe.evaluate(model, "dev"), recipe.metric, run_dir, config.patience,
                    start_epoch=epoch, title=f"{recipe.name} ({Path(config.output_dir).name})",
                    time_budget=config.time_budget * 60 if config.time_budget else None,
                    agree=lambda seconds: mean_over_workers(strategy, seconds))
    if epoch or batch:
        print(f"resuming from the backup in {backup.backup_dir}: epoch {epoch + 1}, after {batch} of "
              f"{plan.steps_per_epoch} steps (global step {epoch * plan.steps_per_epoch + batch})", flush=True)
    if epoch < config.epochs and not dev.stopped:
        callbacks = [ResumedEpoch(epoch, plan.steps_per_epoch - batch), dev,
                     keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), write_graph=False), backup]
        dataset = recipe.train.dataset(plan.batches(epoch, config.epochs, skip=batch), split=recipe.split)
        _build_for_distribution(model, strategy, dataset.element_spec)
        started = time.perf_counter()
        model.fit(dataset, epochs=config.epochs, initial_epoch=epoch, steps_per_epoch=plan.steps_per_epoch,
                  shuffle=False, callbacks=callbacks, verbose=_verbosity())
        print(f"trained in {time.perf_counter() - started:.1f} s", flush=True)

    train_steps = int(model.optimizer.iterations.numpy())
    if dev.best_path.exists():
        model.load_weights(str(dev.best_path))
    best = dev.best()
    metrics = {f"dev_{name}": float(value) for name, value in recipe.evaluate(model, "dev").items()}
    if config.test:
        metrics.update({f"test_{name}": float(value) for name, value in recipe.evaluate(model, "test").items()})
    metrics.update(best_epoch=best["epoch"] if best else None, epochs_trained=len(dev.history),
                   train_steps=train_steps, steps_per_epoch=plan.steps_per_epoch,
                   train_seconds=round(sum(record["train_seconds"] for record in dev.history), 1))
    print(f"final weights: sha256 {weights_digest(model)}", flush=True)  # the same in every worker
    with atomic_path(run_dir / "model.keras") as temporary:
        model.save(str(temporary))
    recipe.save_assets(run_dir)
    export_path = recipe.export(model) if recipe.export is not None else None
    if dev.history:
        plot_curves(run_dir / "curves.png", dev.history, dev.key, dev.title)
    write_json(run_dir / "metrics.json", {"metrics": metrics, "objective": dev.key, "history": dev.history,
                                          "info": recipe.info,
                                          "export": str(export_path), "config": config_to_dict(config)})
    shutil.rmtree(backup.backup_dir, ignore_errors=True)
    summary = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items()
                        if name.startswith(("dev_", "test_")))
    print(f"{recipe.name}: {summary} (best epoch {metrics['best_epoch']}); run directory {run_dir}; "
          f"SavedModel {export_path}", flush=True)
    if recipe.demo is not None and export_path is not None:
        print("answers of the reloaded SavedModel:")
        for line in recipe.demo(export_path):
            print(f"  {line}")
    return metrics
