# `make demo` and `make test` each set up .venv from a fresh clone, then run.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m cchc_xlsx.demo --out $(DEMO_OUT)

test: $(STAMP)
	$(PY) -m ruff check cchc_xlsx tests bench
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_generate.py
	$(PY) bench/bench_validate.py
	$(PY) bench/bench_merge.py
	$(PY) bench/bench_scoring.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) build dist *.egg-info
