# Houqin: `make run` brings the platform up, `make test` runs the whole suite.
# Everything the project needs is installed from here: uv (into .houqin/tools if missing), then the
# locked workspace into .venv.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .houqin/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
SYNC_STAMP := .venv/.houqin-synced

.PHONY: run test lint format bench migrate seed sync fuzz openapi clean

$(TOOLS)/bin/uv:
	@echo "uv not found: installing it into $(TOOLS)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

$(SYNC_STAMP): uv.lock pyproject.toml libs/common/pyproject.toml services/*/pyproject.toml | $(UV)
	$(UV) sync --all-packages --locked
	@touch $@

sync: $(SYNC_STAMP)

run: sync
	$(UV) run --no-sync houqin up

test: sync lint
	@scripts/ensure-mosquitto.sh
	$(UV) run --no-sync pytest

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy

format: sync
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

bench: sync
	@scripts/ensure-mosquitto.sh
	$(UV) run --no-sync python -m bench

migrate: sync
	$(UV) run --no-sync houqin migrate

seed: sync
	$(UV) run --no-sync houqin seed

# Regenerate the committed OpenAPI snapshots and deploy/.env.example after changing an API or a setting.
openapi: sync
	$(UV) run --no-sync python tests/deploy/export_openapi.py
	$(UV) run --no-sync python tests/deploy/export_env_example.py

fuzz: sync
	$(UV) run --no-sync pytest tests/fuzz

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache
