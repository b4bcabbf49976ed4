"""MetaClient against a loopback server speaking the Graph API contract."""

from __future__ import annotations

import json

import pytest

from connectors.http import ApiError, AuthError, PaginationLoopError, RateLimitedError
from connectors.meta import IG_REEL_METRICS, MEDIA_FIELDS, MetaClient, usage

V = "v25.0"
IG = "17841400000000001"
PAGE = "100000000000001"
MEDIA_PATH = f"/{V}/{IG}/media"
REELS_PATH = f"/{V}/{PAGE}/video_reels"


def media(n: int, product: str = "REELS") -> dict:
    return {"id": f"1790000000000{n:04d}", "caption": f"post {n}", "media_type": "VIDEO",
            "media_product_type": product, "timestamp": "2025-06-01T10:00:00+0000",
            "like_count": n, "comments_count": str(n), "shortcode": f"C{n}"}


def insights(values: dict) -> dict:
    return {"data": [{"name": k, "period": "lifetime", "values": [{"value": v}],
                      "title": k, "id": f"x/insights/{k}/lifetime"} for k, v in values.items()]}


def graph_error(code: int, message: str = "boom", subcode: int | None = None, **extra) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


def next_url(path: str, after: str, token: str) -> str:
    # Real Graph next URLs are absolute, on graph.facebook.com, and carry the access_token.
    return (f"https://graph.facebook.com{path}?fields=id%2Ccaption&limit=100"
            f"&access_token={token}&after={after}")


@pytest.fixture
def client(httpserver, token, client_options) -> MetaClient:
    return MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, **client_options)


def serve_insights(httpserver, media_ids, value: int = 10) -> None:
    for mid in media_ids:
        httpserver.expect_request(f"/{V}/{mid}/insights").respond_with_json(
            insights({"views": value, "reach": "7", "ig_reels_avg_watch_time": 5300}))


def test_instagram_reels_pages_to_the_end_and_keeps_only_reels(httpserver, client, token, logs,
                                                               assert_no_token):
    page1 = [media(1), media(2, "FEED"), media(3)]
    page2 = [media(4, "STORY"), media(5)]
    first_page = {"fields": MEDIA_FIELDS, "limit": "100"}
    httpserver.expect_request(MEDIA_PATH, query_string=first_page).respond_with_json(
        {"data": page1, "paging": {"cursors": {"before": "B1", "after": "A1"},
                                   "next": next_url(MEDIA_PATH, "A1", token)}})
    httpserver.expect_request(MEDIA_PATH).respond_with_json(
        {"data": page2, "paging": {"cursors": {"before": "B2", "after": "A2"}}})
    serve_insights(httpserver, [m["id"] for m in (media(1), media(3), media(5))])

    records = list(client.iter_instagram_reels(IG))

    assert [r.object_id for r in records] == [media(1)["id"], media(3)["id"], media(5)["id"]]
    first = records[0]
    assert first.platform == "instagram" and first.account_id == IG
    assert first.payload == {**media(1), "insights": {"views": 10, "reach": "7",
                                                      "ig_reels_avg_watch_time": 5300}}
    paths = [req.path for req, _ in httpserver.log]
    assert paths.count(MEDIA_PATH) == 2
    second_page = [req for req, _ in httpserver.log if req.path == MEDIA_PATH][1]
    assert second_page.args["after"] == "A1"  # the next URL was followed (rebased on our server)
    insight_req = next(req for req, _ in httpserver.log if req.path.endswith("/insights"))
    assert insight_req.args["metric"] == IG_REEL_METRICS
    for req, _ in httpserver.log:
        assert req.headers["Authorization"] == f"Bearer {token}"
        assert "access_token" not in req.args  # the token never travels in a URL
    assert_no_token(logs.text)


def test_facebook_reels_pages_and_keeps_object_values(httpserver, client, token):
    reels = [{"id": f"12000000000000{n}", "description": f"reel {n}", "length": "12.5",
              "published": True, "created_time": "2025-06-01T10:00:00+0000"} for n in range(3)]
    httpserver.expect_oneshot_request(REELS_PATH).respond_with_json(
        {"data": reels[:2], "paging": {"cursors": {"after": "R1"},
                                       "next": next_url(REELS_PATH, "R1", token)}})
    httpserver.expect_request(REELS_PATH).respond_with_json({"data": reels[2:], "paging": {}})
    values = {"blue_reels_play_count": 100, "fb_reels_total_plays": "130",
              "post_video_social_actions": {"COMMENT": 3, "SHARE": 2},
              "post_video_likes_by_reaction_type": {"REACTION_LIKE": 9, "REACTION_LOVE": 1}}
    for reel in reels:
        httpserver.expect_request(f"/{V}/{reel['id']}/video_insights").respond_with_json(
            insights(values))

    records = list(client.iter_facebook_reels(PAGE))

    assert [r.object_id for r in records] == [r["id"] for r in reels]
    assert records[2].platform == "facebook" and records[2].account_id == PAGE
    assert records[2].payload == {**reels[2], "insights": values}
    first = next(req for req, _ in httpserver.log if req.path == REELS_PATH)
    assert first.args["fields"] == ("id,description,title,created_time,length,permalink_url,"
                                    "published")
    assert "post_video_social_actions" in [
        req for req, _ in httpserver.log if req.path.endswith("/video_insights")][0].args["metric"]


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
def test_rate_limit_codes_are_retried(httpserver, client, sleep, code):
    httpserver.expect_oneshot_request(MEDIA_PATH).respond_with_json(
        graph_error(code, "(#17) User request limit reached"), status=400)
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": [media(1, "FEED")]})

    assert list(client.iter_instagram_reels(IG)) == []
    assert len(httpserver.log) == 2 and len(sleep.calls) == 1


def buc(minutes, call_count=100) -> dict:
    return {"X-Business-Use-Case-Usage": json.dumps({IG: [{
        "type": "instagram", "call_count": call_count, "total_cputime": 20, "total_time": 30,
        "estimated_time_to_regain_access": minutes}]})}


def test_buc_header_sets_the_wait(httpserver, client, sleep):
    httpserver.expect_oneshot_request(MEDIA_PATH).respond_with_json(
        graph_error(80002, "There have been too many calls to this Instagram account."),
        status=400, headers=buc(2))
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": []})

    assert list(client.iter_instagram_reels(IG)) == []
    assert sleep.calls == [120.0]  # 2 minutes


def test_buc_wait_beyond_the_cap_fails_fast(httpserver, token, client_options, sleep):
    httpserver.expect_request(MEDIA_PATH).respond_with_json(
        graph_error(80002, "Too many calls"), status=400, headers=buc("45"))
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        max_wait=600, **client_options)

    with pytest.raises(RateLimitedError) as info:
        list(client.iter_instagram_reels(IG))

    assert sleep.calls == [] and len(httpserver.log) == 1
    assert info.value.retry_after == 2700 and info.value.code == 80002
    assert "instagram" in str(info.value) and IG in str(info.value)


def test_usage_at_95_percent_throttles_before_the_next_call(httpserver, client, sleep):
    httpserver.expect_request(MEDIA_PATH).respond_with_json(
        {"data": [media(1)]}, headers={"X-App-Usage": json.dumps(
            {"call_count": 96, "total_time": 10, "total_cputime": 5})})
    serve_insights(httpserver, [media(1)["id"]])

    records = list(client.iter_instagram_reels(IG))

    assert len(records) == 1
    assert sleep.calls == [60.0]  # one pause, before the insights call
    assert len(httpserver.log) == 2


def test_usage_headers_are_parsed_tolerantly():
    headers = {"X-App-Usage": '{"call_count": "97", "total_time": 1}',
               "X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 3, '
                                            '"estimated_time_to_regain_access": "4"}]}',
               "X-Ad-Account-Usage": "not json"}
    assert usage(headers) == (97.0, 240.0)
    assert usage({}) == (0.0, 0.0)


def test_transient_flag_and_5xx_are_retried(httpserver, client, sleep):
    httpserver.expect_oneshot_request(MEDIA_PATH).respond_with_json(
        graph_error(1, "An unknown error occurred", is_transient=True), status=400)
    httpserver.expect_oneshot_request(MEDIA_PATH).respond_with_json(
        graph_error(9999, "Service temporarily unavailable"), status=500)
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": []})

    assert list(client.iter_instagram_reels(IG)) == []
    assert len(httpserver.log) == 3


@pytest.mark.parametrize("subcode", [463, 460, None])
def test_expired_token_fails_once_clearly_and_never_leaks(httpserver, client, token, sleep, logs,
                                                         assert_no_token, subcode):
    httpserver.expect_request(MEDIA_PATH).respond_with_json(
        graph_error(190, f"Error validating access token: Session has expired ({token})",
                    subcode), status=400)

    with pytest.raises(AuthError) as info:
        list(client.iter_instagram_reels(IG))

    err = info.value
    assert len(httpserver.log) == 1 and sleep.calls == []
    assert err.platform == "instagram" and err.account == IG and err.code == 190
    assert "instagram" in str(err) and IG in str(err) and MEDIA_PATH in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert_no_token(str(err), repr(err), logs.text)


def test_expired_token_on_a_next_page_never_leaks(httpserver, client, token, logs,
                                                  assert_no_token):
    httpserver.expect_oneshot_request(REELS_PATH).respond_with_json(
        {"data": [], "paging": {"next": next_url(REELS_PATH, "R1", token)}})
    httpserver.expect_request(REELS_PATH).respond_with_json(
        graph_error(190, "Error validating access token", 463), status=400)

    with pytest.raises(AuthError) as info:
        list(client.iter_facebook_reels(PAGE))
    assert info.value.platform == "facebook" and PAGE in str(info.value)
    assert_no_token(str(info.value), repr(info.value), logs.text)


def test_retired_metric_fails_clearly(httpserver, client, sleep):
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": [media(1)]})
    message = ("(#100) Starting from version v22.0 and above, the plays metric is no longer "
               "supported. Please use views instead.")
    httpserver.expect_request(f"/{V}/{media(1)['id']}/insights").respond_with_json(
        graph_error(100, message), status=400)

    with pytest.raises(ApiError) as info:
        list(client.iter_instagram_reels(IG))

    assert info.value.code == 100
    assert "plays metric is no longer supported" in str(info.value)
    assert f"/{V}/{media(1)['id']}/insights" in str(info.value)
    assert len(httpserver.log) == 2 and sleep.calls == []


@pytest.mark.parametrize("code, subcode, message", [
    (10, None, "(#10) Not enough viewers for the media to show insights"),
    (100, 2108006, "Media Posted Before Business Account Conversion"),
])
def test_media_without_insights_is_kept_with_empty_insights(httpserver, client, logs, code,
                                                            subcode, message):
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": [media(1), media(2)]})
    httpserver.expect_request(f"/{V}/{media(1)['id']}/insights").respond_with_json(
        graph_error(code, message, subcode), status=400)
    serve_insights(httpserver, [media(2)["id"]])

    records = list(client.iter_instagram_reels(IG))

    assert [r.payload["insights"] for r in records] == [
        {}, {"views": 10, "reach": "7", "ig_reels_avg_watch_time": 5300}]
    assert any(r.levelname == "WARNING" and media(1)["id"] in r.getMessage()
               for r in logs.records)


def test_empty_insights_data_is_an_empty_dict(httpserver, client):
    httpserver.expect_request(MEDIA_PATH).respond_with_json({"data": [media(1)]})
    httpserver.expect_request(f"/{V}/{media(1)['id']}/insights").respond_with_json({"data": []})
    assert list(client.iter_instagram_reels(IG))[0].payload["insights"] == {}


def test_same_next_url_twice_is_a_pagination_loop(httpserver, client, token):
    httpserver.expect_request(MEDIA_PATH).respond_with_json(
        {"data": [media(1, "FEED")], "paging": {"next": next_url(MEDIA_PATH, "SAME", token)}})

    with pytest.raises(PaginationLoopError) as info:
        list(client.iter_instagram_reels(IG))
    assert len(httpserver.log) == 2
    assert "instagram" in str(info.value)


def test_custom_api_version(httpserver, token, client_options):
    httpserver.expect_request(f"/v23.0/{IG}/media").respond_with_json({"data": []})
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        api_version="v23.0", **client_options)
    assert list(client.iter_instagram_reels(IG)) == []
    assert len(httpserver.log) == 1
