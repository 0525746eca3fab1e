# prodex: the two commands are `make run` and `make test`.
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 8000
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint pytest bench-extraction bench-instructions bench-api bench-url bench-render bench-hostile clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create the environment, migrate the SQLite database (~/.local/share/prodex unless
## PRODEX_DATA_DIR says otherwise) and serve on $(HOST):$(PORT) (make run PORT=8080)
run: $(STAMP)
	$(BIN)/prodex serve --host $(HOST) --port $(PORT)

## demo: a sample shop on 127.0.0.1 and the API allowed to fetch it; prints a working curl example
demo: $(STAMP)
	$(BIN)/prodex demo --port $(PORT)

## test: set up the environment, lint (ruff, mypy) and run the whole test suite
test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

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

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
