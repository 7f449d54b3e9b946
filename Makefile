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

# On every core: most tests wait on loopback servers, subprocesses and PostgreSQL, and a
# worker that finishes early takes tests from a busy one (worksteal).
test: lint
	$(BIN)/pytest -q -n auto --dist worksteal

# The whole pipeline offline: the sample week in data/sample, served on a loopback port.
demo: install
	$(BIN)/python data/sample/demo.py

# Benchmarks against loopback servers (tests/bench/README.md); not part of `make test`.
bench: install
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
