# veille: `make demo` runs the offline demo, `make test` runs the test suite.
# Both create the virtual environment in .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= ../shared/corpus

.PHONY: demo test lint bench eval eval-tagging clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/veille demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/crawl_bench.py $(CORPUS)

eval: $(STAMP)
	$(BIN)/python bench/eval_extraction.py $(CORPUS)
	$(BIN)/python bench/eval_crawl.py $(CORPUS)

eval-tagging: $(STAMP)
	$(BIN)/python bench/eval_tagging.py --corpus $(CORPUS) --min-f1 0.95
	$(BIN)/python bench/eval_tagging.py --items bench/tagging/blind_fr.jsonl bench/tagging/blind2_fr.jsonl
	$(BIN)/python bench/tag_bench.py $(CORPUS)

clean:
	rm -rf $(VENV) demo build *.egg-info .pytest_cache .ruff_cache
