"""Exports for TF Serving: raw strings in, answers out, XLA off by default.

API (what a recipe calls at the end of a run):

    from zoo.export import export
    path = export(model, preprocessor, base_dir="saved_models", name="sentiment", labels=["negative", "positive"])
    # -> saved_models/sentiment/<next version>/ , and saved_models/models.config

- `export(task_model, preprocessor, base_dir, name, signatures=None, xla=False, warmup_inputs=None, **options)`
  (`zoo.export.saved_model`): builds the task's signatures (`zoo.export.<kind>.signatures`, chosen by the
  model's class, `**options` passed on), writes them with `keras.export.ExportArchive` into a temporary
  directory with `assets.extra/tf_serving_warmup_requests`, audits the ops, renames it to the next integer
  version and rewrites `base_dir/models.config`. A failure leaves no version directory.
- Task modules, one function each, `signatures(task_model, preprocessor, xla=False, **options)` returning
  `{"serving_default": f(raw strings), "serve_token_ids": f(token_ids, padding_mask)}` (`tf.function`s with
  input signatures; shared building blocks and conventions in `zoo.export.serving`):
  `classification` (TextClassifier: `text` -> `label`, `label_id`, `scores`, `truncated`),
  `token_classification` (TokenClassifier), `span_extraction` (SpanExtractor), `generation` (LMs).
- `zoo.export.audit`: `audit_ops(export_dir, allow_xla=False) -> (ops, problems)`, `check_ops(...)` (raises), and
  `python -m zoo.export.audit <export_dir>`: core TF / TF Text ops only, no Python ops, no XLA.
- `zoo.export.model_config`: `write_model_config(base_dir, serving_root="/models")` and
  `python -m zoo.export.model_config saved_models`.
- `zoo.export.warmup`: `write_warmup_requests`, `read_warmup_requests`.
- The Python-free check: `tools/serving_check/` (C++, TF Serving's loader with XLA disabled), built by
  `scripts/build_serving_check.sh`.
"""

from zoo.export.audit import AuditError, audit_ops, check_ops
from zoo.export.model_config import write_model_config
from zoo.export.saved_model import ExportError, export, task_module

__all__ = ["AuditError", "ExportError", "audit_ops", "check_ops", "export", "task_module", "write_model_config"]
