# samenkracht -- build and test entry points.
#
#   make run ARGS="population.size=2000 years=5"   run the model (Hydra overrides in ARGS)
#   make test        fast tests (everything not marked slow)
#   make test-slow   slow tests only
#   make bench       benchmarks/bench_run.py
#   make clean       remove .venv, build artefacts, caches (keeps outputs/)
#
# The interpreter for .venv is found by .ci/find-python (Python 3.12/3.13;
# override with PYTHON=/path/to/python3.12).

SHELL := /bin/sh
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:

VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: venv run test test-slow bench clean

# Recreate .venv if it exists but its python is broken or the wrong version
# (e.g. created by Python 3.11, or its pyenv version was removed), then bring
# the install up to date. The install itself is a file target, so it reruns
# only when pyproject.toml is newer than the stamp.
venv:
	@if [ -e $(VENV) ] && ! sh .ci/find-python --check $(VPY); then \
		echo "$(VENV): missing, broken or wrong Python version; recreating it"; \
		rm -rf $(VENV); \
	fi
	@$(MAKE) -s --no-print-directory $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(VPY) ]; then \
		py=$$(sh .ci/find-python) || exit 1; \
		echo "creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV) || exit 1; \
	fi
	@echo "$(VPY) -m pip install -e '.[test]'"
	@$(VPY) -m pip install -e '.[test]'
	@touch $@

run: venv
	$(VENV)/bin/samenkracht $(ARGS)

test: venv
	$(VPY) -m pytest -m "not slow" -q

test-slow: venv
	$(VPY) -m pytest -m slow -q

bench: venv
	$(VPY) benchmarks/bench_run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
	find . -path ./.git -prune -o -path ./outputs -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +
