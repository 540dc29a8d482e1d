# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DB     ?= data/demo.duckdb
PORT   ?= 8501
DEMO_ARGS ?= --seed 7 --months 3

.PHONY: setup demo slice test bench bench-data bench-load browser lint clean focus-validator
comma  := ,

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; browser downloads are not possible).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

# Generates the sample company once (cached in data/sample/), loads it, then serves the dashboard.
demo: setup
	$(BIN)/rightsize demo --db $(DB) $(DEMO_ARGS)
	$(BIN)/rightsize serve --db $(DB) --port $(PORT)

# Regenerate the committed test slice after changing sample_data/ (tests compare it byte for byte).
slice: setup
	$(BIN)/python -m sample_data.generator sample_data/slice --seed 7 --months 3 --scale 0.003

# The FinOps Foundation's FOCUS validator needs Python 3.12 (tests/test_focus_validator.py runs it).
# A pyenv shim can exist without working, so each candidate is tried until one really runs 3.12.
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do \
  $$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
focus-validator: .venv-focus/.installed
.venv-focus/.installed:
	@test -n "$(PYTHON312)" || { echo "focus-validator needs Python 3.12 (set PYTHON312=/path/to/python3.12)" >&2; exit 1; }
	$(PYTHON312) -m venv .venv-focus
	.venv-focus/bin/pip install -q focus-validator==2.2.1 "pyarrow<21"
	touch $@

test: setup browser focus-validator
	$(BIN)/python -m pytest -q -n 2

# make bench SIZES=1000000 (one size) or SIZES=1000000,10000000,100000000; CASES=ingest,analytics,...
SIZES ?= 1000000,10000000
CASES ?=
bench: setup
	nice -n 10 $(BIN)/python -m bench.run --sizes $(SIZES) $(if $(CASES),--cases $(CASES))

# The bench's data alone (bench/data.py; cached in data/bench/company_<rows>/, BENCH_DATA moves it).
bench-data: setup
	nice -n 10 $(BIN)/python -m bench.data $(subst $(comma), ,$(SIZES))

# 20 dashboard sessions in headless Chromium against `rightsize serve` on a store of LOAD_ROWS
# generated requests (built once in data/bench/); p95 page times in bench/results/LOAD.md.
LOAD_ROWS ?= 1000000
bench-load: setup browser
	$(BIN)/python -m bench.load --rows $(LOAD_ROWS)

lint: setup
	$(BIN)/ruff check app ingest queries sample_data tests bench
	$(BIN)/mypy app ingest queries sample_data

clean:
	rm -rf $(VENV) data .pytest_cache
