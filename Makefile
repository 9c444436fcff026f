# Treatycraft. `make run` serves a game on http://127.0.0.1:8000; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
export POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# pytest-xdist workers of the fast suite (logical: one per logical CPU; 0 for none).
TEST_WORKERS ?= logical
# The browser suite runs in one process by default. BROWSER_XDIST="-n 2 --dist loadscope" took the
# browser stage from 325 s to 213 s, but one map hover test (test_map.py) failed once under that load.
# The slow suite runs on two workers: its longest test mostly waits out a two-minute Redis stall, and
# the others run meanwhile (366 s -> 172 s). Each worker's servers have their own databases and Redis
# prefix (tests/e2e/servers.py); SLOW_XDIST= runs it in one process.
BROWSER_XDIST ?=
SLOW_XDIST ?= -n 2

.PHONY: run test test-fast test-slow lint types bench clean help

help:
	@echo "make run   - install, migrate, load scenarios and serve on http://$(HOST):$(PORT)"
	@echo "make test  - lint, types and every test (starts Redis, installs Chromium if missing)"
	@echo "make bench - the benchmark suite (docs/performance.md)"

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Treatycraft needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

types: $(VENV)/.dev
	$(VENV)/bin/mypy game_engine negotiation config bench

test: $(VENV)/.dev
	@scripts/ensure-services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy game_engine negotiation config bench
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Model changes without a migration: run manage.py makemigrations" && exit 1)
	$(PY) -m pytest -m "not browser and not slow" -q -n $(TEST_WORKERS)
	$(PY) -m pytest -m "browser" -q -p no:randomly $(BROWSER_XDIST)
	$(PY) -m pytest -m "slow and not browser" -q $(SLOW_XDIST)
	@mkdir -p bench/results/smoke
	$(PY) bench/run_all.py --smoke >bench/results/smoke/run.log 2>&1 || (tail -40 bench/results/smoke/run.log; exit 1)

test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not browser and not slow" -q -x

bench: $(VENV)/.dev
	@scripts/ensure-services.sh
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles .test-db*.sqlite3*
