"""`export()`: a task model and its preprocessor -> `base_dir/<name>/<version>/`, a SavedModel for TF Serving."""

import errno
import importlib
import os
import re
import shutil
import uuid
from pathlib import Path

import keras

from zoo.export.audit import check_ops
from zoo.export.model_config import write_model_config
from zoo.export.warmup import default_warmup_inputs, write_warmup_requests

# Task model class -> module of `zoo.export` whose `signatures(task_model, preprocessor, **options)` serves it.
TASK_MODULES = {
    "TextClassifier": "classification",
    "TokenClassifier": "token_classification",
    "SpanExtractor": "span_extraction",
    "CausalLM": "generation",
    "Seq2SeqLM": "generation",
}
REQUIRED_SIGNATURES = ("serving_default", "serve_token_ids")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ExportError(RuntimeError):
    """An export that could not be written; no version directory is left behind."""


def task_module(task_model):
    """The `zoo.export.<kind>` module serving `task_model` (looked up by its class and base classes)."""
    for cls in type(task_model).__mro__:
        if cls.__name__ in TASK_MODULES:
            return importlib.import_module(f"zoo.export.{TASK_MODULES[cls.__name__]}")
    raise ValueError(f"no serving signatures for a {type(task_model).__name__}: pass signatures=")


def _checked_signatures(signatures):
    missing = [name for name in REQUIRED_SIGNATURES if name not in signatures]
    if missing:
        raise ValueError(f"signatures must include {list(REQUIRED_SIGNATURES)}, missing {missing}")
    for name, function in signatures.items():
        if getattr(function, "input_signature", None) is None:
            raise ValueError(f"signature {name!r} must be a tf.function with an input_signature")
    return signatures


def _archive(task_model, preprocessor, signatures):
    archive = keras.export.ExportArchive()
    for name, function in signatures.items():
        function.get_concrete_function()  # traces the graph (building the layers) before tracking them
    archive.track(task_model)
    if preprocessor is not None:
        if not preprocessor.built:  # signatures may call only its parts (tokenizer, pack)
            preprocessor.build()
        archive.track(preprocessor)
    for name, function in signatures.items():
        archive.add_endpoint(name, function)
    return archive


def _next_version(model_dir):
    return max((int(entry) for entry in os.listdir(model_dir) if entry.isdigit()), default=0) + 1


def _publish(temporary, model_dir):
    """Renames the finished `temporary` directory to the next free version, atomically; never replaces one.

    Renaming a non-empty directory onto an existing non-empty one fails, so two concurrent exports cannot
    take the same number; the loser tries the next one.
    """
    for _ in range(100):
        target = os.path.join(model_dir, str(_next_version(model_dir)))
        try:
            os.rename(temporary, target)
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            continue
        return Path(target)
    raise ExportError(f"could not find a free version number in {model_dir}")


def export(task_model, preprocessor, base_dir="saved_models", name=None, signatures=None, xla=False,
           warmup_inputs=None, model_config=True, **options):
    """Exports `task_model` (with `preprocessor`, for raw-string inputs) as `base_dir/<name>/<version>/`.

    The SavedModel is written with `keras.export.ExportArchive` (whose variables TensorFlow's C++ loader
    restores) into a hidden temporary directory beside the versions, with
    `assets.extra/tf_serving_warmup_requests`, then op-audited (`zoo.export.audit`) and renamed to the next
    integer version: a model server watching `base_dir/<name>` never sees a half-written version, an existing
    version is never overwritten, and a failed export leaves no version directory.

    Args:
        task_model: a zoo task model (`TextClassifier`, `TokenClassifier`, `SpanExtractor`, `CausalLM`,
            `Seq2SeqLM`).
        preprocessor: the preprocessor used in training (tokenizer + packer).
        base_dir: the model server's base directory (TF Serving: `--model_config_file` entries under it).
        name: the model's name (a directory of `base_dir`); defaults to the task module's name.
        signatures: `{"serving_default": ..., "serve_token_ids": ..., ...}` `tf.function`s with input
            signatures; by default `zoo.export.<kind>.signatures(task_model, preprocessor, xla=xla, **options)`.
        xla: export the XLA variant (the forward pass compiled with XLA; TF Serving then needs
            `--xla_cpu_compilation_enabled=true`). By default no function is marked for XLA and no `Xla*` op
            is in the graph, which the audit enforces.
        warmup_inputs: the warm-up request's inputs for `serving_default` (dict name -> list); by default two
            rows (a sentence and an empty string) for every string input.
        model_config: also (re)write `base_dir/models.config` serving every model of `base_dir`.
        **options: passed to the task module's `signatures` (e.g. `labels=` for classification).

    Returns:
        The `Path` of the new version directory.
    """
    if signatures is None:
        module = task_module(task_model)
        name = name or module.__name__.rsplit(".", 1)[-1]
        signatures = module.signatures(task_model, preprocessor, xla=xla, **options)
    elif options:
        raise ValueError(f"options {sorted(options)} apply only when export builds the signatures")
    if not name or not _NAME.match(name):
        raise ValueError(f"name must be a directory name of letters, digits, '_', '-' or '.', got {name!r}")
    signatures = _checked_signatures(dict(signatures))
    model_dir = os.path.join(os.fspath(base_dir), name)
    created = not os.path.isdir(model_dir)
    os.makedirs(model_dir, exist_ok=True)
    temporary = os.path.join(model_dir, f".export-{uuid.uuid4().hex}")
    try:
        if warmup_inputs is None:
            warmup_inputs = default_warmup_inputs(signatures["serving_default"])
        signatures["serving_default"](**warmup_inputs)  # the warm-up request must answer, or TF Serving won't load
        _archive(task_model, preprocessor, signatures).write_out(temporary, verbose=False)
        write_warmup_requests(temporary, name, warmup_inputs)
        check_ops(temporary, allow_xla=xla)
        path = _publish(temporary, model_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        if created and not os.listdir(model_dir):
            os.rmdir(model_dir)
        raise
    if model_config:
        write_model_config(base_dir)
    return path
