"""Task recipes, one runnable module a task: `python -m zoo.recipes.<task> --config recipes/<task>/<name>.yaml`.

Modules: `sentiment`, `ner`, `qa`, `translation`, `summarization`, `pretrain`. Each reads top to bottom: its
config class, `load_data(config)`, `train(config, data)` and a short `main(argv=None)`.
"""
