# shortform warehouse: `make run` then `make test` on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup run test test-fast test-spark dev lint sandbox clean dashboard docs screenshots report audit bench bench-smoke

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

setup: $(STAMP)  ## create .venv and install (only when missing or pyproject.toml changed)

run: $(STAMP)  ## start the sandbox, simulate 5 weeks of daily pulls, build, check, publish, print the comparison
	@mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/shortform simulate

# Test files are spread over TEST_WORKERS processes (pytest-xdist, whole files per worker, so a file's
# module fixtures are built once). TEST_WORKERS=0 runs them in this process, one after another.
TEST_WORKERS ?= 2

test: $(BENCH_STAMP)  ## the whole test suite (unit, dbt, end to end, the bench smoke run)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-fast: $(STAMP)  ## unit tests only
	$(PY) -m pytest -q -m "not slow"

SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements/spark.txt
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV) || python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	$(SPARK_VENV)/bin/python -m pip install --quiet -r requirements/spark.txt
	@touch $(SPARK_STAMP)

test-spark: $(STAMP) $(SPARK_STAMP)  ## dbt build (models, tests) on a local Spark session (.venv-spark), GX checks on its marts, every mart compared with DuckDB; SHORTFORM_SPARK_THRIFT=1 adds the Thrift cluster test
	SPARK_LOCAL_IP=127.0.0.1 SHORTFORM_SPARK_DBT=$(CURDIR)/$(SPARK_VENV)/bin/dbt $(PY) -m pytest -q -rs -rP tests/spark

dev: $(STAMP)  ## the Dagster UI on 127.0.0.1:3000 with every asset, check, job and schedule
	@mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000 -m dagster_project.definitions

dashboard: $(STAMP)  ## the analyst dashboard on http://127.0.0.1:8501 (published file, read-only)
	$(VENV)/bin/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false --client.toolbarMode minimal --client.showErrorDetails none

docs: $(STAMP)  ## dbt docs of every mart and column -> dbt/target/docs/static_index.html (opens offline)
	cd dbt && SHORTFORM_DB=$${SHORTFORM_DB:-$(CURDIR)/data/warehouse.duckdb} ../$(VENV)/bin/dbt docs generate --profiles-dir . --target-path target/docs --static

screenshots: $(STAMP)  ## real screenshots of the dashboard pages into docs/img (needs Debian's chromium)
	$(PY) scripts/screenshots.py

report: $(STAMP)  ## weekly client report for the newest complete week -> data/reports/
	$(VENV)/bin/shortform report

sandbox: $(STAMP)  ## serve the sandbox APIs on 127.0.0.1:8765
	$(VENV)/bin/shortform sandbox serve --port 8765

audit: $(STAMP)  ## dependency vulnerabilities with pip-audit (needs network: the advisory feed is online)
	$(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --skip-editable

bench: $(BENCH_STAMP)  ## the benchmark suite (agency + large worlds; hours on 2 cores) -> docs/BENCHMARKS.md
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-smoke: $(BENCH_STAMP)  ## the same benchmark code on the tiny world, a few minutes (figures not kept)
	$(PY) scripts/bench.py --smoke $(BENCH_ARGS)

lint: $(STAMP)  ## ruff
	$(VENV)/bin/ruff check connectors dagster_project dashboard scripts tests bench

clean:  ## remove generated data (keeps .venv)
	rm -rf data .dagster_home dbt/target dbt/logs
