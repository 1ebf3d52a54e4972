# creatormatch: `make help` lists the targets. Logic lives in Python; each target calls a tool.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: any other torch request downloads a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP) ## Create .venv and install creatormatch (CPU torch first)

run: $(STAMP) ## Migrate, load the demo roster and key, and serve on http://127.0.0.1:8000
	$(BIN)/creatormatch db upgrade
	$(BIN)/creatormatch demo
	$(BIN)/creatormatch index build
	$(BIN)/creatormatch serve

lint: $(DEV_STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP) ## mypy --strict on our packages
	$(BIN)/mypy

# One pytest worker per core (pytest-xdist); a file's tests stay together on one worker, so
# its module fixtures are built once. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

pytest: $(DEV_STAMP) ## pytest only (SQLite, and PostgreSQL when its binaries are installed)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest ## ruff, mypy and pytest: what CI runs

contract: $(DEV_STAMP) ## schemathesis, every check, against a real server (SQLite, then PostgreSQL)
	$(BIN)/python -m tests.api.contract_run sqlite
	$(BIN)/python -m tests.api.contract_run postgresql

bench: $(STAMP) ## Run the benchmarks (JSON on stdout)
	$(BIN)/python -m bench.bench_import

format: $(DEV_STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the venv, caches and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build *.egg-info

.PHONY: help install run lint typecheck pytest test contract bench format clean
