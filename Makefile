.PHONY: run test constraints fixtures bench bench-extra quality
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
# Regenerates constraints.txt (the exact versions scripts/run.sh and scripts/test.sh install) from setup.cfg.
constraints:
	bash scripts/make_constraints.sh
# Regenerates the parity fixtures (needs the `dev` extra and torch==2.13.0; the tests never need them).
fixtures:
	python tests/fixtures/make_model_fixtures.py
	python tests/fixtures/tokenizers/make_tokenizer_fixtures.py
# The speed suite (issue #13; under 30 minutes on a 2-core CPU): after the README's set-up (.venv), installs the
# peers (the `bench` extra: torch CPU, transformers) and runs every script in benchmarks/suite.py, then writes
# benchmarks/results/bench.md and bench.png. `make bench PYTHON=python` uses another interpreter.
PYTHON ?= .venv/bin/python
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
bench:
	$(PYTHON) -m pip install -q -c constraints.txt --extra-index-url $(TORCH_CPU_INDEX) -e ".[bench]"
	$(PYTHON) -m benchmarks.suite
# The other benchmarks (tokenizers and quality need ../shared/data; the quality runs take hours).
bench-extra:
	$(PYTHON) -m benchmarks.lm_head_layout
	$(PYTHON) -m benchmarks.tokenizers
	$(PYTHON) -m benchmarks.attention_precision
quality:
	$(PYTHON) -m benchmarks.quality --task sentiment --with-peers
	$(PYTHON) -m benchmarks.quality --task ner
	$(PYTHON) -m benchmarks.quality --task qa
	$(PYTHON) -m benchmarks.quality --task translation
	$(PYTHON) -m benchmarks.quality --task summarization
	$(PYTHON) -m benchmarks.quality --task pretrain_pays
