# Two commands for a fresh machine:  make run   and   make test
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test check bench

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Set up and run the line locally; unsigned requests accepted (no Twilio account needed).
run: $(VENV)/.installed
	LINE_DEV_MODE=1 $(PY) -m service

# The whole test suite, then the prompt check (content and shipped audio), as CI runs them.
test: $(VENV)/.installed
	$(PY) -m pytest -q tests
	$(PY) -m flask --app service prompts check

check: $(VENV)/.installed
	$(PY) -m flask --app service prompts check

bench: $(VENV)/.installed
	$(PY) bench/run.py
