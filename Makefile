# Two commands for a fresh machine:  make run   and   make test
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test check bench eval tune

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Set up and run the line locally; unsigned requests accepted (no Twilio account needed); the shipped offline audio plays.
run: $(VENV)/.installed
	LINE_DEV_MODE=1 AUDIO_ENGINE=$${AUDIO_ENGINE:-espeak} $(PY) -m service

# The prompt check (content and shipped audio; on a clean clone it also learns the shipped question bank once, into
# instance/, which every test process then reads instead of learning it again), then the whole test suite in three
# workers on two cores (several tests wait on a server's timeouts: a third worker uses the time they leave idle; the
# PostgreSQL tests share one, as one of them stops the cluster), as CI runs them.
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): without it each of the
# suite's processes (three workers, and the servers and commands the tests start) compiles the line's modules and
# rewrites the tests' asserts again, about 4 s of CPU each on two cores.
test: $(VENV)/.installed
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m flask --app service prompts check
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q -n 3 --dist loadgroup tests

check: $(VENV)/.installed
	$(PY) -m flask --app service prompts check

bench: $(VENV)/.installed
	$(PY) bench/run.py

# The matcher on real people's questions held apart from the bank: per language, per topic, most confused pairs.
eval: $(VENV)/.installed
	DATABASE_URL=none $(PY) -m flask --app service eval

# Cross-validate the matcher's weights and thresholds on the question bank (never on the held-out questions).
tune: $(VENV)/.installed
	$(PY) bench/tune_matcher.py
