# Gazette — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
GAZETTE := $(VENV)/bin/gazette
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev migrate ingest run test test-sqlite test-postgres lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(GAZETTE) migrate

ingest: migrate
	$(GAZETTE) ingest --pack

run: ingest
	@echo "Gazette is serving at http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(GAZETTE) serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check src tests bench

test-sqlite: install-dev
	@echo "== test suite on SQLite =="
	GAZETTE_TEST_DATABASE_URL=sqlite:///$(CURDIR)/var/test-sqlite.db $(PY) -m pytest

test-postgres: install-dev
	@echo "== test suite on PostgreSQL =="
	@if $(PY) -m gazette.store.probe "$(PG_URL)"; then \
		GAZETTE_TEST_DATABASE_URL="$(PG_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required when CI=true but is not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): skipping the PostgreSQL pass (mandatory when CI=true)"; \
	fi

test: lint test-sqlite test-postgres

bench: install-dev
	$(PIP) install --quiet -e '.[dev,bench]'
	@for script in bench/bench_*.py; do echo "== $$script =="; $(PY) $$script || exit 1; done

clean:
	rm -rf var .pytest_cache .ruff_cache
