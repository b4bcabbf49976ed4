"""Volume gates on the marts: row-count collapse (C4) and per-day completeness per brand x surface (B2).

Both are blocking: a failed check keeps the publish asset from running, so the previous published
file stays as it is.

C4 row-count collapse
    Each mart's row count is compared with the count recorded for it by the last *good* publish:
    the live published file's ``_publish_info.table_hashes`` ("rowcount:digest"). Only runs whose
    blocking checks passed publish, so failed runs never become the baseline. A mart with fewer
    than ``MIN_SHARE_OF_BASELINE`` (50 %) of its baseline rows fails. No published file yet (first
    run), or a mart the baseline does not know (a new mart), passes. A published file whose record
    cannot be read passes with the reason in the metadata (it cannot be a baseline; refusing every
    publish forever would be worse).

B2 completeness per day
    The configured accounts (PlatformsResource.accounts(), organic platforms only) say which
    brand x surface pairs must be in ``marts.fct_content_daily``. The reference day R is the newest
    metric_date in the mart (over every surface). Each surface may lag R by its latency allowance:

    ===============  =====  ======================================================================
    surface          lag    why
    ===============  =====  ======================================================================
    tiktok           0      lifetime snapshots of the same UTC pull day: when one snapshot surface
    instagram_reels  0      has day d, every other one must have it too; a day missing on one of
    facebook_reels   0      them is exactly "a platform silently missing" (B1/B2)
    youtube_shorts   4 days YouTube Analytics lags 2-3 days, plus 1 day for its Pacific-time day
                            basis against the UTC days of the other surfaces
    ===============  =====  ======================================================================

    A configured pair fails when it has no rows at all, or when its newest day is older than
    R - lag(surface): the platform (or that account) is silently missing from recent days. An
    account that truly has no content yet also fails (the check cannot tell it from a platform
    that returned nothing); remove it from the accounts file until it posts.
"""


from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.defs.publish import mart_model_keys
from dagster_project.defs.quality.baseline import Baseline, read_baseline
from dagster_project.defs.resources import PlatformsResource, PublishResource, WarehouseResource, open_duckdb

MIN_SHARE_OF_BASELINE = 0.5
ROW_COUNT_CHECK = "row_count_vs_last_publish"
COMPLETENESS_CHECK = "surfaces_complete_recent_days"
CONTENT_DAILY = dg.AssetKey(["marts", "fct_content_daily"])

ORGANIC_PLATFORMS = ("tiktok", "instagram", "facebook", "youtube")
SURFACE_LAG_DAYS = {"tiktok": 0, "instagram_reels": 0, "facebook_reels": 0, "youtube_shorts": 4}
DEFAULT_LAG_DAYS = 0


# --- C4 -----------------------------------------------------------------------------------------


def warehouse_row_counts(conn: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int | None]:
    """Row count per marts table (None when the table does not exist)."""
    present = {r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
        "AND table_catalog = current_database()").fetchall()}
    return {t: (conn.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] if t in present else None)
            for t in tables}


def row_count_result(table: str, current: int | None, baseline: Baseline,
                     min_share: float = MIN_SHARE_OF_BASELINE) -> dg.AssetCheckResult:
    key = dg.AssetKey(["marts", table])
    meta = {"rows": current if current is not None else -1, "min_share": min_share,
            "baseline_file": str(baseline.path)}
    if not baseline.exists:
        return dg.AssetCheckResult(asset_key=key, check_name=ROW_COUNT_CHECK, passed=True,
                                   metadata={**meta, "baseline": "none: nothing published yet (first run)"})
    if not baseline.usable:
        return dg.AssetCheckResult(asset_key=key, check_name=ROW_COUNT_CHECK, passed=True,
                                   description=f"no usable baseline ({baseline.problem}); not compared",
                                   metadata={**meta, "baseline": f"unusable: {baseline.problem}"})
    meta.update({"baseline_run_id": baseline.run_id or "", "baseline_published_at": baseline.published_at or ""})
    expected = baseline.row_counts.get(table)
    if expected is None:
        return dg.AssetCheckResult(asset_key=key, check_name=ROW_COUNT_CHECK, passed=True,
                                   metadata={**meta, "baseline": "none: mart not in the last publish"})
    rows = current or 0
    share = rows / expected if expected else 1.0
    passed = current is not None and (expected == 0 or share >= min_share)
    return dg.AssetCheckResult(
        asset_key=key, check_name=ROW_COUNT_CHECK, passed=passed, severity=dg.AssetCheckSeverity.ERROR,
        description=None if passed else (
            f"marts.{table} has {rows} rows, {share:.0%} of the {expected} of the last good publish "
            f"(minimum {min_share:.0%}): not publishing" if current is not None
            else f"marts.{table} is missing; the last good publish had {expected} rows"),
        metadata={**meta, "baseline_rows": expected, "share_of_baseline": round(share, 4)},
    )


def row_count_results(warehouse_path: Path, published_path: Path, tables: list[str],
                      min_share: float = MIN_SHARE_OF_BASELINE) -> list[dg.AssetCheckResult]:
    baseline = read_baseline(published_path)
    conn = open_duckdb(warehouse_path, read_only=True)
    try:
        counts = warehouse_row_counts(conn, tables)
    finally:
        conn.close()
    return [row_count_result(t, counts[t], baseline, min_share) for t in tables]


def _row_count_specs() -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(ROW_COUNT_CHECK, asset=key, blocking=True,
                              description="C4: fails when the mart has < 50 % of the rows of the last good "
                              "publish (live published file's _publish_info.table_hashes). Blocks publish.")
            for key in mart_model_keys()]


@dg.multi_asset_check(name="marts_row_count_vs_last_publish", specs=_row_count_specs(), can_subset=True)
def marts_row_count_vs_last_publish(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource,
                                    publish: PublishResource):
    selected = sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string())
    tables = [k.asset_key.path[-1] for k in selected if k.name == ROW_COUNT_CHECK]
    yield from row_count_results(warehouse.path(), publish.path(), tables)


# --- B2 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    brand: str
    surface: str
    newest_day: date | None
    expected_from: date | None

    def describe(self) -> str:
        if self.newest_day is None:
            return f"{self.brand} x {self.surface}: no rows at all"
        return f"{self.brand} x {self.surface}: newest day {self.newest_day}, expected {self.expected_from} or later"


def configured_pairs(platforms: PlatformsResource) -> set[tuple[str, str]]:
    return {(a.brand, a.surface) for a in platforms.accounts().accounts if a.platform in ORGANIC_PLATFORMS}


def newest_days(conn: duckdb.DuckDBPyConnection, table: str = "marts.fct_content_daily") -> dict[tuple[str, str], date]:
    return {(b, s): d for b, s, d in conn.execute(
        f"SELECT brand, surface, max(metric_date) FROM {table} WHERE brand IS NOT NULL GROUP BY ALL").fetchall()}


def completeness_gaps(newest: dict[tuple[str, str], date], required: set[tuple[str, str]],
                      lags: dict[str, int] | None = None) -> tuple[date | None, list[Gap]]:
    """(reference day, the required pairs missing from recent days)."""
    lags = SURFACE_LAG_DAYS if lags is None else lags
    reference = max(newest.values(), default=None)
    gaps = []
    for brand, surface in sorted(required):
        day = newest.get((brand, surface))
        expected = None if reference is None else reference - timedelta(days=lags.get(surface, DEFAULT_LAG_DAYS))
        if day is None or (expected is not None and day < expected):
            gaps.append(Gap(brand, surface, day, expected))
    return reference, gaps


def completeness_result(newest: dict[tuple[str, str], date], required: set[tuple[str, str]],
                        lags: dict[str, int] | None = None) -> dg.AssetCheckResult:
    reference, gaps = completeness_gaps(newest, required, lags)
    lags = SURFACE_LAG_DAYS if lags is None else lags
    per_pair = {f"{b} x {s}": (str(d) if d else None) for (b, s), d in sorted(newest.items()) if (b, s) in required}
    return dg.AssetCheckResult(
        asset_key=CONTENT_DAILY, check_name=COMPLETENESS_CHECK, passed=not gaps,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if not gaps else (
            f"{len(gaps)} configured brand x surface missing recent days (reference day {reference}): "
            + "; ".join(g.describe() for g in gaps[:10])),
        metadata={
            "reference_day": str(reference) if reference else "none",
            "required_pairs": len(required),
            "lag_days": dg.MetadataValue.json(lags),
            "newest_day_per_pair": dg.MetadataValue.json(per_pair),
            "gaps": dg.MetadataValue.json([g.describe() for g in gaps]),
        },
    )


@dg.asset_check(asset=CONTENT_DAILY, name=COMPLETENESS_CHECK, blocking=True,
                description="B2: every configured brand x organic surface has rows up to the newest day of the "
                "mart minus its latency allowance (YouTube 4 days, the snapshot surfaces 0). Blocks publish.")
def surfaces_complete_recent_days(warehouse: WarehouseResource, platforms: PlatformsResource) -> dg.AssetCheckResult:
    conn = open_duckdb(warehouse.path(), read_only=True)
    try:
        newest = newest_days(conn)
    finally:
        conn.close()
    return completeness_result(newest, configured_pairs(platforms))
