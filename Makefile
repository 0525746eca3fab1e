# prodex: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint pytest bench-extraction bench-instructions bench-api bench-url bench-render bench-hostile clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create the environment, migrate the SQLite database in ./data and serve on 127.0.0.1:8000
run: $(STAMP)
	$(BIN)/prodex serve --host 127.0.0.1 --port 8000

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
