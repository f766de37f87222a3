# Synergraph — the two commands of the README are `make run` and `make test`.
# Everything is installed by these targets: a virtualenv in .venv, Neo4j from Maven Central
# in .synergraph/ (git-ignored), and for browser tests Debian's chromium (apt).

PYTHON ?= python3
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install browser neo4j demo serve lint bench clean-neo4j

$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m service.analytics._kernels  # compile the numba loops once (cached)
	touch $(STAMP)

install: $(STAMP)

## Debian's Chromium and its driver, for the real-browser tests (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

neo4j: install
	$(BIN)/synergraph neo4j start

demo: neo4j
	$(BIN)/synergraph demo

serve: install
	$(BIN)/synergraph serve

## From a fresh clone to http://127.0.0.1:5000 with the demo ecosystem loaded. The demo is
## served in public read-only mode; `synergraph user add NAME --role admin` creates accounts.
run: demo
	$(BIN)/synergraph serve --public-read

## The whole test suite (starts its own Neo4j on free ports).
test: install browser
	$(BIN)/synergraph neo4j install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

## bench_scale.py: what users run on a whole H2020-size network, in its own Neo4j
## (BENCH_ARGS=--quick for a 1/10 size). bench_load.py and bench_analytics.py still run by
## hand (bench_load empties the configured database).
bench: install
	$(BIN)/python bench/bench_scale.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_concurrency.py

clean-neo4j:
	-$(BIN)/synergraph neo4j stop
	rm -rf .synergraph
