"""The 2025 definition changes land with the right basis and are never merged (issue 4).

A one-brand sandbox world from 2025-03-20 is pulled day by day around YouTube's change
(2025-03-31: Analytics `views` counted the engaged-view methodology before) and Instagram's
(2025-04-21: `plays` retired for `views`). The warehouse must keep each value on its own basis,
flag the Instagram switch day instead of subtracting a plays total from a views total, and pass
the registry test (every views_basis valid for its date). Expected values come from
`World.truth_daily()` (its `plays` / `engaged_views` per-basis columns).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.sandbox import World, WorldSettings
from connectors.sandbox.world import INSTAGRAM_VIEWS_FROM, YOUTUBE_VIEWS_FROM
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow

YT_DAYS = [date(2025, 3, 30) + timedelta(days=i) for i in range(4)]  # Analytics lags 2-3 days
IG_DAYS = [date(2025, 4, 18) + timedelta(days=i) for i in range(6)]  # 04-18 .. 04-23


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings(n_brands=1, history_start=date(2025, 3, 20), end=IG_DAYS[-1],
                               posts_per_week=2.0, long_form_per_week=0.5, feed_images_per_week=0.5))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, world) -> Path:
    tmp = tmp_path_factory.mktemp("definition_change")
    with sandbox_env(world, tmp) as server:
        pull_days(server, YT_DAYS + IG_DAYS)
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp)  # every model and test, the registry test included
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "assert_views_basis_is_a_known_definition_valid_for_its_date" in result.stdout
    return db


@pytest.fixture(scope="module")
def truth(world) -> dict[tuple[str, date], dict[str, Any]]:
    return {(r["content_id"], r["metric_date"]): r for r in world.truth_daily()}


def cumulative(truth: dict, content_id: str, column: str, day: date) -> int:
    return sum(r[column] for (cid, d), r in truth.items() if cid == content_id and d <= day)


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_instagram_snapshots_carry_plays_then_views(warehouse, truth):
    snaps = rows(warehouse, "SELECT content_id, snapshot_date, views, views_basis FROM staging.stg_instagram__reels")
    by_basis: dict[str, int] = defaultdict(int)
    for s in snaps:
        legacy = s["snapshot_date"] < INSTAGRAM_VIEWS_FROM
        assert s["views_basis"] == ("instagram.plays" if legacy else "instagram.views"), s
        expected = cumulative(truth, s["content_id"], "plays" if legacy else "views", s["snapshot_date"])
        assert s["views"] == expected, s
        by_basis[s["views_basis"]] += 1
    assert by_basis["instagram.plays"] >= 6 and by_basis["instagram.views"] >= 6, dict(by_basis)


def test_the_instagram_switch_day_is_flagged_not_merged(warehouse, truth):
    daily = rows(warehouse, "SELECT * FROM marts.fct_content_daily WHERE platform = 'instagram'")
    switch = [r for r in daily if r["metric_date"] == INSTAGRAM_VIEWS_FROM]
    assert switch, "no Instagram row on the switch day"
    for r in switch:
        t = truth[(r["content_id"], r["metric_date"])]
        if r["derivation"] == "snapshot_delta":  # published that day: a views total from zero
            assert r["views"] == t["views"] and r["views_basis"] == "instagram.views"
            continue
        assert r["derivation"] == "basis_change" and r["views"] is None and not r["is_complete"], r
        assert r["likes"] == t["likes"] and r["views_basis"] == "instagram.views"
    assert any(r["derivation"] == "basis_change" for r in switch)
    complete = [r for r in daily if r["is_complete"]]
    for r in complete:
        t = truth[(r["content_id"], r["metric_date"])]
        legacy = r["metric_date"] < INSTAGRAM_VIEWS_FROM
        assert r["views_basis"] == ("instagram.plays" if legacy else "instagram.views")
        assert r["views"] == (t["plays"] if legacy else t["views"]), r
    assert {r["views_basis"] for r in complete} == {"instagram.plays", "instagram.views"}


def test_youtube_days_before_the_change_are_the_legacy_basis(warehouse, truth):
    daily = rows(warehouse, "SELECT * FROM marts.fct_content_daily WHERE platform = 'youtube'")
    seen = set()
    for r in daily:
        t = truth[(r["content_id"], r["metric_date"])]
        legacy = r["metric_date"] < YOUTUBE_VIEWS_FROM
        assert r["views_basis"] == ("youtube.views_legacy" if legacy else "youtube.views"), r
        assert r["views"] == (t["engaged_views"] if legacy else t["views"]), r
        assert r["engaged_views"] == t["engaged_views"]
        seen.add(r["views_basis"])
    assert seen == {"youtube.views_legacy", "youtube.views"}


def test_weekly_and_same_age_rows_name_the_basis_of_their_days(warehouse):
    weekly = rows(warehouse, "SELECT week_start, views, views_basis FROM marts.rpt_platform_comparison_weekly "
                             "WHERE surface = 'instagram_reels' AND views IS NOT NULL")
    bases = {r["week_start"]: r["views_basis"] for r in weekly}
    assert bases[date(2025, 4, 14)] == "instagram.plays" and bases[date(2025, 4, 21)] == "instagram.views"
    ages = rows(warehouse, "SELECT metric_date, views_basis FROM marts.fct_content_age WHERE platform = 'instagram'")
    assert ages and all(r["views_basis"] == ("instagram.plays" if r["metric_date"] < INSTAGRAM_VIEWS_FROM
                                             else "instagram.views") for r in ages)


def test_a_gap_across_the_instagram_switch_keeps_each_missed_day_on_its_own_basis(
        tmp_path_factory, world, truth):
    """Pulls missed on 04-20 and 04-21: the 04-19 -> 04-22 interval spans the switch. Its missed
    days have no views (basis_change) and each carries the definition valid on its date, so the
    registry test passes (it failed before: every missed day was labelled instagram.views)."""
    tmp = tmp_path_factory.mktemp("definition_change_gap")
    skipped = {date(2025, 4, 20), date(2025, 4, 21)}
    with sandbox_env(world, tmp) as server:
        pull_days(server, YT_DAYS + [d for d in IG_DAYS if d not in skipped])
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    gap = rows(db, "SELECT * FROM marts.fct_content_daily WHERE platform = 'instagram' "
                   "AND derivation = 'basis_change' AND metric_date BETWEEN '2025-04-20' AND '2025-04-22'")
    assert {r["metric_date"] for r in gap} == {date(2025, 4, 20), date(2025, 4, 21), date(2025, 4, 22)}
    for r in gap:
        expected = "instagram.plays" if r["metric_date"] < INSTAGRAM_VIEWS_FROM else "instagram.views"
        assert r["views_basis"] == expected and r["views"] is None and not r["is_complete"], r
    likes: dict[str, int] = defaultdict(int)
    for r in gap:
        likes[r["content_id"]] += r["likes"]
    for content_id, spread in likes.items():  # the other metrics keep their exact deltas
        days = (date(2025, 4, 20), date(2025, 4, 21), date(2025, 4, 22))
        assert spread == sum(truth[(content_id, d)]["likes"] for d in days), content_id
