"""C4: a mart whose row count collapses below 50 % of the last *good* publish fails a blocking check.

The baseline is read from the live published file (`_publish_info.table_hashes`), which only a
run whose blocking checks passed can write: failed runs never become the baseline.
"""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from dagster_project.defs.publish import publish_marts
from dagster_project.defs.quality.baseline import read_baseline
from dagster_project.defs.quality.volume import ROW_COUNT_CHECK, row_count_results


def _set_rows(warehouse, n: int) -> None:
    conn = duckdb.connect(str(warehouse))
    try:
        conn.execute("CREATE OR REPLACE TABLE marts.fct_content_daily AS "
                     "SELECT range AS id, 'x' || range AS payload FROM range(?)", [n])
    finally:
        conn.close()


def _refresh(warehouse, published, n: int, run: str) -> dg.AssetCheckResult:
    """One refresh: set the mart's rows, run the check, publish only when it passed."""
    _set_rows(warehouse, n)
    [result] = row_count_results(warehouse, published, ["fct_content_daily"])
    if result.passed:
        publish_marts(warehouse, published, run_id=run)
    return result


def test_collapse_after_good_runs_fails_and_failed_runs_never_become_the_baseline(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "published" / "marts.duckdb"

    first = _refresh(warehouse, published, 1000, "run-1")  # first run: nothing published yet
    assert first.passed and "first run" in str(first.metadata["baseline"].value)
    assert read_baseline(published).row_counts["fct_content_daily"] == 1000

    second = _refresh(warehouse, published, 1100, "run-2")
    assert second.passed and second.metadata["baseline_rows"].value == 1000

    third = _refresh(warehouse, published, 300, "run-3")  # 300 / 1100 = 27 %
    assert not third.passed
    assert third.severity == dg.AssetCheckSeverity.ERROR
    assert third.check_name == ROW_COUNT_CHECK
    assert third.metadata["baseline_rows"].value == 1100
    assert third.metadata["baseline_run_id"].value == "run-2"
    assert "300 rows" in third.description and "1100" in third.description
    assert read_baseline(published).run_id == "run-2"  # the failed run did not publish

    # 500 would pass against the failed run's 300; against the last good 1100 it is 45 %: still fails
    fourth = _refresh(warehouse, published, 500, "run-4")
    assert not fourth.passed and fourth.metadata["baseline_rows"].value == 1100

    fifth = _refresh(warehouse, published, 600, "run-5")  # 55 % of 1100: a real but allowed drop
    assert fifth.passed
    assert read_baseline(published).run_id == "run-5"


def test_exactly_half_passes_just_below_fails(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "pub.duckdb"
    _refresh(warehouse, published, 1000, "good")
    _set_rows(warehouse, 500)
    assert row_count_results(warehouse, published, ["fct_content_daily"])[0].passed
    _set_rows(warehouse, 499)
    assert not row_count_results(warehouse, published, ["fct_content_daily"])[0].passed


def test_every_mart_is_compared_and_a_vanished_mart_fails(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "pub.duckdb"
    publish_marts(warehouse, published, run_id="good")
    tables = ["dim_account", "dim_content", "fct_content_daily", "rpt_platform_comparison_weekly"]
    assert all(r.passed for r in row_count_results(warehouse, published, tables))

    conn = duckdb.connect(str(warehouse))
    conn.execute("DELETE FROM marts.dim_content WHERE brand = 'acme' OR surface <> 'tiktok'")
    conn.execute("DROP TABLE marts.rpt_platform_comparison_weekly")
    conn.close()
    results = {r.asset_key.path[-1]: r for r in row_count_results(warehouse, published, tables)}
    assert results["dim_account"].passed and results["fct_content_daily"].passed
    assert not results["dim_content"].passed
    assert not results["rpt_platform_comparison_weekly"].passed
    assert "missing" in results["rpt_platform_comparison_weekly"].description


def test_a_mart_new_since_the_last_publish_passes(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "pub.duckdb"
    publish_marts(warehouse, published, run_id="good")
    conn = duckdb.connect(str(warehouse))
    conn.execute("CREATE TABLE marts.fct_ad_daily AS SELECT 1 AS x")
    conn.close()
    [result] = row_count_results(warehouse, published, ["fct_ad_daily"])
    assert result.passed and "not in the last publish" in str(result.metadata["baseline"].value)


def test_an_unreadable_publish_record_is_no_baseline_and_says_so(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "pub.duckdb"
    conn = duckdb.connect(str(published))
    conn.execute("CREATE TABLE fct_content_daily AS SELECT 1 AS x")  # a file without _publish_info
    conn.close()
    [result] = row_count_results(warehouse, published, ["fct_content_daily"])
    assert result.passed and "no usable baseline" in result.description


def test_baseline_reads_the_sample_record_format(sample_file):
    baseline = read_baseline(sample_file)  # table_hashes {"t": "rows:sample"} written by analyst/sample.py
    conn = duckdb.connect(str(sample_file), read_only=True)
    n = conn.execute("SELECT count(*) FROM fct_content_daily").fetchone()[0]
    raw = json.loads(conn.execute("SELECT table_hashes FROM _publish_info").fetchone()[0])
    conn.close()
    assert raw["fct_content_daily"].startswith(f"{n}:")
    assert baseline.row_counts["fct_content_daily"] == n
