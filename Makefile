# The two set-up commands of the README:
#   make run    install and serve the platform with the demo data on http://127.0.0.1:8000
#   make test   install the test dependencies (and Chromium if missing) and run the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=
# PyTorch first, pinned: this machine keeps its CPU build as a local wheel. Left for
# the dependencies to pull in, pip would take the newest release from PyPI and
# several GB of CUDA libraries with it; once 2.13.0 is in, `torch>=2.13` is satisfied.
TORCH ?= torch==2.13.0

.PHONY: run test install install-test test-tools torch

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

torch: $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)

install: torch
	$(BIN)/pip install --quiet -e .

install-test: torch
	$(BIN)/pip install --quiet -e '.[test]'

test-tools:
	@test -x $(CHROMIUM) && command -v xgettext >/dev/null || { \
	  echo "Installing Debian's chromium (browser tests) and gettext (translation checks)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium gettext; }
	@# Redis carries the task tests' messages to a real Celery worker: start it where it is down.
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  command -v redis-server >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server; }; \
	  echo "Starting Redis on 127.0.0.1:6379 (the task tests' broker)"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

run: install
	$(BIN)/conceptcloud serve --demo

test: install-test test-tools
	$(BIN)/pytest $(PYTEST_ARGS)
