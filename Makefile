# Houqin: `make run` brings the platform up, `make test` runs the whole suite.
# Everything the project needs is installed from here: uv (into .houqin/tools if missing), then the
# locked workspace into .venv.
SHELL := /bin/bash
PYTHON ?= python3
TOOLS := .houqin/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
SYNC_STAMP := .venv/.houqin-synced

.PHONY: run test lint format bench migrate seed sync fuzz openapi i18n clean

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

# The suites that read calendars (contract ends, renewals, qualifications, deadlines, periods) run a second
# time with the platform clock (houqin_common.clock) moved to mid-2027: nothing may depend on the run's date.
CLOCK_SHIFTED_SUITES := tests/contracts_api tests/appraisal
test: sync lint
	@scripts/ensure-mosquitto.sh
	$(UV) run --no-sync pytest
	HOUQIN_CLOCK_AT=2027-06-01T09:00:00+08:00 $(UV) run --no-sync pytest -q $(CLOCK_SHIFTED_SUITES)

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy
	$(UV) run --no-sync lint-imports

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
	$(UV) run --no-sync python scripts/export_mqtt_schemas.py

# Extract every _()/N_() message of the library and the services, merge into the catalogs, compile.
# The .pot, .po and .mo files are committed: a fresh clone needs no build step to speak Chinese.
LOCALE_DIR := libs/common/src/houqin_common/locale
i18n: sync
	$(UV) run --no-sync pybabel extract --no-location --sort-output --project=houqin --omit-header \
		-o $(LOCALE_DIR)/houqin.pot libs/common/src services/contracts-api/src services/telemetry-ingest/src services/appraisal/src
	$(UV) run --no-sync pybabel update --no-fuzzy-matching -D houqin -i $(LOCALE_DIR)/houqin.pot -d $(LOCALE_DIR) -l zh_CN
	$(UV) run --no-sync pybabel compile -D houqin -d $(LOCALE_DIR) -l zh_CN

fuzz: sync
	$(UV) run --no-sync pytest tests/fuzz

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache
