"""The sandbox faults added for issue 5 item 1, per platform and endpoint (path_contains).

cursor_loop, connection_reset, drop_field, number_as_string, rename_field, and the optional
server-side sliding-window rate limiter (`set_rate_limit`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connectors.http import PaginationLoopError, TransientError
from connectors.meta import MetaClient
from connectors.sandbox import SandboxServer, World, WorldSettings
from connectors.tiktok import TikTokClient
from connectors.youtube import YouTubeClient

TOKEN = "rel-token"


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings(n_brands=1))


@pytest.fixture(scope="module")
def module_server(world: World) -> Iterator[SandboxServer]:
    srv = SandboxServer(world, host="127.0.0.1", port=0).start()
    yield srv
    srv.stop()


@pytest.fixture
def server(module_server: SandboxServer) -> Iterator[SandboxServer]:
    yield module_server
    module_server.clear_faults()
    for platform in ("tiktok", "meta", "youtube"):
        module_server.set_rate_limit(platform, None)


@pytest.fixture(scope="module")
def ids(world: World) -> dict[str, str]:
    brand = next(iter(world.accounts_config()["brands"].values()))
    return {"tiktok": brand["tiktok"]["business_id"], "ig": brand["instagram"]["ig_user_id"],
            "fb": brand["facebook"]["page_id"], "yt": brand["youtube"]["channel_id"]}


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


def tt(http: requests.Session, server: SandboxServer, bid: str, **params: Any) -> dict:
    params = {"business_id": bid, "fields": json.dumps(["item_id", "video_views", "likes"]), "max_count": 5,
              **params}
    r = http.get(f"{server.url}/open_api/v1.3/business/video/list/", params=params,
                 headers={"Access-Token": TOKEN}, timeout=5)
    assert r.status_code == 200
    return r.json()


def graph(http: requests.Session, server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return http.get(f"{server.url}/v25.0/{path}", params=params, headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=5)


def yt(http: requests.Session, server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return http.get(f"{server.url}{path}", params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


def report(http, server, channel: str, **extra) -> dict:
    params = {"ids": f"channel=={channel}", "startDate": "2026-11-01", "endDate": "2026-11-20",
              "metrics": "views,likes", "dimensions": "day", **extra}
    r = yt(http, server, "/v2/reports", **params)
    assert r.status_code == 200, r.text
    return r.json()


# ------------------------------------------------------------------------------ cursor_loop


def test_tiktok_cursor_loop_repeats_the_requested_cursor_with_has_more(http, server, ids):
    server.inject_fault("tiktok", "cursor_loop", count=3, path_contains="video/list")
    first = tt(http, server, ids["tiktok"])["data"]
    assert first["has_more"] is True
    again = tt(http, server, ids["tiktok"], cursor=first["cursor"])["data"]
    assert again["has_more"] is True and again["cursor"] == first["cursor"]
    assert tt(http, server, ids["tiktok"], cursor=first["cursor"])["data"]["cursor"] == first["cursor"]
    normal = tt(http, server, ids["tiktok"], cursor=first["cursor"])["data"]  # count used up
    assert normal["cursor"] != first["cursor"] or not normal["has_more"]


def test_graph_cursor_loop_repeats_paging_next(http, server, ids):
    server.inject_fault("meta", "cursor_loop", count=2, path_contains="/media")
    assert graph(http, server, f"{ids['fb']}/video_reels").json().get("paging", {}).get("next") != "x"  # other edge
    first = graph(http, server, f"{ids['ig']}/media", limit=3).json()
    nxt = first["paging"]["next"]
    second = http.get(nxt, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    assert second["paging"]["next"] == nxt
    third = http.get(nxt, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    assert third["paging"].get("next") != nxt  # count used up: a real next page again


def test_youtube_cursor_loop_repeats_next_page_token(http, server, ids):
    server.inject_fault("youtube", "cursor_loop", count=2, path_contains="playlistItems")
    uploads = "UU" + ids["yt"][2:]
    first = yt(http, server, "/youtube/v3/playlistItems", part="contentDetails", playlistId=uploads,
               maxResults=50).json()
    token = first["nextPageToken"]  # present even when everything fits on one page
    second = yt(http, server, "/youtube/v3/playlistItems", part="contentDetails", playlistId=uploads,
                maxResults=50, pageToken=token).json()
    assert second["nextPageToken"] == token and second["items"]


@pytest.mark.parametrize("platform", ["tiktok", "meta", "youtube"])
def test_clients_stop_a_cursor_loop_with_a_clear_error_in_few_requests(server, ids, client_options, platform):
    server.inject_fault(platform, "cursor_loop", count=1000)
    before = len(server.request_log)
    if platform == "tiktok":
        client: Any = TikTokClient(base_url=server.url, token=TOKEN, **client_options)
        account, call = ids["tiktok"], lambda: list(client.iter_videos(ids["tiktok"]))
    elif platform == "meta":
        client = MetaClient(base_url=server.url, token=TOKEN, **client_options)
        account, call = ids["ig"], lambda: list(client.iter_instagram_reels(ids["ig"]))
    else:
        client = YouTubeClient(data_base_url=server.url, analytics_base_url=server.url, token=TOKEN,
                               **client_options)
        account, call = ids["yt"], lambda: list(client.iter_videos(ids["yt"]))
    with pytest.raises(PaginationLoopError) as info:
        call()
    text = str(info.value)
    named = {"tiktok": "tiktok", "meta": "instagram", "youtube": "youtube"}[platform]
    assert f"{named} account {account}" in text and "loop" in text
    assert TOKEN not in text
    listing = {"tiktok": "video/list", "meta": "/media", "youtube": "playlistItems"}[platform]
    pages = sum(1 for _, path in server.request_log[before:] if listing in path)
    assert pages <= 3  # detected at the first repeat, not after max_pages (10 000)


# ------------------------------------------------------------------------- connection_reset


def test_connection_reset_sends_nothing_then_the_next_request_works(http, server, ids):
    server.inject_fault("meta", "connection_reset", path_contains="/media")
    assert graph(http, server, f"{ids['fb']}/video_reels").status_code == 200  # other endpoint
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{server.url}/v25.0/{ids['ig']}/media", headers={"Authorization": f"Bearer {TOKEN}"},
                     timeout=5)
    assert graph(http, server, f"{ids['ig']}/media").status_code == 200


def test_connection_reset_is_retried_by_the_client(server, ids, client_options, sleep):
    server.inject_fault("tiktok", "connection_reset", count=1, path_contains="video/list")
    client = TikTokClient(base_url=server.url, token=TOKEN, **client_options)
    videos = list(client.iter_videos(ids["tiktok"]))
    assert videos and len(sleep.calls) == 1
    server.inject_fault("youtube", "connection_reset", count=10)
    yclient = YouTubeClient(data_base_url=server.url, analytics_base_url=server.url, token=TOKEN,
                            **client_options)
    with pytest.raises(TransientError, match="connection failed"):
        list(yclient.iter_videos(ids["yt"]))


# ------------------------------------------------------------------------ field-level drift


def test_drop_field_removes_a_tiktok_field_from_every_video(http, server, ids):
    server.inject_fault("tiktok", "drop_field", field="video_views", path_contains="video/list")
    videos = tt(http, server, ids["tiktok"])["data"]["videos"]
    assert videos and all("video_views" not in v and "likes" in v for v in videos)
    assert all("video_views" in v for v in tt(http, server, ids["tiktok"])["data"]["videos"])


def test_drop_field_removes_a_graph_insights_metric(http, server, ids):
    media_id = graph(http, server, f"{ids['ig']}/media").json()["data"][0]["id"]
    server.inject_fault("meta", "drop_field", field="views", path_contains="/insights")
    names = [d["name"] for d in graph(http, server, f"{media_id}/insights", metric="views,reach").json()["data"]]
    assert names == ["reach"]


def test_drop_field_removes_an_analytics_column_and_a_nested_statistic(http, server, ids):
    server.inject_fault("youtube", "drop_field", field="views", path_contains="/v2/reports")
    body = report(http, server, ids["yt"])
    assert [h["name"] for h in body["columnHeaders"]] == ["day", "likes"]
    assert all(len(row) == 2 for row in body["rows"])
    vid = body and yt(http, server, "/youtube/v3/playlistItems", part="contentDetails",
                      playlistId="UU" + ids["yt"][2:]).json()["items"][0]["contentDetails"]["videoId"]
    server.inject_fault("youtube", "drop_field", field="viewCount", path_contains="/videos")
    item = yt(http, server, "/youtube/v3/videos", part="statistics", id=vid).json()["items"][0]
    assert "viewCount" not in item["statistics"] and "likeCount" in item["statistics"]


def test_number_as_string_and_as_float_string(http, server, ids):
    server.inject_fault("tiktok", "number_as_string", field="likes")
    videos = tt(http, server, ids["tiktok"])["data"]["videos"]
    assert all(isinstance(v["likes"], str) and v["likes"].lstrip("-").isdigit() for v in videos)
    server.inject_fault("tiktok", "number_as_string", field="likes", as_float=True)
    videos = tt(http, server, ids["tiktok"])["data"]["videos"]
    assert all(v["likes"].endswith(".5") for v in videos)
    media_id = graph(http, server, f"{ids['ig']}/media").json()["data"][0]["id"]
    server.inject_fault("meta", "number_as_string", field="views", as_float=True)
    value = graph(http, server, f"{media_id}/insights", metric="views").json()["data"][0]["values"][0]["value"]
    assert isinstance(value, str) and value.endswith(".5")
    server.inject_fault("youtube", "number_as_string", field="views", as_float=True)
    rows = report(http, server, ids["yt"])["rows"]
    assert rows and all(isinstance(r[1], str) and r[1].endswith(".5") for r in rows)


def test_rename_field_serves_a_metric_under_another_name(http, server, ids):
    server.inject_fault("tiktok", "rename_field", field="video_views", to="play_count")
    videos = tt(http, server, ids["tiktok"])["data"]["videos"]
    assert all("play_count" in v and "video_views" not in v for v in videos)
    media_id = graph(http, server, f"{ids['ig']}/media").json()["data"][0]["id"]
    server.inject_fault("meta", "rename_field", field="views", to="plays", path_contains="/insights")
    data = graph(http, server, f"{media_id}/insights", metric="views,reach").json()["data"]
    assert [d["name"] for d in data] == ["plays", "reach"]
    server.inject_fault("youtube", "rename_field", field="views", to="playCount")
    assert [h["name"] for h in report(http, server, ids["yt"])["columnHeaders"]] == ["day", "playCount", "likes"]


def test_field_faults_need_their_options(server):
    with pytest.raises(ValueError, match="field"):
        server.inject_fault("tiktok", "drop_field")
    with pytest.raises(ValueError, match="to="):
        server.inject_fault("tiktok", "rename_field", field="likes")


def test_field_faults_through_the_control_endpoint(http, server, ids):
    r = http.post(f"{server.url}/__sandbox/faults", json={"platform": "tiktok", "kind": "drop_field",
                                                          "field": "likes", "count": 1}, timeout=5)
    assert r.status_code == 200 and r.json()["faults"][0]["field"] == "likes"
    assert all("likes" not in v for v in tt(http, server, ids["tiktok"])["data"]["videos"])


# ------------------------------------------------------------------- sliding-window limiter


def test_rate_limiter_answers_each_platforms_signal_and_counts(http, server, ids):
    for platform in ("tiktok", "meta", "youtube"):
        server.set_rate_limit(platform, 2, window_seconds=30)
    answers = [tt(http, server, ids["tiktok"])["code"] for _ in range(3)]
    assert answers == [0, 0, 40100]
    graph_answers = [graph(http, server, f"{ids['ig']}/media") for _ in range(3)]
    assert [r.status_code for r in graph_answers] == [200, 200, 400]
    assert graph_answers[-1].json()["error"]["code"] == 613
    yt_answers = [yt(http, server, "/youtube/v3/channels", part="id", mine="true") for _ in range(3)]
    assert [r.status_code for r in yt_answers] == [200, 200, 429]
    assert yt_answers[-1].json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert server.rate_limited == {"tiktok": 1, "meta": 1, "youtube": 1} or all(
        v >= 1 for v in server.rate_limited.values())
    server.set_rate_limit("tiktok", None)
    assert tt(http, server, ids["tiktok"])["code"] == 0


def test_rate_limiter_window_slides(http, server, ids):
    server.set_rate_limit("tiktok", 1, window_seconds=0.3)
    assert tt(http, server, ids["tiktok"])["code"] == 0
    assert tt(http, server, ids["tiktok"])["code"] == 40100
    time.sleep(0.35)
    assert tt(http, server, ids["tiktok"])["code"] == 0


def test_skip_lets_the_first_matching_requests_through(http, server, ids):
    server.inject_fault("tiktok", "server_error", count=1, path_contains="video/list", skip=2)
    for _ in range(2):
        assert tt(http, server, ids["tiktok"])["code"] == 0
    r = http.get(f"{server.url}/open_api/v1.3/business/video/list/", params={"business_id": ids["tiktok"]},
                 headers={"Access-Token": TOKEN}, timeout=5)
    assert r.status_code == 503
    assert tt(http, server, ids["tiktok"])["code"] == 0
