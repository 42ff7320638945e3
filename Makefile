# Two entry points for people: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check-lessons bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/loopscope serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

check-lessons: $(VENV)/.installed
	$(BIN)/loopscope lessons check

bench: $(VENV)/.installed-test
	$(BIN)/python bench/trace_overhead.py
	$(BIN)/python bench/trace_size.py
	$(BIN)/python bench/trace_latency.py
	$(BIN)/python bench/step_load.py
	$(BIN)/python bench/pages_load.py
	$(BIN)/python bench/reliability.py
	$(BIN)/python bench/room_load.py
	$(BIN)/python bench/sandbox_load.py
	$(BIN)/python bench/run_page_load.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/cli_start.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
