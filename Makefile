# Atelier: two commands on a fresh Debian 12 machine.
#
#   make run     set up what the studio runs (requirements/runtime.txt: only what a
#                commercial studio may run), then serve it at http://127.0.0.1:8000
#                (make run LOCK=nsfw: opt in to NudeNet's image screen, AGPL-3.0;
#                make run LOCK=ray: opt in to Ray, for `atelier worker --ray`)
#   make test    set everything up, then run the whole test suite in TEST_PROCESSES
#                processes (2; pytest-xdist, a test file to a process)
#                (extra pytest arguments: make test PYTEST_ARGS="-k queue")
#
#   make setup   Debian packages (scripts/debian-packages.txt), .venv installed from
#                requirements/test.txt (the runtime, the dev tools and the opt-in nsfw
#                and ray extras their tests need) and the project, editable; quick when done
#   make lock    compile requirements/*.txt (pinned, with hashes) from pyproject.toml:
#                after changing a dependency (or merging a change that did), then
#                commit requirements/ (make lock UPGRADE=1: newest releases allowed)
#   make lint    ruff check, ruff format --check and mypy on src/
#   make translations  extract the interface's messages (babel.cfg) and merge them into
#                every catalogue under src/atelier/web/locales/ (docs/languages.md)
#   make clean   caches and test leftovers (keeps .venv and the studio's atelier-data)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
PYTEST_ARGS ?=
TEST_PROCESSES ?= 2
# What `make run` installs: requirements/$(LOCK).txt (runtime, or nsfw or ray to opt in).
LOCK ?= runtime
UPGRADE ?=
# wildcard: an empty folder (benchmarks/ for now) is not in a clone
LINT_PATHS := $(wildcard src tests benchmarks scripts)

# Engine assets built by `make setup` (scripts/setup.sh runs `atelier prepare`).
ATELIER_ASSETS_DIR ?= $(CURDIR)/atelier-data/assets

export PYTHON VENV ATELIER_ASSETS_DIR
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup run test lint lock clean clean-data translations

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

setup:
	@bash scripts/setup.sh test

# Only what a commercial studio may run: the runtime lock, no opt-in extra (unless LOCK).
run:
	@bash scripts/setup.sh $(LOCK)
	$(VENV)/bin/atelier serve

lock:
	$(PYTHON) scripts/lock.py $(if $(UPGRADE),--upgrade)

# pytest's own exit status is make's: "no tests collected" (5) fails too.
test: setup
	$(VENV)/bin/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy src

# The catalogues (.po) are the source: pages compile them in memory at start, so there is
# no .mo to build or commit. New or changed messages come in here as untranslated entries
# (tests/test_i18n.py fails until they are translated).
LOCALES := src/atelier/web/locales
translations: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy --sort-output --no-location \
		--project=Atelier -o $(LOCALES)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) \
		--no-fuzzy-matching --ignore-obsolete --width=100

# Removes caches and what test runs leave behind; NOT .venv (make setup is quick to
# reuse it) and NOT ./atelier-data, where `make run` keeps the studio's database and
# artifacts (`make clean-data` removes that).
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find $(LINT_PATHS) -depth \( -name __pycache__ \
		-o -name atelier-data \) -type d -exec rm -rf {} + 2>/dev/null || true

# Deletes the local studio's data (database, artifacts, keys): everything `make run` made.
clean-data:
	rm -rf atelier-data
