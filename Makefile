# Quick start: `make run` (set up, ingest seeds/ on first start, serve on 127.0.0.1:8501)
# and `make test` (set up, run the whole test suite). Both create .venv when needed.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q
# llama-cpp-python (tests only) builds from source in 10-18 min; its wheel is built once
# into this cache and reused. This CPU's default native build crashes, hence CMAKE_ARGS.
WHEELS ?= $(HOME)/.cache/rag-wheels
LLAMA := llama-cpp-python==0.3.36
export CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
	-DGGML_F16C=ON -DGGML_AVX512=OFF

.PHONY: run test lint docs eval-deps
run: $(VENV)/.run
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 \
		--server.headless true --browser.gatherUsageStats false

test: $(VENV)/.test $(VENV)/.browser
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

# Timeline metrics for `python -m rag eval --timelines` (evaluation only; see the file).
eval-deps: $(VENV)/.run
	$(PIP) install --no-deps -r requirements-eval.txt

# The documentation site (docs/, mkdocs.yml) into site/; its generated pages refreshed first.
docs: $(VENV)/.test
	$(PY) docs/generate.py && NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

lint: $(VENV)/.test
	$(VENV)/bin/ruff check rag app.py views tests benchmarks && $(VENV)/bin/ruff format --check rag app.py views tests benchmarks

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
	mkdir -p $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || { \
		echo "building $(LLAMA) once (10-18 min), cached in $(WHEELS)"; \
		$(PIP) wheel --no-deps -w $(WHEELS) $(LLAMA); }
	$(PIP) install --find-links $(WHEELS) -r requirements-dev.txt
	touch $@ $(VENV)/.run
