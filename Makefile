# Teller's commands. `make run` and `make test` work from a clean clone on a fresh machine:
# they create .venv, install the project, and install the system packages they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 5000
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test web worker bench load lint system-fonts system-test system-bench clean

# What the bot needs to run (make run, web, worker)...
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(STAMP)

# ...and the test, lint and benchmark tools on top (make test, lint, bench).
$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(DEV_STAMP)

# The font French and Arabic receipts are printed in (DejaVu Sans has Arabic glyphs).
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
system-fonts:
	@test -f $(DEJAVU) || { echo "installing: fonts-dejavu-core"; \
	  $(SUDO) apt-get update -q && $(SUDO) $(APT_INSTALL) fonts-dejavu-core; } || \
	  { echo "could not install fonts-dejavu-core: French and Arabic receipts need $(DEJAVU)"; exit 1; }

# System packages the test suite drives for real: redis-server, Debian's Chromium, and
# PostgreSQL's server binaries (the tests run their own private server from them).
system-test: system-fonts
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) $(APT_INSTALL) $$missing || \
	  { echo "could not install$$missing: install them with your package manager"; exit 1; }; \
	fi

system-bench: system-test
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) $(APT_INSTALL) wrk; }

run: $(STAMP) system-fonts
	@echo "Teller on the embedded default; chat simulator: http://127.0.0.1:$(PORT)/simulator"
	PORT=$(PORT) $(BIN)/python -m app

test: $(DEV_STAMP) system-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-cache

# Production-style processes: configure through the environment (see README.md).
web: $(STAMP)
	@test -n "$$REDIS_URL" || { echo "make web runs several processes that must share a Redis: set REDIS_URL (or use make run)"; exit 2; }
	$(BIN)/gunicorn --bind 0.0.0.0:$(PORT) --workers 2 --access-logfile - \
	  --logger-class bot.access_log.RedactingLogger 'app:create_app()'

worker: $(STAMP)
	$(BIN)/python -m app worker

bench: $(DEV_STAMP) system-bench
	$(BIN)/python -m bench.webhook && $(BIN)/python -m bench.identity && $(BIN)/python -m bench.receipts
	$(BIN)/python -m bench.transfer && $(BIN)/python -m bench.stepup_roundtrips

# Whole conversations at a fixed rate against gunicorn, RQ workers and a private redis-server,
# the invariants checked at the end (bench/README.md, "Load"). LOAD_SECONDS, LOAD_RATE,
# LOAD_CUSTOMERS, LOAD_QUICK=1 (a smoke run), LOAD_FAULTS=0 (no Redis restart).
load: $(DEV_STAMP) system-test
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
