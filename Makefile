# veille: `make demo` runs the offline demo, `make test` runs the test suite.
# Both create the virtual environment in .venv on first use, from the pinned versions in
# constraints.txt (`make lock` refreshes them).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= ../shared/corpus
CONSTRAINTS := constraints.txt
EXTRAS := dev,datasette

.PHONY: demo test lint bench eval eval-tagging lock clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[$(EXTRAS)]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/veille demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/crawl_bench.py $(CORPUS)

eval: $(STAMP)
	$(BIN)/python bench/eval_extraction.py $(CORPUS)
	$(BIN)/python bench/eval_crawl.py $(CORPUS)

eval-tagging: $(STAMP)
	$(BIN)/python bench/eval_tagging.py --corpus $(CORPUS) --min-f1 0.95
	$(BIN)/python bench/eval_tagging.py --items bench/tagging/blind_fr.jsonl bench/tagging/blind2_fr.jsonl
	$(BIN)/python bench/tag_bench.py $(CORPUS)

# Pin the newest releases that pyproject.toml's ranges allow, after checking them:
# `make lock && make test lint`, then commit constraints.txt.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[$(EXTRAS)]'
	printf '# Exact versions installed by make demo, make test and .ci/run (pip -c).\n# Refresh with `make lock`; ranges live in pyproject.toml.\n' > $(CONSTRAINTS)
	.lock-venv/bin/python -m pip freeze --exclude-editable >> $(CONSTRAINTS)
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) demo build *.egg-info .pytest_cache .ruff_cache
