"""The server itself: clock, faults, request log, token hygiene, concurrency, speed, shutdown."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from connectors.sandbox import SandboxServer, World

SENTINEL = "EAAB-TEST-SENTINEL-SANDBOX"


def _tt_views(api: Any, bid: str) -> dict[str, float]:
    out, cursor = {}, None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        data = api.tt("video/list", business_id=bid, fields=["item_id", "video_views"], max_count=20, **extra).json()[
            "data"
        ]
        out.update({v["item_id"]: float(v["video_views"]) for v in data["videos"]})
        if not data["has_more"]:
            return out
        cursor = data["cursor"]


# ----------------------------------------------------------------------------------- clock


def test_clock_moves_lifetime_totals_and_hides_future_content(
    api: Any, server: SandboxServer, world: World, brands: dict
) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    late = _tt_views(api, bid)
    server.set_as_of(date(2026, 10, 15))
    early = _tt_views(api, bid)
    assert set(early) < set(late)
    assert all(world.content(i).day0 <= date(2026, 10, 15) for i in early)
    assert all(early[i] == world.lifetime_totals(i, date(2026, 10, 15))["views"] for i in early)
    assert sum(early.values()) < sum(late[i] for i in early)


def test_served_lifetime_equals_truth_summed_through_as_of(
    api: Any, server: SandboxServer, world: World, brands: dict
) -> None:
    as_of = date(2026, 11, 2)
    server.set_as_of(as_of)
    truth: dict[str, int] = {}
    for r in world.truth_daily(as_of=as_of):
        truth[r["content_id"]] = truth.get(r["content_id"], 0) + r["views"]
    for slug in brands:
        served = _tt_views(api, brands[slug]["tiktok"]["business_id"])
        assert served == {k: float(v) for k, v in truth.items() if k in served}
        assert set(served) == {
            c["content_id"] for c in world.contents(as_of=as_of) if c["platform"] == "tiktok" and c["brand"] == slug
        }
    ig_reel = next(c for c in world.contents(as_of=as_of, shorts_only=True) if c["platform"] == "instagram")
    views = api.graph(f"{ig_reel['content_id']}/insights", metric="views").json()["data"][0]["values"][0]["value"]
    assert views == truth[ig_reel["content_id"]]
    yt = next(c for c in world.contents(as_of=as_of, shorts_only=True) if c["platform"] == "youtube")
    stats = api.yt("/youtube/v3/videos", part="statistics", id=yt["content_id"]).json()["items"][0]["statistics"]
    assert int(stats["viewCount"]) == truth[yt["content_id"]]


def test_restatement_shows_as_a_drop_in_served_lifetime(api: Any, server: SandboxServer, world: World) -> None:
    restated = [c for c in world.contents() if c["restatement_date"] and c["platform"] == "instagram"]
    restated = restated or [c for c in world.contents() if c["restatement_date"]]
    c = restated[0]

    def served(day: date) -> int:
        server.set_as_of(day)
        if c["platform"] == "instagram":
            return api.graph(f"{c['content_id']}/insights", metric="views").json()["data"][0]["values"][0]["value"]
        if c["platform"] == "facebook":
            body = api.graph(f"{c['content_id']}/video_insights", metric="fb_reels_total_plays").json()
            return body["data"][0]["values"][0]["value"]
        return int(_tt_views(api, c["account_id"])[c["content_id"]])

    before, after = served(c["restatement_date"] - timedelta(days=1)), served(c["restatement_date"])
    assert after < before


def test_clock_control_endpoint(http: requests.Session, server: SandboxServer, world: World) -> None:
    r = http.post(f"{server.url}/__sandbox/clock", json={"as_of": "2026-10-01"}, timeout=5)
    assert r.status_code == 200 and r.json()["as_of"] == "2026-10-01"
    assert server.as_of == date(2026, 10, 1)
    assert http.get(f"{server.url}/__sandbox/clock", timeout=5).json()["as_of"] == "2026-10-01"
    assert http.post(f"{server.url}/__sandbox/clock", json={"as_of": "2027-01-01"}, timeout=5).status_code == 400
    assert http.post(f"{server.url}/__sandbox/clock", json={"as_of": "yesterday"}, timeout=5).status_code == 400
    assert server.as_of == date(2026, 10, 1)
    with pytest.raises(ValueError):
        server.set_as_of(world.end + timedelta(days=1))
    assert http.get(f"{server.url}/__sandbox/accounts", timeout=5).json() == world.accounts_config()


def test_default_as_of_is_the_world_end(world: World) -> None:
    srv = SandboxServer(world)
    try:
        assert srv.as_of == world.end
        assert SandboxServer(world, as_of="2026-10-02").as_of == date(2026, 10, 2)
    finally:
        srv.stop()


# ----------------------------------------------------------------------------------- faults


def _ig(brands: dict) -> str:
    return brands["acme"]["instagram"]["ig_user_id"]


def test_tiktok_faults(api: Any, server: SandboxServer, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    server.inject_fault("tiktok", "rate_limit")
    r = api.tt("video/list", business_id=bid)
    assert r.status_code == 200 and r.json()["code"] == 40100
    assert api.tt("video/list", business_id=bid).json()["code"] == 0  # count=1: next request is fine
    server.inject_fault("tiktok", "expired_token")
    assert api.tt("video/list", business_id=bid).json()["code"] == 40105
    server.inject_fault("tiktok", "server_error")
    assert api.tt("video/list", business_id=bid).status_code == 503
    server.inject_fault("tiktok", "retry_after")
    r = api.tt("video/list", business_id=bid)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_meta_faults(api: Any, server: SandboxServer, brands: dict) -> None:
    ig, page = _ig(brands), brands["acme"]["facebook"]["page_id"]
    server.inject_fault("meta", "rate_limit")
    r = api.graph(f"{ig}/media")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 80002 and err["type"] == "OAuthException"
    buc = json.loads(r.headers["X-Business-Use-Case-Usage"])
    assert buc[ig][0]["type"] == "instagram" and "estimated_time_to_regain_access" in buc[ig][0]
    assert json.loads(r.headers["X-App-Usage"])["call_count"] >= 0
    server.inject_fault("meta", "rate_limit", regain_minutes=3)
    r = api.graph(f"{page}/video_reels")
    assert r.json()["error"]["code"] == 80001
    assert json.loads(r.headers["X-Business-Use-Case-Usage"])[page][0]["estimated_time_to_regain_access"] == 3
    for code in (4, 17, 32, 613):
        server.inject_fault("meta", "rate_limit", code=code)
        r = api.graph(f"{ig}/media")
        assert r.status_code == 400 and r.json()["error"]["code"] == code
    server.inject_fault("meta", "expired_token")
    err = api.graph(f"{ig}/media").json()["error"]
    assert (err["code"], err["error_subcode"]) == (190, 463)
    server.inject_fault("meta", "server_error")
    assert api.graph(f"{ig}/media").status_code == 503
    server.inject_fault("meta", "retry_after")
    r = api.graph(f"{ig}/media")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert api.graph(f"{ig}/media").status_code == 200


def test_youtube_faults(api: Any, server: SandboxServer) -> None:
    channels = {"part": "contentDetails", "mine": "true"}
    server.inject_fault("youtube", "rate_limit")
    r = api.yt("/youtube/v3/channels", **channels)
    assert r.status_code == 429 and r.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    server.inject_fault("youtube", "quota_exceeded")
    r = api.yt("/youtube/v3/channels", **channels)
    assert r.status_code == 403
    assert r.json()["error"]["errors"][0] == {
        **r.json()["error"]["errors"][0],
        "reason": "quotaExceeded",
        "domain": "youtube.quota",
    }
    server.inject_fault("youtube", "expired_token")
    r = api.yt("/youtube/v3/channels", **channels)
    assert r.status_code == 401 and r.json()["error"]["errors"][0]["reason"] == "authError"
    server.inject_fault("youtube", "server_error")
    assert api.yt("/youtube/v3/channels", **channels).status_code == 503
    server.inject_fault("youtube", "retry_after", path_contains="/v2/reports")
    assert api.yt("/youtube/v3/channels", **channels).status_code == 200  # path does not match
    r = api.yt("/v2/reports", ids="channel==MINE", startDate="2026-11-01", endDate="2026-11-02", metrics="views")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_fault_count_platform_and_path_filters(api: Any, server: SandboxServer, brands: dict) -> None:
    ig = _ig(brands)
    server.inject_fault("meta", "server_error", count=2, path_contains="/insights")
    assert api.graph(f"{ig}/media").status_code == 200  # other path
    assert (
        api.tt("video/list", business_id=brands["acme"]["tiktok"]["business_id"]).json()["code"] == 0
    )  # other platform
    media_id = api.graph(f"{ig}/media").json()["data"][0]["id"]
    assert api.graph(f"{media_id}/insights", metric="views").status_code == 503
    assert api.graph(f"{media_id}/insights", metric="views").status_code == 503
    assert api.graph(f"{media_id}/insights", metric="views").status_code == 200
    server.inject_fault("any", "server_error")
    assert api.yt("/youtube/v3/channels", part="id", mine="true").status_code == 503
    server.inject_fault("meta", "server_error", count=5)
    server.clear_faults()
    assert api.graph(f"{ig}/media").status_code == 200
    with pytest.raises(ValueError):
        server.inject_fault("myspace", "rate_limit")
    with pytest.raises(ValueError):
        server.inject_fault("meta", "meteor_strike")


def test_faults_control_endpoint(api: Any, http: requests.Session, server: SandboxServer, brands: dict) -> None:
    url = f"{server.url}/__sandbox/faults"
    r = http.post(
        url, json={"platform": "tiktok", "kind": "rate_limit", "count": 2, "path_contains": "video/list"}, timeout=5
    )
    assert r.status_code == 200 and r.json()["faults"][0]["count"] == 2
    bid = brands["acme"]["tiktok"]["business_id"]
    assert api.tt("video/list", business_id=bid).json()["code"] == 40100
    assert http.get(url, timeout=5).json()["faults"][0]["count"] == 1
    assert http.delete(url, timeout=5).json() == {"faults": []}
    assert api.tt("video/list", business_id=bid).json()["code"] == 0
    assert http.post(url, json={"platform": "tiktok", "kind": "nope"}, timeout=5).status_code == 400


def test_truncated_response_breaks_the_read(
    api: Any, server: SandboxServer, http: requests.Session, brands: dict
) -> None:
    ig = _ig(brands)
    server.inject_fault("meta", "truncated")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        http.get(f"{server.url}/v25.0/{ig}/media", headers={"Authorization": "Bearer t"}, timeout=5)
    assert api.graph(f"{ig}/media").status_code == 200  # the session recovers on a new connection


def test_slow_response(server: SandboxServer, http: requests.Session, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    url = f"{server.url}/open_api/v1.3/business/video/list/"
    server.inject_fault("tiktok", "slow", delay=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, params={"business_id": bid}, headers={"Access-Token": "t"}, timeout=(2, 0.2))
    server.inject_fault("tiktok", "slow", delay=0.3)
    t0 = time.monotonic()
    r = http.get(url, params={"business_id": bid}, headers={"Access-Token": "t"}, timeout=5)
    assert r.json()["code"] == 0 and time.monotonic() - t0 >= 0.3
    server.inject_fault("tiktok", "slow")
    assert server.faults.snapshot()[0]["kind"] == "slow"  # default delay is 3 s (not waited for here)
    server.clear_faults()


def test_schema_drift_adds_an_unexpected_field(api: Any, server: SandboxServer, brands: dict) -> None:
    server.inject_fault("tiktok", "schema_drift")
    body = api.tt("video/list", business_id=brands["acme"]["tiktok"]["business_id"], fields=["item_id"]).json()
    assert body["code"] == 0 and all("sandbox_drift_field" in v for v in body["data"]["videos"])


# ---------------------------------------------------------------------- log and token hygiene


def test_request_log_counts_paths_without_query(
    api: Any, http: requests.Session, server: SandboxServer, brands: dict
) -> None:
    ig = _ig(brands)
    before = len(server.request_log)
    http.get(f"{server.url}/v25.0/{ig}/media", params={"access_token": SENTINEL}, timeout=5)
    http.get(f"{server.url}/__sandbox/clock", timeout=5)  # control calls are not counted
    api.tt("video/list", business_id=brands["acme"]["tiktok"]["business_id"])
    new = server.request_log[before:]
    assert new == [("GET", f"/v25.0/{ig}/media"), ("GET", "/open_api/v1.3/business/video/list/")]
    assert all(SENTINEL not in p for _, p in server.request_log)


def test_tokens_never_reach_logs_or_stderr(http: requests.Session, server: SandboxServer, brands: dict,
                                           caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    ig = _ig(brands)
    http.get(f"{server.url}/v25.0/{ig}/media", params={"access_token": SENTINEL}, timeout=5)
    http.get(f"{server.url}/v25.0/{ig}/nope", params={"access_token": SENTINEL}, timeout=5)
    http.get(
        f"{server.url}/youtube/v3/channels",
        params={"part": "id", "mine": "true"},
        headers={"Authorization": f"Bearer {SENTINEL}"},
        timeout=5,
    )
    http.get(f"{server.url}/open_api/v1.3/business/get/", headers={"Access-Token": SENTINEL}, timeout=5)
    out, err = capfd.readouterr()
    assert SENTINEL not in out and SENTINEL not in err
    server_records = [
        r.getMessage() for r in caplog.records if not r.name.startswith("urllib3")
    ]  # the client logs URLs itself
    assert all(SENTINEL not in m for m in server_records)


# ------------------------------------------------------------------------ concurrency, speed, stop


def test_concurrent_requests(server: SandboxServer, world: World, brands: dict) -> None:
    ig = _ig(brands)

    def one(i: int) -> int:
        with requests.Session() as s:
            statuses = 0
            for _ in range(10):
                r = s.get(f"{server.url}/v25.0/{ig}/media", params={"limit": 5, "access_token": "t"}, timeout=5)
                statuses += r.status_code == 200 and len(r.json()["data"]) == 5
            return statuses

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(one, range(8))) == 80


def test_requests_are_fast(api: Any, world: World, brands: dict) -> None:
    ig = _ig(brands)
    media_id = world.account_contents("instagram", ig, world.end)[0].content_id
    api.graph(f"{media_id}/insights", metric="views,reach")  # warm the connection
    t0 = time.perf_counter()
    for _ in range(100):
        api.graph(f"{media_id}/insights", metric="views,reach,likes,comments,shares,saved")
    per_request = (time.perf_counter() - t0) / 100
    assert per_request < 0.02  # ~1-2 ms in practice; generous for loaded CI machines


def test_stop_closes_the_port_and_idle_connections(world: World) -> None:
    srv = SandboxServer(world).start()
    url = srv.url
    with requests.Session() as s:
        assert s.get(f"{url}/__sandbox/health", timeout=5).json() == {"ok": True}
        srv.stop()
        with pytest.raises(requests.exceptions.ConnectionError):
            s.get(f"{url}/__sandbox/health", timeout=2)
    srv.stop()  # idempotent


def test_context_manager_and_unknown_path(world: World) -> None:
    with SandboxServer(world) as srv:
        r = requests.get(f"{srv.url}/not/a/route.html", timeout=5)
        assert r.status_code == 404
        assert srv.url.startswith("http://127.0.0.1:")


def test_blocking_serve_forever_returns_after_stop(world: World) -> None:
    srv = SandboxServer(world)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    assert requests.get(f"{srv.url}/__sandbox/health", timeout=5).status_code == 200
    srv.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
