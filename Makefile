# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test check lint migrate seed bench eval clean browser wrk libmagic

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

var:
	mkdir -p var

migrate: $(VENV)/.installed libmagic | var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

# The demo's orders, then a dispatch model learned from them (each only the first time).
seed: migrate
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) train_dispatch --if-missing --no-holdout

# The periodic jobs (time-limit scans...) run in a second process beside the web server and stop
# with it.
run: seed
	$(MANAGE) demo_logins
	$(MANAGE) run_periodic & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) runserver 127.0.0.1:8000

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
# A CJK font makes pages (and later PDFs) render Chinese instead of boxes.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium is not installed: browser tests will be skipped"; fi; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: lint
	$(BIN)/mypy hotline

test: $(VENV)/.installed-dev browser libmagic | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Uploads are identified by libmagic, the `file` command's library (python-magic loads it): the
# app does not start without it.
libmagic:
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('magic'))" || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq libmagic1) >/dev/null 2>&1; \
	  fi; $(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('magic'))" \
	  || { echo "libmagic is missing: install libmagic1 (Debian/Ubuntu) or libmagic (Homebrew)"; exit 1; }; }

# wrk (Debian's package) loads the channel benchmarks at a fraction of a Python generator's CPU,
# which shares the same cores as the server; without it the Python generator stands in.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 \
	      || echo "wrk could not be installed: the channel benchmarks use their Python generator"; \
	  else echo "wrk is not installed: the channel benchmarks use their Python generator"; fi; }

bench: $(VENV)/.installed-dev wrk | var
	$(MANAGE) migrate --noinput
	$(MANAGE) bench $(BENCH_ARGS)

# Reproducible evaluation of intelligent dispatch and repeat detection (docs/dispatch.md).
eval: $(VENV)/.installed-dev | var
	$(MANAGE) migrate --noinput
	$(MANAGE) eval_dispatch $(EVAL_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3*
