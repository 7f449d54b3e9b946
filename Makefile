# The workflow: `make test` is what CI runs (.ci/run); `make demo` runs the pipeline offline.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install fmt lint test demo bench clean

install: $(STAMP)

# Reinstall only when the dependency list changes; the package itself is editable.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

fmt: install
	$(BIN)/ruff format curator tests
	$(BIN)/ruff check --fix curator tests

lint: install
	$(BIN)/ruff check curator tests
	$(BIN)/ruff format --check curator tests
	$(BIN)/mypy curator

# One worker per core and one more: most tests wait on loopback servers, subprocesses and
# PostgreSQL, and a worker that finishes early takes tests from a busy one (worksteal).
# With both cores of a 2-core machine busy elsewhere, 3 workers took 6m10s, 2 took 7m14s.
WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")

test: lint
	$(BIN)/pytest -q -n $(WORKERS) --dist worksteal

# The whole pipeline offline: the sample week in data/sample, served on a loopback port.
demo: install
	$(BIN)/python data/sample/demo.py

# Benchmarks against loopback servers (tests/bench/README.md); not part of `make test`.
bench: install
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
