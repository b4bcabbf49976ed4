"""Every client pulls every endpoint from a started SandboxServer, and the records match the world.

The world is made busy enough (9 posts per surface per week) that every listing needs several
pages: TikTok 20 per page, Instagram 100, Facebook 25 (default limit), YouTube 50, and the
Analytics client is given a small page size so startIndex paging runs too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

import pytest

from connectors.http import AuthError, QuotaExceededError, as_int
from connectors.meta import FB_REELS_PAGE_SIZE, MetaClient
from connectors.sandbox import SandboxServer, World, WorldSettings
from connectors.tiktok import TikTokClient
from connectors.youtube import YouTubeClient, parse_iso8601_duration

SETTINGS = WorldSettings(n_brands=2, posts_per_week=9.0)
ANALYTICS_PAGE_SIZE = 7


@pytest.fixture(scope="module")
def world() -> World:
    return World(SETTINGS)


@pytest.fixture(scope="module")
def server(world: World):
    server = SandboxServer(world, host="127.0.0.1", port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(server: SandboxServer):
    """The module's server, reset to the world's end with no faults after each test."""
    yield server
    server.clear_faults()
    server.set_as_of(server.world.end)


@pytest.fixture
def clients(sandbox, token, client_options):
    options = {**client_options, "read_timeout": 2.0}
    return {
        "tiktok": TikTokClient(base_url=sandbox.url, token=token, **options),
        "meta": MetaClient(base_url=sandbox.url, token=token, **options),
        "youtube": YouTubeClient(data_base_url=sandbox.url, analytics_base_url=sandbox.url,
                                 token=token, analytics_page_size=ANALYTICS_PAGE_SIZE, **options),
    }


def accounts(world: World, platform: str, key: str) -> list[str]:
    return [brand[platform][key] for brand in world.accounts_config()["brands"].values()]


def world_ids(world: World, platform: str, account_id: str, as_of: date,
              shorts_only: bool = False) -> set[str]:
    return {c["content_id"] for c in world.contents(as_of, shorts_only=shorts_only)
            if c["platform"] == platform and c["account_id"] == account_id}


def lifetime_views(world: World, as_of: date) -> dict[str, int]:
    """Per content id, the views through as_of: the sum of the true daily views."""
    totals: dict[str, int] = defaultdict(int)
    for row in world.truth_daily(as_of, shorts_only=False):
        totals[row["content_id"]] += row["views"]
    return totals


def pages(sandbox: SandboxServer, since: int, path_part: str) -> int:
    return sum(1 for _, path in sandbox.request_log[since:] if path_part in path)


# -- every endpoint, to the last page, matches the world


def test_tiktok_videos_match_the_world(world, sandbox, clients):
    as_of, views = sandbox.as_of, lifetime_views(world, sandbox.as_of)
    for business_id in accounts(world, "tiktok", "business_id"):
        before = len(sandbox.request_log)
        records = list(clients["tiktok"].iter_videos(business_id))

        expected = world_ids(world, "tiktok", business_id, as_of)
        assert len(records) == len(expected)
        assert {r.object_id for r in records} == expected
        assert all(r.platform == "tiktok" and r.account_id == business_id for r in records)
        for r in records:
            assert as_int(r.payload["video_views"], "video_views") == views[r.object_id]
        assert pages(sandbox, before, "/business/video/list") >= math.ceil(len(expected) / 20) > 1


def test_tiktok_account_days_match_the_world(world, sandbox, clients):
    as_of = sandbox.as_of
    start = as_of - timedelta(days=14)
    for business_id in accounts(world, "tiktok", "business_id"):
        records = list(clients["tiktok"].iter_account_days(business_id, start, as_of))

        days = [r.metric_date for r in records]
        assert days == [start + timedelta(days=i) for i in range(len(days))]  # contiguous
        assert days[-1] in (as_of - timedelta(days=1), as_of - timedelta(days=2))  # latency
        for r in records:
            assert r.object_id is None and r.account_id == business_id
            truth = world.tiktok_account_day(business_id, r.metric_date)
            assert as_int(r.payload["video_views"], "video_views") == truth["video_views"]


def test_instagram_reels_match_the_world(world, sandbox, clients):
    as_of, views = sandbox.as_of, lifetime_views(world, sandbox.as_of)
    for ig_user_id in accounts(world, "instagram", "ig_user_id"):
        before = len(sandbox.request_log)
        records = list(clients["meta"].iter_instagram_reels(ig_user_id))

        reels = world_ids(world, "instagram", ig_user_id, as_of, shorts_only=True)
        assert len(records) == len(reels)  # reels only: FEED images are dropped
        assert {r.object_id for r in records} == reels
        assert len(world_ids(world, "instagram", ig_user_id, as_of)) > len(reels)
        for r in records:
            assert r.platform == "instagram" and r.payload["media_product_type"] == "REELS"
            assert r.payload["insights"]["views"] == views[r.object_id]
        assert pages(sandbox, before, f"/{ig_user_id}/media") >= 2


def test_facebook_reels_match_the_world(world, sandbox, clients):
    as_of, views = sandbox.as_of, lifetime_views(world, sandbox.as_of)
    for page_id in accounts(world, "facebook", "page_id"):
        before = len(sandbox.request_log)
        records = list(clients["meta"].iter_facebook_reels(page_id))

        expected = world_ids(world, "facebook", page_id, as_of)
        assert len(records) == len(expected)
        assert {r.object_id for r in records} == expected
        for r in records:
            insights = r.payload["insights"]
            assert insights["fb_reels_total_plays"] == views[r.object_id]
            assert isinstance(insights["post_video_social_actions"], dict)  # objects kept
        # limit=100 (FB_REELS_PAGE_SIZE, the page-size ceiling) instead of Graph's default 25
        assert pages(sandbox, before, f"/{page_id}/video_reels") >= math.ceil(len(expected) / FB_REELS_PAGE_SIZE)


def test_youtube_videos_match_the_world(world, sandbox, clients):
    as_of, views = sandbox.as_of, lifetime_views(world, sandbox.as_of)
    durations = {c["content_id"]: c["duration_seconds"] for c in world.contents(as_of)}
    for channel_id in accounts(world, "youtube", "channel_id"):
        before = len(sandbox.request_log)
        records = list(clients["youtube"].iter_videos(channel_id))

        expected = world_ids(world, "youtube", channel_id, as_of)  # Shorts and long-form
        assert len(records) == len(expected)
        assert {r.object_id for r in records} == expected
        for r in records:
            assert as_int(r.payload["statistics"]["viewCount"], "viewCount") == views[r.object_id]
            seconds = parse_iso8601_duration(r.payload["contentDetails"]["duration"])
            assert abs(seconds - durations[r.object_id]) <= 1
        assert pages(sandbox, before, "/playlistItems") == math.ceil(len(expected) / 50) > 1


def test_youtube_video_days_match_the_truth(world, sandbox, clients):
    as_of = sandbox.as_of
    start = as_of - timedelta(days=20)
    truth = {(row["content_id"], row["metric_date"]): row
             for row in world.truth_daily(as_of) if row["platform"] == "youtube"}
    for channel_id in accounts(world, "youtube", "channel_id"):
        shorts = [c for c in world.contents(as_of, shorts_only=True)
                  if c["platform"] == "youtube" and c["account_id"] == channel_id]
        older = [c for c in shorts if c["published_date"] < start]
        newer = [c for c in shorts if c["published_date"] >= start]
        picked = older[-3:] + newer[:2] + newer[-1:]  # full windows, partial ones, the newest
        before = len(sandbox.request_log)
        records = list(clients["youtube"].iter_video_days(
            channel_id, [c["content_id"] for c in picked], start, as_of))

        by_video = defaultdict(list)
        for r in records:
            by_video[r.object_id].append(r)
            assert r.payload["views"] == truth[(r.object_id, r.metric_date)]["views"]
        for c in picked:
            days = [r.metric_date for r in by_video[c["content_id"]]]
            first = max(start, c["published_date"])
            if not days:  # published inside the latency window: no rows yet
                assert first > as_of - timedelta(days=3)
                continue
            assert days == [first + timedelta(days=i) for i in range(len(days))]
            assert days[-1] in (as_of - timedelta(days=2), as_of - timedelta(days=3))
        assert pages(sandbox, before, "/v2/reports") > len(picked)  # startIndex paging ran


def test_earlier_as_of_hides_later_posts(world, sandbox, clients):
    as_of = sandbox.set_as_of(world.end - timedelta(days=30))
    ig_user_id = accounts(world, "instagram", "ig_user_id")[0]
    channel_id = accounts(world, "youtube", "channel_id")[0]

    reels = list(clients["meta"].iter_instagram_reels(ig_user_id))
    videos = list(clients["youtube"].iter_videos(channel_id))

    assert {r.object_id for r in reels} == world_ids(world, "instagram", ig_user_id, as_of,
                                                     shorts_only=True)
    assert {r.object_id for r in videos} == world_ids(world, "youtube", channel_id, as_of)
    assert len(videos) < len(world_ids(world, "youtube", channel_id, world.end))


# -- faults as each platform signals them


def pull(clients, world, platform: str):
    if platform == "tiktok":
        return list(clients["tiktok"].iter_videos(accounts(world, "tiktok", "business_id")[0]))
    if platform == "meta":
        return list(clients["meta"].iter_facebook_reels(accounts(world, "facebook", "page_id")[0]))
    return list(clients["youtube"].iter_videos(accounts(world, "youtube", "channel_id")[0]))


@pytest.mark.parametrize("platform", ["tiktok", "meta", "youtube"])
@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "truncated", "retry_after"])
def test_recoverable_faults_are_retried(world, sandbox, clients, sleep, platform, kind):
    expected = len(pull(clients, world, platform))
    sleep.calls.clear()
    sandbox.inject_fault(platform, kind, count=2)

    assert len(pull(clients, world, platform)) == expected
    assert len(sleep.calls) == 2
    if kind == "retry_after":
        assert sleep.calls == [1.0, 1.0]


def test_meta_buc_regain_time_is_waited(world, sandbox, clients, sleep):
    sandbox.inject_fault("meta", "rate_limit", count=1, code=80001, regain_minutes=3)
    assert pull(clients, world, "meta")
    assert sleep.calls[0] == 180.0


def test_slow_answer_times_out_and_is_retried(world, sandbox, token, client_options, sleep):
    client = TikTokClient(base_url=sandbox.url, token=token,
                          **{**client_options, "read_timeout": 0.3})
    business_id = accounts(world, "tiktok", "business_id")[0]
    sandbox.inject_fault("tiktok", "slow", count=1, delay=1.0)
    assert list(client.iter_videos(business_id))
    assert len(sleep.calls) == 1


@pytest.mark.parametrize("platform, account", [("tiktok", "tiktok"), ("meta", "facebook"),
                                               ("youtube", "youtube")])
def test_expired_token_fails_once_without_leaking(world, sandbox, clients, sleep, logs, token,
                                                  assert_no_token, platform, account):
    before = len(sandbox.request_log)
    sandbox.inject_fault(platform, "expired_token", count=1)

    with pytest.raises(AuthError) as info:
        pull(clients, world, platform)

    assert len(sandbox.request_log) - before == 1 and sleep.calls == []
    assert info.value.platform == account and info.value.account in str(info.value)
    assert_no_token(str(info.value), repr(info.value), logs.text)


def test_youtube_quota_exceeded_is_not_retried(world, sandbox, clients, sleep):
    before = len(sandbox.request_log)
    sandbox.inject_fault("youtube", "quota_exceeded", count=5)

    with pytest.raises(QuotaExceededError, match="quotaExceeded"):
        pull(clients, world, "youtube")
    assert len(sandbox.request_log) - before == 1 and sleep.calls == []


def test_schema_drift_is_kept_in_the_payload(world, sandbox, clients):
    plain = pull(clients, world, "youtube")
    sandbox.inject_fault("youtube", "schema_drift", count=100)
    drifted = pull(clients, world, "youtube")
    assert [r.object_id for r in drifted] == [r.object_id for r in plain]
    new_keys = set(drifted[0].payload) - set(plain[0].payload)
    assert len(new_keys) == 1  # the unexpected field reaches the raw payload untouched
