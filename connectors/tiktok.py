"""TikTok API for Business (organic): per-video lifetime totals and daily account metrics.

Contract: API_CONTRACTS.md section A. Auth is the `Access-Token` header; list parameters are
JSON-encoded strings; every answer is HTTP 200 with a `code` in the body (0 = OK).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from connectors.http import (
    BaseClient,
    HttpResult,
    Outcome,
    PayloadError,
    Verdict,
    as_bool,
    as_date,
    default_classifier,
    retry_after_seconds,
)
from connectors.records import DailyRecord, LifetimeRecord

PLATFORM = "tiktok"
DEFAULT_BASE_URL = "https://business-api.tiktok.com"
API_PREFIX = "/open_api/v1.3"
VIDEO_LIST_PATH = f"{API_PREFIX}/business/video/list/"
BUSINESS_GET_PATH = f"{API_PREFIX}/business/get/"
VIDEO_PAGE_SIZE = 20  # max_count maximum
DEFAULT_MAX_WAIT = 120.0  # seconds; longest Retry-After we sleep through

VIDEO_FIELDS: tuple[str, ...] = (
    "item_id", "create_time", "media_type", "is_ad", "caption", "share_url", "embed_url",
    "video_duration", "video_views", "reach", "likes", "comments", "shares", "favorites",
    "total_time_watched", "average_time_watched", "full_video_watched_rate", "new_followers",
    "profile_views",
)
ACCOUNT_DAY_FIELDS: tuple[str, ...] = (  # the daily ones, returned in data.metrics[] with `date`
    "video_views", "unique_video_views", "profile_views", "likes", "comments", "shares",
    "followers_count", "daily_new_followers", "daily_lost_followers", "daily_total_followers",
    "engaged_audience",
)

SUCCESS_CODES = frozenset({0, 20001})  # 20001 = partial OK
PARTIAL_OK = 20001
RATE_LIMIT_CODES = frozenset({40100, 40132, 61000})
TRANSIENT_CODES = frozenset({50000, 50002, 60001})
AUTH_CODES = frozenset({40102, 40103, 40104, 40105})


def _code(body: Any) -> int | None:
    """The envelope's integer `code` (number or numeric string), None if there is none."""
    if not isinstance(body, dict) or "code" not in body:
        return None
    try:
        return int(str(body["code"]).strip())
    except ValueError:
        return None


def classify(result: HttpResult) -> Outcome:
    """TikTok's verdict is in the body `code`; HTTP status only matters without one."""
    code = _code(result.body)
    if code is None:
        if 200 <= result.status < 300:
            return Outcome(Verdict.FATAL, "response has no integer `code` envelope")
        return default_classifier(result)
    message = str(result.body.get("message") or "")
    if code in SUCCESS_CODES:
        return default_classifier(result)
    if code in RATE_LIMIT_CODES:
        return Outcome(Verdict.RATE_LIMITED, message, code=code,
                       wait=retry_after_seconds(result.headers))
    if code in TRANSIENT_CODES:
        return Outcome(Verdict.TRANSIENT, message, code=code,
                       wait=retry_after_seconds(result.headers))
    if code in AUTH_CODES:
        return Outcome(Verdict.AUTH, message, code=code)
    if result.status == 429 or result.status >= 500:
        return default_classifier(result)
    return Outcome(Verdict.FATAL, message, code=code)


class TikTokClient(BaseClient):
    """Organic TikTok account data through the API for Business (v1.3)."""

    platform = PLATFORM
    default_max_wait = DEFAULT_MAX_WAIT

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        *,
        video_fields: Sequence[str] = VIDEO_FIELDS,
        account_day_fields: Sequence[str] = ACCOUNT_DAY_FIELDS,
        **options: Any,
    ) -> None:
        super().__init__(base_url, token, **options)
        self.video_fields = tuple(video_fields)
        self.account_day_fields = tuple(account_day_fields)

    def auth_headers(self) -> dict[str, str]:
        return {"Access-Token": self._token}

    def classify(self, result: HttpResult) -> Outcome:
        return classify(result)

    def iter_videos(self, business_id: str) -> Iterator[LifetimeRecord]:
        """Every video of the account with its lifetime totals; payload = the video object."""
        params: dict[str, Any] = {
            "business_id": business_id,
            "fields": json.dumps(list(self.video_fields)),
            "max_count": VIDEO_PAGE_SIZE,
        }
        guard = self.page_guard(business_id, VIDEO_LIST_PATH)
        ctx = self.context(business_id, VIDEO_LIST_PATH)
        cursor: Any = None
        seen: set[str] = set()
        while True:
            guard.visit(cursor)
            page_params = params if cursor is None else {**params, "cursor": cursor}
            data = self._data(VIDEO_LIST_PATH, page_params, business_id)
            videos = data.get("videos") or []
            if not isinstance(videos, list):
                raise PayloadError("field 'data.videos': expected a list", **ctx)
            for video in videos:
                item_id = video.get("item_id") if isinstance(video, dict) else None
                if item_id in (None, ""):
                    raise PayloadError("field 'data.videos[].item_id' is missing", **ctx)
                if str(item_id) in seen:
                    continue
                seen.add(str(item_id))
                yield LifetimeRecord(PLATFORM, business_id, str(item_id), video)
            if not as_bool(data.get("has_more", False), "data.has_more", **ctx):
                return
            cursor = data.get("cursor")
            if cursor in (None, ""):
                raise PayloadError("field 'data.cursor' is missing while has_more is true", **ctx)

    def iter_account_days(self, business_id: str, start: date, end: date) -> Iterator[DailyRecord]:
        """Daily account metrics for UTC days start..end (inclusive; the API looks back 60 days).

        payload = one `data.metrics[]` item (with its `date`).
        """
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        params = {
            "business_id": business_id,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "fields": json.dumps(list(self.account_day_fields)),
        }
        ctx = self.context(business_id, BUSINESS_GET_PATH)
        data = self._data(BUSINESS_GET_PATH, params, business_id)
        metrics = data.get("metrics") or []
        if not isinstance(metrics, list):
            raise PayloadError("field 'data.metrics': expected a list", **ctx)
        for item in metrics:
            if not isinstance(item, dict):
                raise PayloadError("field 'data.metrics[]': expected an object", **ctx)
            day = as_date(item.get("date"), "data.metrics[].date", **ctx)
            yield DailyRecord(PLATFORM, business_id, None, day, item)

    def _data(self, path: str, params: dict[str, Any], business_id: str) -> dict[str, Any]:
        body = self.get_json(path, params, account=business_id)
        if _code(body) == PARTIAL_OK:
            self.log_event(logging.INFO, "tiktok account %s %s: partial OK (20001): %s",
                           business_id, path, body.get("message"))
        data = body.get("data")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise PayloadError("field 'data': expected an object",
                               **self.context(business_id, path))
        return data
