"""TikTok API for Business: organic (per-video lifetime totals, daily account metrics) and the
Marketing API (advertiser, ads, daily per-ad reports).

Contract: API_CONTRACTS.md section A. Auth is the `Access-Token` header; list parameters are
JSON-encoded strings; every answer is HTTP 200 with a `code` in the body (0 = OK). Organic records
carry platform `tiktok`, Marketing API records `tiktok_ads` (docs/DESIGN.md, "Paid media").
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
    as_int,
    date_windows,
    default_classifier,
    retry_after_seconds,
)
from connectors.records import DailyRecord, LifetimeRecord

PLATFORM = "tiktok"
ADS_PLATFORM = "tiktok_ads"
DEFAULT_BASE_URL = "https://business-api.tiktok.com"
API_PREFIX = "/open_api/v1.3"
VIDEO_LIST_PATH = f"{API_PREFIX}/business/video/list/"
BUSINESS_GET_PATH = f"{API_PREFIX}/business/get/"
ADVERTISER_INFO_PATH = f"{API_PREFIX}/advertiser/info/"
AD_GET_PATH = f"{API_PREFIX}/ad/get/"
REPORT_PATH = f"{API_PREFIX}/report/integrated/get/"
VIDEO_PAGE_SIZE = 20  # max_count maximum
ADS_PAGE_SIZE = 1000  # page_size maximum of ad/get and report/integrated/get
REPORT_WINDOW_DAYS = 30  # longest stat_time_day span of one report request
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

ADVERTISER_FIELDS: tuple[str, ...] = (
    "advertiser_id", "name", "currency", "timezone", "display_timezone", "status", "country",
)
# report/integrated/get, BASIC / AUCTION_AD, one row per ad and day (advertiser time zone).
# Additive counts and spend only: rates (cpm, ctr...) are recomputed from sums downstream.
AD_DAY_METRICS: tuple[str, ...] = (
    "spend", "impressions", "clicks", "reach",
    "video_play_actions", "video_watched_2s", "video_watched_6s",
    "video_views_p25", "video_views_p50", "video_views_p75", "video_views_p100",
    "likes", "comments", "shares", "follows",
)
AD_DAY_DIMENSIONS: tuple[str, ...] = ("ad_id", "stat_time_day")
REPORT_PARAMS: dict[str, str] = {
    "service_type": "AUCTION", "report_type": "BASIC", "data_level": "AUCTION_AD",
}

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
    """TikTok API for Business (v1.3): organic account data and Marketing API ads reports."""

    platform = PLATFORM
    default_max_wait = DEFAULT_MAX_WAIT

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        *,
        video_fields: Sequence[str] = VIDEO_FIELDS,
        account_day_fields: Sequence[str] = ACCOUNT_DAY_FIELDS,
        advertiser_fields: Sequence[str] = ADVERTISER_FIELDS,
        ad_fields: Sequence[str] | None = None,
        ad_day_metrics: Sequence[str] = AD_DAY_METRICS,
        ads_page_size: int = ADS_PAGE_SIZE,
        report_window_days: int = REPORT_WINDOW_DAYS,
        **options: Any,
    ) -> None:
        super().__init__(base_url, token, **options)
        if not 1 <= ads_page_size <= ADS_PAGE_SIZE:
            raise ValueError(f"ads_page_size must be in 1..{ADS_PAGE_SIZE}")
        if not 1 <= report_window_days <= REPORT_WINDOW_DAYS:
            raise ValueError(f"report_window_days must be in 1..{REPORT_WINDOW_DAYS}")
        self.video_fields = tuple(video_fields)
        self.account_day_fields = tuple(account_day_fields)
        self.advertiser_fields = tuple(advertiser_fields)
        self.ad_fields = tuple(ad_fields) if ad_fields else None  # None: the API's default set
        self.ad_day_metrics = tuple(ad_day_metrics)
        self.ads_page_size = ads_page_size
        self.report_window_days = report_window_days

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

    # -- Marketing API (paid): records with platform "tiktok_ads"

    def get_advertiser(self, advertiser_id: str) -> LifetimeRecord:
        """The advertiser's profile (currency, timezone, name...); payload = its `data.list[]` item."""
        advertiser_id = str(advertiser_id)
        path = ADVERTISER_INFO_PATH
        params = {"advertiser_ids": json.dumps([advertiser_id]),
                  "fields": json.dumps(list(self.advertiser_fields))}
        ctx = self.context(advertiser_id, path, ADS_PLATFORM)
        data = self._data(path, params, advertiser_id, ADS_PLATFORM)
        items = data.get("list")
        if not isinstance(items, list):
            raise PayloadError("field 'data.list': expected a list", **ctx)
        for item in items:
            if not isinstance(item, dict):
                raise PayloadError("field 'data.list[]': expected an object", **ctx)
            if str(item.get("advertiser_id", "")) == advertiser_id:
                return LifetimeRecord(ADS_PLATFORM, advertiser_id, advertiser_id, item)
        if len(items) == 1 and items[0].get("advertiser_id") in (None, ""):
            return LifetimeRecord(ADS_PLATFORM, advertiser_id, advertiser_id, items[0])
        raise PayloadError(f"advertiser {advertiser_id} is not in 'data.list' "
                           f"({len(items)} item(s) returned)", **ctx)

    def iter_ads(self, advertiser_id: str) -> Iterator[LifetimeRecord]:
        """Every ad of the advertiser; payload = the ad/get item (Spark Ads: `tiktok_item_id`)."""
        advertiser_id = str(advertiser_id)
        params: dict[str, Any] = {"advertiser_id": advertiser_id}
        if self.ad_fields:
            params["fields"] = json.dumps(list(self.ad_fields))
        ctx = self.context(advertiser_id, AD_GET_PATH, ADS_PLATFORM)
        seen: set[str] = set()
        for item in self._iter_pages(AD_GET_PATH, params, advertiser_id):
            ad_id = item.get("ad_id")
            if ad_id in (None, ""):
                raise PayloadError("field 'data.list[].ad_id' is missing", **ctx)
            if str(ad_id) in seen:  # rows shifting between pages
                continue
            seen.add(str(ad_id))
            yield LifetimeRecord(ADS_PLATFORM, advertiser_id, str(ad_id), item)

    def iter_ad_days(self, advertiser_id: str, start: date, end: date) -> Iterator[DailyRecord]:
        """One record per ad and day for days start..end (inclusive, advertiser time zone).

        Requests `report/integrated/get` (AUCTION, BASIC, AUCTION_AD, dimensions ad_id +
        stat_time_day) in windows of at most 30 days, each paged to its last page.
        payload = the `data.list[]` item `{"dimensions": {...}, "metrics": {...}}` as received
        (metric values mostly numeric strings); metric_date = stat_time_day.
        """
        advertiser_id = str(advertiser_id)
        windows = date_windows(start, end, self.report_window_days)
        ctx = self.context(advertiser_id, REPORT_PATH, ADS_PLATFORM)
        base = {
            "advertiser_id": advertiser_id,
            **REPORT_PARAMS,
            "dimensions": json.dumps(list(AD_DAY_DIMENSIONS)),
            "metrics": json.dumps(list(self.ad_day_metrics)),
        }
        for first, last in windows:
            params = {**base, "start_date": first.isoformat(), "end_date": last.isoformat()}
            seen: set[tuple[str, date]] = set()
            for row in self._iter_pages(REPORT_PATH, params, advertiser_id):
                dims = row.get("dimensions")
                if not isinstance(dims, dict):
                    raise PayloadError("field 'data.list[].dimensions': expected an object", **ctx)
                if not isinstance(row.get("metrics"), dict):
                    raise PayloadError("field 'data.list[].metrics': expected an object", **ctx)
                ad_id = dims.get("ad_id")
                if ad_id in (None, ""):
                    raise PayloadError("field 'dimensions.ad_id' is missing", **ctx)
                day = as_date(dims.get("stat_time_day"), "dimensions.stat_time_day", **ctx)
                if not first <= day <= last:
                    raise PayloadError(
                        f"ad {ad_id}: field 'dimensions.stat_time_day' is {day}, outside the "
                        f"requested {first}..{last}", **ctx)
                key = (str(ad_id), day)
                if key in seen:
                    continue
                seen.add(key)
                yield DailyRecord(ADS_PLATFORM, advertiser_id, str(ad_id), day, row)

    def _iter_pages(self, path: str, params: dict[str, Any],
                    advertiser_id: str) -> Iterator[dict[str, Any]]:
        """Items of `data.list` over `page` = 1, 2... until `data.page_info.total_page`."""
        ctx = self.context(advertiser_id, path, ADS_PLATFORM)
        guard = self.page_guard(advertiser_id, path, ADS_PLATFORM)
        page = 1
        while True:
            guard.visit({**params, "page": page})
            data = self._data(path, {**params, "page": page, "page_size": self.ads_page_size},
                              advertiser_id, ADS_PLATFORM)
            items = data.get("list")
            if items is None:
                items = []
            if not isinstance(items, list):
                raise PayloadError("field 'data.list': expected a list", **ctx)
            for item in items:
                if not isinstance(item, dict):
                    raise PayloadError("field 'data.list[]': expected an object", **ctx)
                yield item
            page_info = data.get("page_info")
            if not isinstance(page_info, dict):
                if not items:
                    return  # an empty answer may come without page_info
                raise PayloadError("field 'data.page_info': expected an object", **ctx)
            total_page = as_int(page_info.get("total_page", 0), "data.page_info.total_page",
                                **ctx)
            if page >= total_page:
                return
            if not items:
                raise PayloadError(f"page {page} of {total_page} is empty", **ctx)
            page += 1

    def _data(self, path: str, params: dict[str, Any], account: str,
              platform: str = PLATFORM) -> dict[str, Any]:
        body = self.get_json(path, params, account=account, platform=platform)
        if _code(body) == PARTIAL_OK:
            self.log_event(logging.INFO, "%s account %s %s: partial OK (20001): %s",
                           platform, account, path, body.get("message"))
        data = body.get("data")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise PayloadError("field 'data': expected an object",
                               **self.context(account, path, platform))
        return data
