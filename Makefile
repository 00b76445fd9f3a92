.PHONY: run test fixtures bench
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
# Regenerates the parity fixtures (needs the `dev` extra and torch==2.13.0; not needed for tests).
fixtures:
	python tests/fixtures/make_fixtures.py
bench:
	python -m benchmarks.generation
