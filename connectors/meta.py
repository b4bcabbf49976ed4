"""Meta Graph API: Instagram Reels and Facebook Page Reels with their lifetime insights, and the
Marketing API (ad account, ads, daily per-ad insights by placement).

Contract: API_CONTRACTS.md section B; paid records carry platform `meta_ads` (docs/DESIGN.md).
The token travels in `Authorization: Bearer`, never in a URL: `paging.next` URLs are followed
with their `access_token` parameter removed and rebased on our base URL (so the token is never
sent to another host either). Rate limits: see `classify` (usage headers become waits).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from connectors.http import (
    _ERROR_FOR_VERDICT,
    ApiError,
    AuthError,
    BaseClient,
    HttpResult,
    Outcome,
    PayloadError,
    RateLimitedError,
    Verdict,
    _describe,
    as_date,
    backoff_delay,
    default_classifier,
    retry_after_seconds,
)
from connectors.records import DailyRecord, LifetimeRecord

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"
DEFAULT_MAX_WAIT = 600.0  # seconds; a longer estimated_time_to_regain_access fails fast

MEDIA_FIELDS = ("id,caption,media_type,media_product_type,permalink,timestamp,like_count,"
                "comments_count,shortcode")
MEDIA_PAGE_SIZE = 100
REELS_PRODUCT_TYPE = "REELS"
IG_REEL_METRICS = ("views,reach,likes,comments,shares,saved,total_interactions,"
                   "ig_reels_avg_watch_time,ig_reels_video_view_total_time")
# Before 2025-04-21 Instagram counted Reels `plays` (starts, replays excluded) and had no `views`
# metric: when Graph rejects the list above as naming an invalid metric (code 100), the insights
# are asked again, once, with this list; the payload then has insights.plays (staging maps it to
# views with basis instagram.plays).
IG_REEL_METRICS_LEGACY = IG_REEL_METRICS.replace("views,", "plays,", 1)
INVALID_METRIC_CODE = 100
FB_REEL_FIELDS = "id,description,title,created_time,length,permalink_url,published"
FB_REELS_PAGE_SIZE = 100  # Graph's page-size ceiling for the video_reels edge
FB_REEL_METRICS = ("blue_reels_play_count,fb_reels_total_plays,fb_reels_replay_count,"
                   "post_impressions_unique,post_video_avg_time_watched,post_video_view_time,"
                   "post_video_social_actions,post_video_likes_by_reaction_type,"
                   "post_video_followers")

ADS_PLATFORM = "meta_ads"
AD_ACCOUNT_FIELDS = "account_id,currency,timezone_name,timezone_offset_hours_utc"
AD_FIELDS = ("id,name,campaign_id,adset_id,effective_status,"
             "creative{id,effective_object_story_id,effective_instagram_media_id,video_id}")
ADS_PAGE_SIZE = 100
# /act_{id}/insights at level=ad, time_increment=1: one row per ad, day and placement. Scalars
# come back as strings, video metrics as [{action_type, value}] arrays (kept as received).
AD_INSIGHTS_FIELDS: tuple[str, ...] = (
    "account_id", "account_currency", "campaign_id", "adset_id", "ad_id", "ad_name",
    "spend", "impressions", "reach", "clicks", "cpm", "ctr", "frequency", "actions",
    "video_play_actions", "video_continuous_2_sec_watched_actions",
    "video_p25_watched_actions", "video_p50_watched_actions", "video_p75_watched_actions",
    "video_p95_watched_actions", "video_p100_watched_actions",
    "video_thruplay_watched_actions", "video_avg_time_watched_actions",
    "video_30_sec_watched_actions",
)
AD_INSIGHTS_BREAKDOWNS: tuple[str, ...] = ("publisher_platform", "platform_position")
AD_INSIGHTS_PAGE_SIZE = 500

# Insights of many objects per HTTP call (docs/DESIGN.md "Quota efficiency"):
#  * batch: Graph batch requests, `POST /{version}/` with the form field `batch`, at most 50 items,
#    each answered (and classified) like the same GET on its own; Facebook Reels use field expansion
#    `fields=...,video_insights.metric(...)` on the video_reels edge (every object of that edge is a
#    Reel, so every one supports the metrics; the Instagram media edge mixes product types, so
#    Instagram uses batch requests only);
#  * per_object: one insights GET per object (the pattern common open-source connectors use).
INSIGHTS_MODES = ("batch", "per_object")
BATCH_MAX_ITEMS = 50
BATCH_UNSUPPORTED_STATUSES = frozenset({400, 404, 405})

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
AUTH_CODES = frozenset({102, 190})
# (code, subcode) on one object's insights that mean "no insights for this one": skip it.
NO_INSIGHTS = frozenset({(10, None), (100, 2108006)})

USAGE_HEADERS = ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Ad-Account-Usage",
                 "X-FB-Ads-Insights-Throttle")
USAGE_PERCENT_KEYS = frozenset({"call_count", "total_time", "total_cputime",
                                "acc_id_util_pct", "app_id_util_pct"})
THROTTLE_AT_PERCENT = 95.0
THROTTLE_PAUSE = 60.0  # seconds, when usage is high and no regain time is given

log = logging.getLogger("connectors.meta")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def usage(headers: Mapping[str, str]) -> tuple[float, float]:
    """(highest usage percentage, longest estimated_time_to_regain_access in seconds).

    Reads every usage header Meta sends; unreadable headers count as 0.
    """
    highest, regain = 0.0, 0.0
    stack: list[Any] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            stack.append(json.loads(raw))
        except ValueError:
            log.debug("meta: unreadable %s header ignored", name)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    stack.append(value)
                elif key in USAGE_PERCENT_KEYS:
                    highest = max(highest, _number(value) or 0.0)
                elif key == "estimated_time_to_regain_access":
                    regain = max(regain, (_number(value) or 0.0) * 60.0)
    return highest, regain


def classify(result: HttpResult) -> Outcome:
    """Graph errors by `error.code`; usage headers turn into waits (retry or throttle)."""
    highest, regain = usage(result.headers)
    body = result.body
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        outcome = default_classifier(result)
        if outcome.verdict is Verdict.OK and (highest >= THROTTLE_AT_PERCENT or regain > 0):
            return Outcome(Verdict.OK, wait=max(regain, THROTTLE_PAUSE))
        return outcome
    code = _int_or_none(error.get("code"))
    subcode = _int_or_none(error.get("error_subcode"))
    message = str(error.get("message") or "")
    server_wait = regain or retry_after_seconds(result.headers)
    if code in AUTH_CODES:
        return Outcome(Verdict.AUTH, message, code=code, subcode=subcode)
    if code in RATE_LIMIT_CODES:
        if not server_wait and highest >= THROTTLE_AT_PERCENT:  # e.g. X-FB-Ads-Insights-Throttle
            server_wait = THROTTLE_PAUSE
        return Outcome(Verdict.RATE_LIMITED, message, code=code, subcode=subcode,
                       wait=server_wait or None)
    if error.get("is_transient") is True or code in TRANSIENT_CODES or result.status >= 500:
        return Outcome(Verdict.TRANSIENT, message, code=code, subcode=subcode,
                       wait=server_wait or None)
    return Outcome(Verdict.FATAL, message, code=code, subcode=subcode)


def _names_invalid_metric(err: ApiError) -> bool:
    """Graph code 100 rejecting the `metric` parameter over views / plays (e.g. "metric[0] must be
    one of the following values: plays, reach, ..."). A metric reported as "no longer supported"
    is a retirement: the older list cannot help, so that is not retried."""
    text = (err.detail or "").lower()
    return (str(err.code) == str(INVALID_METRIC_CODE) and "metric" in text
            and ("plays" in text or "views" in text) and "no longer supported" not in text)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def ad_account_key(ad_account_id: str | int) -> str:
    """`act_<digits>` from an ad account id given with or without the `act_` prefix."""
    text = str(ad_account_id).strip()
    digits = text[4:] if text.startswith("act_") else text
    if not digits.isdigit():
        raise ValueError(f"meta_ads: ad account id {ad_account_id!r} is not 'act_<digits>' "
                         "or '<digits>'")
    return f"act_{digits}"


def _required(row: Mapping[str, Any], field: str, where: str, ctx: dict[str, Any]) -> Any:
    value = row.get(field)
    if value is None or value == "":
        raise PayloadError(f"{where}: field {field!r} is missing", **ctx)
    return value


def insights_to_dict(body: Any) -> dict[str, Any]:
    """{metric name: lifetime value} from an insights answer; object values kept as they are."""
    data = body.get("data") if isinstance(body, dict) else None
    out: dict[str, Any] = {}
    for item in data or []:
        if not isinstance(item, dict) or "name" not in item:
            continue
        values = item.get("values")
        if isinstance(values, list) and values and isinstance(values[-1], dict):
            out[item["name"]] = values[-1].get("value")
        elif isinstance(item.get("total_value"), dict):
            out[item["name"]] = item["total_value"].get("value")
    return out


class MetaClient(BaseClient):
    """Instagram and Facebook Reels through the Graph API."""

    platform = "meta"
    default_max_wait = DEFAULT_MAX_WAIT

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        *,
        ads_page_size: int = ADS_PAGE_SIZE,
        insights_page_size: int = AD_INSIGHTS_PAGE_SIZE,
        ad_insights_fields: Sequence[str] = AD_INSIGHTS_FIELDS,
        insights_mode: str = "per_object",
        **options: Any,
    ) -> None:
        super().__init__(base_url, token, **options)
        if ads_page_size < 1 or insights_page_size < 1:
            raise ValueError("page sizes must be at least 1")
        if insights_mode not in INSIGHTS_MODES:
            raise ValueError(f"meta: insights_mode {insights_mode!r} is not one of {', '.join(INSIGHTS_MODES)}")
        self.insights_mode = insights_mode
        # cleared (and logged once) when the server turns out not to support them
        self.batch_supported = insights_mode == "batch"
        self.expansion_supported = insights_mode == "batch"
        self.api_version = api_version
        self.ads_page_size = ads_page_size
        self.insights_page_size = insights_page_size
        self.ad_insights_fields = tuple(ad_insights_fields)

    def classify(self, result: HttpResult) -> Outcome:
        return classify(result)

    def batch_size(self) -> int:
        """Items per Graph batch: 50, or fewer when paced below that (Graph counts every item of a
        batch against the rate limits, so a batch takes one pacer slot per item)."""
        pacer = self.pacer
        return min(BATCH_MAX_ITEMS, pacer.max_requests) if pacer is not None else BATCH_MAX_ITEMS

    def iter_instagram_reels(self, ig_user_id: str) -> Iterator[LifetimeRecord]:
        """Every Reel of the IG user; payload = media object + {"insights": {metric: value}}."""
        path = f"/{self.api_version}/{ig_user_id}/media"
        params = {"fields": MEDIA_FIELDS, "limit": MEDIA_PAGE_SIZE}
        state = {"metrics": IG_REEL_METRICS}
        pending: list[tuple[str, dict[str, Any]]] = []
        chunk = self.batch_size() if self.insights_mode == "batch" else 1
        for media in self._iter_edge("instagram", ig_user_id, path, params):
            if media.get("media_product_type") != REELS_PRODUCT_TYPE:
                continue
            pending.append((self._object_id(media, "instagram", ig_user_id, path), media))
            if len(pending) >= chunk:
                yield from self._instagram_records(ig_user_id, pending, state)
                pending = []
        if pending:
            yield from self._instagram_records(ig_user_id, pending, state)

    def _instagram_records(self, ig_user_id: str, items: list[tuple[str, dict[str, Any]]],
                           state: dict[str, str]) -> Iterator[LifetimeRecord]:
        ids = [media_id for media_id, _ in items]
        results = self._insights_many("instagram", ig_user_id, ids, "insights", state["metrics"])
        failed = [i for i, r in enumerate(results) if isinstance(r, ApiError)]
        if failed:
            errors = [results[i] for i in failed]
            other = [e for e in errors if not _names_invalid_metric(e)]  # type: ignore[arg-type]
            err = (other or errors)[0]
            assert isinstance(err, ApiError)
            if other or state["metrics"] == IG_REEL_METRICS_LEGACY:
                raise err
            # the account's API predates `views` (2025-04-21): ask once more for `plays`, and keep
            # the legacy list for the rest of this account's Reels
            self.log_event(logging.INFO, "instagram account %s: the views metric was rejected "
                           "(code %s: %s); asking for the legacy plays metric", ig_user_id,
                           err.code, err.detail)
            state["metrics"] = IG_REEL_METRICS_LEGACY
            again = self._insights_many("instagram", ig_user_id, [ids[i] for i in failed],
                                        "insights", state["metrics"])
            for i, result in zip(failed, again, strict=True):
                if isinstance(result, ApiError):
                    raise result
                results[i] = result
        for (media_id, media), insights in zip(items, results, strict=True):
            yield LifetimeRecord("instagram", ig_user_id, media_id, {**media, "insights": insights})

    def iter_facebook_reels(self, page_id: str) -> Iterator[LifetimeRecord]:
        """Every Reel of the Page; payload = reel object + {"insights": {metric: value}}."""
        path = f"/{self.api_version}/{page_id}/video_reels"
        seen: set[str] = set()
        if self.insights_mode == "batch" and self.expansion_supported:
            expanded = f"{FB_REEL_FIELDS},video_insights.metric({FB_REEL_METRICS})"
            params = {"fields": expanded, "limit": FB_REELS_PAGE_SIZE}
            try:
                for reel in self._iter_edge("facebook", page_id, path, params):
                    video_id = self._object_id(reel, "facebook", page_id, path)
                    if video_id in seen:
                        continue
                    body = reel.pop("video_insights", None)
                    if isinstance(body, dict):
                        insights = insights_to_dict(body)
                    else:  # no expansion answer for this one: ask its own insights
                        insights = self._insights_many("facebook", page_id, [video_id], "video_insights",
                                                       FB_REEL_METRICS)[0]
                        if isinstance(insights, ApiError):
                            raise insights
                    seen.add(video_id)
                    yield LifetimeRecord("facebook", page_id, video_id, {**reel, "insights": insights})
                return
            except ApiError as err:
                # Graph fails the whole expanded listing when one object's insights fail, and a
                # server without field expansion rejects the field: list plainly from here on
                self.expansion_supported = False
                self.log_event(logging.WARNING, "facebook account %s: insights field expansion on "
                               "%s failed (code %s: %s); listing without it and asking insights "
                               "per object%s", page_id, path, err.code, err.detail,
                               " in batches" if self.batch_supported else "")
        params = {"fields": FB_REEL_FIELDS, "limit": FB_REELS_PAGE_SIZE}
        pending: list[tuple[str, dict[str, Any]]] = []
        chunk = self.batch_size() if self.insights_mode == "batch" else 1
        for reel in self._iter_edge("facebook", page_id, path, params):
            video_id = self._object_id(reel, "facebook", page_id, path)
            if video_id in seen:
                continue
            seen.add(video_id)
            pending.append((video_id, reel))
            if len(pending) >= chunk:
                yield from self._facebook_records(page_id, pending)
                pending = []
        if pending:
            yield from self._facebook_records(page_id, pending)

    def _facebook_records(self, page_id: str,
                          items: list[tuple[str, dict[str, Any]]]) -> Iterator[LifetimeRecord]:
        results = self._insights_many("facebook", page_id, [vid for vid, _ in items],
                                      "video_insights", FB_REEL_METRICS)
        for (video_id, reel), insights in zip(items, results, strict=True):
            if isinstance(insights, ApiError):
                raise insights
            yield LifetimeRecord("facebook", page_id, video_id, {**reel, "insights": insights})

    # -- Marketing API (paid): records with platform "meta_ads", account_id "act_<digits>"

    def get_ad_account(self, ad_account_id: str) -> LifetimeRecord:
        """The ad account (account_id, currency, timezone_name, timezone_offset_hours_utc)."""
        account = ad_account_key(ad_account_id)
        path = f"/{self.api_version}/{account}"
        body = self.get_json(path, {"fields": AD_ACCOUNT_FIELDS}, account=account,
                             platform=ADS_PLATFORM)
        if not isinstance(body, dict):
            raise PayloadError("expected an ad account object",
                               **self.context(account, path, ADS_PLATFORM))
        return LifetimeRecord(ADS_PLATFORM, account, account, body)

    def iter_ads(self, ad_account_id: str) -> Iterator[LifetimeRecord]:
        """Every ad of the account with its creative (effective_object_story_id: boosted post)."""
        account = ad_account_key(ad_account_id)
        path = f"/{self.api_version}/{account}/ads"
        params = {"fields": AD_FIELDS, "limit": self.ads_page_size}
        seen: set[str] = set()
        for ad in self._iter_edge(ADS_PLATFORM, account, path, params):
            ad_id = self._object_id(ad, ADS_PLATFORM, account, path)
            if ad_id in seen:
                continue
            seen.add(ad_id)
            yield LifetimeRecord(ADS_PLATFORM, account, ad_id, ad)

    def iter_ad_days(self, ad_account_id: str, start: date, end: date) -> Iterator[DailyRecord]:
        """One record per ad, day and placement for days start..end (ad account time zone).

        object_id = "<ad_id>|<publisher_platform>|<platform_position>", metric_date =
        date_start (which must equal date_stop); payload = the insights row as received.
        """
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        account = ad_account_key(ad_account_id)
        path = f"/{self.api_version}/{account}/insights"
        ctx = self.context(account, path, ADS_PLATFORM)
        params = {
            "level": "ad",
            "time_increment": 1,
            "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()},
                                     separators=(",", ":")),
            "breakdowns": ",".join(AD_INSIGHTS_BREAKDOWNS),
            "fields": ",".join(self.ad_insights_fields),
            "limit": self.insights_page_size,
        }
        seen: set[tuple[str, date]] = set()
        for row in self._iter_edge(ADS_PLATFORM, account, path, params):
            ad_id = _required(row, "ad_id", "an insights row", ctx)
            where = f"ad {ad_id}"
            day = as_date(_required(row, "date_start", where, ctx), f"date_start of {where}",
                          **ctx)
            stop = as_date(_required(row, "date_stop", where, ctx), f"date_stop of {where}",
                           **ctx)
            if stop != day:
                raise PayloadError(
                    f"ad {ad_id}: field 'date_stop' is {stop} but 'date_start' is {day}; "
                    "expected one row per day (time_increment=1)", **ctx)
            if not start <= day <= end:
                raise PayloadError(f"ad {ad_id}: field 'date_start' is {day}, outside the "
                                   f"requested {start}..{end}", **ctx)
            object_id = "|".join(
                [str(ad_id), *(str(_required(row, b, where, ctx)) for b in AD_INSIGHTS_BREAKDOWNS)])
            if (object_id, day) in seen:  # rows shifting between pages
                continue
            seen.add((object_id, day))
            yield DailyRecord(ADS_PLATFORM, account, object_id, day, row)

    # -- helpers

    def _iter_edge(self, platform: str, account: str, path: str,
                   params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Objects of a cursor-paged edge, following `paging.next` until it is absent."""
        guard = self.page_guard(account, path, platform)
        ctx = self.context(account, path, platform)
        target: str = path
        query: dict[str, Any] | None = params
        guard.visit(path)
        while True:
            body = self.get_json(target, query, account=account, platform=platform)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise PayloadError("field 'data': expected a list", **ctx)
            for item in data:
                if not isinstance(item, dict):
                    raise PayloadError("field 'data[]': expected an object", **ctx)
                yield item
            paging = body.get("paging") or {}
            next_url = paging.get("next") if isinstance(paging, dict) else None
            if not next_url:
                return
            if not isinstance(next_url, str):
                raise PayloadError("field 'paging.next': expected a URL", **ctx)
            target, query = self._follow(next_url), None
            guard.visit(target)

    def _follow(self, next_url: str) -> str:
        """`next_url` without access_token, on our base URL (path and other params kept)."""
        parts = urlsplit(next_url)
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k != "access_token"]
        return self.url(parts.path) + (f"?{urlencode(kept)}" if kept else "")

    def _object_id(self, obj: dict[str, Any], platform: str, account: str, path: str) -> str:
        object_id = obj.get("id")
        if object_id in (None, ""):
            raise PayloadError("field 'data[].id' is missing",
                               **self.context(account, path, platform))
        return str(object_id)

    def _insights(self, platform: str, account: str, object_id: str, edge: str,
                  metrics: str) -> dict[str, Any]:
        path = f"/{self.api_version}/{object_id}/{edge}"
        try:
            body = self.get_json(path, {"metric": metrics}, account=account, platform=platform)
        except ApiError as err:
            if not _no_insights(err.code, err.subcode):
                raise
            self._log_no_insights(platform, account, object_id, err)
            return {}
        return insights_to_dict(body)

    def _log_no_insights(self, platform: str, account: str, object_id: str, err: ApiError) -> None:
        self.log_event(logging.WARNING, "%s account %s: no insights for %s (code %s/%s): %s;"
                       " stored without insights", platform, account, object_id, err.code,
                       err.subcode, err.detail)

    def _insights_many(self, platform: str, account: str, object_ids: Sequence[str], edge: str,
                       metrics: str) -> list[dict[str, Any] | ApiError]:
        """Insights of each object, in order: a {metric: value} dict ({} for an object without
        insights) or the ApiError its request ended with (the caller decides: legacy metrics or
        raise). Rate limits, transient failures and auth errors are handled (or raised) here."""
        if self.insights_mode == "batch" and self.batch_supported and len(object_ids) > 1:
            results = self._insights_batch(platform, account, object_ids, edge, metrics)
            if results is not None:
                return results
        out: list[dict[str, Any] | ApiError] = []
        for object_id in object_ids:
            try:
                out.append(self._insights(platform, account, object_id, edge, metrics))
            except ApiError as err:
                out.append(err)
        return out

    def _insights_batch(self, platform: str, account: str, object_ids: Sequence[str], edge: str,
                        metrics: str) -> list[dict[str, Any] | ApiError] | None:
        """One Graph batch (<= 50 items) of insights GETs; items that were rate limited or failed
        transiently are sent again (alone, in a smaller batch) with the usual backoff. None when
        the server does not support batch requests (then `batch_supported` is cleared)."""
        if len(object_ids) > self.batch_size():
            raise ValueError(f"at most {self.batch_size()} objects per batch")
        relative = {oid: f"{self.api_version}/{oid}/{edge}?{urlencode({'metric': metrics})}"
                    for oid in object_ids}
        results: dict[str, dict[str, Any] | ApiError] = {}
        pending = list(object_ids)
        attempt = 0
        waited = 0.0
        while pending:
            attempt += 1
            entries = self._post_batch(platform, account, [relative[o] for o in pending])
            if entries is None:
                if results:  # support vanished half-way: finish those one by one
                    rest = self._insights_many(platform, account, pending, edge, metrics)
                    results.update(zip(pending, rest, strict=True))
                    break
                return None
            retry: list[str] = []
            last: Outcome | None = None
            for object_id, entry in zip(pending, entries, strict=True):
                path = f"/{self.api_version}/{object_id}/{edge}"
                context = self.context(account, path, platform)
                outcome, body = self._classify_item(entry)
                if outcome.verdict is Verdict.OK:
                    if outcome.wait:
                        self._pending_throttle = max(self._pending_throttle, outcome.wait)
                    results[object_id] = insights_to_dict(body)
                    continue
                detail = _describe(outcome)
                if outcome.verdict is Verdict.AUTH:
                    raise AuthError(detail, code=outcome.code, subcode=outcome.subcode, **context)
                if outcome.verdict is Verdict.FATAL:
                    err = ApiError(detail, code=outcome.code, subcode=outcome.subcode, **context)
                    if _no_insights(outcome.code, outcome.subcode):
                        self._log_no_insights(platform, account, object_id, err)
                        results[object_id] = {}
                    else:
                        results[object_id] = err
                    continue
                if outcome.verdict is Verdict.QUOTA or attempt >= self.max_attempts or (
                        outcome.wait is not None and outcome.wait > self.max_wait):
                    cls = _ERROR_FOR_VERDICT[outcome.verdict]
                    if outcome.wait is not None and outcome.wait > self.max_wait:
                        cls, detail = RateLimitedError, (
                            f"{detail}; server asks to wait {outcome.wait:.0f} s, more than the "
                            f"{self.max_wait:.0f} s cap")
                    elif outcome.verdict is not Verdict.QUOTA:
                        detail = f"{detail}; gave up after {attempt} attempts"
                    raise cls(detail, code=outcome.code, subcode=outcome.subcode,
                              retry_after=outcome.wait, **context)
                retry.append(object_id)
                last = outcome
            if retry and last is not None:
                delay = (last.wait if last.wait is not None
                         else backoff_delay(attempt, self.backoff_base, self.backoff_max, self._rng))
                if waited + delay > self.max_total_wait:
                    raise _ERROR_FOR_VERDICT[last.verdict](
                        f"{_describe(last)}; retry wait budget of {self.max_total_wait:.0f} s used up",
                        code=last.code, subcode=last.subcode, retry_after=last.wait,
                        **self.context(account, f"/{self.api_version}/{retry[0]}/{edge}", platform))
                self.log_event(logging.WARNING, "%s account %s: %d of %d batch items %s; retry "
                               "%d/%d in %.1f s", platform, account, len(retry), len(pending),
                               _describe(last), attempt, self.max_attempts - 1, delay)
                self._sleep(delay)
                waited += delay
            pending = retry
        return [results[o] for o in object_ids]

    def _post_batch(self, platform: str, account: str, relative_urls: list[str]) -> list[Any] | None:
        """POST one batch; its list of item answers, or None when batch requests are unsupported
        (an answer that is not a list of the right length, or HTTP 400/404/405 on the batch path)."""
        path = f"/{self.api_version}/"
        batch = json.dumps([{"method": "GET", "relative_url": url} for url in relative_urls],
                           separators=(",", ":"))
        try:
            body = self.request_json("POST", path, data={"batch": batch, "include_headers": "true"},
                                     account=account, platform=platform, weight=len(relative_urls))
        except ApiError as err:
            return self._batch_unsupported(platform, account, f"code {err.code}: {err.detail}")
        if not isinstance(body, list) or len(body) != len(relative_urls):
            return self._batch_unsupported(platform, account, "the answer is not a list of one "
                                           "answer per item")
        return body

    def _batch_unsupported(self, platform: str, account: str, why: str) -> None:
        if self.batch_supported:
            self.log_event(logging.WARNING, "%s account %s: Graph batch requests are not supported "
                           "by %s (%s); asking insights one object per call from now on", platform,
                           account, self.base_url, why)
        self.batch_supported = False
        return None

    def _classify_item(self, entry: Any) -> tuple[Outcome, Any]:
        """One batch item answer as a classifier verdict (null = not processed: transient)."""
        if not isinstance(entry, dict):
            return Outcome(Verdict.TRANSIENT, "batch item not processed (null answer)"), None
        try:
            status = int(entry.get("code"))
        except (TypeError, ValueError):
            return Outcome(Verdict.TRANSIENT, "batch item without a status code"), None
        headers = {str(h.get("name")): str(h.get("value")) for h in entry.get("headers") or []
                   if isinstance(h, dict)}
        text = entry.get("body")
        try:
            body = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            body = None
        if 200 <= status < 300 and not isinstance(body, dict):
            return Outcome(Verdict.TRANSIENT, f"batch item HTTP {status} with a truncated or "
                                              "non-JSON body"), None
        return self._classify(HttpResult(status, headers, body)), body


def _no_insights(code: Any, subcode: Any) -> bool:
    return (code, subcode) in NO_INSIGHTS or (code, None) in NO_INSIGHTS
