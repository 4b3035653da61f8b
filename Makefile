# samenkracht -- build and test entry points.
#
#   make run ARGS="population.size=2000 years=5"   run the model (Hydra overrides in ARGS)
#   make test        style (ruff), layers (import-linter), then the fast tests (everything not marked slow)
#   make lint        style and layers only
#   make test-slow   slow tests, then make test-cluster
#   make test-app    the page's tests that need solara, rendered without a browser (installs the app extra)
#   make test-browser   the students' page in headless Chromium (installs chromium and the app extras)
#   make test-cluster   sweeps, compare and sensitivity on a throw-away local SLURM cluster, and on Ray
#                    (installs Debian's slurm-wlm, munge, slurmdbd, mariadb-server and the ray extra; as root)
#   make bench       benchmarks/bench_run.py
#   make bench-all   benchmarks/bench_run.py --all (1k/10k/100k, amstelveen, Mesa yardstick, the page, cold
#                    runs, compare's and a joblib sweep's memory per worker, with issue 16's goals; about
#                    ten minutes)
#   make bench-equivalence [ARGS="--old REV"]   benchmarks/equivalence.py: the old model (default: where
#                    this branch left main) against this checkout,
#                    30 seeds × every scenario at 10,000 residents for 10 years (an hour or more; resumable)
#   make update-baseline   rewrite tests/baseline.json after an intended model change
#   make precompile  compile the model's kernels for this computer on every core (make venv does it once)
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

.PHONY: venv precompile lint run test test-app test-slow test-browser test-cluster bench bench-all bench-equivalence update-baseline clean

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
	@$(VPY) -m samenkracht.tools.precompile || echo "make: the kernels did not all compile ahead; they compile at their first call"
	@touch $@

precompile: venv
	$(VPY) -m samenkracht.tools.precompile

run: venv
	$(VENV)/bin/samenkracht $(ARGS)

# Style and layers first (seconds), then the tests.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	$(VPY) -m pytest -m "not slow and not browser and not cluster" -q

# make test-cluster takes over five minutes on these machines (6-7 min measured with other work running,
# about 3.5 min on an idle machine), so it is part of test-slow rather than of make test.
test-slow: venv
	$(VPY) -m pytest -m slow -q
	@$(MAKE) --no-print-directory test-cluster

# The page's own tests (tests/test_app.py) with the app extra installed, so that those rendering the page with
# solara (no browser) run instead of being skipped; CI runs this after make test.
APP_STAMP := $(VENV)/.installed-app

test-app: venv
	@$(MAKE) -s --no-print-directory $(APP_STAMP)
	@$(VPY) -c "import solara" || { echo "test-app: solara does not import; reinstall: rm $(APP_STAMP) && make test-app" >&2; exit 1; }
	$(VPY) -m pytest tests/test_app.py -m "not slow and not browser and not cluster" -q

$(APP_STAMP): pyproject.toml $(STAMP)
	@echo "$(VPY) -m pip install -e '.[test,app]'"
	@$(VPY) -m pip install -q -e '.[test,app]'
	@touch $@

# The students' page (samenkracht-app) driven by Playwright in Debian's chromium (tests/test_browser.py).
# Installs chromium with apt-get when it is missing (as root; otherwise says how), and the app and
# browser extras into .venv (again only when pyproject.toml changes). Not part of `make test`.
BROWSER_STAMP := $(VENV)/.installed-browser

test-browser: venv
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's chromium: apt-get update && apt-get install -y chromium"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
		else \
			echo "test-browser: /usr/bin/chromium is missing; install it: sudo apt-get install chromium" >&2; exit 1; \
		fi; \
	fi
	@$(MAKE) -s --no-print-directory $(BROWSER_STAMP)
	$(VPY) -m pytest -m browser -q -s

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	@echo "$(VPY) -m pip install -e '.[test,app,browser]'"
	@$(VPY) -m pip install -q -e '.[test,app,browser]'
	@touch $@

# Sweeps through hydra/launcher=slurm against a single-node SLURM cluster that .ci/slurm-cluster starts on the
# loopback (in private network and PID namespaces, from configuration in a temporary directory) and stops
# afterwards whatever happens; and through hydra/launcher=ray on a local Ray instance. Installs the Debian
# packages when they are missing (as root; otherwise says which), and the ray extra into .venv.
CLUSTER_STAMP := $(VENV)/.installed-cluster

test-cluster: venv
	@bash .ci/slurm-cluster install
	@$(MAKE) -s --no-print-directory $(CLUSTER_STAMP)
	bash .ci/slurm-cluster run $(VPY) -m pytest tests/test_cluster.py -q -p no:cacheprovider

$(CLUSTER_STAMP): pyproject.toml $(STAMP)
	@echo "$(VPY) -m pip install -e '.[test,ray]'"
	@$(VPY) -m pip install -q -e '.[test,ray]'
	@touch $@

bench: venv
	$(VPY) benchmarks/bench_run.py

bench-all: venv
	$(VPY) benchmarks/bench_run.py --all

bench-equivalence: venv
	$(VPY) benchmarks/equivalence.py $(ARGS)

update-baseline: venv
	$(VPY) -m samenkracht.tools.regression --update

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
	find . -path ./.git -prune -o -path ./outputs -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +
