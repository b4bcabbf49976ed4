"""Great Expectations suites on the comparison marts, run as blocking Dagster asset checks.

GX 1.x's SQL datasource returns wrong results on DuckDB, so each mart is read through a read-only
DuckDB connection into a DataFrame and validated with GX's pandas datasource (the suites live in
gx_suites). When dbt builds on Spark (SHORTFORM_DBT_TARGET=spark, issue 8) the marts are read
through Spark instead (spark_marts), so the same checks gate a Spark build. A GX engine error
(an expectation that raised, in either of the shapes GX 1.x reports it, or a validation that raised
as a whole) is reported as such and fails the check: an unchecked mart is never published.

Suites:
- rpt_platform_comparison_weekly: schema, keys, every surface and brand present, value ranges (ERROR).
- fct_content_daily: no negative counts unless the row is flagged is_restated_down (C1, ERROR,
  blocking) and likes <= views (C2, WARN only: platform definitions differ).
"""


import os
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from dagster_project.analyst.db import quote_literal
from dagster_project.defs.changes import DAY_COLUMN, changed_days, stage_days
from dagster_project.defs.quality.gx_suites import (  # noqa: F401 - re-exported for checks and tests
    DAILY_COUNT_COLUMNS,
    LIKES_CHECK,
    NEGATIVE_CHECK,
    RPT_COLUMNS,
    SURFACES,
    UNFLAGGED,
    SuiteOutcome,
    _gx,
    comparison_suite,
    daily_likes_suite,
    daily_negatives_suite,
    describe_outcome,
    engine_exception,
    run_suite,
    validate_daily_frame,
    validate_frame,
)
from dagster_project.defs.resources import PlatformsResource, PublishResource, WarehouseResource, open_duckdb


def spark_target() -> bool:
    """dbt builds on the local Spark session (dbt/profiles.yml output `spark`): read marts through Spark."""
    return os.environ.get("SHORTFORM_DBT_TARGET", "dev") == "spark"


def _spark_frame(read) -> pd.DataFrame:
    from dagster_project.defs.quality import spark_marts

    spark = spark_marts.session()
    try:
        return read(spark_marts, spark)
    finally:
        spark.stop()


def read_mart(warehouse: WarehouseResource, table: str) -> pd.DataFrame:
    if spark_target():
        return _spark_frame(lambda sm, spark: sm.read_mart(spark, table))
    conn = open_duckdb(warehouse.path(), read_only=True)
    try:
        return conn.execute(f"SELECT * FROM marts.{table}").df()
    finally:
        conn.close()


@dg.asset_check(asset=dg.AssetKey(["marts", "rpt_platform_comparison_weekly"]), blocking=True,
                name="gx_comparison_suite",
                description="Great Expectations suite on the weekly comparison mart (schema, keys, "
                "every surface and brand present, value ranges). Blocks publish on failure.")
def gx_comparison_suite(warehouse: WarehouseResource, platforms: PlatformsResource) -> dg.AssetCheckResult:
    df = read_mart(warehouse, "rpt_platform_comparison_weekly")
    brands = platforms.accounts().brands()
    outcome = validate_frame(df, brands)
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=describe_outcome(outcome),
        metadata={
            "rows": len(df),
            "expectations": outcome.evaluated,
            "failures": dg.MetadataValue.json(outcome.failures),
            "engine_error": outcome.engine_error,
        },
    )



# --- fct_content_daily: negative values (ERROR, blocking) and likes > views (WARN) -------------

CONTENT_DAILY = dg.AssetKey(["marts", "fct_content_daily"])


def read_daily_frame(warehouse: WarehouseResource, published: Path | None = None) -> pd.DataFrame:
    """The columns the daily suites read, of every row of fct_content_daily, or, given the live
    published file, of the rows on the days that differ from it (changes.changed_days): the rows
    of the other days are the published ones, which passed these suites when they were published.
    The frame's attrs["scope"] says which."""
    if spark_target():
        df = _spark_frame(lambda sm, spark: sm.read_daily_frame(spark))
        df.attrs["scope"] = "every row"
        return df
    conn = open_duckdb(warehouse.path(), read_only=True)
    try:
        present = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "AND table_name = 'fct_content_daily' AND table_catalog = current_database() "
            "ORDER BY ordinal_position").fetchall()]
        # only what the suites read: the row keys (a string per row) took most of the read
        cols = ["is_restated_down"] + [c for c in DAILY_COUNT_COLUMNS if c in present]
        select = ", ".join(f'CAST("{c}" AS DOUBLE) AS "{c}"' if c in DAILY_COUNT_COLUMNS else f'"{c}"'
                           for c in cols if c in present)
        days, scope = _changed_days_since_publish(conn, present, published)
        if days is None:
            df = conn.execute(f"SELECT {select} FROM marts.fct_content_daily").df()
        else:
            staged = stage_days(conn, "gx_changed_days", days)
            df = conn.execute(f'SELECT {select} FROM marts.fct_content_daily WHERE "{DAY_COLUMN}" IN {staged}').df()
        df.attrs["scope"] = scope
        return df
    finally:
        conn.close()


def _changed_days_since_publish(conn, columns: list[str], published: Path | None) -> tuple[list | None, str]:
    """(days, scope): the days of fct_content_daily that differ from the live published file's,
    or (None, why every row is read) when there is no such file or it cannot be compared."""
    if published is None or not published.exists():
        return None, "every row (nothing published yet)"
    if DAY_COLUMN not in columns:
        return None, f"every row (no {DAY_COLUMN})"
    try:
        conn.execute(f"ATTACH {quote_literal(published)} AS live_published (READ_ONLY)")
        live = [r[0] for r in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'live_published' AND schema_name = 'main' "
            "AND table_name = 'fct_content_daily' ORDER BY column_index").fetchall()]
        if live != columns:
            return None, "every row (the published fct_content_daily has other columns)"
        days = changed_days(conn, "marts.fct_content_daily", "live_published.main.fct_content_daily", columns)
    except (duckdb.Error, ValueError) as exc:
        return None, f"every row (the published file could not be compared: {type(exc).__name__})"
    return days, f"the {len(days)} day(s) new or changed since the live publish (the others passed when published)"


def _outcome_result(outcome: SuiteOutcome, check: str, severity: dg.AssetCheckSeverity, rows: int,
                    scope: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=CONTENT_DAILY, check_name=check, passed=outcome.success, severity=severity,
        description=f"{describe_outcome(outcome)} Rows validated: {scope}.",
        metadata={"rows": rows, "scope": scope, "expectations": outcome.evaluated,
                  "failures": dg.MetadataValue.json(outcome.failures), "engine_error": outcome.engine_error},
    )


def daily_results(df: pd.DataFrame) -> list[dg.AssetCheckResult]:
    negatives, likes = validate_daily_frame(df)
    scope = df.attrs.get("scope", "every row")
    return [_outcome_result(negatives, NEGATIVE_CHECK, dg.AssetCheckSeverity.ERROR, len(df), scope),
            _outcome_result(likes, LIKES_CHECK, dg.AssetCheckSeverity.WARN, len(df), scope)]


@dg.multi_asset_check(
    name="gx_content_daily_suite",
    specs=[
        dg.AssetCheckSpec(NEGATIVE_CHECK, asset=CONTENT_DAILY, blocking=True,
                          description="C1: no negative views/likes/comments/shares/saves/watch time unless the "
                          "row is flagged is_restated_down (GX, ERROR). Blocks publish. Reads the days that differ "
                          "from the live published file (all rows when nothing is published)."),
        dg.AssetCheckSpec(LIKES_CHECK, asset=CONTENT_DAILY, blocking=False,
                          description="C2: likes <= views on unflagged rows (GX, WARN only: platform "
                          "definitions differ)."),
    ],
    can_subset=True,
)
def gx_content_daily_suite(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource,
                           publish: PublishResource):
    df = read_daily_frame(warehouse, publish.path())
    selected = {k.name for k in context.selected_asset_check_keys}
    for result in daily_results(df):
        if result.check_name in selected:
            yield result
