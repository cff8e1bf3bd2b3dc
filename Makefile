# `make demo` and `make test` each set up .venv from a fresh clone, then run.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-output
SERVE_DEMO_DATA ?= serve-demo-data
PORT ?= 8000

.PHONY: demo test lint bench clean serve-demo

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m cchc_xlsx.demo --out $(DEMO_OUT)

serve-demo: $(STAMP)  # the portal on the samples: prints the office login and school links
	$(PY) -m cchc_xlsx.web.demo --data $(SERVE_DEMO_DATA) --port $(PORT)

test: $(STAMP)
	$(PY) -m ruff check cchc_xlsx tests bench
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_generate.py
	$(PY) bench/bench_validate.py
	$(PY) bench/bench_merge.py
	$(PY) bench/bench_portal_load.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) $(SERVE_DEMO_DATA) build dist *.egg-info
