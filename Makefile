# Development tasks; `make help` lists them. Everything runs inside .venv, which the first
# target you run creates from requirements-dev.lock. PostgreSQL and Redis are embedded and
# started on demand by scripts/devenv.py unless DATABASE_URL / REDIS_URL are set.

.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEVENV := $(PY) scripts/devenv.py
# Passed on to pytest or the benchmark: make test ARGS="-k cases -x"
ARGS ?=

.PHONY: help venv messages run test lint typecheck migrations-check bench bench-alerts bench-audit bench-docket bench-webhooks bench-routes clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp makes repeated runs skip installing until the lock file changes.
$(VENV)/.synced: requirements-dev.lock | $(PY)
	test -x $(VENV)/bin/uv || $(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip sync --python $(PY) requirements-dev.lock
	touch $@

venv: $(VENV)/.synced ## Create .venv and install the locked dependencies

messages: $(VENV)/.synced ## Extract the messages to translate (needs GNU gettext) and compile every catalogue
	$(PY) scripts/messages.py extract
	$(PY) scripts/messages.py compile

run: $(VENV)/.synced ## Migrate, seed demo data, serve with Celery on 127.0.0.1 (PORT=8000)
	$(DEVENV) run

test: $(VENV)/.synced ## Run the test suite (extra pytest arguments: ARGS="...")
	$(DEVENV) test $(ARGS)

lint: $(VENV)/.synced ## ruff check, ruff format --check, and the import contracts (apps in one-way layers)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_layers.py

typecheck: $(VENV)/.synced ## mypy
	$(VENV)/bin/mypy .

migrations-check: $(VENV)/.synced ## Fail if a model change has no migration
	$(DEVENV) manage makemigrations --check --dry-run

# The benchmark seeds (and truncates) a database of its own; see bench/README.md.
bench: $(VENV)/.synced ## Case list benchmark (options: ARGS="--cases 20000")
	DEVENV_DATABASE=parley_bench $(DEVENV) exec python -m bench.cases_list $(ARGS)

bench-alerts: $(VENV)/.synced ## Alert sweep benchmark (options: ARGS="--scale 0.02")
	DEVENV_DATABASE=parley_alerts_bench $(DEVENV) exec python -m bench.alerts_sweep $(ARGS)

bench-audit: $(VENV)/.synced ## Audit trail benchmark (options: ARGS="--events 50000")
	DEVENV_DATABASE=parley_audit_bench $(DEVENV) exec python -m bench.audit_trail $(ARGS)

bench-webhooks: $(VENV)/.synced ## Webhook fan-out and delivery benchmark (options: ARGS="--events 200")
	DEVENV_DATABASE=parley_webhooks_bench $(DEVENV) exec python -m bench.webhook_fanout $(ARGS)

bench-routes: $(VENV)/.synced ## Every GET route, page and API, per role (options: ARGS="--cases 20000")
	DEVENV_DATABASE=parley_routes_bench $(DEVENV) exec python -m bench.routes $(ARGS)

bench-docket: $(VENV)/.synced ## Docket import benchmark (options: ARGS="--hearings 5000")
	DEVENV_DATABASE=parley_docket_bench $(DEVENV) exec python -m bench.docket_import $(ARGS)

# Stops services first: deleting the data directory of a running PostgreSQL leaves it orphaned.
# `devenv.py stop` fails, and so does this, while another devenv command still uses them.
clean: ## Stop the embedded services and delete .data/ (the local database with it)
	@if [ -x $(PY) ] && [ -d .data ]; then $(DEVENV) stop; fi
	rm -rf .data
