"""Sandbox quota features (graph_batch.py): Graph batch requests, insights field expansion, and
YouTube Analytics `dimensions=video` reports with their caps. Expected answers come from the same
sandbox asked one object per GET (the behaviour API_CONTRACTS.md pins), never from a client."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from connectors.sandbox import SandboxServer, World
from connectors.sandbox.world import INSTAGRAM_VIEWS_FROM

V = "v25.0"
IG_METRICS = "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time"
FB_METRICS = "blue_reels_play_count,fb_reels_total_plays,post_video_social_actions"


def first_brand(brands: dict[str, Any]) -> dict[str, Any]:
    return next(iter(brands.values()))


def reel_ids(api: Any, ig: str) -> list[str]:
    body = api.graph(f"{ig}/media", fields="id,media_product_type", limit=100).json()
    return [m["id"] for m in body["data"] if m["media_product_type"] == "REELS"]


def post_batch(api: Any, items: list[dict[str, Any]], path: str = f"/{V}/", token: str | None = "tok",
               **form: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.http.post(f"{api.server.url}{path}", data={"batch": json.dumps(items), **form},
                         headers=headers, timeout=10)


def get_item(url: str) -> dict[str, str]:
    return {"method": "GET", "relative_url": url}


def test_batch_items_answer_exactly_like_their_single_gets(api: Any, server: SandboxServer, brands: Any) -> None:
    ids = reel_ids(api, first_brand(brands)["instagram"]["ig_user_id"])[:5]
    before, items_before = len(server.request_log), len(server.batch_item_log)

    reply = post_batch(api, [get_item(f"{i}/insights?metric={IG_METRICS}") for i in ids])

    assert reply.status_code == 200
    answers = reply.json()
    assert isinstance(answers, list) and len(answers) == len(ids)
    assert server.request_log[before:] == [("POST", f"/{V}/")]  # one HTTP request
    assert server.batch_item_log[items_before:] == [("GET", f"/{V}/{i}/insights") for i in ids]
    for media_id, answer in zip(ids, answers, strict=True):
        assert answer["code"] == 200
        names = {h["name"] for h in answer["headers"]}
        assert {"Content-Type", "X-App-Usage"} <= names
        single = api.graph(f"{media_id}/insights", metric=IG_METRICS).json()
        assert json.loads(answer["body"]) == single
    # POST / (no version) and include_headers=false
    bare = post_batch(api, [get_item(f"{V}/{ids[0]}/insights?metric=views")], path="/", include_headers="false")
    assert bare.status_code == 200 and "headers" not in bare.json()[0]
    assert json.loads(bare.json()[0]["body"])["data"][0]["name"] == "views"


def test_batch_items_carry_their_own_errors(api: Any, server: SandboxServer, brands: Any) -> None:
    brand = first_brand(brands)
    ids = reel_ids(api, brand["instagram"]["ig_user_id"])[:4]
    server.inject_fault("meta", "no_insights", path_contains=f"/{ids[1]}/insights")
    server.inject_fault("meta", "no_insights", path_contains=f"/{ids[2]}/insights", subcode=2108006)
    server.inject_fault("meta", "rate_limit", path_contains=f"/{ids[3]}/insights")
    urls = [f"{i}/insights?metric={IG_METRICS}" for i in ids] + ["999999999/insights?metric=views"]

    answers = post_batch(api, [get_item(u) for u in urls]).json()

    errors = [json.loads(a["body"]).get("error") for a in answers]
    assert answers[0]["code"] == 200 and errors[0] is None
    assert (answers[1]["code"], errors[1]["code"]) == (400, 10)
    assert (errors[2]["code"], errors[2]["error_subcode"]) == (100, 2108006)
    assert errors[3]["code"] == 80002 and errors[3]["is_transient"] is True
    usage = {h["name"]: h["value"] for h in answers[3]["headers"]}
    assert "X-Business-Use-Case-Usage" in usage
    assert (errors[4]["code"], errors[4]["error_subcode"]) == (100, 33)  # unknown object
    # per-item auth: a bad token fails every item with code 190, the batch itself answers 200
    strict = SandboxServer(server.world, tokens={"meta": "good"}).start()
    try:
        from tests.unit.sandbox.conftest import Api

        bad = post_batch(Api(api.http, strict), [get_item(urls[0]), get_item(urls[1])], token="bad")
        assert bad.status_code == 200
        assert [json.loads(a["body"])["error"]["code"] for a in bad.json()] == [190, 190]
    finally:
        strict.stop()


def test_batch_limits_and_whole_batch_faults(api: Any, server: SandboxServer, brands: Any) -> None:
    ids = reel_ids(api, first_brand(brands)["instagram"]["ig_user_id"])
    too_many = post_batch(api, [get_item(f"{ids[0]}/insights?metric=views")] * 51)
    assert too_many.status_code == 400
    assert too_many.json()["error"]["code"] == 100 and "50" in too_many.json()["error"]["message"]
    assert post_batch(api, "not a list").status_code == 400  # type: ignore[arg-type]
    server.inject_fault("meta", "rate_limit", path_contains=f"/{V}/", code=613)
    limited = post_batch(api, [get_item(f"{ids[0]}/insights?metric=views")])
    assert limited.status_code == 400 and limited.json()["error"]["code"] == 613
    server.inject_fault("meta", "connection_reset", path_contains=f"/{ids[0]}/insights")
    answers = post_batch(api, [get_item(f"{i}/insights?metric=views") for i in ids[:2]]).json()
    assert answers[0] is None and answers[1]["code"] == 200  # not processed: null


def test_rate_limiter_counts_every_batch_item(world: World) -> None:
    import requests

    srv = SandboxServer(world).start()
    try:
        srv.set_rate_limit("meta", 3, window_seconds=60)
        ig = next(iter(world.accounts_config()["brands"].values()))["instagram"]["ig_user_id"]
        media = requests.get(f"{srv.url}/{V}/{ig}/media", params={"fields": "id", "limit": 5},
                             headers={"Authorization": "Bearer t"}, timeout=5).json()["data"]
        items = [get_item(f"{m['id']}?fields=id") for m in media[:4]]
        answers = requests.post(f"{srv.url}/{V}/", data={"batch": json.dumps(items)},
                                headers={"Authorization": "Bearer t"}, timeout=5).json()
        codes = [json.loads(a["body"]).get("error", {}).get("code") for a in answers]
        assert codes == [None, None, 613, 613]  # the listing took one slot: 2 items pass
    finally:
        srv.stop()


def test_field_expansion_matches_the_objects_insights(api: Any, brands: Any) -> None:
    brand = first_brand(brands)
    page = brand["facebook"]["page_id"]
    body = api.graph(f"{page}/video_reels", fields=f"id,created_time,video_insights.metric({FB_METRICS})",
                     limit=100).json()
    plain = api.graph(f"{page}/video_reels", fields="id,created_time", limit=100).json()
    assert [{k: v for k, v in o.items() if k != "video_insights"} for o in body["data"]] == plain["data"]
    assert body["data"]
    for obj in body["data"][:10]:
        assert obj["video_insights"] == api.graph(f"{obj['id']}/video_insights", metric=FB_METRICS).json()
    # the next page keeps the expansion
    small = api.graph(f"{page}/video_reels", fields="id,video_insights.metric(fb_reels_total_plays)", limit=10).json()
    assert len(small["data"]) == 10 and "video_insights.metric" in small["paging"]["next"]
    # Instagram: works for metrics every media type has, fails as a whole otherwise (mixed product types)
    ig = brand["instagram"]["ig_user_id"]
    ok = api.graph(f"{ig}/media", fields="id,insights.metric(views,reach)", limit=100).json()
    one = ok["data"][0]
    assert one["insights"] == api.graph(f"{one['id']}/insights", metric="views,reach").json()
    mixed = api.graph(f"{ig}/media", fields="id,insights.metric(ig_reels_avg_watch_time)", limit=100)
    assert mixed.status_code == 400 and mixed.json()["error"]["code"] == 100


def test_field_expansion_fails_whole_request_on_one_objects_error(api: Any, server: SandboxServer,
                                                                  brands: Any) -> None:
    page = first_brand(brands)["facebook"]["page_id"]
    first = api.graph(f"{page}/video_reels", fields="id", limit=3).json()["data"][1]["id"]
    server.inject_fault("meta", "no_insights", path_contains=f"/{first}/video_insights")
    reply = api.graph(f"{page}/video_reels", fields=f"id,video_insights.metric({FB_METRICS})", limit=3)
    assert reply.status_code == 400 and reply.json()["error"]["code"] == 10


def test_without_quota_features_the_server_follows_the_contract_only(world: World, make_api: Any) -> None:
    srv = SandboxServer(world, graph_batch=False, yta_video_reports=False).start()
    try:
        api = make_api(srv)
        brand = next(iter(world.accounts_config()["brands"].values()))
        item = [get_item(f"{brand['instagram']['ig_user_id']}?fields=id")]
        assert post_batch(api, item).status_code == 405
        assert post_batch(api, item, path="/").status_code == 404
        expanded = api.graph(f"{brand['facebook']['page_id']}/video_reels",
                             fields="id,video_insights.metric(fb_reels_total_plays)")
        assert expanded.status_code == 400 and expanded.json()["error"]["code"] == 100
        report = api.yt("/v2/reports", ids="channel==MINE", startDate="2026-11-01", endDate="2026-11-01",
                        metrics="views", dimensions="video", maxResults=200)
        assert report.status_code == 400 and report.json()["error"]["errors"][0]["reason"] == "badRequest"
    finally:
        srv.stop()


def _report(api: Any, **params: Any) -> dict[str, Any]:
    reply = api.yt("/v2/reports", **params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_video_dimension_report_sums_the_days_of_each_video(api: Any, world: World) -> None:
    channel = world.brands[0].youtube_channel_id
    start, end = date(2026, 11, 1), date(2026, 11, 7)
    vids = [c.content_id for c in world.account_contents("youtube", channel, end)][:30]
    metrics = "views,engagedViews,estimatedMinutesWatched,likes,comments,shares,subscribersGained"
    common = {"ids": f"channel=={channel}", "startDate": start.isoformat(), "endDate": end.isoformat(),
              "metrics": metrics}
    by_video = _report(api, **common, dimensions="video", filters="video==" + ",".join(vids), sort="-views",
                       maxResults=200)
    assert [h["name"] for h in by_video["columnHeaders"]] == ["video", *metrics.split(",")]
    got = {row[0]: row[1:] for row in by_video["rows"]}
    expected = {}
    for vid in vids:
        days = _report(api, **common, dimensions="day", filters=f"video=={vid}").get("rows", [])
        if days:
            expected[vid] = [sum(r[i] for r in days) for i in range(1, len(metrics.split(",")) + 1)]
    assert got == expected and len(got) > 5
    # one day: the per-day report's row, metric for metric (averageViewDuration included)
    day = end - timedelta(days=3)
    one_common = {**common, "startDate": day.isoformat(), "endDate": day.isoformat(),
                  "metrics": metrics + ",averageViewDuration"}
    one_day = _report(api, **one_common, dimensions="video", filters="video==" + ",".join(vids), maxResults=200)
    for row in one_day["rows"][:5]:
        single = _report(api, **one_common, dimensions="day", filters=f"video=={row[0]}")["rows"]
        assert single == [[day.isoformat(), *row[1:]]]


def test_video_dimension_caps_and_paging(api: Any, world: World) -> None:
    channel = world.brands[0].youtube_channel_id
    vids = [c.content_id for c in world.account_contents("youtube", channel, world.end)]
    common = {"ids": f"channel=={channel}", "startDate": "2026-11-01", "endDate": "2026-11-01",
              "metrics": "views", "dimensions": "video", "filters": "video==" + ",".join(vids)}
    for bad in ({"maxResults": 201}, {}):
        reply = api.yt("/v2/reports", **common, **bad)
        assert reply.status_code == 400 and reply.json()["error"]["errors"][0]["reason"] == "badRequest"
    too_many = api.yt("/v2/reports", **{**common, "filters": "video==" + ",".join(f"v{i}" for i in range(501))},
                      maxResults=200)
    assert too_many.status_code == 400
    full = _report(api, **common, maxResults=200)["rows"]
    paged, start = [], 1
    while True:
        rows = _report(api, **common, maxResults=7, startIndex=start).get("rows", [])
        if not rows:
            break
        paged.extend(rows)
        start += 7
    assert paged == full and len(full) > 7


def test_batch_item_before_views_existed_gets_the_invalid_metric_error() -> None:
    import requests

    from connectors.sandbox import WorldSettings

    as_of = INSTAGRAM_VIEWS_FROM - timedelta(days=2)
    old = World(WorldSettings(n_brands=1, history_start=date(2025, 3, 20), end=as_of, posts_per_week=3.0))
    srv = SandboxServer(old, as_of=as_of).start()
    try:
        ig = old.brands[0].ig_user_id
        media = requests.get(f"{srv.url}/{V}/{ig}/media", params={"fields": "id,media_product_type"},
                             headers={"Authorization": "Bearer t"}, timeout=5).json()["data"]
        reel = next(m["id"] for m in media if m["media_product_type"] == "REELS")
        answers = requests.post(f"{srv.url}/{V}/", data={"batch": json.dumps(
            [get_item(f"{reel}/insights?metric=views,reach"), get_item(f"{reel}/insights?metric=plays,reach")])},
            headers={"Authorization": "Bearer t"}, timeout=5).json()
        error = json.loads(answers[0]["body"])["error"]
        assert answers[0]["code"] == 400 and error["code"] == 100 and "plays" in error["message"]
        assert json.loads(answers[1]["body"])["data"][0]["name"] == "plays"
    finally:
        srv.stop()
