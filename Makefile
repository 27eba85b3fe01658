# Two commands on a fresh machine:  `make run`  (install + chat app)  and  `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint eval-fast clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
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

test: install lint
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/pytest -m "not slow" -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

eval-fast: install
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q tests/integration/test_eval_gate.py
