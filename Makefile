# Two commands set everything up on a fresh machine:
#   make site   venv + install, update from arXiv (offline: says so, goes on), index, build site/
#   make test   venv + install, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: site test install lint update index build weekly clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

site: $(STAMP)
	$(BIN)/llm-atlas update --offline-ok
	$(BIN)/llm-atlas build

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check tracker tests scripts scripts/weekly
	$(BIN)/mypy tracker

update index build: $(STAMP)
	$(BIN)/llm-atlas $@

# What the weekly GitHub workflow runs: update -> index -> build -> freshness (README: Weekly updates)
weekly: $(STAMP)
	$(BIN)/python scripts/weekly $(ARGS)

clean:
	rm -rf site docs/generated .cache
