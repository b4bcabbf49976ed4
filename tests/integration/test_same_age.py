"""Same-age metrics (fct_content_age, dim_content *_d1/_d7/_d28) against the sandbox's ground truth.

A one-brand world publishes from 2026-09-25; the warehouse pulls daily from 2026-10-12 to
2026-10-31 but misses 2026-10-22 (a gap the lifetime platforms must spread). Expected values are
sums of `World.truth_daily()`, never the warehouse's own numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.sandbox import World, WorldSettings
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow

FIRST_PULL = date(2026, 10, 12)
LAST_PULL = date(2026, 10, 31)
MISSED = date(2026, 10, 22)
LIFETIME = {"tiktok", "instagram", "facebook"}


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings(n_brands=1, history_start=date(2026, 9, 25), end=LAST_PULL))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, world) -> Path:
    tmp = tmp_path_factory.mktemp("same_age")
    days = [FIRST_PULL + timedelta(days=i) for i in range((LAST_PULL - FIRST_PULL).days + 1)]
    with sandbox_env(world, tmp) as server:
        pull_days(server, [d for d in days if d != MISSED])
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp, select="+fct_content_age")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return db


@pytest.fixture(scope="module")
def truth(world) -> dict[tuple[str, date], dict[str, Any]]:
    """(content_id, day) -> cumulative views / engagements / watch seconds through the end of day."""
    running: dict[str, dict[str, Any]] = defaultdict(lambda: {"views": 0, "engagements": 0, "watch": Decimal(0)})
    out: dict[tuple[str, date], dict[str, Any]] = {}
    for row in sorted(world.truth_daily(), key=lambda r: (r["content_id"], r["metric_date"])):
        acc = running[row["content_id"]]
        acc["views"] += row["views"]
        acc["engagements"] += row["likes"] + row["comments"] + row["shares"] + (row["saves"] or 0)
        acc["watch"] += Decimal(str(row["watch_seconds"]))
        out[(row["content_id"], row["metric_date"])] = dict(acc)
    return out


def rows(db: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_every_exact_same_age_value_equals_the_ground_truth(warehouse, truth):
    ages = rows(warehouse, "SELECT * FROM marts.fct_content_age WHERE is_exact")
    per_surface: dict[str, int] = defaultdict(int)
    wrong = []
    for r in ages:
        per_surface[r["surface"]] += 1
        expected = truth[(r["content_id"], r["metric_date"])]
        got = (r["views_cumulative"], r["engagements_cumulative"], r["watch_seconds_cumulative"])
        if got != (expected["views"], expected["engagements"], expected["watch"]):
            wrong.append((r["content_key"], r["age_days"], got, expected))
    assert not wrong, f"{len(wrong)} of {len(ages)} exact rows differ from the truth, e.g. {wrong[:4]}"
    assert set(per_surface) == {"tiktok", "instagram_reels", "facebook_reels", "youtube_shorts"}
    assert min(per_surface.values()) >= 20, per_surface


def test_unknown_history_is_null_never_zero(warehouse, world):
    """Lifetime posts published before the first pull: days before it are unknown (null); the
    first snapshot day itself is exact. YouTube Shorts whose daily history was not pulled from
    their publication day (older than the first pull's 7-day lookback) are null throughout."""
    ages = rows(warehouse, "SELECT * FROM marts.fct_content_age")
    before = [r for r in ages if r["platform"] in LIFETIME and r["metric_date"] < FIRST_PULL]
    assert before, "the world should have lifetime posts older than the first pull"
    assert all(r["views_cumulative"] is None and r["engagements_cumulative"] is None
               and r["watch_seconds_cumulative"] is None and not r["is_exact"] for r in before)
    on_first = [r for r in ages if r["platform"] in LIFETIME and r["metric_date"] == FIRST_PULL
                and r["published_date"] < FIRST_PULL]
    assert on_first and all(r["is_exact"] for r in on_first)
    old_shorts = {c["content_id"] for c in world.contents(shorts_only=True)
                  if c["platform"] == "youtube" and c["published_date"] < FIRST_PULL - timedelta(days=7)}
    yt_old = [r for r in ages if r["content_id"] in old_shorts]
    assert yt_old and all(r["views_cumulative"] is None and not r["is_exact"] for r in yt_old)


def test_missed_snapshot_day_is_interpolated_and_not_exact(warehouse, truth):
    missed = rows(warehouse, f"SELECT * FROM marts.fct_content_age WHERE metric_date = DATE '{MISSED}' "
                             "AND platform IN ('tiktok', 'instagram', 'facebook')")
    assert missed
    interpolated = 0
    for r in missed:
        assert not r["is_exact"], r
        if r["published_date"] == MISSED:
            # first seen the day after its publication day: that day is unknown, not guessed
            assert r["views_cumulative"] is None, r
            continue
        before = truth[(r["content_id"], MISSED - timedelta(days=1))]["views"]
        after = truth[(r["content_id"], MISSED + timedelta(days=1))]["views"]
        assert r["views_cumulative"] is not None
        assert min(before, after) <= r["views_cumulative"] <= max(before, after), (r, before, after)
        interpolated += 1
    assert interpolated >= 10


def test_day_1_7_28_values_are_the_truth_or_null(warehouse, world, truth):
    contents = rows(warehouse, "SELECT * FROM marts.dim_content")
    latest = {(r["platform"], r["account_id"]): r["latest_metric_date"]
              for r in rows(warehouse, "SELECT * FROM intermediate.int_content_daily_as_of")}
    checked: dict[int, int] = defaultdict(int)
    for c in contents:
        for n in (1, 7, 28):
            day = c["published_date"] + timedelta(days=n)
            views, complete = c[f"views_d{n}"], c[f"is_d{n}_complete"]
            if day > latest[(c["platform"], c["account_id"])]:
                # not reached: null, never zero, and not complete
                assert views is None and c[f"engagements_d{n}"] is None and complete is False, (c["content_key"], n)
                continue
            if complete:
                expected = truth[(c["content_id"], day)]
                assert (views, c[f"engagements_d{n}"], c[f"watch_seconds_d{n}"]) == (
                    expected["views"], expected["engagements"], expected["watch"]), (c["content_key"], n)
                checked[n] += 1
            elif c["platform"] in LIFETIME and FIRST_PULL <= day != MISSED:
                pytest.fail(f"{c['content_key']} day {n} ({day}) has a snapshot but is not complete")
    assert checked[1] >= 10 and checked[7] >= 10 and checked[28] >= 3, dict(checked)
