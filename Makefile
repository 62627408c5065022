# steeltrace: the two commands of the README, and the gates behind them.
#   make demo   - create the environment if needed, run the demo story, serve the dashboard
#   make test   - create the environment if needed, lint, type-check, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_HOME ?= .demo-home

.PHONY: demo test lint typecheck pytest browser-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/steeltrace demo --home $(DEMO_HOME)

test: $(STAMP) browser-deps lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

browser-deps:
	bash scripts/ensure-chromium.sh

bench: $(STAMP)
	$(BIN)/steeltrace bench ledger --json
	$(BIN)/steeltrace bench trace --json
	$(BIN)/steeltrace bench api --json

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache artifacts
