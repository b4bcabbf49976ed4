"""RELIABILITY.md B7/F2 (client-side pacing), A3 (Meta's long pause through Dagster) and A7 (a
YouTube quota day refilled by the next run's lookback), against a real sandbox and the real assets.

One small world (1 brand) and one sandbox serve the whole module; every test works on its own
warehouse file. Figures are printed (`-s`), correctness is asserted.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import dagster as dg
import duckdb
import pytest

from connectors.http import configure_pacing, platform_pacer, reset_pacing

from .conftest import FAST_PLATFORMS, make_env, run_job

pytestmark = pytest.mark.slow

PLATFORMS = ("tiktok", "meta", "youtube")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = make_env(tmp_path_factory.mktemp("pacing"), n_brands=1)
    yield e
    e.close()


@pytest.fixture
def fresh(env, request):
    """A new warehouse file per test; faults, server limits and pacers cleared afterwards."""
    env.use_db(env.tmp / f"{request.node.name[:40]}.duckdb")
    yield env
    env.server.clear_faults()
    for platform in PLATFORMS:
        env.server.set_rate_limit(platform, None)
    reset_pacing()


def step_events(result, event_type) -> list[str]:
    return [e.step_key for e in result.all_events if e.event_type == event_type]


# ------------------------------------------------------------------------------------- B7 / F2


def test_b7_f2_paced_clients_get_no_rate_limit_answers_over_a_multi_day_backfill(fresh):
    """Server limits per platform (sliding 1 s windows, far below what an unpaced pull sends);
    the clients are configured with the same limits and must never be told off."""
    env = fresh
    server = env.server
    # requests per 1 s window (YouTube's by_day reports send ~12 requests per channel and day: 4/s binds)
    limits = {"tiktok": 3, "meta": 25, "youtube": 4}
    for platform, n in limits.items():
        server.set_rate_limit(platform, n, window_seconds=1.0)
        configure_pacing(platform, n, 1.0)
    end = env.world.settings.end
    days = [end - timedelta(days=2), end - timedelta(days=1), end]
    before = dict(server.rate_limited)
    start_log = len(server.request_log)
    t0 = time.monotonic()
    for day in days:
        server.set_as_of(day)
        result, summary = run_job("daily_pull", day, platforms=FAST_PLATFORMS)
        assert summary.success, f"{day}: {summary.describe()}"
        assert not step_events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY), day
    elapsed = time.monotonic() - t0
    limited = {p: server.rate_limited[p] - before[p] for p in PLATFORMS}
    paced = {p: (platform_pacer(p).paced, round(platform_pacer(p).waited, 1)) for p in PLATFORMS}
    requests = len(server.request_log) - start_log
    print(f"\nB7/F2 paced backfill of {len(days)} days, limits {limits} per 1 s: {requests} requests, "
          f"rate-limit answers {limited}, paced requests/seconds waited {paced}, {elapsed:.1f} s")
    assert limited == {p: 0 for p in PLATFORMS}, limited
    # the limits were binding: without pacing these pulls would have been told off
    assert all(platform_pacer(p).paced > 0 for p in PLATFORMS), paced
    with duckdb.connect(str(env.db), read_only=True) as conn:
        for table in ("tiktok_videos", "instagram_reels", "facebook_reels", "youtube_videos"):
            got = {r[0] for r in conn.execute(f"SELECT DISTINCT snapshot_date FROM raw.{table}").fetchall()}
            assert got == set(days), table


# ---------------------------------------------------------------------------------------- A3


def instagram_reels_asset():
    from dagster_project.defs.ingest.meta import raw_instagram_reels

    return raw_instagram_reels


def invoke(asset, day):
    from dagster_project.defs.resources import PlatformsResource, WarehouseResource

    context = dg.build_asset_context(partition_key=day.isoformat())
    return asset(context, warehouse=WarehouseResource(), platforms=PlatformsResource(**FAST_PLATFORMS))


def test_a3_meta_wait_is_parsed_from_the_usage_header_and_becomes_a_dagster_retry(fresh):
    from connectors.http import RateLimitedError
    from connectors.meta import MetaClient

    env = fresh
    day = env.world.settings.end
    env.server.set_as_of(day)
    ig = next(iter(env.world.accounts_config()["brands"].values()))["instagram"]["ig_user_id"]
    minutes = 15  # beyond the Meta client's own 10-minute cap, inside the run's one-hour budget
    env.server.inject_fault("meta", "rate_limit", count=1, path_contains="/media", code=80002,
                            regain_minutes=minutes)
    client = MetaClient(base_url=env.server.url, token=os.environ["META_ACCESS_TOKEN"], sleep=lambda s: None)
    with pytest.raises(RateLimitedError) as caught:
        list(client.iter_instagram_reels(ig))
    assert caught.value.retry_after == minutes * 60
    assert caught.value.code == 80002 and f"account {ig}" in str(caught.value)

    env.server.inject_fault("meta", "rate_limit", count=1, path_contains="/media", code=80002,
                            regain_minutes=minutes)
    with pytest.raises(dg.RetryRequested) as retry:
        invoke(instagram_reels_asset(), day)
    assert retry.value.seconds_to_wait == minutes * 60
    assert retry.value.max_retries >= 1
    # after the pause the same step succeeds (the fault is used up) and lands the reels
    invoke(instagram_reels_asset(), day)
    with duckdb.connect(str(env.db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM raw.instagram_reels").fetchone()[0] > 0


def test_a3_a_pause_beyond_the_run_budget_fails_fast_as_transient_and_other_platforms_land(fresh):
    env = fresh
    day = env.world.settings.end
    env.server.set_as_of(day)
    ig = next(iter(env.world.accounts_config()["brands"].values()))["instagram"]["ig_user_id"]
    env.server.inject_fault("meta", "rate_limit", count=1_000, path_contains="/media", code=80002,
                            regain_minutes=120)  # two hours: more than the one-hour budget
    before = len(env.server.request_log)
    t0 = time.monotonic()
    result, summary = run_job("daily_pull", day, platforms=FAST_PLATFORMS)
    elapsed = time.monotonic() - t0
    media_calls = sum(1 for _, path in env.server.request_log[before:] if path.endswith("/media"))
    print(f"\nA3 fail-fast: {elapsed:.1f} s, {media_calls} /media request(s)")
    assert not summary.success
    assert [f.split(":")[0] for f in summary.failures] == ["raw__instagram__reels"], summary.describe()
    text = summary.describe()
    assert "transient" in text and "7200" in text and f"instagram account {ig}" in text, text
    assert not step_events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)  # no in-run retry
    assert media_calls == 1  # failed on the first answer, no client retry either
    succeeded = set(step_events(result, dg.DagsterEventType.STEP_SUCCESS))
    assert {"raw__facebook__reels", "raw__tiktok__videos", "raw__youtube__videos"} <= succeeded, succeeded


def test_a3_no_retry_left_fails_fast_instead_of_looping(fresh, monkeypatch):
    """Still limited after the paused Dagster retry: fail (transient), do not ask again."""
    from dagster_project.defs.ingest import common

    env = fresh
    day = env.world.settings.end
    env.server.set_as_of(day)
    env.server.inject_fault("meta", "rate_limit", count=1, path_contains="/media", code=80002,
                            regain_minutes=15)
    monkeypatch.setattr(common, "RATE_LIMIT_RETRIES", 0)
    with pytest.raises(dg.Failure) as failure:
        invoke(instagram_reels_asset(), day)
    assert "transient" in failure.value.description and "900" in failure.value.description
    assert failure.value.metadata["transient"].value is True


# ---------------------------------------------------------------------------------------- A7


def test_a7_a_youtube_quota_day_is_refilled_by_the_next_days_lookback(fresh):
    env = fresh
    world = env.world
    end = world.settings.end
    day0, day1, day2 = end - timedelta(days=2), end - timedelta(days=1), end
    brand = next(iter(world.accounts_config()["brands"]))
    latency = world.brand(brand).youtube_latency_days
    env.server.set_as_of(day0)
    _, ok0 = run_job("pull_youtube", day0, platforms=FAST_PLATFORMS)
    assert ok0.success, ok0.describe()

    env.server.set_as_of(day1)
    env.server.inject_fault("youtube", "quota_exceeded", count=1_000, path_contains="/v2/reports")
    _, failed = run_job("pull_youtube", day1, platforms=FAST_PLATFORMS)
    env.server.clear_faults()
    text = failed.describe()
    assert not failed.success and "quota" in text.lower() and any(
        f.startswith("raw__youtube__video_days") for f in failed.failures), text

    def landed_days():
        with duckdb.connect(str(env.db), read_only=True) as conn:
            return {r[0] for r in conn.execute("SELECT DISTINCT metric_date FROM raw.youtube_video_days").fetchall()}

    missed = day1 - timedelta(days=latency)  # the Analytics day only day1's pull would have added
    assert missed not in landed_days()

    env.server.set_as_of(day2)
    _, ok2 = run_job("pull_youtube", day2, platforms=FAST_PLATFORMS)
    assert ok2.success, ok2.describe()
    assert missed in landed_days()

    truth = {(r["content_id"], r["metric_date"]): (r["views"], r["likes"], r["comments"])
             for r in world.truth_daily(as_of=day2)
             if r["platform"] == "youtube" and r["metric_date"] <= day2 - timedelta(days=latency)}
    with duckdb.connect(str(env.db), read_only=True) as conn:
        rows = conn.execute("SELECT video_id, metric_date, CAST(payload AS VARCHAR) FROM raw.youtube_video_days "
                            "WHERE metric_date BETWEEN ? AND ?", [day2 - timedelta(days=7), missed]).fetchall()
    assert rows
    got = {}
    for video_id, metric_date, payload in rows:
        p = json.loads(payload)
        got[(video_id, metric_date)] = (int(p["views"]), int(p["likes"]), int(p["comments"]))
    expected = {k: v for k, v in truth.items() if day2 - timedelta(days=7) <= k[1] <= missed}
    assert got == expected
    print(f"\nA7: quota day {day1} failed; after {day2}'s pull, {len(got)} video-days up to {missed} "
          f"match the world (latency {latency} d)")
