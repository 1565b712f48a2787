# Quick start: `make run` (set up, ingest seeds/ on first start, serve on 127.0.0.1:8501)
# and `make test` (set up, run the whole test suite). Both create .venv when needed.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q

.PHONY: run test lint
run: $(VENV)/.run
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

test: $(VENV)/.test $(VENV)/.browser
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: $(VENV)/.test
	$(VENV)/bin/ruff check rag app.py tests && $(VENV)/bin/ruff format --check rag app.py tests

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# Browser tests drive Debian's Chromium (never a downloaded browser).
$(VENV)/.browser: | $(VENV)/bin/python
	command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
	touch $@

$(VENV)/.run: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.run
