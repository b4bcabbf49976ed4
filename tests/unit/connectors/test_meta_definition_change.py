"""MetaClient's fallback to the pre-2025-04-21 Instagram `plays` metric, on a loopback server."""

from __future__ import annotations

import pytest

from connectors.http import ApiError
from connectors.meta import IG_REEL_METRICS, IG_REEL_METRICS_LEGACY, MetaClient

V = "v25.0"
IG = "17841400000000001"
REEL = "17900000000000001"


def graph_error(code: int, message: str) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}}


@pytest.fixture
def client(httpserver, token, client_options) -> MetaClient:
    httpserver.expect_request(f"/{V}/{IG}/media").respond_with_json({"data": [{
        "id": REEL, "media_type": "VIDEO", "media_product_type": "REELS",
        "timestamp": "2025-04-01T10:00:00+0000"}]})
    return MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, **client_options)


def test_invalid_views_metric_is_asked_again_as_plays(httpserver, client):
    path = f"/{V}/{REEL}/insights"
    httpserver.expect_oneshot_request(path, query_string={"metric": IG_REEL_METRICS}).respond_with_json(
        graph_error(100, "(#100) metric[0] must be one of the following values: plays, reach, likes"), status=400)
    httpserver.expect_oneshot_request(path, query_string={"metric": IG_REEL_METRICS_LEGACY}).respond_with_json(
        {"data": [{"name": "plays", "period": "lifetime", "values": [{"value": 42}]}]})
    (record,) = list(client.iter_instagram_reels(IG))
    assert record.payload["insights"] == {"plays": 42}


def test_other_code_100_errors_are_not_retried(httpserver, client):
    httpserver.expect_oneshot_request(f"/{V}/{REEL}/insights").respond_with_json(
        graph_error(100, "(#100) Unsupported get request. Object does not exist"), status=400)
    with pytest.raises(ApiError) as err:
        list(client.iter_instagram_reels(IG))
    assert err.value.code == 100 and "instagram account" in str(err.value)
    assert len([r for r, _ in httpserver.log if r.path.endswith("/insights")]) == 1


def test_legacy_list_rejected_too_fails_after_one_retry(httpserver, client):
    httpserver.expect_request(f"/{V}/{REEL}/insights").respond_with_json(
        graph_error(100, "(#100) metric[0] must be one of the following values: views, reach"), status=400)
    with pytest.raises(ApiError) as err:
        list(client.iter_instagram_reels(IG))
    assert err.value.code == 100 and IG in str(err.value)
    assert len([r for r, _ in httpserver.log if r.path.endswith("/insights")]) == 2
