# `make demo` and `make test` each set up .venv from a fresh clone, then run.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-output
SERVE_DEMO_DATA ?= serve-demo-data
PORT ?= 8000

.PHONY: demo test lint bench clean serve-demo

# ./cchc-xlsx: the installed command, runnable from the checkout without activating .venv
WRAPPER := cchc-xlsx

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP) $(WRAPPER)
	$(PY) -m cchc_xlsx.demo --out $(DEMO_OUT)
	@echo "Chạy lệnh: ./$(WRAPPER) --help   (hoặc $(VENV)/bin/cchc-xlsx --help)"

$(WRAPPER): $(STAMP)
	printf '%s\n' '#!/bin/sh' \
	  '# Made by make: runs the cchc-xlsx installed in $(VENV) beside this file.' \
	  'exec "$$(dirname "$$0")/$(VENV)/bin/cchc-xlsx" "$$@"' > $@.tmp
	chmod +x $@.tmp
	mv $@.tmp $@

serve-demo: $(STAMP)  # the portal on the samples: prints the office login and school links
	$(PY) -m cchc_xlsx.web.demo --data $(SERVE_DEMO_DATA) --port $(PORT)

test: $(STAMP)
	$(PY) -m ruff check cchc_xlsx tests bench
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_generate.py
	$(PY) bench/bench_validate.py
	$(PY) bench/bench_merge.py
	$(PY) bench/bench_plan_import.py
	$(PY) bench/bench_scoring.py
	$(PY) bench/bench_portal_load.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) $(SERVE_DEMO_DATA) $(WRAPPER) build dist *.egg-info
