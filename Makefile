# Two entry points for people: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# uv installs exactly what uv.lock says (versions and hashes); `make lock` moves it on purpose.
UV_VERSION := 0.13.9
UV := $(BIN)/uv

.PHONY: run test test-fast lint typecheck check-lessons bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

# --inexact keeps uv itself in the environment; --locked refuses a lock that pyproject outgrew.
# --compile-bytecode (and compileall for our own packages): every trace worker is a fresh Python
# that imports httpx and the tracer; without .pyc files (uv writes none, and workers never write
# them) each start compiled them again, half of a worker's 0.5 CPU s.
COMPILE = $(BIN)/python -m compileall -q visualizer lessons loopscope

$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/python
	$(UV) sync --locked --inexact --quiet --compile-bytecode
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml uv.lock | $(BIN)/python
	$(UV) sync --locked --inexact --quiet --extra test --compile-bytecode
	$(COMPILE)
	touch $(VENV)/.installed $@

lock: | $(BIN)/python
	$(UV) lock

run: $(VENV)/.installed
	$(BIN)/loopscope serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# The suite without browsers, real PostgreSQL/Redis servers or the slow whole-lesson runs.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not browser and not realservers and not slow"

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
