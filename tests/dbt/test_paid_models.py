"""Paid media in dbt (issue 3): `dbt build` on handcrafted raw TikTok / Meta ads rows.

Two builds run side by side (each on its own temp DuckDB and its own copy of the dbt project):

* ``paid``: organic rows plus paid rows in GBP, EUR and USD, with a handcrafted FX seed whose
  rates make every conversion checkable by hand; then ``missing_rate``: the same warehouse rebuilt
  from the seed down after the GBP rate of one day is removed: the build fails;
* ``empty_paid``: organic rows only, paid raw tables created empty (a brand without ads), with the
  shipped seed: the whole project builds and the organic marts are unaffected.

The scenario arithmetic of rpt_budget_reallocation is also pinned by a dbt unit test
(budget_reallocation_linear_scenarios in dbt/models/marts/_marts__models.yml, run by every build).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dagster_project.defs.ingest.landing import ensure_raw_schema

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
DBT_BIN = Path(sys.executable).with_name("dbt")

pytestmark = pytest.mark.slow  # two `dbt build` runs in parallel (and a partial one), 40-60 s

PULLED_AT = datetime(2026, 10, 6, 6, 0)
D3, D4, D5 = date(2026, 10, 3), date(2026, 10, 4), date(2026, 10, 5)  # Saturday, Sunday, Monday

# --- accounts ---------------------------------------------------------------------------------
TT_ACME = "tt-business-acme"
IG_ACME = "17841400000000001"
FB_ACME = "100000000000001"
ADV_ACME = "7000000000000000001"  # TikTok advertiser, GBP, Europe/London
ADV_GLOBEX = "7000000000000000002"  # TikTok advertiser, USD, America/Los_Angeles
ACT_DIGITS = "1000000000000001"
ACT_ACME = f"act_{ACT_DIGITS}"  # Meta ad account, EUR, Europe/Berlin

# --- organic content boosted by ads -----------------------------------------------------------
TT_SPARK = "7300000000000000001"  # boosted by the Spark Ad T1
IG_REEL = "17900000000000001"  # boosted by the Meta ad M1 (effective_instagram_media_id)
FB_REEL = "1000000000000001"  # boosted by the Meta ad M2 (creative video_id / story id)

T1, T2 = "1800000000000000001", "1800000000000000002"  # TikTok: Spark Ad (acme), plain ad (globex)
M1, M2, M3 = "23850000000000001", "23850000000000002", "23850000000000003"  # Meta; M3 a dark post

# Handcrafted EUR-based rates (1 EUR = rate quote): Saturday and Sunday carry Friday's rate.
FX_SEED = [
    ("2026-10-03", "EUR", "GBP", "0.800000", "2026-10-02"),
    ("2026-10-03", "EUR", "USD", "1.160000", "2026-10-02"),
    ("2026-10-04", "EUR", "GBP", "0.800000", "2026-10-02"),
    ("2026-10-04", "EUR", "USD", "1.160000", "2026-10-02"),
    ("2026-10-05", "EUR", "GBP", "0.820000", "2026-10-05"),
    ("2026-10-05", "EUR", "USD", "1.180000", "2026-10-05"),
]

# The raw tables exactly as the landing code creates them (all of them, paid ones empty).



# --- organic payloads (just enough for the whole project to build) -----------------------------
def tiktok_video(views: int) -> dict[str, Any]:
    return {
        "item_id": TT_SPARK, "create_time": str(int(datetime(2026, 10, 3, 9, tzinfo=UTC).timestamp())),
        "caption": "spark", "share_url": f"https://www.tiktok.com/@acme/video/{TT_SPARK}", "media_type": "VIDEO",
        "is_ad": False, "video_duration": 15.0, "video_views": views, "reach": views - 10, "likes": 10,
        "comments": 1, "shares": 1, "favorites": 1, "total_time_watched": 100.0, "average_time_watched": 2.0,
        "full_video_watched_rate": 0.1,
    }


def instagram_reel(views: int) -> dict[str, Any]:
    return {
        "id": IG_REEL, "caption": "ig reel", "media_type": "VIDEO", "media_product_type": "REELS",
        "permalink": f"https://www.instagram.com/reel/{IG_REEL}/", "timestamp": "2026-10-03T08:00:00+0000",
        "insights": {"views": views, "reach": views - 5, "likes": 4, "comments": 1, "shares": 0, "saved": 1,
                     "total_interactions": 6, "ig_reels_avg_watch_time": 3000, "ig_reels_video_view_total_time": 90000},
    }


def facebook_reel(plays: int) -> dict[str, Any]:
    return {
        "id": FB_REEL, "description": "fb reel", "created_time": "2026-10-03T20:00:00+0000", "length": 20.0,
        "permalink_url": f"/reel/{FB_REEL}/", "published": True,
        "insights": {"blue_reels_play_count": plays, "fb_reels_total_plays": plays, "fb_reels_replay_count": 0,
                     "post_impressions_unique": plays, "post_video_avg_time_watched": 4000,
                     "post_video_view_time": 40000, "post_video_social_actions": {"COMMENT": 1},
                     "post_video_likes_by_reaction_type": {"REACTION_LIKE": 2}, "post_video_followers": 0},
    }


# --- paid payloads ----------------------------------------------------------------------------
def tiktok_report_row(ad_id: str, day: date, spend: str, impressions: str, **metrics: Any) -> dict[str, Any]:
    """One report/integrated/get `data.list[]` item: mostly numeric strings, some JSON numbers."""
    values: dict[str, Any] = {
        "spend": spend, "impressions": impressions, "clicks": "40", "reach": "5000", "cpm": "3.43",
        "video_play_actions": "3000", "video_watched_2s": "1500", "video_watched_6s": "700",
        "video_views_p25": 900, "video_views_p50": 600, "video_views_p75": 140, "video_views_p100": 80,
        "average_video_play": 1.52, "likes": "50", "comments": "5", "shares": "3", "follows": "7",
        "profile_visits": "11",
    }
    values.update(metrics)
    return {"dimensions": {"ad_id": ad_id, "stat_time_day": f"{day.isoformat()} 00:00:00"}, "metrics": values}


def video_array(value: int) -> list[dict[str, str]]:
    return [{"action_type": "video_view", "value": str(value)}]


def meta_row(ad_id: str, day: date, platform: str, position: str, spend: str, impressions: int,
             video: bool = True) -> dict[str, Any]:
    """One insights row (level=ad, breakdowns publisher_platform x platform_position): strings,
    video metrics and actions as [{action_type, value}] arrays; empty action fields omitted."""
    row: dict[str, Any] = {
        "account_id": ACT_DIGITS, "account_currency": "EUR", "campaign_id": "c1", "adset_id": "s1",
        "ad_id": ad_id, "ad_name": f"ad {ad_id[-1]}", "spend": spend, "impressions": str(impressions),
        "reach": str(impressions - 100), "clicks": "9", "cpm": "1.0",
        "date_start": day.isoformat(), "date_stop": day.isoformat(),
        "publisher_platform": platform, "platform_position": position,
    }
    if video:
        row |= {
            "video_play_actions": video_array(500),
            "video_continuous_2_sec_watched_actions": video_array(300),
            "video_thruplay_watched_actions": video_array(120),
            "video_p25_watched_actions": video_array(200),
            "video_p50_watched_actions": video_array(150),
            "video_p75_watched_actions": video_array(110),
            "video_p95_watched_actions": video_array(90),
            "video_p100_watched_actions": video_array(80),
            "video_30_sec_watched_actions": video_array(60),
            "actions": [
                {"action_type": "link_click", "value": "5", "1d_click": "5"},
                {"action_type": "video_view", "value": "250", "7d_click": "250"},
                {"action_type": "post_reaction", "value": "12"},
                {"action_type": "comment", "value": "3"},
                {"action_type": "post", "value": "2"},
                {"action_type": "onsite_conversion.post_save", "value": "4"},
                {"action_type": "like", "value": "1"},
                {"action_type": "post_engagement", "value": "272"},
            ],
        }
    return row


def raw_rows(paid: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {
        "accounts": [
            ("acme", "Europe/Berlin", "tiktok", "tiktok", TT_ACME, PULLED_AT),
            ("acme", "Europe/Berlin", "instagram", "instagram_reels", IG_ACME, PULLED_AT),
            ("acme", "Europe/Berlin", "facebook", "facebook_reels", FB_ACME, PULLED_AT),
        ],
        "tiktok_videos": [(TT_ACME, TT_SPARK, D3, tiktok_video(100)), (TT_ACME, TT_SPARK, D4, tiktok_video(400))],
        "instagram_reels": [(IG_ACME, IG_REEL, D3, instagram_reel(50)), (IG_ACME, IG_REEL, D4, instagram_reel(90))],
        "facebook_reels": [(FB_ACME, FB_REEL, D4, facebook_reel(30)), (FB_ACME, FB_REEL, D5, facebook_reel(70))],
    }
    if not paid:
        return rows
    rows["accounts"] += [
        ("acme", "Europe/Berlin", "tiktok_ads", "tiktok_ads", ADV_ACME, PULLED_AT),
        ("acme", "Europe/Berlin", "meta_ads", "meta_ads", ACT_ACME, PULLED_AT),
        ("globex", "America/Los_Angeles", "tiktok_ads", "tiktok_ads", ADV_GLOBEX, PULLED_AT),
    ]
    rows["tiktok_advertisers"] = [
        (ADV_ACME, D5, {"advertiser_id": ADV_ACME, "name": "Acme", "currency": "GBP", "timezone": "Europe/London"}),
        (ADV_GLOBEX, D5, {"advertiser_id": ADV_GLOBEX, "name": "Globex", "currency": "USD",
                          "timezone": "America/Los_Angeles"}),
    ]
    rows["tiktok_ads"] = [
        (ADV_ACME, T1, D5, {"ad_id": T1, "ad_name": "spark", "campaign_id": "tc1", "adgroup_id": "tg1",
                            "operation_status": "ENABLE", "tiktok_item_id": TT_SPARK}),
        (ADV_GLOBEX, T2, D5, {"ad_id": T2, "ad_name": "plain", "campaign_id": "tc2", "adgroup_id": "tg2",
                              "operation_status": "ENABLE", "tiktok_item_id": "", "video_id": "v10033g5"}),
    ]
    rows["tiktok_ad_days"] = [
        (ADV_ACME, T1, D3, tiktok_report_row(T1, D3, "20.00", "5830")),
        (ADV_ACME, T1, D5, tiktok_report_row(T1, D5, "33.33", "9000", video_watched_6s=900)),
        (ADV_GLOBEX, T2, D5, tiktok_report_row(T2, D5, "12.34", "4000")),
    ]
    # the ad account landed without its act_ prefix: staging normalizes it
    rows["meta_ad_accounts"] = [
        (ACT_DIGITS, D5, {"id": ACT_ACME, "account_id": ACT_DIGITS, "currency": "EUR",
                          "timezone_name": "Europe/Berlin", "timezone_offset_hours_utc": 2.0}),
    ]
    rows["meta_ads"] = [
        (ACT_ACME, M1, D5, {"id": M1, "name": "ig boost", "campaign_id": "c1", "adset_id": "s1",
                            "effective_status": "ACTIVE",
                            "creative": {"id": "cr1", "effective_instagram_media_id": IG_REEL,
                                         "effective_object_story_id": f"{FB_ACME}_555", "video_id": "999"}}),
        (ACT_ACME, M2, D5, {"id": M2, "name": "fb boost", "campaign_id": "c1", "adset_id": "s1",
                            "effective_status": "ACTIVE",
                            "creative": {"id": "cr2", "effective_object_story_id": f"{FB_ACME}_{FB_REEL}",
                                         "video_id": FB_REEL}}),
        (ACT_ACME, M3, D5, {"id": M3, "name": "dark post", "campaign_id": "c1", "adset_id": "s1",
                            "effective_status": "ACTIVE",
                            "creative": {"id": "cr3", "effective_object_story_id": f"{FB_ACME}_777",
                                         "video_id": "1777"}}),
    ]
    meta_days = [
        # M1 on Saturday: 10.00 EUR over four placements
        meta_row(M1, D3, "instagram", "instagram_reels", "6.00", 3000),
        meta_row(M1, D3, "instagram", "feed", "2.50", 1500, video=False),
        meta_row(M1, D3, "facebook", "facebook_reels", "1.00", 400),
        meta_row(M1, D3, "audience_network", "an_classic", "0.50", 900, video=False),
        # M2 and M3 on Monday
        meta_row(M2, D5, "facebook", "facebook_reels", "4.00", 800),
        meta_row(M2, D5, "facebook", "feed", "2.50", 500),
        meta_row(M3, D5, "instagram", "instagram_stories", "1.50", 700),
    ]
    rows["meta_ad_days"] = [
        (ACT_ACME, f"{r['ad_id']}|{r['publisher_platform']}|{r['platform_position']}", date.fromisoformat(r["date_start"]), r)
        for r in meta_days
    ]
    return rows


def write_raw(db_path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    with duckdb.connect(str(db_path)) as con:
        ensure_raw_schema(con)
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            if table == "accounts":
                con.executemany("insert into raw.accounts values (?, ?, ?, ?, ?, ?)", table_rows)
                continue
            keys = ", ".join("?" * (len(table_rows[0]) - 1))
            con.executemany(
                f"insert into raw.{table} values ({keys}, ?, cast(? as json))",
                [(*key, PULLED_AT, json.dumps(payload)) for *key, payload in table_rows],
            )


def write_seed(project: Path, fx_rows: list[tuple[str, ...]]) -> None:
    with (project / "seeds" / "fx_rates_daily.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["rate_date", "base_currency", "quote_currency", "rate", "published_date"])
        writer.writerows(fx_rows)


def run_dbt(work_dir: Path, db_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    project = work_dir / "dbt"
    env = {**os.environ, "SHORTFORM_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [str(DBT_BIN), *args, "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")],
        env=env, cwd=project, capture_output=True, text=True, timeout=300,
    )


def build(work_dir: Path, rows: dict[str, list[tuple[Any, ...]]],
          fx_rows: list[tuple[str, ...]] | None) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`dbt build` of a copy of the project (its FX seed replaced by `fx_rows` when given)."""
    work_dir.mkdir(parents=True)
    shutil.copytree(DBT_DIR, work_dir / "dbt", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    if fx_rows is not None:
        write_seed(work_dir / "dbt", fx_rows)
    db_path = work_dir / "warehouse.duckdb"
    write_raw(db_path, rows)
    return db_path, run_dbt(work_dir, db_path, ["build"])


def build_paid_then_drop_a_rate(work_dir: Path) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """The paid build (kept as a copy for the checks), then the same warehouse rebuilt from the
    seed down with the GBP rate of Monday removed (same project and target: partial parsing)."""
    db_path, result = build(work_dir, raw_rows(), FX_SEED)
    checked = work_dir / "warehouse_paid.duckdb"
    shutil.copyfile(db_path, checked)
    if result.returncode != 0:
        return {"paid": (checked, result), "missing_rate": (db_path, result)}
    write_seed(work_dir / "dbt", [r for r in FX_SEED if not (r[0] == "2026-10-05" and r[2] == "GBP")])
    missing = run_dbt(work_dir, db_path, ["build", "--select", "fx_rates_daily+"])
    return {"paid": (checked, result), "missing_rate": (db_path, missing)}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    root = tmp_path_factory.mktemp("dbt_paid")
    with ThreadPoolExecutor(max_workers=2) as pool:
        paid = pool.submit(build_paid_then_drop_a_rate, root / "paid")
        empty = pool.submit(build, root / "empty_paid", raw_rows(paid=False), None)  # the shipped seed
        return {**paid.result(), "empty_paid": empty.result()}


@pytest.fixture(scope="module")
def warehouse(builds: dict[str, tuple[Path, subprocess.CompletedProcess[str]]]) -> Path:
    db_path, result = builds["paid"]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return db_path


def query(db_path: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ----------------------------------------------------------------------------------------------
def test_fx_conversion_matches_hand_computed_values(warehouse: Path) -> None:
    rows = query(warehouse, """
        select ad_id, metric_date, placement, currency, spend_local, reporting_currency, spend_reporting,
               fx_rate, fx_rate_date, fx_published_date
        from marts.fct_ad_daily order by ad_id, metric_date, placement""")
    got = {(r["ad_id"], r["metric_date"], r["placement"]): r for r in rows}

    # TikTok acme, GBP. Saturday: Friday's rates carried forward, 1 GBP = 1.16 / 0.80 = 1.45 USD.
    sat = got[(T1, D3, "tiktok:all")]
    assert (sat["currency"], sat["spend_local"], sat["reporting_currency"]) == ("GBP", Decimal("20.00"), "USD")
    assert sat["fx_rate"] == Decimal("1.45")
    assert sat["spend_reporting"] == Decimal("29.00")
    assert (sat["fx_rate_date"], sat["fx_published_date"]) == (D3, date(2026, 10, 2))
    # Monday: 1.18 / 0.82 = 1.4390243902 (10 decimals); 33.33 x that = 47.9626829... -> 47.96
    mon = got[(T1, D5, "tiktok:all")]
    assert mon["fx_rate"] == Decimal("1.4390243902")
    assert mon["spend_reporting"] == Decimal("47.96")
    assert mon["spend_reporting"] == cents(Decimal("33.33") * Decimal("1.4390243902"))
    # Meta acme, EUR (the seed's base): 1 EUR = 1.16 USD on Saturday
    ig = got[(M1, D3, "instagram:instagram_reels")]
    assert (ig["currency"], ig["fx_rate"], ig["spend_reporting"]) == ("EUR", Decimal("1.16"), Decimal("6.96"))
    assert got[(M1, D3, "audience_network:an_classic")]["spend_reporting"] == Decimal("0.58")
    # globex, USD -> USD
    usd = got[(T2, D5, "tiktok:all")]
    assert (usd["currency"], usd["fx_rate"], usd["spend_reporting"]) == ("USD", Decimal("1"), Decimal("12.34"))
    assert {r["reporting_currency"] for r in rows} == {"USD"}


def test_missing_fx_rate_fails_the_build(builds: dict[str, tuple[Path, subprocess.CompletedProcess[str]]]) -> None:
    db_path, result = builds["missing_rate"]
    assert result.returncode != 0
    assert "assert_every_paid_money_row_has_an_fx_rate" in result.stdout
    assert "not_null_fct_ad_daily_fx_rate" in result.stdout
    # blocking: the reports on fct_ad_daily are skipped, never rebuilt with a silent null
    skipped = [line for line in result.stdout.splitlines() if "SKIP relation marts." in line]
    assert any("rpt_cost_efficiency_weekly" in line for line in skipped)
    assert any("rpt_budget_reallocation" in line for line in skipped)
    missing = query(db_path, "select currency, metric_date, spend_reporting from marts.fct_ad_daily where fx_rate is null")
    assert missing == [{"currency": "GBP", "metric_date": D5, "spend_reporting": None}]


def test_meta_placements_split_into_surfaces_and_action_arrays(warehouse: Path) -> None:
    rows = query(warehouse, """
        select placement, publisher_platform, platform_position, surface, is_reels_placement, spend_local,
               impressions, video_plays, video_2s_views, video_3s_views, thruplays, video_p95_views,
               video_30s_views, likes, comments, shares, saves, engagements, follows, post_engagements,
               quality_views, quality_view_definition, short_views, short_view_definition,
               date_basis, source_timezone
        from marts.fct_ad_daily where ad_id = ? order by placement""", [M1])
    by_placement = {r["placement"]: r for r in rows}
    assert {p: (r["surface"], r["is_reels_placement"], r["spend_local"]) for p, r in by_placement.items()} == {
        "instagram:instagram_reels": ("instagram_reels", True, Decimal("6.00")),
        "instagram:feed": ("meta_other", False, Decimal("2.50")),  # the placement is kept
        "facebook:facebook_reels": ("facebook_reels", True, Decimal("1.00")),
        "audience_network:an_classic": ("meta_other", False, Decimal("0.50")),
    }
    reels = by_placement["instagram:instagram_reels"]
    assert (reels["video_plays"], reels["video_2s_views"], reels["video_3s_views"], reels["thruplays"]) == (500, 300, 250, 120)
    assert (reels["video_p95_views"], reels["video_30s_views"]) == (90, 60)
    assert (reels["likes"], reels["comments"], reels["shares"], reels["saves"], reels["follows"]) == (12, 3, 2, 4, 1)
    assert reels["engagements"] == 12 + 3 + 2 + 4
    assert reels["post_engagements"] == 272
    assert (reels["quality_views"], reels["quality_view_definition"]) == (120, "meta.video_thruplay_watched_actions")
    assert (reels["short_views"], reels["short_view_definition"]) == (300, "meta.video_continuous_2_sec_watched_actions")
    assert (reels["date_basis"], reels["source_timezone"]) == ("account_local", "Europe/Berlin")
    # a row without any action field: Meta omits empty actions, so every count is 0
    feed = by_placement["instagram:feed"]
    assert (feed["video_plays"], feed["thruplays"], feed["likes"], feed["engagements"]) == (0, 0, 0, 0)
    # Reels + non-Reels placements add up to the reported account total (10.00 EUR)
    assert sum(r["spend_local"] for r in rows) == Decimal("10.00")


def test_meta_action_fields_null_empty_or_not_an_array(tmp_path: Path) -> None:
    """Action arrays: JSON null or an empty array count 0, an array without the action type 0, a
    value that is not an array stops the build naming the field and the row; only the staging model
    is built, on its own copy of the project."""
    def row(ad_id: str, **fields: Any) -> tuple[Any, ...]:
        payload = meta_row(ad_id, D3, "instagram", "instagram_reels", "1.00", 1000) | fields
        return (ACT_ACME, f"{ad_id}|instagram|instagram_reels", D3, payload)

    rows = {"meta_ad_days": [
        row(M1, video_p25_watched_actions=None, actions=[],
            video_play_actions=[{"action_type": "link_click", "value": "7"}]),
        row(M2, video_thruplay_watched_actions=[{"action_type": "video_view", "value": "5"},
                                                {"action_type": "video_view", "value": "6"}]),
    ]}
    work = tmp_path / "actions"
    work.mkdir()
    shutil.copytree(DBT_DIR, work / "dbt", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    db_path = work / "warehouse.duckdb"
    write_raw(db_path, rows)
    result = run_dbt(work, db_path, ["run", "--select", "stg_meta_ads__ad_days"])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    got = {r["ad_id"]: r for r in query(db_path, """
        select ad_id, video_plays, video_p25_views, video_p50_views, thruplays, likes, post_engagements
        from staging.stg_meta_ads__ad_days""")}
    assert got[M1] == {"ad_id": M1, "video_plays": 0, "video_p25_views": 0, "video_p50_views": 150,
                       "thruplays": 120, "likes": 0, "post_engagements": 0}
    assert (got[M2]["thruplays"], got[M2]["likes"], got[M2]["post_engagements"]) == (11, 12, 272)

    write_raw(db_path, {"meta_ad_days": [row(M3, actions={"video_view": "3"})]})
    failed = run_dbt(work, db_path, ["run", "--full-refresh", "--select", "stg_meta_ads__ad_days"])
    assert failed.returncode != 0
    assert "shortform: meta_ads.actions." in failed.stdout, failed.stdout[-4000:]
    assert "(not an action array) is not a valid value" in failed.stdout, failed.stdout[-4000:]
    assert f"ad_account_id={ACT_ACME}, ad_placement_key={M3}|instagram|instagram_reels" in failed.stdout, \
        failed.stdout[-4000:]


def test_tiktok_report_rows_strings_numbers_and_local_days(warehouse: Path) -> None:
    rows = query(warehouse, """
        select metric_date, source_timezone, placement, surface, impressions, reach, clicks, video_plays,
               video_2s_views, video_6s_views, video_p75_views, thruplays, likes, follows, profile_visits,
               engagements, quality_views, short_views, quality_view_definition, short_view_definition
        from marts.fct_ad_daily where ad_id = ? order by metric_date""", [T1])
    assert [r["metric_date"] for r in rows] == [D3, D5]  # stat_time_day "YYYY-MM-DD 00:00:00"
    sat = rows[0]
    assert (sat["source_timezone"], sat["placement"], sat["surface"]) == ("Europe/London", "tiktok:all", "tiktok")
    assert (sat["impressions"], sat["reach"], sat["clicks"], sat["video_plays"]) == (5830, 5000, 40, 3000)
    assert (sat["video_2s_views"], sat["video_6s_views"], sat["video_p75_views"]) == (1500, 700, 140)
    assert sat["thruplays"] is None  # not a TikTok metric: null, not zero
    assert (sat["likes"], sat["follows"], sat["profile_visits"], sat["engagements"]) == (50, 7, 11, 58)
    assert (sat["quality_views"], sat["quality_view_definition"]) == (700, "tiktok.video_watched_6s")
    assert (sat["short_views"], sat["short_view_definition"]) == (1500, "tiktok.video_watched_2s")
    assert rows[1]["video_6s_views"] == 900


def test_boosted_posts_link_ads_to_organic_content(warehouse: Path) -> None:
    ads = {r["ad_id"]: r for r in query(warehouse, "select * from marts.dim_ad")}
    assert {a: (r["platform"], r["boosted_content_key"]) for a, r in ads.items()} == {
        T1: ("tiktok_ads", f"tiktok:{TT_SPARK}"),  # Spark Ad: tiktok_item_id
        T2: ("tiktok_ads", None),  # tiktok_item_id "" = no boosted post
        M1: ("meta_ads", f"instagram:{IG_REEL}"),  # effective_instagram_media_id wins
        M2: ("meta_ads", f"facebook:{FB_REEL}"),  # creative video_id / story id of the Reel
        M3: ("meta_ads", None),  # a dark post: no tracked organic content
    }
    assert (ads[M3]["boosted_platform"], ads[M3]["boosted_object_id"]) == ("facebook", "1777")
    assert ads[M1]["account_id"] == ACT_ACME and ads[M1]["currency"] == "EUR"
    assert {ads[T1]["brand"], ads[M1]["brand"], ads[T2]["brand"]} == {"acme", "globex"}
    dim_content = {r["content_key"] for r in query(warehouse, "select content_key from marts.dim_content")}
    assert {r["boosted_content_key"] for r in ads.values()} - {None} <= dim_content
    fct_links = query(warehouse, "select distinct ad_id, boosted_content_key from marts.fct_ad_daily where ad_id = ?", [M2])
    assert fct_links == [{"ad_id": M2, "boosted_content_key": f"facebook:{FB_REEL}"}]

    weekly = {(r["content_key"], r["iso_week"]): r for r in query(warehouse, "select * from marts.rpt_boosted_content_weekly")}
    tt = weekly[(f"tiktok:{TT_SPARK}", "2026-W40")]  # Saturday 10-03 is in W40
    assert (tt["organic_views"], tt["paid_views"], tt["organic_includes_paid_views"]) == (400, 3000, True)
    assert "include" in tt["organic_paid_note"]
    ig = weekly[(f"instagram:{IG_REEL}", "2026-W40")]
    # M1's plays on its two placements with video metrics (Reels on Instagram and Facebook): 2 x 500
    assert (ig["organic_views"], ig["paid_views"], ig["organic_includes_paid_views"]) == (90, 1000, False)
    assert ig["paid_spend_reporting"] == Decimal("11.60")
    fb = weekly[(f"facebook:{FB_REEL}", "2026-W41")]
    assert (fb["organic_views"], fb["paid_views"], fb["paid_quality_views"]) == (40, 1000, 240)


def test_cost_efficiency_weekly_recomputes_rates_from_sums(warehouse: Path) -> None:
    weekly = {(r["brand"], r["surface"], r["iso_week"]): r for r in query(warehouse, "select * from marts.rpt_cost_efficiency_weekly")}
    tt = weekly[("acme", "tiktok", "2026-W40")]
    assert (tt["spend_reporting"], tt["spend_local"], tt["currency"]) == (Decimal("29.00"), Decimal("20.00"), "GBP")
    assert tt["cpm_reporting"] == pytest.approx(29.00 / 5830 * 1000)
    assert tt["cost_per_quality_view_reporting"] == pytest.approx(29.00 / 700)
    assert tt["cost_per_short_view_reporting"] == pytest.approx(29.00 / 1500)
    assert tt["cost_per_engagement_reporting"] == pytest.approx(29.00 / 58)
    assert tt["cost_per_follow_reporting"] == pytest.approx(29.00 / 7)
    assert (tt["quality_view_definition"], tt["short_view_definition"]) == ("tiktok.video_watched_6s", "tiktok.video_watched_2s")
    assert tt["date_basis"] == "account_local"

    # meta_other in W40: instagram feed (2.50 EUR, no video) + audience network (0.50 EUR): rates from sums
    other = weekly[("acme", "meta_other", "2026-W40")]
    assert other["spend_reporting"] == Decimal("2.90") + Decimal("0.58")
    assert other["impressions"] == 1500 + 900
    assert other["cpm_reporting"] == pytest.approx(3.48 / 2400 * 1000)  # not the mean of the two rows' CPMs
    assert other["cost_per_quality_view_reporting"] is None  # no ThruPlays: null, not a division by zero
    assert {r["reporting_currency"] for r in weekly.values()} == {"USD"}


def test_budget_reallocation_scenarios(warehouse: Path) -> None:
    rows = {(r["brand"], r["target_surface"], float(r["shift_share"])): r
            for r in query(warehouse, "select * from marts.rpt_budget_reallocation")}
    assert len(rows) == 2 * 2 * 3  # brands x targets x shares
    acme = rows[("acme", "instagram_reels", 1.0)]
    assert (acme["method"], acme["window_end"], acme["window_start"], acme["window_days"]) == (
        "linear", D5, D5 - timedelta(days=27), 28)
    assert (acme["source_view_definition"], acme["target_view_definition"]) == (
        "tiktok.video_watched_6s", "meta.video_thruplay_watched_actions")
    tiktok_spend, tiktok_impressions, tiktok_views = 29.00 + 47.96, 5830 + 9000, 700 + 900
    ig_spend, ig_impressions, ig_views = 6.96, 3000, 120
    assert float(acme["source_spend_reporting"]) == pytest.approx(tiktok_spend)
    # money also in each side's account currency: TikTok acme GBP 20.00 + 33.33, Instagram Reels EUR 6.00
    assert (acme["source_currency"], acme["source_spend_local"], acme["shifted_spend_local"]) == (
        "GBP", Decimal("53.33"), Decimal("53.33"))
    assert (acme["target_currency"], acme["target_spend_local"]) == ("EUR", Decimal("6.00"))
    assert float(acme["shifted_spend_reporting"]) == pytest.approx(tiktok_spend)
    assert acme["projected_source_impressions"] == pytest.approx(0)
    assert acme["projected_target_impressions"] == pytest.approx(ig_impressions + tiktok_spend * ig_impressions / ig_spend)
    assert acme["projected_views_change"] == pytest.approx(tiktok_spend * ig_views / ig_spend - tiktok_views)
    half = rows[("acme", "facebook_reels", 0.5)]
    fb_spend, fb_impressions = 1.16 + 4.72 + 0.0, 400 + 800  # facebook_reels rows of M1 (Sat) and M2 (Mon)
    assert float(half["target_spend_reporting"]) == pytest.approx(fb_spend)
    assert half["projected_impressions_change"] == pytest.approx(
        round(tiktok_spend / 2, 2) * (fb_impressions / fb_spend - tiktok_impressions / tiktok_spend))
    globex = rows[("globex", "instagram_reels", 0.25)]
    assert globex["is_projectable"] is False and globex["projected_target_impressions"] is None


def test_project_builds_with_empty_paid_tables(builds: dict[str, tuple[Path, subprocess.CompletedProcess[str]]]) -> None:
    db_path, result = builds["empty_paid"]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    for mart in ("fct_ad_daily", "dim_ad", "rpt_cost_efficiency_weekly", "rpt_budget_reallocation",
                 "rpt_boosted_content_weekly"):
        assert query(db_path, f"select count(*) as n from marts.{mart}") == [{"n": 0}]
    assert query(db_path, "select count(*) as n from marts.fct_content_daily")[0]["n"] > 0
    assert query(db_path, "select count(*) as n from marts.rpt_platform_comparison_weekly")[0]["n"] > 0


def test_shipped_fx_seed_covers_every_day_of_the_sandbox_period() -> None:
    with (DBT_DIR / "seeds" / "fx_rates_daily.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {r["base_currency"] for r in rows} == {"EUR"}
    by_currency: dict[str, set[str]] = {}
    for r in rows:
        assert len(r["quote_currency"]) == 3 and r["quote_currency"].isupper()
        assert float(r["rate"]) > 0 and r["published_date"] <= r["rate_date"]
        by_currency.setdefault(r["quote_currency"], set()).add(r["rate_date"])
    days = {(date(2026, 8, 1) + timedelta(days=i)).isoformat() for i in range(153)}
    assert {"USD", "GBP", "AUD", "CAD"} <= set(by_currency)  # EUR is the base
    for currency, covered in by_currency.items():
        assert days <= covered, currency
