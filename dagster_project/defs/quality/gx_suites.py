"""The Great Expectations suites behind the blocking checks, engine-independent: each suite runs on
a pandas DataFrame of a mart, however the mart was read (DuckDB in gx_checks, Spark in
spark_marts). No Dagster import, so the Spark environment can run the same suites.

A GX engine error (an expectation that raised, in either of the shapes GX 1.x reports it, or a
validation that raised as a whole) is reported as such and fails the suite: an unchecked mart is
never published.
"""

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

SURFACES = ["tiktok", "instagram_reels", "facebook_reels", "youtube_shorts"]

RPT_COLUMNS = [
    "brand", "platform", "surface", "iso_week", "week_start", "posts_published", "active_contents",
    "views", "likes", "comments", "shares", "saves", "engagements", "watch_seconds",
    "engagement_rate", "avg_watch_seconds_per_view", "days_covered", "complete_share", "views_basis",
    "days_final", "days_restated_down", "coverage_matches_brand",
]


@dataclass(frozen=True)
class SuiteOutcome:
    success: bool
    engine_error: bool
    failures: list[dict[str, Any]]
    evaluated: int


def comparison_suite(gx, brands: list[str]):
    """Expectations every published weekly comparison must meet."""
    from great_expectations.expectations.row_conditions import Column

    unrestated = Column("days_restated_down") == 0  # weeks without a downward restatement
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
        E.ExpectColumnValuesToNotBeNull(column="days_restated_down"),
        E.ExpectColumnValuesToBeBetween(column="days_restated_down", min_value=0, max_value=7),
        # A week's views are negative when a platform's downward restatement (spam removal) is larger
        # than the week's new views, and a restatement that leaves a week a handful of net views
        # blows up its per-view rates: rare and real (70 and 3 of 82,382 weeks on the `large`
        # world). Those weeks say so (days_restated_down > 0); every other week is held to the bounds.
        E.ExpectColumnValuesToBeBetween(column="views", min_value=0, row_condition=unrestated),
        E.ExpectColumnValuesToBeBetween(column="posts_published", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="watch_seconds", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="engagement_rate", min_value=0, max_value=1, mostly=0.99,
                                        row_condition=unrestated),
        E.ExpectColumnValuesToBeBetween(column="complete_share", min_value=0, max_value=1),
        E.ExpectColumnValuesToBeBetween(column="days_covered", min_value=0, max_value=7),
        # Shorts, Reels and TikToks run seconds to minutes: an average watch above 15 minutes is a unit bug.
        E.ExpectColumnValuesToBeBetween(column="avg_watch_seconds_per_view", min_value=0, max_value=900,
                                        row_condition=unrestated),
    ]
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


def engine_exception(exception_info: Any) -> str | None:
    """The message of an exception GX caught while evaluating one expectation, else None.

    GX 1.x reports a metric that raised in two shapes: a flat ``{"raised_exception": True, ...}``
    or, when a metric resolution failed, a dict keyed by metric id whose values carry
    ``raised_exception``. Both are engine errors (the expectation was never evaluated).
    """
    if not isinstance(exception_info, dict) or not exception_info:
        return None
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return str(exception_info.get("exception_message") or "exception raised")
        return None
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "exception raised")
    return None


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import great_expectations as gx

    return gx


def run_suite(df: pd.DataFrame, build_suite, name: str) -> SuiteOutcome:
    """Validate df against the suite build_suite(gx) makes, with GX's pandas datasource.

    An expectation that raised, or a validation that raised as a whole, is an *engine error*: the
    outcome fails (the gate stays closed) and says so, instead of reporting bad data.
    """
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    try:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        suite = build_suite(gx)
        batch = (
            context.data_sources.add_pandas("warehouse")
            .add_dataframe_asset(name)
            .add_batch_definition_whole_dataframe("whole")
            .get_batch(batch_parameters={"dataframe": df})
        )
        result = batch.validate(suite)
    except Exception as exc:  # noqa: BLE001 - any GX failure is an engine error, never a pass
        return SuiteOutcome(False, True, [{
            "expectation": f"suite {name}", "column": None, "unexpected_count": None,
            "partial_unexpected": [], "engine_error": True,
            "message": f"{type(exc).__name__}: {str(exc)[:300]}",
        }], 0)
    failures, engine_error = [], False
    for r in result.results:
        message = engine_exception(r.exception_info)
        raised = message is not None
        engine_error |= raised
        if not r.success or raised:
            kwargs = r.expectation_config.kwargs
            failure = {
                "expectation": r.expectation_config.type,
                "column": kwargs.get("column") or (
                    f"{kwargs.get('column_A')},{kwargs.get('column_B')}" if kwargs.get("column_A") else None),
                "unexpected_count": (r.result or {}).get("unexpected_count"),
                "partial_unexpected": [str(v) for v in (r.result or {}).get("partial_unexpected_list", [])[:5]],
                "engine_error": raised,
            }
            if raised:
                failure["message"] = message[:300]
            failures.append(failure)
    return SuiteOutcome(bool(result.success) and not engine_error, engine_error, failures, len(result.results))


def validate_frame(df: pd.DataFrame, brands: list[str]) -> SuiteOutcome:
    return run_suite(df, lambda gx: comparison_suite(gx, brands), "rpt_platform_comparison_weekly")


def describe_outcome(outcome: SuiteOutcome) -> str | None:
    if outcome.success:
        return None
    if outcome.engine_error:
        broken = [f["expectation"] for f in outcome.failures if f.get("engine_error")]
        return f"GX engine error: the suite could not be evaluated ({', '.join(broken[:3])})"
    return f"{len(outcome.failures)} expectation(s) failed"


# --- fct_content_daily: negative values (ERROR, blocking) and likes > views (WARN) -------------

DAILY_COUNT_COLUMNS = ["views", "engaged_views", "likes", "comments", "shares", "saves", "engagements",
                       "watch_seconds"]
# A downward restatement (the platform lowered a lifetime total) legitimately gives a negative
# daily value; the mart keeps it and flags the row. Only unflagged negatives are errors.
UNFLAGGED = "is_restated_down != True"
NEGATIVE_CHECK = "gx_daily_no_unflagged_negatives"
LIKES_CHECK = "gx_daily_likes_not_above_views"


def daily_negatives_suite(gx, columns: list[str], flag: bool = True):
    """Run on the unflagged rows only (validate_daily_frame selects them once). `flag`: also
    expect the is_restated_down column (validate_daily_frame asks it of the first part only)."""
    E = gx.expectations
    suite = gx.ExpectationSuite(name="fct_content_daily_non_negative")
    if flag:
        suite.add_expectation(E.ExpectColumnToExist(column="is_restated_down"))
    for column in columns:
        suite.add_expectation(E.ExpectColumnValuesToBeBetween(column=column, min_value=0))
    return suite


def daily_likes_suite(gx):
    """likes > views is a warning, not a block: platforms count likes and views differently
    (e.g. a like without a counted view), so it is surfaced, not enforced. Unflagged rows only."""
    E = gx.expectations
    suite = gx.ExpectationSuite(name="fct_content_daily_likes_vs_views")
    suite.add_expectation(E.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="views", column_B="likes", or_equal=True, ignore_row_if="either_value_is_missing"))
    return suite


def unflagged_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The rows the daily suites judge: not flagged is_restated_down (UNFLAGGED). Selected once here
    instead of a GX row_condition on every expectation, which made GX filter the whole frame once per
    expectation (45 s against 20 s for 8.4 M rows at one year of `agency`). Without the column the
    frame is returned whole, and the suite's ExpectColumnToExist fails."""
    if "is_restated_down" not in df.columns:
        return df
    return df.query(UNFLAGGED)


def merged_outcome(parts: list[SuiteOutcome]) -> SuiteOutcome:
    """One outcome for a suite run in parts: it succeeds when every part does."""
    return SuiteOutcome(all(p.success for p in parts), any(p.engine_error for p in parts),
                        [f for p in parts for f in p.failures], sum(p.evaluated for p in parts))


def validate_daily_frame(df: pd.DataFrame) -> tuple[SuiteOutcome, SuiteOutcome]:
    """(negatives outcome, likes-vs-views outcome) for a fct_content_daily frame.

    The negatives suite runs one count column at a time (the first part also expects the flag
    column), on a frame of that column alone, and the likes suite on views and likes: GX's pandas
    engine takes every column of its frame through each expectation's row masks (four times) and
    hashes the whole frame twice per run, so the frame of all the columns and the row keys (a
    string per row) cost more than the checks themselves (32-37 -> 17-19 s for 8.4 M rows at one year of
    `agency`)."""
    columns = [c for c in DAILY_COUNT_COLUMNS if c in df.columns]
    judged = unflagged_rows(df)
    flag = [c for c in ("is_restated_down",) if c in judged.columns]
    groups = [[c] for c in columns] or [[]]  # no count column at all: the flag expectation alone
    parts = [run_suite(judged[(flag if i == 0 else []) + group],
                       lambda gx, group=group, first=(i == 0): daily_negatives_suite(gx, group, flag=first),
                       "fct_content_daily_non_negative") for i, group in enumerate(groups)]
    likes = judged[[c for c in ("views", "likes") if c in judged.columns]]
    return merged_outcome(parts), run_suite(likes, daily_likes_suite, "fct_content_daily_likes_vs_views")
