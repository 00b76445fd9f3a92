#!/usr/bin/env bash
# The main job: creates .venv, installs zoo, and runs the sentiment recipe on the embedded sample.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q .
exec .venv/bin/python -m zoo.recipes.sentiment "$@"
