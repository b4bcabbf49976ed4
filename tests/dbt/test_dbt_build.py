"""`dbt build` of the shortform project on a small handcrafted raw dataset.

The dataset covers every case of the snapshot -> daily rule (first snapshot on the publish day,
first snapshot of older content, consecutive days, missed days spread, downward restatement), all
four surfaces, numbers as JSON numbers and as numeric strings, Meta object-valued metrics, YouTube
ISO-8601 durations, Shorts classification and Pacific-time publish dates. The marts are then read
back and checked value by value. A second build with a count of "12.5" must fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.defs.ingest.landing import ensure_raw_schema

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
DBT_BIN = Path(sys.executable).with_name("dbt")

pytestmark = pytest.mark.slow  # two real `dbt build` runs, about 25 s

PULLED_AT = datetime(2026, 10, 12, 6, 0)

# --- accounts ---------------------------------------------------------------------------------
TT_ACME = "tt-business-acme"
TT_GLOBEX = "tt-business-globex"
IG_ACME = "17841400000000001"
FB_ACME = "100000000000001"
YT_ACME = "UCacme0000000000000000001"

# --- content ----------------------------------------------------------------------------------
TT_NEW = "7300000000000000001"  # published on its first snapshot day, then a gap and a restatement
TT_OLD = "7300000000000000002"  # published two weeks before its first snapshot
TT_GLOBEX_VIDEO = "7300000000000000003"
IG_REEL = "17900000000000001"
FB_REEL = "1000000000000001"
YT_SHORT = "abcdefghijk"  # 45 s, published 2026-10-05 03:00 UTC = 2026-10-04 in Pacific time
YT_LONG = "longvideo01"  # 12 min: not a Short
YT_OLD_90S = "oldshort001"  # 90 s published before 2024-10-15: not a Short then (limit 60 s)

# The raw tables exactly as the landing code creates them (all of them, paid ones empty).



def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp())


def _d(day: int) -> date:
    return date(2026, 10, day)


def tiktok_video(
    item_id: str,
    published: str,
    views: Any,
    likes: Any,
    comments: Any,
    shares: Any,
    favorites: Any,
    watched: Any,
    reach: Any,
) -> dict[str, Any]:
    """One business/video/list `data.videos[]` object (lifetime totals)."""
    return {
        "item_id": item_id,
        "create_time": str(_epoch(published)),  # pytiktok types it as a string
        "caption": f"caption {item_id[-1]}",
        "share_url": f"https://www.tiktok.com/@acme/video/{item_id}",
        "media_type": "VIDEO",
        "is_ad": False,
        "video_duration": 21.456,
        "video_views": views,
        "reach": reach,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "favorites": favorites,
        "total_time_watched": watched,
        "average_time_watched": 2.5,
        "full_video_watched_rate": 0.0395,
    }


def instagram_reel(
    views: int, reach: int, likes: int, comments: int, shares: int, saved: int, total_ms: int
) -> dict[str, Any]:
    return {
        "id": IG_REEL,
        "caption": "ig reel",
        "media_type": "VIDEO",
        "media_product_type": "REELS",
        "permalink": f"https://www.instagram.com/reel/{IG_REEL}/",
        "timestamp": "2026-10-06T08:00:00+0000",
        "insights": {
            "views": views,
            "reach": reach,
            "likes": likes,
            "comments": comments,
            "shares": shares,
            "saved": saved,
            "total_interactions": likes + comments + shares + saved,
            "ig_reels_avg_watch_time": 3100,
            "ig_reels_video_view_total_time": total_ms,
        },
    }


def facebook_reel(
    plays: int, reach: int, reactions: dict[str, int], social: dict[str, int], view_ms: int
) -> dict[str, Any]:
    return {
        "id": FB_REEL,
        "description": "fb reel",
        "title": None,
        "created_time": "2026-10-06T20:00:00+0000",
        "length": 30.5,
        "permalink_url": f"/reel/{FB_REEL}/",
        "published": True,
        "insights": {
            "blue_reels_play_count": plays - 5,
            "fb_reels_total_plays": plays,
            "fb_reels_replay_count": 5,
            "post_impressions_unique": reach,
            "post_video_avg_time_watched": 4200,
            "post_video_view_time": view_ms,
            "post_video_social_actions": social,
            "post_video_likes_by_reaction_type": reactions,
            "post_video_followers": 1,
        },
    }


def youtube_video(video_id: str, published: str, duration: str, views: str) -> dict[str, Any]:
    return {
        "kind": "youtube#video",
        "id": video_id,
        "snippet": {"publishedAt": published, "title": f"title {video_id}", "channelId": YT_ACME},
        "contentDetails": {"duration": duration},
        "statistics": {"viewCount": views, "likeCount": "12", "favoriteCount": "0", "commentCount": "3"},
    }


def youtube_day(day: str, views: int, minutes: int, likes: int, comments: int, shares: int) -> dict[str, Any]:
    return {
        "day": day,
        "views": views,
        "engagedViews": views - 10,
        "estimatedMinutesWatched": minutes,
        "averageViewDuration": 20,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "subscribersGained": 1,
    }


def raw_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The handcrafted raw dataset, table -> rows (payloads as Python objects)."""
    tt_new_published = "2026-10-05T10:00:00"
    tt_old_published = "2026-09-20T10:00:00"
    return {
        "accounts": [
            ("acme", "Europe/Berlin", "tiktok", "tiktok", TT_ACME, PULLED_AT),
            ("acme", "Europe/Berlin", "instagram", "instagram_reels", IG_ACME, PULLED_AT),
            ("acme", "Europe/Berlin", "facebook", "facebook_reels", FB_ACME, PULLED_AT),
            ("acme", "Europe/Berlin", "youtube", "youtube_shorts", YT_ACME, PULLED_AT),
            ("globex", "UTC", "tiktok", "tiktok", TT_GLOBEX, PULLED_AT),
        ],
        "tiktok_videos": [
            # (a) first snapshot on the publish day -> the snapshot is the day's value
            (TT_ACME, TT_NEW, _d(5), tiktok_video(TT_NEW, tt_new_published, 100, 10, 2, 1, 3, 250.5, 90)),
            # (c) next day -> delta; counts as numeric strings
            (TT_ACME, TT_NEW, _d(6), tiktok_video(TT_NEW, tt_new_published, "250", "25", "4", "2", "5", "600.75", "200")),
            # (d) 10-07 and 10-08 missed -> delta spread over 10-07..10-09 (remainder on 10-09)
            (TT_ACME, TT_NEW, _d(9), tiktok_video(TT_NEW, tt_new_published, 260, 32, 4, 2, 5, 610.0, 210)),
            # (e) downward restatement
            (TT_ACME, TT_NEW, _d(10), tiktok_video(TT_NEW, tt_new_published, 255, 32, 4, 2, 5, 610.0, 210)),
            # (b) first snapshot of older content -> unknown day, then a plain delta
            (TT_ACME, TT_OLD, _d(5), tiktok_video(TT_OLD, tt_old_published, 5000, 400, 30, 20, 10, 9000, 4000)),
            (TT_ACME, TT_OLD, _d(6), tiktok_video(TT_OLD, tt_old_published, 5100, 410, 31, 20, 10, 9100, 4050)),
            (TT_GLOBEX, TT_GLOBEX_VIDEO, _d(6), tiktok_video(TT_GLOBEX_VIDEO, "2026-10-06T01:00:00", 50, 5, 0, 0, 0, 40, 45)),
        ],
        "tiktok_account_days": [
            (TT_ACME, _d(6), {"date": "2026-10-06", "video_views": "300", "likes": 30, "comments": 2, "shares": 1, "followers_count": 1000}),
        ],
        "instagram_reels": [
            (IG_ACME, IG_REEL, _d(6), instagram_reel(40, 35, 4, 1, 0, 2, 120000)),
            (IG_ACME, IG_REEL, _d(7), instagram_reel(100, 80, 9, 2, 1, 3, 300500)),
        ],
        "facebook_reels": [
            (FB_ACME, FB_REEL, _d(6), facebook_reel(20, 18, {"REACTION_LIKE": 5, "REACTION_LOVE": 2}, {"COMMENT": 1}, 45000)),
            (FB_ACME, FB_REEL, _d(7), facebook_reel(
                50, 40, {"REACTION_LIKE": 8, "REACTION_LOVE": 3, "REACTION_WOW": 1}, {"COMMENT": 3, "SHARE": 2}, 100250)),
        ],
        "youtube_videos": [
            (YT_ACME, YT_SHORT, _d(5), youtube_video(YT_SHORT, "2026-10-05T03:00:00Z", "PT45S", "900")),
            (YT_ACME, YT_SHORT, _d(6), youtube_video(YT_SHORT, "2026-10-05T03:00:00Z", "PT45S", "1500")),
            (YT_ACME, YT_LONG, _d(6), youtube_video(YT_LONG, "2026-10-01T12:00:00Z", "PT12M4S", "100")),
            (YT_ACME, YT_OLD_90S, _d(6), youtube_video(YT_OLD_90S, "2024-01-10T12:00:00Z", "PT1M30S", "100")),
        ],
        "youtube_video_days": [
            (YT_ACME, YT_SHORT, _d(4), youtube_day("2026-10-04", 300, 100, 10, 2, 1)),
            (YT_ACME, YT_SHORT, _d(5), youtube_day("2026-10-05", 500, 150, 20, 3, 2)),
            (YT_ACME, YT_SHORT, _d(6), youtube_day("2026-10-06", 700, 200, 30, 4, 3)),
            (YT_ACME, YT_LONG, _d(6), youtube_day("2026-10-06", 50, 40, 1, 0, 0)),
        ],
    }


def write_raw(
    db_path: Path, rows: dict[str, list[tuple[Any, ...]]], pulled_at: dict[str, datetime] | None = None
) -> None:
    """Create the raw schema and land `rows` the way the ingest assets do (payload as JSON).

    `pulled_at` overrides the landing time of some tables (default PULLED_AT).
    """
    with duckdb.connect(str(db_path)) as con:
        ensure_raw_schema(con)
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            if table == "accounts":
                con.executemany("insert into raw.accounts values (?, ?, ?, ?, ?, ?)", table_rows)
                continue
            landed_at = (pulled_at or {}).get(table, PULLED_AT)
            key_placeholders = ", ".join("?" * (len(table_rows[0]) - 1))
            con.executemany(
                f"insert into raw.{table} values ({key_placeholders}, ?, cast(? as json))",
                [(*key, landed_at, json.dumps(payload)) for *key, payload in table_rows],
            )


def run_dbt(args: list[str], db_path: Path, work_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SHORTFORM_DB": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [
            str(DBT_BIN),
            *args,
            "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"),
        ],
        env=env,
        cwd=DBT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("dbt_build")
    db_path = work_dir / "warehouse.duckdb"
    write_raw(db_path, raw_rows())
    result = run_dbt(["build"], db_path, work_dir)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return db_path


def query(db_path: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def daily(db_path: Path, content_id: str) -> list[dict[str, Any]]:
    return query(
        db_path,
        "select * from marts.fct_content_daily where content_id = ? order by metric_date",
        [content_id],
    )


def test_first_snapshot_on_publish_day_consecutive_day_gap_and_restatement(warehouse: Path) -> None:
    rows = daily(warehouse, TT_NEW)
    got = [
        (r["metric_date"].day, r["views"], r["likes"], r["derivation"], r["is_complete"], r["is_restated_down"])
        for r in rows
    ]
    assert got == [
        (5, 100, 10, "snapshot_delta", True, False),  # (a) delta from zero on the publish day
        (6, 150, 15, "snapshot_delta", True, False),  # (c)
        (7, 3, 2, "snapshot_spread", False, False),  # (d) 10 views / 7 likes over 3 days
        (8, 3, 2, "snapshot_spread", False, False),
        (9, 4, 3, "snapshot_spread", False, False),  # remainder on the snapshot day
        (10, -5, 0, "snapshot_delta", True, True),  # (e) kept negative, flagged
    ]
    assert [r["views_cumulative"] for r in rows] == [100, 250, 253, 256, 260, 255]
    # reach is non-additive: lifetime reach on observed days only, never a delta
    assert [r["reach_cumulative"] for r in rows] == [90, 200, None, None, 210, 210]
    assert sum(r["views"] for r in rows) == 255  # spreading keeps sums exact
    assert [float(r["watch_seconds"]) for r in rows] == [250.5, 350.25, 3.083, 3.083, 3.084, 0.0]
    assert [r["days_since_publish"] for r in rows] == [0, 1, 2, 3, 4, 5]
    assert rows[0]["engagements"] == 10 + 2 + 1 + 3
    assert {r["brand"] for r in rows} == {"acme"}


def test_first_snapshot_of_older_content_is_unknown(warehouse: Path) -> None:
    rows = daily(warehouse, TT_OLD)
    first, second = rows
    assert first["metric_date"] == _d(5)
    assert first["derivation"] == "first_snapshot" and first["is_complete"] is False
    assert first["views"] is None and first["likes"] is None and first["engagements"] is None
    assert first["views_cumulative"] == 5000 and first["reach_cumulative"] == 4000
    assert (second["views"], second["derivation"], second["is_complete"]) == (100, "snapshot_delta", True)
    assert first["days_since_publish"] == 15


def test_instagram_and_facebook_unit_fixes_and_mappings(warehouse: Path) -> None:
    ig = daily(warehouse, IG_REEL)
    assert [(r["views"], r["saves"], float(r["watch_seconds"])) for r in ig] == [(40, 2, 120.0), (60, 1, 180.5)]
    assert ig[0]["views_basis"] == "instagram.views"

    fb = daily(warehouse, FB_REEL)
    # likes = sum of all reactions (7, then 12); comments/shares from social actions (a missing
    # SHARE key in a present object means 0); saves unknown; ms -> s
    assert [(r["views"], r["likes"], r["comments"], r["shares"], r["saves"]) for r in fb] == [
        (20, 7, 1, 0, None),
        (30, 5, 2, 2, None),
    ]
    assert [float(r["watch_seconds"]) for r in fb] == [45.0, 55.25]
    assert fb[1]["engagements"] == 5 + 2 + 2  # saves null counts as 0
    assert fb[0]["views_basis"] == "facebook.fb_reels_total_plays"


def test_youtube_shorts_only_daily_api_pacific_dates(warehouse: Path) -> None:
    ids = {r["content_id"] for r in query(warehouse, "select distinct content_id from marts.fct_content_daily where platform = 'youtube'")}
    assert ids == {YT_SHORT}
    rows = daily(warehouse, YT_SHORT)
    assert [(r["metric_date"].day, r["views"], r["engaged_views"], float(r["watch_seconds"])) for r in rows] == [
        (4, 300, 290, 6000.0),
        (5, 500, 490, 9000.0),
        (6, 700, 690, 12000.0),
    ]
    assert {(r["derivation"], r["is_complete"], r["surface"]) for r in rows} == {("daily_api", True, "youtube_shorts")}
    assert [r["views_cumulative"] for r in rows] == [300, 800, 1500]
    # published 2026-10-05 03:00 UTC is 2026-10-04 on the Pacific basis of YouTube Analytics
    assert [r["days_since_publish"] for r in rows] == [0, 1, 2]


def test_dim_content(warehouse: Path) -> None:
    dims = {r["content_id"]: r for r in query(warehouse, "select * from marts.dim_content")}
    assert set(dims) == {TT_NEW, TT_OLD, TT_GLOBEX_VIDEO, IG_REEL, FB_REEL, YT_SHORT}
    tt = dims[TT_NEW]
    assert tt["content_key"] == f"tiktok:{TT_NEW}"
    assert tt["published_at"] == datetime(2026, 10, 5, 10, 0)
    assert (tt["first_seen_date"], tt["last_seen_date"], tt["lifetime_views"]) == (_d(5), _d(10), 255)
    assert tt["duration_seconds"] == pytest.approx(21.456)
    assert dims[IG_REEL]["published_at"] == datetime(2026, 10, 6, 8, 0)
    assert dims[FB_REEL]["published_at"] == datetime(2026, 10, 6, 20, 0)
    assert dims[FB_REEL]["duration_seconds"] == pytest.approx(30.5)
    yt = dims[YT_SHORT]
    assert (yt["published_date"], yt["duration_seconds"], yt["lifetime_views"]) == (_d(4), 45.0, 1500)
    assert yt["permalink"] == f"https://www.youtube.com/shorts/{YT_SHORT}"
    assert dims[TT_GLOBEX_VIDEO]["brand"] == "globex"


def test_weekly_comparison_recomputes_rates_from_sums(warehouse: Path) -> None:
    weekly = query(warehouse, "select * from marts.rpt_platform_comparison_weekly order by brand, surface, week_start")
    by_key = {(r["brand"], r["surface"], r["iso_week"]): r for r in weekly}
    tt = by_key[("acme", "tiktok", "2026-W41")]
    assert tt["week_start"] == _d(5)
    assert tt["views"] == 100 + 150 + 3 + 3 + 4 - 5 + 100
    assert tt["posts_published"] == 1  # TT_OLD was published in W38, before tracking started
    assert tt["active_contents"] == 2
    assert tt["days_covered"] == 6
    assert tt["complete_share"] == pytest.approx(4 / 8)
    assert tt["views_basis"] == "tiktok.video_views"

    # YouTube: Pacific days; 10-04 is a Sunday (W40)
    assert by_key[("acme", "youtube_shorts", "2026-W40")]["views"] == 300
    assert by_key[("acme", "youtube_shorts", "2026-W40")]["posts_published"] == 1
    assert by_key[("acme", "youtube_shorts", "2026-W41")]["views"] == 1200

    for row in weekly:
        sums = query(
            warehouse,
            """
            select sum(views) as views, sum(engagements) as engagements, sum(watch_seconds) as watch_seconds
            from marts.fct_content_daily
            where brand = ? and surface = ? and date_trunc('week', metric_date) = ?
            """,
            [row["brand"], row["surface"], row["week_start"]],
        )[0]
        assert row["views"] == sums["views"]
        assert row["engagements"] == sums["engagements"]
        if sums["views"]:
            assert row["engagement_rate"] == pytest.approx(sums["engagements"] / sums["views"])
            assert row["avg_watch_seconds_per_view"] == pytest.approx(float(sums["watch_seconds"]) / sums["views"])


def test_sources_carry_dagster_asset_keys(warehouse: Path) -> None:
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text())
    keys = {
        tuple(source["config"]["meta"]["dagster"]["asset_key"])
        for source in manifest["sources"].values()
    }
    assert keys == {
        ("raw", "tiktok", "videos"),
        ("raw", "tiktok", "account_days"),
        ("raw", "instagram", "reels"),
        ("raw", "facebook", "reels"),
        ("raw", "youtube", "videos"),
        ("raw", "youtube", "video_days"),
        ("raw", "config", "accounts"),
        ("raw", "tiktok_ads", "advertisers"),
        ("raw", "tiktok_ads", "ads"),
        ("raw", "tiktok_ads", "ad_days"),
        ("raw", "meta_ads", "ad_accounts"),
        ("raw", "meta_ads", "ads"),
        ("raw", "meta_ads", "ad_days"),
    }


def test_non_integer_count_fails_the_build(tmp_path: Path) -> None:
    rows = raw_rows()
    bad = tiktok_video(TT_NEW, "2026-10-05T10:00:00", "12.5", 10, 2, 1, 3, 250.5, 90)
    rows["tiktok_videos"] = [(TT_ACME, TT_NEW, _d(5), bad)]
    db_path = tmp_path / "warehouse.duckdb"
    write_raw(db_path, rows)
    result = run_dbt(["build"], db_path, tmp_path)
    assert result.returncode != 0
    assert 'tiktok.video_views is not a valid value: "12.5"' in result.stdout
    assert f"item_id={TT_NEW}" in result.stdout


def test_source_freshness_warns_after_2_days_and_errors_after_10(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    landed = {table: now for table in raw_rows() if table != "accounts"}
    landed["instagram_reels"] = now - timedelta(days=3)
    landed["facebook_reels"] = now - timedelta(days=12)
    db_path = tmp_path / "warehouse.duckdb"
    write_raw(db_path, raw_rows(), pulled_at=landed)
    result = run_dbt(["source", "freshness"], db_path, tmp_path)
    assert result.returncode != 0, result.stdout[-3000:]
    sources = json.loads((tmp_path / "target" / "sources.json").read_text())
    status = {r["unique_id"].split(".", 2)[2]: r["status"] for r in sources["results"]}
    assert status == {
        "tiktok.videos": "pass",
        "tiktok.account_days": "pass",
        "instagram.reels": "warn",
        "facebook.reels": "error",
        "youtube.videos": "pass",
        "youtube.video_days": "pass",
        # empty paid tables and no paid account configured: nothing is expected, so fresh
        "tiktok_ads.advertisers": "pass",
        "tiktok_ads.ads": "pass",
        "tiktok_ads.ad_days": "pass",
        "meta_ads.ad_accounts": "pass",
        "meta_ads.ads": "pass",
        "meta_ads.ad_days": "pass",
    }


def test_reconciliation_check_fails_when_daily_views_do_not_add_up(warehouse: Path, tmp_path: Path) -> None:
    """The blocking reconciliation test catches one content whose daily views no longer add up to
    its lifetime totals (one derived day off by one view), and only that content."""
    test = "assert_daily_values_reconcile_with_lifetime_totals"
    db_path = tmp_path / "warehouse.duckdb"
    db_path.write_bytes(warehouse.read_bytes())
    clean = run_dbt(["test", "--select", test], db_path, tmp_path)
    assert clean.returncode == 0, clean.stdout[-3000:]
    with duckdb.connect(str(db_path)) as con:
        changed = con.execute(
            "update intermediate.int_content_daily_derived set views = views + 1 "
            "where content_key = ? and metric_date = ?", [f"tiktok:{TT_NEW}", _d(6)]).fetchall()
    assert changed == [(1,)]
    broken = run_dbt(["test", "--select", test, "--store-failures"], db_path, tmp_path)
    assert broken.returncode != 0, broken.stdout[-3000:]
    assert "Got 1 result" in broken.stdout, broken.stdout[-3000:]
    failures = query(db_path, f"select * from dbt_test__audit.{test}")
    assert [(r["content_key"], r["last_views"], r["daily_views"]) for r in failures] == [(f"tiktok:{TT_NEW}", 255, 256)]
