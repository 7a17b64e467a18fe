# Two commands set everything up on a fresh machine:
#   make site   venv + install, npm packages, update from arXiv (offline: says so, goes on), index, build site/
#   make test   venv + install, npm packages, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# esbuild and the stemmer the search page is bundled from, axe-core for its accessibility test (package-lock.json pins them)
NODE_STAMP := node_modules/.installed-stamp

.PHONY: site test test-bundled install lint update index build weekly clean chromium

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 18 or newer (apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) $(NODE_STAMP)

site: $(STAMP) $(NODE_STAMP)
	$(BIN)/llm-atlas update --offline-ok
	$(BIN)/llm-atlas build

# Both cores: each test file on one worker (its module fixtures made once), the longest files first
# (tests/conftest.py's xdist groups and order). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(STAMP) $(NODE_STAMP) chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The browser test at the bundled size (issue 14): page weights of the site `make site` builds from data/.
test-bundled: site chromium
	$(BIN)/python -m pytest -m bundled tests/test_site_bundled.py -s

# tests/test_site_browser.py drives Debian's chromium through playwright (never `playwright install`).
# Installed once when missing: as root, or with sudo when it needs no password; otherwise say so and go on.
# LLM_ATLAS_CHROMIUM=/path/to/chrome uses another Chromium-family browser instead (GitHub's Ubuntu runners).
chromium:
	@[ -n "$$LLM_ATLAS_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else \
	    echo "chromium is missing and cannot be installed here (needs root): the browser test will fail" >&2; \
	    exit 0; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check tracker tests scripts scripts/weekly
	$(BIN)/mypy tracker
	$(BIN)/lint-imports

update index build: $(STAMP) $(NODE_STAMP)
	$(BIN)/llm-atlas $@

# What the weekly GitHub workflow runs: update -> index -> build -> freshness (README: Weekly updates)
weekly: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/weekly $(ARGS)

clean:
	rm -rf site docs/generated .cache
