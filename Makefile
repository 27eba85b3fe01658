# Two commands on a fresh machine:  `make run`  (install + chat app)  and  `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint test-slow test-ci-slow eval-fast clean
CI_HOME ?= /tmp/article-qa-ci-home

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml requirements/spacy.txt | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/spacy.txt
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 $(BIN)/python app.py

lint: install
	$(BIN)/ruff check qa ingest eval ui tests app.py $(wildcard bench)
	$(BIN)/mypy qa ingest eval ui app.py
	$(BIN)/lint-imports
	$(BIN)/deptry .

AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

# axe-core (npm) for the accessibility test, injected into the page by Playwright
$(AXE):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4.14.1 \
	  || echo "warning: npm could not install axe-core; the accessibility test will be skipped"

test: install lint $(AXE)
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/pytest -m "not slow" -q

# every slow test: kill campaigns, full disks, 1 GB inputs, the real LLMs (by hand; long)
test-slow: install
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/pytest -m slow -q

# the reduced slow tier CI runs: a few kills, a small full disk, the real 0.5B model on one question
test-ci-slow: install
	$(BIN)/pip install -q -e ".[dev,llm]"
	HF_HUB_OFFLINE=1 $(BIN)/article-qa models --home $(CI_HOME) install qwen2.5-0.5b
	ARTICLE_QA_HOME=$(CI_HOME) HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/pytest -m ci_slow -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

eval-fast: install
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/integration/test_eval_gate.py
