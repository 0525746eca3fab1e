# prodex: the two commands are `make run` and `make test`.
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The exact versions to install, compiled from pyproject.toml by pip-tools (make lock), with hashes.
DEV_LOCK     := requirements/dev.lock
RUNTIME_LOCK := requirements/runtime.lock
# Locks are for CPython 3.11 on Linux; no index or find-links of this machine is written into them.
PIP_COMPILE  := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	-c requirements/constraints.txt

.PHONY: run demo test lint docs pytest lock bench-extraction bench-instructions bench-api bench-url bench-render bench-hostile bench-imports clean

# Installs exactly the lock (again whenever it or pyproject.toml changes), then prodex itself
# without dependencies; `pip check` fails when pyproject.toml asks for what the lock lacks.
$(STAMP): $(DEV_LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check || { echo "the lock does not match pyproject.toml: run make lock" >&2; exit 1; }
	touch $(STAMP)

## lock: re-compile requirements/*.lock from pyproject.toml, keeping the pins that still fit
## (make lock LOCK_ARGS=--upgrade moves every package to its newest allowed version,
## LOCK_ARGS='--upgrade-package httpx' one); then make test, and commit pyproject.toml and the locks.
## The runtime lock is the dev lock's subset: it is compiled starting from the dev lock's pins.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(PIP_COMPILE) --extra dev $(LOCK_ARGS) -o $(DEV_LOCK) pyproject.toml
	cp $(DEV_LOCK) $(RUNTIME_LOCK)
	$(PIP_COMPILE) -o $(RUNTIME_LOCK) pyproject.toml

## run: create the environment, migrate the SQLite database (~/.local/share/prodex unless
## PRODEX_DATA_DIR says otherwise) and serve on $(HOST):$(PORT) (make run PORT=8080)
run: $(STAMP)
	$(BIN)/prodex serve --host $(HOST) --port $(PORT)

## demo: a sample shop on 127.0.0.1 and the API allowed to fetch it; prints a working curl example
demo: $(STAMP)
	$(BIN)/prodex demo --port $(PORT)

## test: set up the environment, lint (ruff, mypy), build the docs strictly and run the whole test suite
test: lint docs pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## docs: build the documentation site (docs/, mkdocs.yml) into site/; --strict: a broken link fails
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench-extraction: $(STAMP)
	$(BIN)/prodex bench extraction --pages ../shared/datasets/product-pages

## bench-instructions: instructions of one extraction pass, prodex vs extruct (needs valgrind)
bench-instructions: $(STAMP)
	$(BIN)/python bench/bench_instructions.py --pages ../shared/datasets/product-pages

## bench-api: manual-create throughput and latency vs a bare endpoint, SQLite and PostgreSQL
bench-api: $(STAMP)
	$(BIN)/python bench/bench_api.py

## bench-url: 500 concurrent URL creates against a 1 s shop, service overhead, event loop under load
bench-url: $(STAMP)
	$(BIN)/python bench/bench_url_create.py

## bench-render: rendered-page latency and the browser pool's memory under 10 concurrent renders
bench-render: $(STAMP)
	$(BIN)/python bench/bench_render.py

## bench-hostile: worst CPU per page (all processes) of the whole analysis over pathological pages
bench-hostile: $(STAMP)
	$(BIN)/python bench/bench_hostile.py

## bench-imports: 2,000 URLs over 20 local shops (300 ms pages, 4 per host), 1 and 2 workers on PostgreSQL
bench-imports: $(STAMP)
	$(BIN)/python bench/bench_imports.py

clean:
	rm -rf $(VENV) site build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
