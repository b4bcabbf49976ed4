"""B2: a configured brand x surface silently missing from recent days of fct_content_daily fails a
blocking check; YouTube may lag (YouTube Analytics 2-3 days + the Pacific day basis: 4 days), the
snapshot surfaces (same UTC pull day) not at all, against the newest day of the mart."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import duckdb

from dagster_project.defs.quality.volume import (
    COMPLETENESS_CHECK,
    SURFACE_LAG_DAYS,
    completeness_result,
    configured_pairs,
    newest_days,
    surfaces_complete_recent_days,
)
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

R = date(2026, 11, 15)
PAIRS = {(b, s) for b in ("acme", "globex") for s in ("tiktok", "instagram_reels", "facebook_reels", "youtube_shorts")}


def _newest(**overrides) -> dict[tuple[str, str], date | None]:
    newest = {p: (R - timedelta(days=3) if p[1] == "youtube_shorts" else R) for p in PAIRS}
    for key, value in overrides.items():
        brand, surface = key.split("__")
        newest[(brand, surface)] = value
    return {k: v for k, v in newest.items() if v is not None}


def test_configured_pairs_are_the_organic_accounts(accounts_file):
    pairs = configured_pairs(PlatformsResource(accounts_file=str(accounts_file)))
    assert pairs == PAIRS  # tiktok ads and meta_ads accounts are not organic surfaces


def test_all_surfaces_current_with_youtube_lagging_passes():
    result = completeness_result(_newest(), PAIRS)
    assert result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["reference_day"].value == str(R)


def test_a_platform_missing_for_one_brand_fails():
    result = completeness_result(_newest(acme__instagram_reels=None, acme__facebook_reels=None), PAIRS)
    assert not result.passed
    assert result.check_name == COMPLETENESS_CHECK
    assert "acme x instagram_reels: no rows at all" in result.description
    assert "acme x facebook_reels" in result.description
    assert len(result.metadata["gaps"].value) == 2


def test_a_snapshot_surface_one_day_behind_the_others_fails():
    # Meta down on the newest pull day: TikTok has day R, Instagram stops at R - 1 (the B1 scenario)
    result = completeness_result(_newest(globex__instagram_reels=R - timedelta(days=1)), PAIRS)
    assert not result.passed and "globex x instagram_reels: newest day 2026-11-14" in result.description
    assert "expected 2026-11-15" in result.description


def test_youtube_tolerance_boundary():
    lag = SURFACE_LAG_DAYS["youtube_shorts"]
    assert completeness_result(_newest(acme__youtube_shorts=R - timedelta(days=lag)), PAIRS).passed
    late = completeness_result(_newest(acme__youtube_shorts=R - timedelta(days=lag + 1)), PAIRS)
    assert not late.passed and "acme x youtube_shorts" in late.description


def test_empty_mart_fails():
    result = completeness_result({}, PAIRS)
    assert not result.passed and len(result.metadata["gaps"].value) == len(PAIRS)


def test_the_asset_check_on_a_warehouse_file(make_warehouse, accounts_file):
    platforms = PlatformsResource(accounts_file=str(accounts_file))
    good = make_warehouse("good.duckdb")
    assert surfaces_complete_recent_days(warehouse=WarehouseResource(db_path=str(good)), platforms=platforms).passed

    # Meta down for the last 3 days: Instagram and Facebook rows stop while TikTok and YouTube go on
    bad = make_warehouse("bad.duckdb", sql_edits=[
        "DELETE FROM marts.fct_content_daily WHERE surface IN ('instagram_reels', 'facebook_reels') "
        "AND metric_date > (SELECT max(metric_date) - 3 FROM marts.fct_content_daily)"])
    result = surfaces_complete_recent_days(warehouse=WarehouseResource(db_path=str(bad)), platforms=platforms)
    assert not result.passed
    assert {g.split(":")[0] for g in result.metadata["gaps"].value} == {
        f"{b} x {s}" for b in ("acme", "globex") for s in ("instagram_reels", "facebook_reels")}
    conn = duckdb.connect(str(bad), read_only=True)
    assert newest_days(conn)[("acme", "tiktok")] > newest_days(conn)[("acme", "instagram_reels")]
    conn.close()
