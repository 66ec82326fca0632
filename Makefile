# Takedown Desk. `make start` and `make test` do all set-up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
LOAD_ARGS ?=
BENCH_ARGS ?=
# The test suite runs against the real services; override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/takedown_desk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install system-deps services start test test-lite bench load lint check migrate

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

system-deps:
	@scripts/system-deps

install: system-deps $(VENV)/.installed

services:
	@scripts/services

## Start the portal with demo data: http://127.0.0.1:8000 (SQLite and in-process tasks unless DATABASE_URL/REDIS_URL are set)
start: install
	scripts/start

## The whole test suite against PostgreSQL, Redis and a real Celery worker: in parallel (TEST_WORKERS processes,
## each with its own database and Redis database), then the tests that stop a shared service, on their own
TEST_WORKERS ?= 2
test: install services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: PYTEST_ARGS named no serial test

## Quick run on SQLite: the tests that need PostgreSQL, Redis or the browser are skipped
test-lite: install
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -m "not services and not browser" $(PYTEST_ARGS)

## Scale: 1,000,000 claims, each figure next to its baseline (BENCH_ARGS=--quick for 100,000); bench/results.json
bench: install services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(PY) scripts/bench_scale.py $(BENCH_ARGS)

## Mixed API workload with locust (50 users, 60 s) against gunicorn and a Celery worker: database `loadtest`
## (dropped and created again), Redis DB 13; LOAD_ARGS="--users 100 --run-time 120s" to change it
load: install services
	$(PY) scripts/load_test.py $(LOAD_ARGS)

lint: install
	$(VENV)/bin/ruff check .

## Static checks, as CI runs them: lint, formatting, migrations, import layers, types, the generated lifecycle
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy
	env -u DATABASE_URL DEBUG=1 $(PY) manage.py lifecycle_doc --check
