# Every target sets up what it needs on a fresh machine.
VENV    := .venv
LINTED  := src tests $(wildcard bench)
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
NODE_DIR := tests/node

.PHONY: run test lint typecheck format bench bench-large bench-webhooks loadtest clean chromium shell-tools

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: serve http://127.0.0.1:8000/v2 on the embedded SQLite store, with the sandbox
## on under a new admin token (printed as NUMBER_ORDERS_ADMIN_TOKEN=...)
run: $(STAMP)
	NUMBER_ORDERS_ADMIN_TOKEN=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(24))') \
	$(VENV)/bin/number-orders serve

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund --silent
	touch $@

# The console's browser tests drive Debian's Chromium (browsers cannot be downloaded here).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The README's shell lines, which a test runs as written, use curl and jq.
shell-tools:
	command -v curl >/dev/null && command -v jq >/dev/null || (apt-get update && apt-get install -y curl jq)

## make test: lint, types, and the whole suite on SQLite and a throwaway PostgreSQL
test: $(STAMP) $(NODE_DIR)/node_modules/.installed chromium shell-tools lint typecheck
	$(PY) -m pytest -n 2 --dist loadgroup -q -p no:cacheprovider --durations=20

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format $(LINTED)
	$(VENV)/bin/ruff check --fix $(LINTED)

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	touch $@

## make bench: list latency/throughput at 10^4..10^6 orders on SQLite and PostgreSQL, what
## the sandbox's request journal costs the list (goal: at most 10%), the create rate
## beside lists (goal: at least 0.035 of the raw-ASGI ceiling) and the seed rate, then every
## goal judged (bench.goals) (not CI)
bench: $(BENCH_STAMP)
	$(PY) -m bench.run --sizes 10000,100000,1000000 --engines sqlite,postgresql
	$(PY) -m bench.journal_cost --engines sqlite,postgresql
	$(PY) -m bench.create_rate --engines sqlite,postgresql
	$(PY) -m bench.seed_rate --engines sqlite,postgresql
	$(PY) -m bench.goals

## make bench-large: the same on PostgreSQL at 10^7 orders
bench-large: $(BENCH_STAMP)
	$(PY) -m bench.run --sizes 10000,10000000 --engines postgresql --parts list --name large
	$(PY) -m bench.goals
## make bench-webhooks: webhook delivery throughput and latency on both engines
bench-webhooks: $(STAMP)
	$(PY) -m bench.webhook_delivery --engine sqlite
	$(PY) -m bench.webhook_delivery --engine postgresql

## make loadtest: 64 clients for 60 s against `serve --workers 2` on loopback (not CI)
loadtest: $(STAMP)
	$(PY) -m bench.loadtest --clients 64 --duration 60

clean:
	rm -rf $(VENV) var $(NODE_DIR)/node_modules
