"""The bulk raw generator writes exactly what day-by-day pulls over HTTP land.

A small world is pulled day by day through the real ingest assets (every raw asset: organic,
TikTok account days and paid media) against a started sandbox over HTTP; the same days are
bulk-written into another DuckDB file; every raw table must match row for row (keys and payload
JSON text; pulled_at is not compared). The world straddles the Instagram plays -> views switch
(2025-04-21) and has many restatements; YouTube's max-age rule is shortened to 10 days on both
sides so it drops Shorts within the run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.sandbox import World
from connectors.sandbox.bulk import Lookbacks, write_raw, write_raw_parallel
from connectors.sandbox.worlds import world_settings
from dagster_project.defs.ingest.landing import RAW_TABLES
from tests.integration.sandbox_run import land_configured_accounts, run_assets, sandbox_env

FIRST, LAST = date(2025, 4, 12), date(2025, 4, 30)
YOUTUBE_MAX_AGE = 10
ASSET_ORDER = (
    ("tiktok", "raw_tiktok_videos"), ("tiktok", "raw_tiktok_account_days"),
    ("meta", "raw_instagram_reels"), ("meta", "raw_facebook_reels"),
    ("youtube", "raw_youtube_videos"), ("youtube", "raw_youtube_video_days"),
    ("ads", "raw_tiktok_advertisers"), ("ads", "raw_tiktok_ads"), ("ads", "raw_tiktok_ad_days"),
    ("ads", "raw_meta_ad_accounts"), ("ads", "raw_meta_ads"), ("ads", "raw_meta_ad_days"),
)  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return World(world_settings("tiny", history_start=date(2025, 4, 1), end=LAST, restatement_share=0.5))


def pull_every_raw_asset(server, days) -> None:
    """The daily refresh's raw step, day by day, with the real asset code over HTTP."""
    from dagster_project.defs.ingest import ads, meta, tiktok, youtube
    from dagster_project.defs.resources import PlatformsResource

    modules = {"tiktok": tiktok, "meta": meta, "youtube": youtube, "ads": ads}
    land_configured_accounts()
    run_assets(server, days, [getattr(modules[module], name) for module, name in ASSET_ORDER],
               platforms=PlatformsResource(youtube_max_age_days=YOUTUBE_MAX_AGE))


def table_rows(db: Path, table: str) -> list[tuple]:
    t = RAW_TABLES[table]
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(
            f"SELECT {', '.join(t.key)}, CAST(payload AS VARCHAR) FROM {t.qualified} ORDER BY ALL"
        ).fetchall()


@pytest.fixture(scope="module")
def pulled(tmp_path_factory, world) -> Path:
    tmp = tmp_path_factory.mktemp("pulled")
    days = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    with sandbox_env(world, tmp) as server:
        pull_every_raw_asset(server, days)
    return tmp / "warehouse.duckdb"


@pytest.fixture(scope="module")
def bulk(tmp_path_factory, world) -> tuple[Path, dict[str, int]]:
    db = tmp_path_factory.mktemp("bulk") / "warehouse.duckdb"
    with duckdb.connect(str(db)) as conn:
        counts = write_raw(world, conn, FIRST, LAST, lookbacks=Lookbacks(youtube_max_age=YOUTUBE_MAX_AGE))
    return db, counts


@pytest.mark.parametrize("table", sorted(RAW_TABLES))
def test_bulk_rows_equal_day_by_day_pulls(pulled, bulk, table):
    expected = table_rows(pulled, table)
    got = table_rows(bulk[0], table)
    assert expected, f"raw.{table}: the real pulls landed nothing; the comparison would prove nothing"
    missing = sorted(set(expected) - set(got))[:3]
    extra = sorted(set(got) - set(expected))[:3]
    assert got == expected, (f"raw.{table}: {len(got)} bulk rows vs {len(expected)} pulled; "
                             f"first missing {missing}; first extra {extra}")
    assert bulk[1][f"raw.{table}"] == len(got)


@pytest.mark.parametrize("table, column", [("meta_ad_days", "metric_date"), ("tiktok_ad_days", "metric_date"),
                                           ("tiktok_videos", "snapshot_date"), ("instagram_reels", "snapshot_date")])
def test_bulk_rows_are_written_in_date_order(bulk, table, column):
    """Daily pulls land each day after the one before, so a landed raw table is in date order and a
    pull's merge, which reads its date window, skips the other row groups. A table written account
    by account (as the ad days once were) holds every date in every row group: a one-year history
    so made was read whole by every daily merge (see BENCHMARKS.md, session 10)."""
    with duckdb.connect(str(bulk[0]), read_only=True) as conn:
        rows, backwards = conn.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {column} < previous) FROM ("
            f"SELECT {column}, lag({column}) OVER (ORDER BY rowid) AS previous FROM raw.{table})").fetchone()
    assert rows > 0 and backwards == 0, f"raw.{table}: {backwards} of {rows} rows dated before the row written before them"


def test_raw_accounts_equal(pulled, bulk):
    sql = "SELECT brand, brand_timezone, platform, surface, account_id FROM raw.accounts ORDER BY ALL"
    with duckdb.connect(str(pulled), read_only=True) as a, duckdb.connect(str(bulk[0]), read_only=True) as b:
        expected, got = a.execute(sql).fetchall(), b.execute(sql).fetchall()
    assert expected and got == expected


def test_the_run_covers_the_rules_it_claims(pulled):
    """The comparison above is only as strong as the world: both Instagram metric bases,
    restatements (lifetime views falling) and Shorts dropped by the max-age rule must occur."""
    lifetime_views = {"tiktok_videos": ("item_id", "$.video_views"), "instagram_reels": ("media_id", "$.insights.views"),
                      "facebook_reels": ("video_id", "$.insights.fb_reels_total_plays")}
    with duckdb.connect(str(pulled), read_only=True) as conn:
        plays, views = conn.execute(
            "SELECT count(*) FILTER (WHERE json_extract(payload, '$.insights.plays') IS NOT NULL), "
            "count(*) FILTER (WHERE json_extract(payload, '$.insights.views') IS NOT NULL) FROM raw.instagram_reels"
        ).fetchone()
        drops = {}
        for table, (key, path) in lifetime_views.items():
            value = f"CAST(json_extract_string(payload, '{path}') AS BIGINT)"
            drops[table] = conn.execute(
                f"SELECT count(*) FROM (SELECT {value} AS v, lag({value}) OVER (PARTITION BY {key} "
                f"ORDER BY snapshot_date) AS p FROM raw.{table}) WHERE v < p"
            ).fetchone()[0]
        aged_out = conn.execute(
            "SELECT count(*) FROM (SELECT video_id, max(metric_date) m FROM raw.youtube_video_days GROUP BY 1) d "
            "JOIN (SELECT video_id, max(snapshot_date) s FROM raw.youtube_videos GROUP BY 1) v USING (video_id) "
            "WHERE d.m < v.s - INTERVAL 4 DAY"
        ).fetchone()[0]
    assert plays > 0 and views > 0, (plays, views)
    assert all(n > 0 for n in drops.values()), drops
    assert aged_out > 0


def all_rows(db: Path, table: str) -> list[tuple]:
    sql = (f"SELECT * EXCLUDE (payload), CAST(payload AS VARCHAR) FROM raw.{table} ORDER BY rowid" if table in RAW_TABLES
           else f"SELECT * FROM raw.{table} ORDER BY ALL")
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_parallel_bulk_writes_the_same_rows_in_the_same_order(tmp_path, world):
    """`shortform sandbox bulk --jobs 2`: platforms written by worker processes (each building the
    world from its settings) into part files, then appended, give the rows of one process
    (pulled_at included, one stamp) in the same order."""
    stamp = datetime(2025, 5, 1, 6, 0)
    lookbacks = Lookbacks(youtube_max_age=YOUTUBE_MAX_AGE)
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    with duckdb.connect(str(one)) as conn:
        expected_counts = write_raw(world, conn, FIRST, LAST, pulled_at=stamp, lookbacks=lookbacks)
    said: list[str] = []
    counts = write_raw_parallel(world.settings, str(two), FIRST, LAST, jobs=2, pulled_at=stamp, lookbacks=lookbacks,
                                progress=said.append)
    assert counts == {t: n for t, n in expected_counts.items() if t != "raw.accounts"}
    for table in sorted(RAW_TABLES) + ["accounts"]:
        expected = all_rows(one, table)
        assert expected, f"raw.{table}: nothing written; the comparison would prove nothing"
        assert all_rows(two, table) == expected, f"raw.{table} differs between one process and two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.duckdb", "two.duckdb"], "part files left behind"
    assert len([m for m in said if m.startswith(("tiktok", "instagram", "facebook", "youtube", "meta"))]) == 6


def test_parallel_bulk_refuses_a_warehouse_that_holds_rows(tmp_path, world):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        write_raw(world, conn, FIRST, FIRST, platforms=["facebook"])
    with pytest.raises(ValueError, match=r"raw\.facebook_reels already hold rows"):
        write_raw_parallel(world.settings, str(db), FIRST, LAST, jobs=2)
    assert all_rows(db, "facebook_reels"), "the rows already stored are kept"
