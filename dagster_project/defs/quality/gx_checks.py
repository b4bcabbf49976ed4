"""Great Expectations suites on the comparison marts, run as blocking Dagster asset checks.

GX 1.x's SQL datasource returns wrong results on DuckDB, so each mart is read through a read-only
DuckDB connection into a DataFrame and validated with GX's pandas datasource. A GX engine error
(an expectation that raised) is reported as such and fails the check: an unchecked mart is never
published.
"""


import os
from dataclasses import dataclass
from typing import Any

import dagster as dg
import pandas as pd

from dagster_project.defs.resources import PlatformsResource, WarehouseResource, open_duckdb

SURFACES = ["tiktok", "instagram_reels", "facebook_reels", "youtube_shorts"]

RPT_COLUMNS = [
    "brand", "platform", "surface", "iso_week", "week_start", "posts_published", "active_contents",
    "views", "likes", "comments", "shares", "saves", "engagements", "watch_seconds",
    "engagement_rate", "avg_watch_seconds_per_view", "days_covered", "complete_share", "views_basis",
]


@dataclass(frozen=True)
class SuiteOutcome:
    success: bool
    engine_error: bool
    failures: list[dict[str, Any]]
    evaluated: int


def comparison_suite(gx, brands: list[str]):
    """Expectations every published weekly comparison must meet."""
    E = gx.expectations
    suite = gx.ExpectationSuite(name="rpt_platform_comparison_weekly")
    expectations = [
        E.ExpectTableColumnsToMatchSet(column_set=RPT_COLUMNS, exact_match=True),
        E.ExpectTableRowCountToBeBetween(min_value=1),
        E.ExpectCompoundColumnsToBeUnique(column_list=["brand", "surface", "week_start"]),
        E.ExpectColumnValuesToBeInSet(column="surface", value_set=SURFACES),
        E.ExpectColumnDistinctValuesToContainSet(column="surface", value_set=SURFACES),
        E.ExpectColumnDistinctValuesToContainSet(column="brand", value_set=brands),
        E.ExpectColumnValuesToNotBeNull(column="week_start"),
        E.ExpectColumnValuesToNotBeNull(column="views_basis"),
        E.ExpectColumnValuesToBeBetween(column="views", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="posts_published", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="watch_seconds", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="engagement_rate", min_value=0, max_value=1, mostly=0.99),
        E.ExpectColumnValuesToBeBetween(column="complete_share", min_value=0, max_value=1),
        E.ExpectColumnValuesToBeBetween(column="days_covered", min_value=0, max_value=7),
        # Shorts, Reels and TikToks run seconds to minutes: an average watch above 15 minutes is a unit bug.
        E.ExpectColumnValuesToBeBetween(column="avg_watch_seconds_per_view", min_value=0, max_value=900),
    ]
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


def validate_frame(df: pd.DataFrame, brands: list[str]) -> SuiteOutcome:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("rpt_platform_comparison_weekly")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": df})
    )
    result = batch.validate(comparison_suite(gx, brands))
    failures, engine_error = [], False
    for r in result.results:
        raised = bool((r.exception_info or {}).get("raised_exception"))
        engine_error |= raised
        if not r.success:
            failures.append({
                "expectation": r.expectation_config.type,
                "column": r.expectation_config.kwargs.get("column"),
                "unexpected_count": (r.result or {}).get("unexpected_count"),
                "partial_unexpected": [str(v) for v in (r.result or {}).get("partial_unexpected_list", [])[:5]],
                "engine_error": raised,
            })
    return SuiteOutcome(bool(result.success) and not engine_error, engine_error, failures, len(result.results))


def read_mart(warehouse: WarehouseResource, table: str) -> pd.DataFrame:
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
        description=None if outcome.success else (
            "GX engine error: the suite could not be evaluated" if outcome.engine_error
            else f"{len(outcome.failures)} expectation(s) failed"),
        metadata={
            "rows": len(df),
            "expectations": outcome.evaluated,
            "failures": dg.MetadataValue.json(outcome.failures),
            "engine_error": outcome.engine_error,
        },
    )

