# haiquan — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The OpenAPI client generator the tests use (tests/api/test_openapi_client.py), in its own environment:
# its pins (httpx, typer) are not the project's.
GENERATOR := $(VENV)/openapi-generator
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench reliability install demo migration clean openapi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PYTHON) -m venv $(GENERATOR)
	$(GENERATOR)/bin/python -m pip install --quiet 'openapi-python-client==0.29.1'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/haiquan db upgrade
	$(VENV)/bin/haiquan demo seed
	@echo "haiquan is serving on http://$(HOST):$(PORT)  (Ctrl-C to stop; a development setting: webhooks may go to http://127.0.0.1)"
	HAIQUAN_DEVELOPMENT=1 $(VENV)/bin/haiquan serve --host $(HOST) --port $(PORT)

demo: $(STAMP)
	$(VENV)/bin/haiquan db upgrade
	$(VENV)/bin/haiquan demo seed

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks migrations scripts
	$(VENV)/bin/ruff format --check src tests benchmarks migrations scripts
	$(VENV)/bin/mypy

# The suite on TEST_WORKERS processes (pytest-xdist), each with its own PostgreSQL database and folders;
# a module's tests stay on one worker (--dist loadscope), so a module fixture (the servers of a federation,
# a browser, a trained model) is built once. On 2 shared cores, 2 workers paid and 3 or 4 did not.
TEST_WORKERS ?= auto

test: lint
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests ran"; exit 1; fi; exit $$rc

# docs/openapi.json, after a change to the API (tests/api/test_openapi.py fails until it is regenerated)
openapi: $(STAMP)
	$(VENV)/bin/haiquan docs openapi

KCS := ../shared/data/kcs

# Each prints its figures as ratios against a limit measured in the same run (PostgreSQL at 127.0.0.1).
bench: $(STAMP)
	mkdir -p benchmarks/out
	$(PY) benchmarks/declarations.py
	$(PY) benchmarks/lowvalue.py
	$(PY) benchmarks/registration_lines.py
	$(PY) benchmarks/supervision.py
	$(PY) benchmarks/origin.py
	$(PY) benchmarks/payments.py 3000 pg
	$(PY) benchmarks/reports.py
	$(PY) benchmarks/pages.py
	$(PY) benchmarks/sharing.py
	$(PY) benchmarks/reference_fanout.py
	$(PY) benchmarks/risk.py
	$(VENV)/bin/haiquan risk train --train $(KCS)/df_syn_train_eng.csv --valid $(KCS)/df_syn_valid_eng.csv --model benchmarks/out/model.json
	$(PY) benchmarks/risk_engine.py --model benchmarks/out/model.json

# The reliability campaign of issue #25 (kill -9, retry storms, a partition, fuzz, access sweep, floods, a
# soak) on a private PostgreSQL cluster of its own; writes docs/reliability.md. Under 30 minutes by default,
# loopback only, not part of `make test`; HAIQUAN_RELIABILITY_SCALE=0.2 for a quick run (docs/reliability.md).
reliability: $(STAMP)
	$(PY) -m benchmarks.reliability

migration: $(STAMP)
	rm -f /tmp/haiquan-migration.db
	HAIQUAN_DATABASE_URL=sqlite:////tmp/haiquan-migration.db $(VENV)/bin/alembic upgrade heads
	HAIQUAN_DATABASE_URL=sqlite:////tmp/haiquan-migration.db $(VENV)/bin/alembic revision --autogenerate -m "$(MSG)"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
