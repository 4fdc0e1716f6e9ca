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

.PHONY: install install-dev migrate ingest demo run browser test test-sqlite test-postgres lint bench clean

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

demo: ingest
	$(GAZETTE) demo

run: demo
	@echo "Gazette is serving at http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(GAZETTE) serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check src tests bench

# The browser tests drive Debian's chromium (never a downloaded browser); install it when missing.
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	echo "== installing Debian's chromium for the browser tests (apt-get) =="; \
	if [ "$$(id -u)" = "0" ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	else echo "chromium is missing and apt-get needs root: run 'apt-get install -y chromium fonts-noto-cjk' as root" >&2; exit 1; fi; \
	if ! ( $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium fonts-noto-cjk ); then \
		echo "could not install chromium (needed by the browser tests in tests/e2e): install the Debian packages 'chromium' and 'fonts-noto-cjk', then re-run" >&2; exit 1; fi; \
	if [ ! -x /usr/bin/chromium ]; then echo "apt-get finished but /usr/bin/chromium is still missing" >&2; exit 1; fi

test-sqlite: install-dev browser
	@echo "== test suite on SQLite =="
	@mkdir -p var
	GAZETTE_TEST_ARTIFACTS=sqlite GAZETTE_TEST_DATABASE_URL=sqlite:///$(CURDIR)/var/test-sqlite.db $(PY) -m pytest

test-postgres: install-dev browser
	@echo "== test suite on PostgreSQL =="
	@if $(PY) -m gazette.store.probe "$(PG_URL)"; then \
		GAZETTE_TEST_ARTIFACTS=postgres GAZETTE_TEST_DATABASE_URL="$(PG_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required when CI=true but is not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): skipping the PostgreSQL pass (mandatory when CI=true)"; \
	fi

# The two passes run side by side (one core each): their logs are printed in full once both end,
# and the target fails if either failed. `make test-sqlite` / `make test-postgres` run one alone.
test: lint install-dev browser
	@mkdir -p var
	@echo "== test suite on SQLite and on PostgreSQL, side by side (logs: var/test-*.log) =="
	@$(MAKE) --no-print-directory test-sqlite > var/test-sqlite.log 2>&1 & sqlite_pid=$$!; \
	$(MAKE) --no-print-directory test-postgres > var/test-postgres.log 2>&1; postgres_rc=$$?; \
	wait $$sqlite_pid; sqlite_rc=$$?; \
	cat var/test-sqlite.log; cat var/test-postgres.log; \
	echo "== SQLite pass exit $$sqlite_rc, PostgreSQL pass exit $$postgres_rc =="; \
	test $$sqlite_rc -eq 0 -a $$postgres_rc -eq 0

bench: install-dev
	$(PIP) install --quiet -e '.[dev,bench]'
	@for script in bench/bench_*.py; do echo "== $$script =="; $(PY) $$script || exit 1; done

clean:
	rm -rf var .pytest_cache .ruff_cache
