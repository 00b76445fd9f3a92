.PHONY: run test constraints fixtures bench
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
bench:
	python -m benchmarks.generation
	python -m benchmarks.lm_head_layout
	python -m benchmarks.training
	python -m benchmarks.quality --task sentiment --with-peers
	python -m benchmarks.quality --task ner
	python -m benchmarks.quality --task qa
	python -m benchmarks.tokenizers
	python -m benchmarks.attention_precision
