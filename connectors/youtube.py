"""YouTube Data API v3 (lifetime counters) and YouTube Analytics v2 (daily rows per video).

Contract: API_CONTRACTS.md section C. OAuth `Authorization: Bearer` on both hosts. Errors are
HTTP statuses with `error.errors[].reason`: quota exhaustion is a 403 that must not be retried.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from connectors.http import (
    ApiError,
    BaseClient,
    HttpResult,
    Outcome,
    PayloadError,
    Verdict,
    as_date,
    default_classifier,
    retry_after_seconds,
)
from connectors.records import DailyRecord, LifetimeRecord

PLATFORM = "youtube"
DEFAULT_DATA_BASE_URL = "https://www.googleapis.com"
DEFAULT_ANALYTICS_BASE_URL = "https://youtubeanalytics.googleapis.com"
CHANNELS_PATH = "/youtube/v3/channels"
PLAYLIST_ITEMS_PATH = "/youtube/v3/playlistItems"
VIDEOS_PATH = "/youtube/v3/videos"
REPORTS_PATH = "/v2/reports"
DATA_PAGE_SIZE = 50  # maxResults maximum; also the videos.list id batch size
ANALYTICS_PAGE_SIZE = 200  # maxResults ceiling of a report with the video dimension
ANALYTICS_MAX_VIDEO_FILTER = 500  # video IDs in one `filters=video==id1,id2,...`
# Daily Analytics rows (docs/DESIGN.md "Quota efficiency"):
#  * per_video: `dimensions=day&filters=video==ID` over the whole window, one report per video;
#  * by_day: `dimensions=video&filters=video==ID1,...` for one day per report (500 IDs per filter,
#    200 rows per page with startIndex paging): one call per day and 200 videos, instead of one per
#    video (a channel with fewer Shorts than days in the window is still asked per video: fewer
#    calls). Rows are turned back into the per_video payload ({"day": ..., metrics...}).
REPORTS_MODES = ("by_day", "per_video")
DEFAULT_MAX_WAIT = 300.0  # seconds
VIDEO_PARTS = "snippet,contentDetails,statistics"
PLAYLIST_ITEM_PARTS = "snippet,contentDetails"
DAILY_METRICS = ("views,engagedViews,estimatedMinutesWatched,averageViewDuration,likes,comments,"
                 "shares,subscribersGained")

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
AUTH_REASONS = frozenset({"authError", "insufficientPermissions", "forbidden"})
# A 429 about a per-day limit ("FreeQuotaRequestsPerDayPerProject", "Queries per day") is a quota.
DAILY_QUOTA_MARKER = re.compile(r"per ?day", re.IGNORECASE)

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_iso8601_duration(value: str) -> int | float:
    """Seconds in an ISO-8601 duration such as "PT1M30S" (90) or "P1DT2H" (93600).

    Returns an int unless the seconds have a fraction. Years and months (ambiguous) and
    garbage raise PayloadError.
    """
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if not match or value.strip() in ("P", "PT") or value.strip().endswith("T"):
        raise PayloadError(f"field 'duration': not an ISO-8601 duration: {value!r}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    total = (parts["weeks"] * 7 * 86400 + parts["days"] * 86400 + parts["hours"] * 3600
             + parts["minutes"] * 60 + parts["seconds"])
    return int(total) if total.is_integer() else total


def classify(result: HttpResult) -> Outcome:
    """Google errors: the reason decides between quota (final), rate limit, auth and the rest."""
    if 200 <= result.status < 300:
        return default_classifier(result)
    error = result.body.get("error") if isinstance(result.body, dict) else None
    if not isinstance(error, dict):
        return default_classifier(result)
    reasons = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
    message = str(error.get("message") or "")
    code = next(iter(sorted(reasons)), None) or result.status
    wait = retry_after_seconds(result.headers)
    if result.status == 401:
        return Outcome(Verdict.AUTH, message, code=code)
    if reasons & QUOTA_REASONS or (result.status == 429 and DAILY_QUOTA_MARKER.search(message)):
        return Outcome(Verdict.QUOTA, message, code=code)
    if reasons & RATE_LIMIT_REASONS or result.status == 429:
        return Outcome(Verdict.RATE_LIMITED, message, code=code, wait=wait)
    if result.status == 403 and reasons & AUTH_REASONS:
        return Outcome(Verdict.AUTH, message, code=code)
    if result.status >= 500:
        return Outcome(Verdict.TRANSIENT, message, code=code, wait=wait)
    return Outcome(Verdict.FATAL, message, code=code)


class YouTubeClient(BaseClient):
    """A channel's uploads (lifetime statistics) and their daily Analytics rows."""

    platform = PLATFORM
    default_max_wait = DEFAULT_MAX_WAIT

    def __init__(
        self,
        data_base_url: str = DEFAULT_DATA_BASE_URL,
        analytics_base_url: str = DEFAULT_ANALYTICS_BASE_URL,
        token: str | None = None,
        *,
        analytics_page_size: int = ANALYTICS_PAGE_SIZE,
        reports_mode: str = "per_video",
        **options: Any,
    ) -> None:
        super().__init__(data_base_url, token, **options)
        if reports_mode not in REPORTS_MODES:
            raise ValueError(f"youtube: reports_mode {reports_mode!r} is not one of {', '.join(REPORTS_MODES)}")
        self.analytics_base_url = analytics_base_url.rstrip("/")
        self.analytics_page_size = analytics_page_size
        self.reports_mode = reports_mode
        self.by_day_supported = reports_mode == "by_day"  # cleared (logged once) on a 400

    def classify(self, result: HttpResult) -> Outcome:
        return classify(result)

    # -- Data API

    def iter_videos(self, channel_id: str) -> Iterator[LifetimeRecord]:
        """Every upload of the channel; payload = the videos.list item."""
        uploads = self._uploads_playlist(channel_id)
        guard = self.page_guard(channel_id, PLAYLIST_ITEMS_PATH)
        ctx = self.context(channel_id, PLAYLIST_ITEMS_PATH)
        page_token: str | None = None
        seen: set[str] = set()
        while True:
            guard.visit(page_token)
            params = {"part": PLAYLIST_ITEM_PARTS, "playlistId": uploads,
                      "maxResults": DATA_PAGE_SIZE}
            if page_token:
                params["pageToken"] = page_token
            page = self.get_json(PLAYLIST_ITEMS_PATH, params, account=channel_id)
            ids = []
            for item in _items(page, ctx):
                video_id = ((item.get("contentDetails") or {}).get("videoId")
                            or ((item.get("snippet") or {}).get("resourceId") or {}).get("videoId"))
                if not video_id:
                    raise PayloadError("field 'items[].contentDetails.videoId' is missing", **ctx)
                if video_id not in seen:
                    seen.add(video_id)
                    ids.append(video_id)
            yield from self._videos(channel_id, ids)
            page_token = page.get("nextPageToken")
            if not page_token:
                return

    def _uploads_playlist(self, channel_id: str) -> str:
        ctx = self.context(channel_id, CHANNELS_PATH)
        body = self.get_json(CHANNELS_PATH, {"part": "contentDetails", "id": channel_id},
                             account=channel_id)
        items = _items(body, ctx)
        if not items:
            raise ApiError("channel not found, or not visible to this token", **ctx)
        try:
            uploads = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
        except (KeyError, TypeError):
            uploads = None
        if not uploads:
            raise PayloadError(
                "field 'items[0].contentDetails.relatedPlaylists.uploads' is missing", **ctx)
        return str(uploads)

    def _videos(self, channel_id: str, video_ids: list[str]) -> Iterator[LifetimeRecord]:
        ctx = self.context(channel_id, VIDEOS_PATH)
        for start in range(0, len(video_ids), DATA_PAGE_SIZE):
            batch = video_ids[start:start + DATA_PAGE_SIZE]
            body = self.get_json(VIDEOS_PATH, {"part": VIDEO_PARTS, "id": ",".join(batch)},
                                 account=channel_id)
            for item in _items(body, ctx):
                if not item.get("id"):
                    raise PayloadError("field 'items[].id' is missing", **ctx)
                yield LifetimeRecord(PLATFORM, channel_id, str(item["id"]), item)

    # -- Analytics API

    def iter_video_days(self, channel_id: str, video_ids: Iterable[str], start: date,
                        end: date) -> Iterator[DailyRecord]:
        """Daily rows start..end for each video (one reports query per video).

        payload = {column name: value} of one row, `day` included. Days without data (the
        newest 2-3 days, or none at all when `rows` is absent) are simply not yielded.
        """
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        ids = list(dict.fromkeys(video_ids))
        done: set[tuple[str, date]] = set()
        n_days = (end - start).days + 1
        # by_day costs about a call per day and 200 videos; with fewer Shorts than days in the
        # window one report per video is cheaper (same rows either way)
        by_day_calls = n_days * -(-len(ids) // self.analytics_page_size)
        if self.by_day_supported and ids and by_day_calls < len(ids):
            day = start
            try:
                while day <= end:
                    records = list(self._day_of_videos(channel_id, ids, day))
                    for record in records:
                        done.add((record.object_id, day))
                    yield from records
                    day += timedelta(days=1)
                return
            except ApiError as err:
                self.by_day_supported = False
                self.log_event(logging.WARNING, "youtube account %s: reports with dimensions=video "
                               "were refused (code %s: %s); asking one report per video from now on",
                               channel_id, err.code, err.detail)
        for video_id in ids:
            for record in self._video_days(channel_id, video_id, start, end):
                if (video_id, record.metric_date) not in done:
                    yield record

    def _day_of_videos(self, channel_id: str, video_ids: list[str], day: date) -> Iterator[DailyRecord]:
        """One day's rows of many videos: `dimensions=video`, IDs chunked to the filter cap."""
        ctx = self.context(channel_id, REPORTS_PATH)
        wanted = set(video_ids)
        seen: set[str] = set()
        for first in range(0, len(video_ids), ANALYTICS_MAX_VIDEO_FILTER):
            chunk = video_ids[first:first + ANALYTICS_MAX_VIDEO_FILTER]
            params = {
                "ids": f"channel=={channel_id}",
                "startDate": day.isoformat(),
                "endDate": day.isoformat(),
                "metrics": DAILY_METRICS,
                "dimensions": "video",
                "filters": "video==" + ",".join(chunk),
                "sort": "-views",
            }
            for names, row in self._report_rows(channel_id, params, first_column="video"):
                video_id = str(row[0])
                if video_id not in wanted:
                    raise PayloadError(f"row for video {video_id!r}, which was not asked for", **ctx)
                if video_id in seen:  # rows shifting between pages
                    continue
                seen.add(video_id)
                # the payload per_video lands: {"day": ..., metrics...}
                payload = {"day": day.isoformat(), **dict(zip(names[1:], row[1:], strict=True))}
                yield DailyRecord(PLATFORM, channel_id, video_id, day, payload)

    def _video_days(self, channel_id: str, video_id: str, start: date,
                    end: date) -> Iterator[DailyRecord]:
        ctx = self.context(channel_id, REPORTS_PATH)
        params = {
            "ids": f"channel=={channel_id}",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "metrics": DAILY_METRICS,
            "dimensions": "day",
            "filters": f"video=={video_id}",
            "sort": "day",
        }
        for names, row in self._report_rows(channel_id, params):
            record = dict(zip(names, row, strict=True))
            day = as_date(record.get("day"), "rows[].day", **ctx)
            yield DailyRecord(PLATFORM, channel_id, video_id, day, record)

    def _report_rows(self, channel_id: str, params: dict[str, Any],
                     first_column: str | None = None) -> Iterator[tuple[list[Any], list[Any]]]:
        """(columnHeaders names, row) of every page of one reports.query (`startIndex` paging,
        `maxResults` = the page size); each row is checked against the headers."""
        url = self.analytics_base_url + REPORTS_PATH
        guard = self.page_guard(channel_id, REPORTS_PATH)
        ctx = self.context(channel_id, REPORTS_PATH)
        start_index = 1
        while True:
            body = self.get_json(url, {**params, "maxResults": self.analytics_page_size,
                                       "startIndex": start_index}, account=channel_id)
            if not isinstance(body, dict):
                raise PayloadError("expected a JSON object", **ctx)
            rows = body.get("rows") or []
            if not rows:
                return
            guard.visit(rows[0])  # a server ignoring startIndex repeats its first row
            names = [h.get("name") for h in body.get("columnHeaders") or []
                     if isinstance(h, dict)]
            if first_column and (not names or names[0] != first_column):
                raise PayloadError(f"columnHeaders {names}: expected the {first_column} column first",
                                   **ctx)
            for row in rows:
                if not isinstance(row, list) or len(row) != len(names):
                    raise PayloadError(
                        f"row {json.dumps(row)[:80]} does not match columnHeaders {names}", **ctx)
                yield names, row
            if len(rows) < self.analytics_page_size:
                return
            start_index += len(rows)


def _items(body: Any, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items") if isinstance(body, dict) else None
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PayloadError("field 'items': expected a list of objects", **ctx)
    return items
