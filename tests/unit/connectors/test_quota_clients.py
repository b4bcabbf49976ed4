"""Quota-efficient pulls (issue 7): MetaClient insights through Graph batch requests and field
expansion, YouTubeClient `by_day` reports, their per-item error handling and their fallbacks.

Each mode is checked against the same client in the naive mode on the same sandbox (the records
must be identical) and against the World (every object present); call counts come from the
sandbox's own request log."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from connectors.http import AuthError, request_counts, reset_request_counts
from connectors.meta import FB_REEL_METRICS, IG_REEL_METRICS, MetaClient
from connectors.sandbox import SandboxServer, World, WorldSettings
from connectors.sandbox.world import INSTAGRAM_VIEWS_FROM
from connectors.youtube import YouTubeClient

V = "v25.0"
SETTINGS = WorldSettings(n_brands=2, posts_per_week=9.0)


@pytest.fixture(scope="module")
def world() -> World:
    return World(SETTINGS)


@pytest.fixture(scope="module")
def server(world: World):
    srv = SandboxServer(world, host="127.0.0.1", port=0).start()
    yield srv
    srv.stop()


@pytest.fixture
def sandbox(server: SandboxServer):
    yield server
    server.clear_faults()
    server.set_as_of(server.world.end)


def meta(url: str, token: str, options: dict, mode: str = "batch") -> MetaClient:
    return MetaClient(base_url=url, token=token, insights_mode=mode, **options)


def posts(server: SandboxServer, before: int) -> list[str]:
    return [path for method, path in server.request_log[before:] if method == "POST"]


def gets(server: SandboxServer, before: int, part: str) -> int:
    return sum(1 for method, path in server.request_log[before:] if method == "GET" and part in path)


def reels(world: World, platform: str, account: str, as_of: date) -> set[str]:
    return {c.content_id for c in world.account_contents(platform, account, as_of)
            if platform == "facebook" or c.attrs["media_product_type"] == "REELS"}


def test_instagram_batch_gives_the_per_object_records_in_fewer_calls(world, sandbox, token, client_options):
    ig = world.brands[0].ig_user_id
    before = len(sandbox.request_log)
    naive = list(meta(sandbox.url, token, client_options, "per_object").iter_instagram_reels(ig))
    naive_calls = len(sandbox.request_log) - before
    before, items_before = len(sandbox.request_log), len(sandbox.batch_item_log)
    batched = list(meta(sandbox.url, token, client_options).iter_instagram_reels(ig))
    batch_calls = len(sandbox.request_log) - before

    assert batched == naive
    assert {r.object_id for r in batched} == reels(world, "instagram", ig, sandbox.as_of)
    assert all(r.payload["insights"]["views"] >= 0 for r in batched)
    n = len(batched)
    assert n > 50  # two batches at least
    assert len(posts(sandbox, before)) == -(-n // 50)
    assert len(sandbox.batch_item_log) - items_before == n
    assert gets(sandbox, before, "/insights") == 0
    assert batch_calls < naive_calls / 10


def test_facebook_expansion_gives_the_per_object_records_in_listing_calls_only(world, sandbox, token,
                                                                               client_options):
    page = world.brands[1].fb_page_id
    naive = list(meta(sandbox.url, token, client_options, "per_object").iter_facebook_reels(page))
    before = len(sandbox.request_log)
    expanded = list(meta(sandbox.url, token, client_options).iter_facebook_reels(page))

    assert expanded == naive
    assert {r.object_id for r in expanded} == reels(world, "facebook", page, sandbox.as_of)
    assert set(expanded[0].payload["insights"]) == set(FB_REEL_METRICS.split(","))
    assert posts(sandbox, before) == [] and gets(sandbox, before, "/video_insights") == 0
    assert len(sandbox.request_log) - before == -(-len(expanded) // 100)  # listing pages only


def test_items_without_insights_are_stored_without_them(world, sandbox, token, client_options, logs):
    ig, page = world.brands[0].ig_user_id, world.brands[0].fb_page_id
    ig_ids = sorted(reels(world, "instagram", ig, sandbox.as_of))
    fb_ids = sorted(reels(world, "facebook", page, sandbox.as_of))
    sandbox.inject_fault("meta", "no_insights", path_contains=f"/{ig_ids[3]}/insights")
    sandbox.inject_fault("meta", "no_insights", path_contains=f"/{ig_ids[4]}/insights", subcode=2108006)
    sandbox.inject_fault("meta", "no_insights", count=2, path_contains=f"/{fb_ids[2]}/video_insights")
    client = meta(sandbox.url, token, client_options)
    before = len(sandbox.request_log)

    ig_records = {r.object_id: r for r in client.iter_instagram_reels(ig)}
    fb_records = {r.object_id: r for r in client.iter_facebook_reels(page)}

    assert set(ig_records) == set(ig_ids) and set(fb_records) == set(fb_ids)
    assert ig_records[ig_ids[3]].payload["insights"] == {} == ig_records[ig_ids[4]].payload["insights"]
    assert ig_records[ig_ids[5]].payload["insights"]["views"] >= 0
    assert fb_records[fb_ids[2]].payload["insights"] == {}
    assert fb_records[fb_ids[1]].payload["insights"]["fb_reels_total_plays"] >= 0
    # the expanded listing failed as a whole (code 10): listed again plainly, insights in a batch
    assert client.expansion_supported is False and client.batch_supported is True
    assert gets(sandbox, before, "/video_insights") == 0 and len(posts(sandbox, before)) >= 2
    text = logs.text
    assert f"no insights for {ig_ids[3]}" in text and f"no insights for {fb_ids[2]}" in text
    assert "field expansion" in text


def test_rate_limited_items_are_retried_alone_and_a_limited_batch_whole(world, sandbox, token, client_options,
                                                                        sleep):
    ig = world.brands[1].ig_user_id
    ids = sorted(reels(world, "instagram", ig, sandbox.as_of))
    expected = list(meta(sandbox.url, token, client_options, "per_object").iter_instagram_reels(ig))
    sandbox.inject_fault("meta", "rate_limit", count=2, path_contains=f"/{ids[7]}/insights")
    items_before, before = len(sandbox.batch_item_log), len(sandbox.request_log)
    sleep.calls.clear()

    assert list(meta(sandbox.url, token, client_options).iter_instagram_reels(ig)) == expected

    asked = [p for _, p in sandbox.batch_item_log[items_before:]]
    assert asked.count(f"/{V}/{ids[7]}/insights") == 3 and len(asked) == len(ids) + 2
    assert len(sleep.calls) == 2  # one backoff per retry round
    assert len(posts(sandbox, before)) == -(-len(ids) // 50) + 2
    # the whole batch rate limited (code 613 on the POST itself): the batch is sent again
    # (skip=1: the first media page goes through; the first request after it is the first batch)
    sandbox.inject_fault("meta", "rate_limit", count=1, path_contains=f"/{V}/", code=613, skip=1)
    before = len(sandbox.request_log)
    assert list(meta(sandbox.url, token, client_options).iter_instagram_reels(ig)) == expected
    assert len(posts(sandbox, before)) == -(-len(ids) // 50) + 1


def test_expired_token_in_a_batch_item_fails_clearly(world, sandbox, token, client_options, assert_no_token):
    ig = world.brands[0].ig_user_id
    sandbox.inject_fault("meta", "expired_token", count=1, path_contains="/insights")
    with pytest.raises(AuthError) as info:
        list(meta(sandbox.url, token, client_options).iter_instagram_reels(ig))
    assert info.value.code == 190 and f"instagram account {ig}" in str(info.value)
    assert_no_token(info.value)


def test_invalid_views_metric_in_a_batch_falls_back_to_plays(token, client_options, logs):
    as_of = INSTAGRAM_VIEWS_FROM - timedelta(days=2)
    old = World(WorldSettings(n_brands=1, history_start=date(2025, 1, 10), end=as_of, posts_per_week=7.0))
    srv = SandboxServer(old, as_of=as_of).start()
    try:
        ig = old.brands[0].ig_user_id
        naive = list(meta(srv.url, token, client_options, "per_object").iter_instagram_reels(ig))
        before = len(srv.request_log)
        batched = list(meta(srv.url, token, client_options).iter_instagram_reels(ig))
        assert batched == naive and len(batched) > 50
        assert all("plays" in r.payload["insights"] and "views" not in r.payload["insights"] for r in batched)
        # first batch: views rejected for every item, asked again with plays; later batches: plays only
        assert len(posts(srv, before)) == -(-len(batched) // 50) + 1
        assert "legacy plays metric" in logs.text
    finally:
        srv.stop()


def test_server_without_batch_falls_back_to_one_call_per_object(world, token, client_options, logs):
    srv = SandboxServer(world, graph_batch=False).start()
    try:
        ig, page = world.brands[0].ig_user_id, world.brands[0].fb_page_id
        naive = meta(srv.url, token, client_options, "per_object")
        expected = list(naive.iter_instagram_reels(ig)) + list(naive.iter_facebook_reels(page))
        client = meta(srv.url, token, client_options)
        before = len(srv.request_log)
        got = list(client.iter_instagram_reels(ig)) + list(client.iter_facebook_reels(page))
        assert got == expected
        assert len(posts(srv, before)) == 1  # tried once (405), then per object for the rest
        assert client.batch_supported is False and client.expansion_supported is False
        n_ig = sum(1 for r in got if r.platform == "instagram")
        assert gets(srv, before, "/insights") == n_ig
        assert logs.text.count("batch requests are not supported") == 1
    finally:
        srv.stop()


def test_batch_answer_that_is_not_a_list_means_unsupported(httpserver, token, client_options):
    ig = "17841400000000001"
    ids = ["17900000000000001", "17900000000000002"]
    httpserver.expect_request(f"/{V}/{ig}/media").respond_with_json(
        {"data": [{"id": i, "media_product_type": "REELS"} for i in ids]})
    httpserver.expect_request(f"/{V}/", method="POST").respond_with_json({"id": "not a batch"})
    for i in ids:
        httpserver.expect_request(f"/{V}/{i}/insights").respond_with_json(
            {"data": [{"name": "views", "period": "lifetime", "values": [{"value": 5}]}]})
    client = meta(httpserver.url_for("/").rstrip("/"), token, client_options)
    records = list(client.iter_instagram_reels(ig))
    assert [r.payload["insights"] for r in records] == [{"views": 5}, {"views": 5}]
    assert client.batch_supported is False


def test_null_items_are_sent_again(httpserver, token, client_options, sleep):
    ig = "17841400000000001"
    ids = ["17900000000000001", "17900000000000002"]
    httpserver.expect_request(f"/{V}/{ig}/media").respond_with_json(
        {"data": [{"id": i, "media_product_type": "REELS"} for i in ids]})
    ok = {"code": 200, "headers": [{"name": "Content-Type", "value": "text/javascript"}],
          "body": json.dumps({"data": [{"name": "views", "period": "lifetime", "values": [{"value": 9}]}]})}
    httpserver.expect_oneshot_request(f"/{V}/", method="POST").respond_with_json([ok, None])
    httpserver.expect_oneshot_request(f"/{V}/", method="POST").respond_with_json([ok])
    records = list(meta(httpserver.url_for("/").rstrip("/"), token, client_options).iter_instagram_reels(ig))
    assert [r.payload["insights"] for r in records] == [{"views": 9}, {"views": 9}]
    posted = [req for req, _ in httpserver.log if req.method == "POST"]
    assert len(posted) == 2 and len(sleep.calls) == 1
    first = json.loads(posted[0].form["batch"])
    assert first == [{"method": "GET", "relative_url": f"{V}/{i}/insights?metric="
                      + IG_REEL_METRICS.replace(",", "%2C")} for i in ids]
    assert len(json.loads(posted[1].form["batch"])) == 1
    assert token not in posted[0].get_data(as_text=True)  # the token travels in the header only


def youtube(url: str, token: str, options: dict, mode: str) -> YouTubeClient:
    return YouTubeClient(data_base_url=url, analytics_base_url=url, token=token, reports_mode=mode, **options)


def shorts(world: World, channel: str, as_of: date) -> list[str]:
    return sorted(c.content_id for c in world.account_contents("youtube", channel, as_of) if c.is_short)


def test_youtube_by_day_gives_the_per_video_records_in_fewer_calls(world, sandbox, token, client_options):
    channel = world.brands[0].youtube_channel_id
    end = sandbox.as_of
    start = end - timedelta(days=7)
    ids = shorts(world, channel, end)
    before = len(sandbox.request_log)
    naive = list(youtube(sandbox.url, token, client_options, "per_video").iter_video_days(channel, ids, start, end))
    naive_calls = len(sandbox.request_log) - before
    before = len(sandbox.request_log)
    by_day = list(youtube(sandbox.url, token, client_options, "by_day").iter_video_days(channel, ids, start, end))
    by_day_calls = len(sandbox.request_log) - before

    key = lambda r: (r.object_id, r.metric_date)  # noqa: E731
    assert sorted(by_day, key=key) == sorted(naive, key=key)
    assert len(naive) > 100 and all(list(r.payload)[0] == "day" for r in by_day)
    assert len(ids) <= 200 and by_day_calls == 8  # one report per day (all Shorts fit one page)
    assert by_day_calls < naive_calls / 5


def test_youtube_by_day_pages_with_start_index(world, sandbox, token, client_options):
    channel = world.brands[1].youtube_channel_id
    day = sandbox.as_of - timedelta(days=4)
    ids = shorts(world, channel, day)
    client = YouTubeClient(data_base_url=sandbox.url, analytics_base_url=sandbox.url, token=token,
                           reports_mode="by_day", analytics_page_size=7, **client_options)
    before = len(sandbox.request_log)
    got = list(client.iter_video_days(channel, ids, day, day))
    calls = len(sandbox.request_log) - before
    naive = list(youtube(sandbox.url, token, client_options, "per_video").iter_video_days(channel, ids, day, day))
    assert sorted(got, key=lambda r: r.object_id) == sorted(naive, key=lambda r: r.object_id)
    assert len(got) > 14 and calls == len(got) // 7 + 1


def test_youtube_by_day_falls_back_on_a_400(world, token, client_options, logs):
    srv = SandboxServer(world, yta_video_reports=False).start()
    try:
        channel = world.brands[0].youtube_channel_id
        end = srv.as_of
        ids = shorts(world, channel, end)
        client = youtube(srv.url, token, client_options, "by_day")
        got = list(client.iter_video_days(channel, ids, end - timedelta(days=5), end))
        got += list(client.iter_video_days(channel, ids, end - timedelta(days=5), end))
        naive = list(youtube(srv.url, token, client_options, "per_video").iter_video_days(
            channel, ids, end - timedelta(days=5), end))
        assert got == naive + naive and client.by_day_supported is False
        assert logs.text.count("dimensions=video were refused") == 1
    finally:
        srv.stop()


def test_request_counters_count_attempts_per_platform(world, sandbox, token, client_options):
    reset_request_counts()
    sandbox.inject_fault("meta", "server_error", count=1, path_contains="/media")
    before = len(sandbox.request_log)
    list(meta(sandbox.url, token, client_options).iter_instagram_reels(world.brands[0].ig_user_id))
    counts = request_counts()
    assert counts["meta"] == len(sandbox.request_log) - before  # the failed attempt included
    reset_request_counts()
    assert request_counts() == {}


def test_mode_names_are_checked(token):
    with pytest.raises(ValueError, match="insights_mode"):
        MetaClient(base_url="http://127.0.0.1:9", token=token, insights_mode="bulk")
    with pytest.raises(ValueError, match="reports_mode"):
        YouTubeClient(data_base_url="http://127.0.0.1:9", analytics_base_url="http://127.0.0.1:9", token=token,
                      reports_mode="weekly")



def test_youtube_by_day_asks_per_video_when_that_is_fewer_calls(world, sandbox, token, client_options):
    channel = world.brands[0].youtube_channel_id
    end = sandbox.as_of
    ids = shorts(world, channel, end)[:3]  # 3 Shorts, 8 days: 3 per-video reports beat 8 daily ones
    before = len(sandbox.request_log)
    got = list(youtube(sandbox.url, token, client_options, "by_day").iter_video_days(
        channel, ids, end - timedelta(days=7), end))
    assert len(sandbox.request_log) - before == 3
    assert got == list(youtube(sandbox.url, token, client_options, "per_video").iter_video_days(
        channel, ids, end - timedelta(days=7), end))


def test_a_paced_client_counts_batch_items_against_its_limit(world, sandbox, token, client_options):
    ig = world.brands[0].ig_user_id
    expected = list(meta(sandbox.url, token, client_options, "per_object").iter_instagram_reels(ig))
    srv = SandboxServer(world).start()
    try:
        srv.set_rate_limit("meta", 10, window_seconds=1.0)  # Graph counts every batch item
        client = meta(srv.url, token, {**client_options, "max_requests_per_window": 10,
                                       "pacing_window_seconds": 1.0})
        assert client.batch_size() == 10
        assert list(client.iter_instagram_reels(ig)) == expected
        assert srv.rate_limited["meta"] == 0 and client.pacer.paced > 0
        assert len(posts(srv, 0)) == -(-len(expected) // 10)
    finally:
        srv.stop()
