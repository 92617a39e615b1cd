# guiyang-ops — every developer command in one place. `make demo` and `make test` set everything up.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OPS   := $(BIN)/guiyang-ops
DEMO_CASES ?= 50000
DEMO_DAYS  ?= 90
BENCH_CASES ?= 1000000

.PHONY: help demo test test-fast bench trust house lint audit fmt db-up db-down migrate seed serve system-deps browser-deps venv clean

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

system-deps: ## PostgreSQL 15 + PostGIS 3 from Debian when missing (as root)
	@bash .ci/system-deps.sh

browser-deps: ## also Chromium and CJK fonts for the browser tests
	@bash .ci/system-deps.sh --browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## the virtualenv with the project and its dev tools

db-up: system-deps venv ## start the project's own PostgreSQL cluster under var/pg
	$(OPS) db up

db-down: venv ## stop it
	$(OPS) db down

migrate: db-up ## apply migrations
	$(OPS) migrate

seed: db-up ## reference data, demo accounts and the demo city
	GUIYANG_DEMO_MODE=1 $(OPS) setup --demo
	@if $(OPS) --help | grep -q seed-demo; then GUIYANG_DEMO_MODE=1 $(OPS) seed-demo --cases $(DEMO_CASES) --days $(DEMO_DAYS) --if-empty; fi

serve: venv ## serve the app at http://127.0.0.1:8050
	GUIYANG_DEMO_MODE=$${GUIYANG_DEMO_MODE:-1} $(OPS) serve

demo: seed ## set up everything and serve the demo city (with the live simulator)
	@if $(OPS) --help | grep -q simulate; then \
	  GUIYANG_DEMO_MODE=1 $(OPS) simulate --rate 2 > var/simulate.log 2>&1 & echo $$! > var/simulate.pid; fi
	@trap 'test -f var/simulate.pid && kill $$(cat var/simulate.pid) 2>/dev/null; rm -f var/simulate.pid' EXIT; \
	  GUIYANG_DEMO_MODE=1 $(OPS) serve

FAST := not browser and not server and not process and not fuzz

test: browser-deps venv ## the whole test suite on real PostGIS and real Chromium (every lane)
	$(OPS) db up
	GUIYANG_FAIL_ON_SKIP=1 $(BIN)/pytest -q

test-fast: system-deps venv ## pure and database tests in two workers: no browser, no app server, no extra process
	$(OPS) db up
	GUIYANG_FAIL_ON_SKIP=1 $(BIN)/pytest -q -n 2 --dist loadscope -m "$(FAST)"

bench: db-up ## the figures the issues ask for, on the 1M-case demo city
	$(BIN)/python -m bench --cases $(BENCH_CASES)

trust: db-up ## the trust measurements (crash, privileges, uploads, sign-in, headers, public data)
	$(BIN)/python -m bench.trust

house: venv ## lines per top-level package, imports against the layers, import cycles
	$(BIN)/python -m bench.house

lint: venv ## ruff + mypy + the supply-chain checks (make audit)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy geo db ops demo dashboard bench
	@bash .ci/audit.sh

audit: venv ## bandit over our code; pip-audit of the installed packages (skipped with a message when offline)
	@bash .ci/audit.sh

fmt: venv ## format and fix imports
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: db-down ## remove the venv and the local cluster
	rm -rf $(VENV) var
