"""C1 (negative counts: ERROR), C2 (likes > views: WARN) and C7 (a GX engine error fails the gate and
is reported as an engine error, not as bad data), on the GX suites run over pandas frames."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project.defs.quality import gx_checks
from dagster_project.defs.quality.gx_checks import (
    LIKES_CHECK,
    NEGATIVE_CHECK,
    daily_results,
    engine_exception,
    gx_comparison_suite,
    read_daily_frame,
    run_suite,
    validate_frame,
)
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

BRANDS = ["acme", "globex"]


@pytest.fixture(scope="module")
def weekly(sample_file) -> pd.DataFrame:
    conn = duckdb.connect(str(sample_file), read_only=True)
    try:
        return conn.execute("SELECT * FROM rpt_platform_comparison_weekly").df()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def daily(sample_file) -> pd.DataFrame:
    conn = duckdb.connect(str(sample_file), read_only=True)
    try:
        return conn.execute(
            "SELECT content_key, metric_date, is_restated_down, views, engaged_views, likes, comments, shares, "
            "saves, engagements, CAST(watch_seconds AS DOUBLE) AS watch_seconds FROM fct_content_daily").df()
    finally:
        conn.close()


def _by_name(results: list[dg.AssetCheckResult]) -> dict[str, dg.AssetCheckResult]:
    return {r.check_name: r for r in results}


# --- C1 / C2 on fct_content_daily ---------------------------------------------------------------


def test_good_daily_frame_passes_both(daily):
    results = _by_name(daily_results(daily))
    assert results[NEGATIVE_CHECK].passed and results[LIKES_CHECK].passed
    assert results[NEGATIVE_CHECK].severity == dg.AssetCheckSeverity.ERROR
    assert results[LIKES_CHECK].severity == dg.AssetCheckSeverity.WARN


@pytest.mark.parametrize("column", ["views", "likes", "comments", "watch_seconds"])
def test_unflagged_negative_is_an_error(daily, column):
    bad = daily.copy()
    row = bad.index[bad[column].notna()][3]
    bad.loc[row, column] = -5
    result = _by_name(daily_results(bad))[NEGATIVE_CHECK]
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    [failure] = result.metadata["failures"].value
    assert failure["column"] == column and failure["unexpected_count"] == 1 and failure["engine_error"] is False
    assert result.metadata["engine_error"].value is False


def test_negative_on_a_restated_down_row_is_allowed(daily):
    restated = daily.copy()
    row = restated.index[restated["views"].notna()][3]
    restated.loc[row, "views"] = -120
    restated.loc[row, "likes"] = -3
    restated.loc[row, "is_restated_down"] = True
    results = _by_name(daily_results(restated))
    assert results[NEGATIVE_CHECK].passed
    assert results[LIKES_CHECK].passed  # the restated row is not judged for likes > views either


def test_likes_above_views_only_warns(daily):
    bad = daily.copy()
    row = bad.index[bad["views"].notna()][5]
    bad.loc[row, "likes"] = bad.loc[row, "views"] + 10
    results = _by_name(daily_results(bad))
    assert results[NEGATIVE_CHECK].passed
    warn = results[LIKES_CHECK]
    assert not warn.passed and warn.severity == dg.AssetCheckSeverity.WARN
    assert warn.metadata["failures"].value[0]["unexpected_count"] == 1


def test_daily_frame_read_from_a_warehouse_file(make_warehouse):
    warehouse = make_warehouse(sql_edits=[
        "UPDATE marts.fct_content_daily SET comments = -1 WHERE content_key = "
        "(SELECT min(content_key) FROM marts.fct_content_daily WHERE comments IS NOT NULL) AND comments IS NOT NULL"])
    df = read_daily_frame(WarehouseResource(db_path=str(warehouse)))
    assert df["watch_seconds"].dtype == float  # DECIMAL read as DOUBLE: GX compares numbers, not Decimals
    result = _by_name(daily_results(df))[NEGATIVE_CHECK]
    assert not result.passed and result.metadata["failures"].value[0]["column"] == "comments"


# --- C7: engine errors ----------------------------------------------------------------------------


def test_c7_known_good_fixture_every_expectation_succeeds(weekly):
    outcome = validate_frame(weekly, BRANDS)
    assert outcome.success and not outcome.engine_error and outcome.failures == []
    assert outcome.evaluated == 17


def test_c7_known_bad_data_is_bad_data_not_an_engine_error(weekly):
    bad = weekly.copy()
    bad.loc[bad.index[0], "days_covered"] = 8  # a week has 7 days
    outcome = validate_frame(bad, BRANDS)
    assert not outcome.success and not outcome.engine_error
    [failure] = outcome.failures
    assert failure["engine_error"] is False and failure["unexpected_count"] > 0


def test_restated_weeks_pass_and_one_unflagged_negative_or_unit_bug_fails(weekly):
    """A week's views are negative, or its watch time per view absurd, when a downward restatement
    outweighs its new views (rare and real): such a week says so in days_restated_down and passes,
    however small the mart. The same week without the flag fails, and so does a unit bug."""
    assert len(weekly) < 100  # one week is more than 1 % of the rows: no `mostly` could let it pass
    restated = weekly.copy()
    restated.loc[restated.index[0], ["views", "days_restated_down"]] = [-37, 2]
    restated.loc[restated.index[1], ["avg_watch_seconds_per_view", "engagement_rate", "days_restated_down"]] = [
        5017.4, 3.5, 1]  # a week left with a few net views
    assert validate_frame(restated, BRANDS).success
    for column, value in (("views", -37), ("avg_watch_seconds_per_view", 5017.4)):
        unflagged = weekly.copy()
        unflagged.loc[unflagged.index[0], column] = value
        outcome = validate_frame(unflagged, BRANDS)
        assert not outcome.success and not outcome.engine_error
        assert [(f["column"], f["unexpected_count"]) for f in outcome.failures] == [(column, 1)]
    every = weekly.copy()
    every["avg_watch_seconds_per_view"] = 1000 * every["avg_watch_seconds_per_view"].fillna(1)  # milliseconds
    outcome = validate_frame(every, BRANDS)
    assert [f["column"] for f in outcome.failures] == ["avg_watch_seconds_per_view"]
    unknown = weekly.copy()
    unknown["days_restated_down"] = None  # a mart that lost the flag cannot exempt its weeks
    assert "days_restated_down" in [f["column"] for f in validate_frame(unknown, BRANDS).failures]


def test_c7_expectation_that_raises_is_an_engine_error_and_fails_the_gate(weekly):
    broken = weekly.copy()
    # a column of an unsupported type: comparing these objects with 0 raises inside GX's metric
    broken["views"] = pd.Series([{"n": 1}] * len(broken), dtype=object)
    outcome = validate_frame(broken, BRANDS)
    assert not outcome.success
    assert outcome.engine_error
    raised = [f for f in outcome.failures if f["engine_error"]]
    assert raised and raised[0]["column"] == "views" and raised[0]["message"]


def test_c7_nested_exception_info_shape_is_detected():
    # GX 1.x reports a failed metric resolution keyed by metric id: the shape the old check missed
    nested = {"MetricConfigurationID(metric_name='column_values.between.condition')":
              {"raised_exception": True, "exception_message": "boom", "exception_traceback": "..."}}
    assert engine_exception(nested) == "boom"
    assert engine_exception({"raised_exception": True, "exception_message": "flat"}) == "flat"
    assert engine_exception({"raised_exception": False, "exception_message": None}) is None
    assert engine_exception(None) is None


def test_c7_a_suite_that_cannot_run_at_all_is_an_engine_error(weekly):
    def exploding_suite(gx):
        raise RuntimeError("forced GX failure")

    outcome = run_suite(weekly, exploding_suite, "exploding")
    assert not outcome.success and outcome.engine_error
    assert "forced GX failure" in outcome.failures[0]["message"]


def test_c7_the_asset_check_reports_the_engine_error(weekly, monkeypatch, accounts_file):
    broken = weekly.copy()
    broken["views"] = pd.Series([{"n": 1}] * len(broken), dtype=object)
    monkeypatch.setattr(gx_checks, "read_mart", lambda warehouse, table: broken)
    result = gx_comparison_suite(warehouse=WarehouseResource(db_path="unused.duckdb"),
                                 platforms=PlatformsResource(accounts_file=str(accounts_file)))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["engine_error"].value is True
    assert result.description.startswith("GX engine error")


# --- issue 8: with dbt on Spark the same checks read the marts through Spark -----------------------


class _FakeSparkMarts:
    """Stands in for spark_marts (pyspark is not in .venv): records what the checks read."""

    def __init__(self, weekly: pd.DataFrame, daily: pd.DataFrame):
        self.weekly, self.daily, self.read, self.stopped = weekly, daily, [], 0

    def session(self):
        return self

    def stop(self):
        self.stopped += 1

    def read_mart(self, spark, table):
        self.read.append(table)
        return self.weekly

    def read_daily_frame(self, spark):
        self.read.append("fct_content_daily")
        return self.daily


def test_on_the_spark_target_the_checks_read_marts_through_spark(weekly, daily, monkeypatch, accounts_file):
    from dagster_project.defs.quality import spark_marts

    bad_weekly = weekly[weekly["surface"] != "youtube_shorts"]
    fake = _FakeSparkMarts(bad_weekly, daily)
    for name in ("session", "read_mart", "read_daily_frame"):
        monkeypatch.setattr(spark_marts, name, getattr(fake, name))
    monkeypatch.setenv("SHORTFORM_DBT_TARGET", "spark")
    missing = WarehouseResource(db_path="/nonexistent/warehouse.duckdb")  # never opened on Spark
    result = gx_comparison_suite(warehouse=missing, platforms=PlatformsResource(accounts_file=str(accounts_file)))
    assert not result.passed and result.metadata["engine_error"].value is False
    assert fake.read == ["rpt_platform_comparison_weekly"] and fake.stopped == 1
    assert read_daily_frame(missing) is daily and fake.read[-1] == "fct_content_daily"


def test_daily_frame_reads_only_the_days_that_differ_from_the_live_published_file(make_warehouse, tmp_path):
    """The published rows passed these suites when they were published: a refresh validates the
    days whose rows differ from them (new, restated), and every row when nothing is published."""
    import duckdb

    from dagster_project.defs.publish import publish_marts

    warehouse = make_warehouse()
    live = tmp_path / "published" / "marts.duckdb"
    resource = WarehouseResource(db_path=str(warehouse))
    everything = read_daily_frame(resource, live)
    assert everything.attrs["scope"].startswith("every row (nothing published yet)")
    publish_marts(warehouse, live)
    same = read_daily_frame(resource, live)
    assert len(same) == 0 and same.attrs["scope"].startswith("the 0 day(s)")
    assert all(r.passed for r in daily_results(same))

    with duckdb.connect(str(warehouse)) as conn:
        day, rows = conn.execute("SELECT metric_date, count(*) FROM marts.fct_content_daily GROUP BY 1 ORDER BY 1 DESC "
                                 "LIMIT 1").fetchone()
        conn.execute("UPDATE marts.fct_content_daily SET comments = -1 WHERE metric_date = ? AND comments IS NOT NULL "
                     "AND content_key = (SELECT min(content_key) FROM marts.fct_content_daily WHERE metric_date = ? "
                     "AND comments IS NOT NULL)", [day, day])
        # the as-of columns move on every row each day: not a change of the day's rows
        conn.execute("UPDATE marts.fct_content_daily SET data_as_of_date = data_as_of_date + 1")
    changed = read_daily_frame(resource, live)
    assert len(changed) == rows and changed.attrs["scope"].startswith("the 1 day(s)")
    result = _by_name(daily_results(changed))[NEGATIVE_CHECK]
    assert not result.passed and result.metadata["failures"].value[0]["column"] == "comments"
    assert result.metadata["scope"].value.startswith("the 1 day(s)")

    with duckdb.connect(str(warehouse)) as conn:  # a column more than the published table: every row
        conn.execute("ALTER TABLE marts.fct_content_daily ADD COLUMN extra INTEGER")
    assert read_daily_frame(resource, live).attrs["scope"] == (
        "every row (the published fct_content_daily has other columns)")
