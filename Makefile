# Heard: `make run` serves it on http://127.0.0.1:5000 (HOST and PORT change that),
# `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FORUM_ENV=development $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run install install-test setup-db test lint format bench bench-search bench-pii bench-crisis clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

setup-db: install
	$(FLASK) db upgrade
	$(FLASK) heard load-taxonomy
	$(FLASK) heard load-resources

run: setup-db
	$(FLASK) run --host $(HOST) --port $(PORT)

# Two workers: the suite is CPU-bound and CI has two cores (PYTEST_ARGS to override).
PYTEST_ARGS ?= -n 2
test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test
	$(BIN)/python -m tests.bench

# Search: in-process time and SQL count of search pages beside /stories, at 10,000 stories
# (LARGE=1: 100,000).
bench-search: install-test
	$(BIN)/python -m tests.bench.search $(if $(LARGE),--large,)

# The de-identification benchmark: presidio-evaluator is heavy, so it lives in its own venv.
BENCH_PII := .venv-bench-pii
bench-pii: install
	test -x $(BENCH_PII)/bin/python || $(PYTHON) -m venv $(BENCH_PII)
	$(BENCH_PII)/bin/pip install --quiet presidio-evaluator
	mkdir -p build
	$(BENCH_PII)/bin/python -m tests.bench.pii.generate build/bench-pii.json > /dev/null
	$(BIN)/python -m tests.bench.pii.run build/bench-pii.json

# Crisis-language detection: precision and recall per class on the labelled sentences
# (development and held-out sets), false alarms on ordinary prose, and scan times.
bench-crisis: install
	$(BIN)/python -m tests.bench.crisis

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
