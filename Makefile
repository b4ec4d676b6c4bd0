# The commands the README shows. `make help` lists them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8001
DB ?= data/archive.db

.PHONY: help demo test lint typecheck pytest serve nightly bench release system-deps registry-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project with its dev tools

demo: $(STAMP) ## crawl the real registry, or the bundled sample sites offline, into an archive
	$(BIN)/crawler demo

system-deps: ## install Debian packages the tests need (chromium for browser tests, redis-server)
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium redis-server >/dev/null; \
		else echo "system-deps: not root; browser/redis tests will be skipped"; fi; fi

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy
	$(BIN)/mypy

registry-check: $(STAMP) ## validate data/sites.csv
	$(BIN)/crawler registry check data/sites.csv

pytest: $(STAMP)
	$(BIN)/pytest -q

test: $(STAMP) system-deps lint typecheck registry-check pytest ## set up .venv, then lint, type-check, validate the registry and run the tests

serve: $(STAMP) ## open the archive read-only in Datasette (DB=, HOST=, PORT=)
	$(BIN)/crawler serve $(DB) --host $(HOST) --port $(PORT)

nightly: $(STAMP) ## the nightly incremental crawl of data/sites.csv into data/archive.db
	$(BIN)/crawler nightly

bench: $(STAMP) ## throughput benchmark: fetch rate, CPU floor, pipeline rate, memory
	$(BIN)/python benchmarks/throughput.py

release: $(STAMP) ## versioned snapshot of the archive with JSON Lines, Parquet, checksums, CITATION.cff
	$(BIN)/crawler release $(DB)
