# gongkai — two commands on a fresh clone:  make audit  ·  make test   (make lint: ruff + mypy)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= data/warehouse.duckdb

.PHONY: setup audit lint browser test bench bench-serve bench-accuracy bench-timings bench-dashboard bench-national bench-growth fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install gongkai with its pinned dependencies

audit: $(STAMP)  ## audit the bundled sample harvest into data/warehouse.duckdb
	$(BIN)/gongkai audit data/harvest --db $(DB)

lint: $(STAMP)  ## ruff, then mypy (rules, files and strictness in pyproject.toml); both run, fails if either finds anything
	@status=0; \
	echo "$(BIN)/ruff check ."; $(BIN)/ruff check . || status=1; \
	echo "$(BIN)/mypy"; $(BIN)/mypy || status=1; \
	exit $$status

browser:  ## Debian's chromium and CJK fonts for the dashboard's browser tests, installed when missing (apt, as root)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) \
		|| echo "warning: could not install chromium; the browser tests will be skipped (install chromium and fonts-noto-cjk)"
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk) \
		|| echo "warning: could not install fonts-noto-cjk; Chinese text in screenshots will be boxes"

test: $(STAMP) browser  ## the test suite (both cores); installs the browser the dashboard tests drive if missing
	$(BIN)/python -m pytest -n 2 --dist worksteal tests

bench: $(STAMP)  ## throughput benchmark (apart from the tests): generated text/HTML, DOCX and PDF reports, reports/s
	$(BIN)/python bench/bench_audit.py

bench-serve: $(STAMP)  ## served audits as the nightly runs them: a Prefect server, gongkai serve (warm parser processes), runs triggered through the API; reports/s per run
	$(BIN)/python bench/bench_serve.py

bench-accuracy: $(STAMP)  ## cell accuracy per rendering (the PDF layouts pdf_* included: exact, unread, wrong, CELL_BLANK on a number) and precision/recall per rule family on a generated corpus
	$(BIN)/python bench/bench_accuracy.py

bench-timings: $(STAMP)  ## the speed aims once asserted in the unit tests (run checks, statements, renderings, bulk load), figures and aims
	$(BIN)/python bench/bench_timings.py

bench-dashboard: $(STAMP)  ## dashboard latency per page (p50/p95/max ms) over the warehouse DB=… (default data/warehouse.duckdb)
	$(BIN)/python bench/bench_dashboard.py $(DB)

bench-national: $(STAMP)  ## a national year: N=150000 generated reports audited cold, re-run with nothing new, +1 % new and late; wall, reports/s, peak RSS
	$(BIN)/python bench/bench_national.py -n $(or $(N),150000)

bench-growth: $(STAMP)  ## the warehouse file over many small runs: N=8000 reports cold, then 12 runs of 80 new ones; size and DuckDB's used/free blocks after each
	$(BIN)/python bench/bench_growth.py -n $(or $(N),8000)

fuzz: $(STAMP)  ## 10,000 mutated files through every parser; fails on any crash
	$(BIN)/python bench/fuzz.py -n $(or $(N),10000)

clean:
	rm -rf $(DB) $(DB).lock $(DB).reviews.sqlite* data/.warehouse* .pytest_cache
