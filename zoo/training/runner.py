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
import time
import typing
from pathlib import Path

from zoo.training.batches import bucket_lengths
from zoo.training.config import ConfigError, config_to_dict
from zoo.training.files import atomic_path, plot_curves, write_json

# Settings a backup stays valid for when they change (everything else must match to resume).
_RESUMABLE_CHANGES = ("backup_steps", "patience", "test", "export_dir", "serving_xla", "strategy", "time_budget")


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
    """ConfigError naming the field for a value no run can use."""
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


def _verbosity():
    return 1 if sys.stdout.isatty() else 2


def run(config, recipe):
    """Trains, evaluates, saves and exports `recipe` as configured; returns the final metrics dict."""
    import keras

    from zoo.training.callbacks import DevMetric, ResumableBackup, ResumedEpoch
    from zoo.training.strategy import get_strategy

    run_dir = Path(config.output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    keras.mixed_precision.set_global_policy(config.mixed_precision)
    strategy = get_strategy(config.strategy)
    plan = recipe.train.plan(config.batch_size, bucket_lengths(config.max_sequence_length, config.length_buckets),
                             config.seed, drop_remainder=config.jit_compile, max_steps=config.steps_per_epoch)
    total_steps = plan.steps_per_epoch * config.epochs
    print(f"{recipe.name}: {len(recipe.train)} training rows, {plan.steps_per_epoch} steps per epoch, "
          f"{config.epochs} epochs", flush=True)
    with strategy.scope():
        model = recipe.build_model()
        model.compile(learning_rate=config.learning_rate, weight_decay=config.weight_decay,
                      warmup_steps=int(config.warmup_ratio * total_steps), total_steps=total_steps,
                      jit_compile=config.jit_compile, **recipe.compile_options)
        model.optimizer.build(model.trainable_variables)

    fingerprint = {key: value for key, value in config_to_dict(config).items() if key not in _RESUMABLE_CHANGES}
    backup = ResumableBackup(run_dir / "backup", config.backup_steps, fingerprint)
    try:
        epoch, batch = backup.restore(model)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    backup.start_epoch, backup.start_batch = epoch, batch
    dev = DevMetric(lambda model: recipe.evaluate(model, "dev"), recipe.metric, run_dir, config.patience,
                    start_epoch=epoch, title=f"{recipe.name} ({Path(config.output_dir).name})",
                    time_budget=config.time_budget * 60 if config.time_budget else None)
    if epoch or batch:
        print(f"resuming from the backup in {backup.backup_dir}: epoch {epoch + 1}, after {batch} of "
              f"{plan.steps_per_epoch} steps (global step {epoch * plan.steps_per_epoch + batch})", flush=True)
    if epoch < config.epochs and not dev.stopped:
        callbacks = [ResumedEpoch(epoch, plan.steps_per_epoch - batch), dev,
                     keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), write_graph=False), backup]
        dataset = recipe.train.dataset(plan.batches(epoch, config.epochs, skip=batch), split=recipe.split)
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
    with atomic_path(run_dir / "model.keras") as temporary:
        model.save(str(temporary))
    recipe.save_assets(run_dir)
    export_path = recipe.export(model) if recipe.export is not None else None
    if dev.history:
        plot_curves(run_dir / "curves.png", dev.history, dev.key, dev.title)
    write_json(run_dir / "metrics.json", {"metrics": metrics, "history": dev.history, "info": recipe.info,
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
