"""A18 (days near midnight in account time zones other than UTC), C3 (a duplicate key fails the
build and leaves the marts alone) and C8 (a mart SQL change that alters a column type fails the
contract and leaves the marts alone), on one `dbt build` of a copy of the project.

The raw rows are the paid fixture of test_paid_models, plus deliveries and posts placed around
midnight: a Meta ad account in Asia/Tokyo, a TikTok advertiser in America/Los_Angeles, a TikTok
video and a YouTube Short whose UTC and local days differ. The APIs report each account's local
day (ads) or their own basis (TikTok organic: UTC, YouTube: Pacific); the expected days are
computed here with zoneinfo from the UTC instants, never read back from the warehouse's code.
C3 and C8 change the copy (a duplicate raw row; a edited model) and undo their change afterwards.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.dbt.test_dbt_build import youtube_day, youtube_video
from tests.dbt.test_paid_models import (
    ACT_ACME,
    ACT_DIGITS,
    ADV_GLOBEX,
    FX_SEED,
    IG_ACME,
    IG_REEL,
    PULLED_AT,
    T2,
    TT_SPARK,
    build,
    meta_row,
    query,
    raw_rows,
    run_dbt,
    tiktok_report_row,
)

pytestmark = pytest.mark.slow  # one `dbt build` (~30-40 s) plus two short failing runs

TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
M4 = "23850000000000004"  # a Meta ad delivering around Tokyo midnight
YT_ACME = "UCacmeacmeacmeacmeacme01"
YT_SHORT = "aBcDeFgHiJ1"

# Delivery instants (UTC) one hour apart around the account's local midnight.
META_DELIVERIES = [(datetime(2026, 10, 3, 14, 30, tzinfo=UTC), "3.00", 1200),  # 23:30 JST, Oct 3
                   (datetime(2026, 10, 3, 15, 30, tzinfo=UTC), "4.00", 1600)]  # 00:30 JST, Oct 4
TIKTOK_DELIVERIES = [(datetime(2026, 10, 4, 6, 30, tzinfo=UTC), "5.00", "700"),  # 23:30 PDT, Oct 3
                     (datetime(2026, 10, 4, 7, 30, tzinfo=UTC), "6.00", "900")]  # 00:30 PDT, Oct 4
TT_PUBLISHED = datetime(2026, 10, 3, 23, 30, tzinfo=UTC)  # 01:30 on Oct 4 in the brand's Berlin
YT_PUBLISHED = datetime(2026, 10, 4, 6, 30, tzinfo=UTC)  # 23:30 PDT on Oct 3


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def rows_near_midnight() -> dict[str, list[tuple[Any, ...]]]:
    rows = raw_rows()
    rows["meta_ad_accounts"] = [
        (ACT_DIGITS, d, {**payload, "timezone_name": "Asia/Tokyo", "timezone_offset_hours_utc": 9.0})
        for _account, d, payload in rows["meta_ad_accounts"]]
    rows["meta_ads"].append((ACT_ACME, M4, rows["meta_ads"][0][2], {
        "id": M4, "name": "tokyo midnight", "campaign_id": "c1", "adset_id": "s1", "effective_status": "ACTIVE",
        "creative": {"id": "cr4", "effective_object_story_id": "1_4", "video_id": "1444"}}))
    for moment, spend, impressions in META_DELIVERIES:  # the API reports the ad account's local day
        r = meta_row(M4, local_day(moment, TOKYO), "instagram", "instagram_reels", spend, impressions)
        rows["meta_ad_days"].append((ACT_ACME, f"{M4}|instagram|instagram_reels", date.fromisoformat(r["date_start"]), r))
    for moment, spend, impressions in TIKTOK_DELIVERIES:  # stat_time_day is the advertiser's day
        day = local_day(moment, LOS_ANGELES)
        rows["tiktok_ad_days"].append((ADV_GLOBEX, T2, day, tiktok_report_row(T2, day, spend, impressions)))
    rows["tiktok_videos"] = [(a, i, d, {**copy.deepcopy(p), "create_time": str(int(TT_PUBLISHED.timestamp()))})
                             for a, i, d, p in rows["tiktok_videos"]]
    rows["accounts"].append(("acme", "Europe/Berlin", "youtube", "youtube_shorts", YT_ACME, PULLED_AT))
    yt_day = local_day(YT_PUBLISHED, LOS_ANGELES)
    published = YT_PUBLISHED.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows["youtube_videos"] = [(YT_ACME, YT_SHORT, date(2026, 10, 5), youtube_video(YT_SHORT, published, "PT30S", "500"))]
    rows["youtube_video_days"] = [(YT_ACME, YT_SHORT, yt_day, youtube_day(yt_day.isoformat(), 200, 50, 5, 1, 0))]
    return rows


def marts_digest(db: Path) -> dict[str, str]:
    """A content hash of every mart table (ordered rows), the 'marts unchanged' yardstick."""
    with duckdb.connect(str(db), read_only=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: hashlib.sha256(repr(conn.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall()).encode())
                .hexdigest() for t in tables}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("tz") / "work"
    db, result = build(work, rows_near_midnight(), FX_SEED)
    assert result.returncode == 0, result.stdout[-4000:]
    return work, db


# ---------------------------------------------------------------------------------------- A18


def test_a18_meta_days_follow_the_tokyo_ad_account_not_utc(built):
    _, db = built
    rows = query(db, "select metric_date, source_timezone, spend_local, impressions from marts.fct_ad_daily "
                     "where ad_id = ? order by metric_date", [M4])
    expected = [(local_day(m, TOKYO), spend, n) for m, spend, n in META_DELIVERIES]
    assert [(r["metric_date"], str(r["spend_local"]), r["impressions"]) for r in rows] == [
        (d, f"{float(s):.2f}", n) for d, s, n in expected]
    assert {r["source_timezone"] for r in rows} == {"Asia/Tokyo"}
    # both deliveries are on the same UTC day: a UTC mapping would have merged them
    assert len({m.date() for m, _, _ in META_DELIVERIES}) == 1 and len(rows) == 2


def test_a18_tiktok_ad_days_follow_the_advertiser_zone(built):
    _, db = built
    rows = query(db, "select metric_date, source_timezone, impressions from marts.fct_ad_daily "
                     "where ad_id = ? and metric_date < ? order by metric_date", [T2, date(2026, 10, 5)])
    assert [(r["metric_date"], r["impressions"]) for r in rows] == [
        (local_day(m, LOS_ANGELES), int(n)) for m, _, n in TIKTOK_DELIVERIES]
    assert {r["source_timezone"] for r in rows} == {"America/Los_Angeles"}
    assert {m.date() for m, _, _ in TIKTOK_DELIVERIES} == {date(2026, 10, 4)}  # the UTC day of both


def test_a18_organic_days_use_each_platforms_basis_not_the_brands_zone(built):
    _, db = built
    dims = {r["content_id"]: r for r in query(db, "select content_id, published_at, published_date from marts.dim_content")}
    assert dims[TT_SPARK]["published_at"] == TT_PUBLISHED.replace(tzinfo=None)  # stored as UTC
    assert dims[TT_SPARK]["published_date"] == TT_PUBLISHED.date()  # TikTok: UTC day, not Berlin's Oct 4
    assert local_day(TT_PUBLISHED, ZoneInfo("Europe/Berlin")) != TT_PUBLISHED.date()
    assert dims[YT_SHORT]["published_date"] == local_day(YT_PUBLISHED, LOS_ANGELES)  # YouTube: Pacific
    daily = query(db, "select metric_date, views from marts.fct_content_daily where content_id = ?", [YT_SHORT])
    assert [(r["metric_date"], r["views"]) for r in daily] == [(local_day(YT_PUBLISHED, LOS_ANGELES), 200)]


# ---------------------------------------------------------------------------------------- C3


def test_c3_duplicate_content_day_fails_the_build_and_leaves_the_marts(built):
    work, db = built
    before = marts_digest(db)
    other_account = "17841400000000999"  # the same reel and day arriving under a second account
    with duckdb.connect(str(db)) as conn:
        payload = conn.execute("SELECT CAST(payload AS VARCHAR), snapshot_date FROM raw.instagram_reels "
                               "WHERE media_id = ? ORDER BY snapshot_date LIMIT 1", [IG_REEL]).fetchone()
        conn.execute("INSERT INTO raw.instagram_reels VALUES (?, ?, ?, ?, CAST(? AS JSON))",
                     [other_account, IG_REEL, payload[1], PULLED_AT, payload[0]])
    try:
        result = run_dbt(work, db, ["build"])
        out = result.stdout
        assert result.returncode != 0, out[-3000:]
        assert "unique_combination" in out and "stg_instagram__reels" in out, out[-3000:]
        assert "SKIP" in out  # the marts downstream of the failed test were not built
        assert marts_digest(db) == before
    finally:
        with duckdb.connect(str(db)) as conn:
            conn.execute("DELETE FROM raw.instagram_reels WHERE ig_user_id = ?", [other_account])
    assert IG_ACME != other_account


# ---------------------------------------------------------------------------------------- C8


def test_c8_a_mart_column_type_change_fails_the_contract_and_leaves_the_marts(built):
    work, db = built
    before = marts_digest(db)
    model = work / "dbt" / "models" / "marts" / "fct_content_daily.sql"
    original = model.read_text()
    changed = original.replace("cast(daily.views as bigint) as views,",
                               "cast(daily.views as {{ dbt.type_string() }}) as views,")
    assert changed != original
    model.write_text(changed)
    try:
        result = run_dbt(work, db, ["run", "--select", "fct_content_daily"])
        out = result.stdout
        assert result.returncode == 1, out[-3000:]
        assert "contract" in out.lower() and "views" in out, out[-3000:]
        assert marts_digest(db) == before
    finally:
        model.write_text(original)


# ------------------------------------------------------------- incremental fct_content_daily


def test_an_incremental_build_with_another_reporting_zone_moves_every_rows_reporting_day(built):
    """fct_content_daily is incremental: a build that merges no new day must still give every row
    the reporting day of the zone it is run with (expected days from zoneinfo, not the warehouse)."""
    work, db = built
    try:
        result = run_dbt(work, db, ["run", "--select", "fct_content_daily", "--vars", "{reporting_timezone: Asia/Tokyo}"])
        assert result.returncode == 0, result.stdout[-3000:]
        with duckdb.connect(str(db), read_only=True) as conn:
            rows = conn.execute("SELECT metric_date, source_timezone, reporting_date FROM marts.fct_content_daily").fetchall()
        assert rows
        for metric_date, zone, reporting in rows:
            midpoint = datetime(metric_date.year, metric_date.month, metric_date.day, 12, tzinfo=ZoneInfo(zone))
            assert reporting == midpoint.astimezone(TOKYO).date(), (metric_date, zone, reporting)
        assert any(r[2] != r[0] for r in rows)  # the Pacific days moved to the next Tokyo day
    finally:
        restored = run_dbt(work, db, ["run", "--select", "fct_content_daily"])
        assert restored.returncode == 0, restored.stdout[-3000:]
    with duckdb.connect(str(db), read_only=True) as conn:
        assert not conn.execute("SELECT count(*) FROM marts.fct_content_daily WHERE reporting_date <> metric_date "
                                "AND source_timezone = 'UTC'").fetchone()[0]
