# Draagkracht: `make run` opens the dashboard, `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8501

.PHONY: run test bench venv dev clean help

help:
	@echo "make run    set up and open the dashboard (http://127.0.0.1:$(PORT))"
	@echo "make test   set up and run the test suite"
	@echo "make bench  run the benchmarks (ratios against baselines measured in the same run)"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev: $(VENV)/.dev

# The database (DRAAGKRACHT_DATABASE_URL, default data/draagkracht.sqlite3) is migrated,
# an empty one gets the demo practice (store/demo/), and the demo logins are printed.
run: $(VENV)/.runtime
	@$(PY) -m store upgrade
	@$(PY) -m store demo --if-empty
	@echo ""
	@echo "Draagkracht is starting on http://127.0.0.1:$(PORT)  (Ctrl+C stops it)"
	@echo ""
	FORWARDED_ALLOW_IPS="$${DRAAGKRACHT_TRUSTED_PROXIES:-}" $(PY) -m streamlit run dashboard/server.py --server.address 127.0.0.1 --server.port $(PORT) \
		--browser.gatherUsageStats false

test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
