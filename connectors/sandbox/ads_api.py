"""Paid-media routes of the sandbox: TikTok Marketing API and Meta Marketing API (API_CONTRACTS A3, B6, B7).

    GET /open_api/v1.3/advertiser/info/          advertiser_ids (JSON array), fields
    GET /open_api/v1.3/ad/get/                   advertiser_id, page, page_size <= 1000, fields, filtering
    GET /open_api/v1.3/report/integrated/get/    BASIC / AUCTION_AD, dims ad_id + stat_time_day, <= 30 days
    GET /v{N}.0/act_{id}                         ad account fields
    GET /v{N}.0/act_{id}/ads                     ads (field expansion creative{...}, cursor paging)
    GET /v{N}.0/act_{id}/insights                level=ad, time_increment=1|all_days, breakdowns, cursor paging

The server (server.py) does auth, faults and envelopes; these functions get the parsed query and
return the `data` object (TikTok) or the body (Graph), or raise `TikTokApiError` / `GraphApiError`.
"""

from __future__ import annotations

import ast
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from .ads import META_ADS, TIKTOK_ADS, Ad, AdAccount, AdBook, DeliveryRow, format_minor
from .faults import Reply, graph_error
from .wire import b64, parse_list, unb64

TT_PAGE_SIZE_MAX = 1000
TT_PAGE_SIZE_DEFAULT = 10
TT_REPORT_MAX_DAYS = 30  # inclusive day count of start_date..end_date

TT_ADVERTISER_FIELDS: tuple[str, ...] = (
    "advertiser_id", "name", "company", "status", "role", "currency", "timezone", "display_timezone",
    "country", "create_time", "balance", "industry", "language",
)  # fmt: skip
TT_AD_FIELDS: tuple[str, ...] = (
    "advertiser_id", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_id", "ad_name",
    "ad_format", "ad_text", "call_to_action", "identity_type", "identity_id", "tiktok_item_id", "video_id",
    "create_time", "modify_time", "operation_status", "secondary_status", "is_aco",
)  # fmt: skip
# metric -> how it is printed: "s" numeric string, "n" JSON number
TT_REPORT_METRICS: dict[str, str] = {
    "spend": "s", "cpc": "s", "cpm": "s", "impressions": "s", "clicks": "s", "ctr": "s", "reach": "s",
    "cost_per_1000_reached": "s", "frequency": "s", "video_play_actions": "s", "video_watched_2s": "s",
    "video_watched_6s": "s", "average_video_play": "n", "average_video_play_per_user": "n",
    "video_views_p25": "n", "video_views_p50": "n", "video_views_p75": "n", "video_views_p100": "n",
    "profile_visits": "s", "likes": "s", "comments": "s", "shares": "s", "follows": "s",
    "engaged_view": "s", "engaged_view_15s": "s", "paid_engaged_view": "s", "conversion": "s",
    "cost_per_conversion": "s", "currency": "s",
}  # fmt: skip

META_ACCOUNT_FIELDS = frozenset(
    {
        "id", "account_id", "name", "currency", "timezone_name", "timezone_offset_hours_utc", "timezone_id",
        "account_status", "business_country_code", "created_time",
    }
)  # fmt: skip
META_AD_FIELDS = frozenset(
    {
        "id", "name", "account_id", "adset_id", "campaign_id", "status", "effective_status", "configured_status",
        "created_time", "updated_time", "creative",
    }
)  # fmt: skip
META_CREATIVE_FIELDS = frozenset(
    {
        "id", "name", "object_type", "effective_object_story_id", "effective_instagram_media_id",
        "instagram_permalink_url", "video_id", "thumbnail_url", "body", "title",
    }
)  # fmt: skip
META_VIDEO_ARRAYS: dict[str, str] = {  # insights field -> delivery key
    "video_play_actions": "video_plays",
    "video_continuous_2_sec_watched_actions": "video_views_2s",
    "video_p25_watched_actions": "video_views_p25",
    "video_p50_watched_actions": "video_views_p50",
    "video_p75_watched_actions": "video_views_p75",
    "video_p95_watched_actions": "video_views_p95",
    "video_p100_watched_actions": "video_views_p100",
    "video_thruplay_watched_actions": "thruplays",
    "video_30_sec_watched_actions": "video_views_30s",
}
# actions[] action_type -> how it is computed from the delivery keys
META_ACTION_TYPES: tuple[str, ...] = (
    "link_click", "video_view", "post_reaction", "comment", "post", "like", "post_engagement", "page_engagement",
)  # fmt: skip
META_INSIGHTS_FIELDS = frozenset(
    {
        "account_id", "account_name", "account_currency", "campaign_id", "campaign_name", "adset_id", "adset_name",
        "ad_id", "ad_name", "spend", "impressions", "reach", "clicks", "cpm", "cpc", "ctr", "cpp", "frequency",
        "actions", "video_avg_time_watched_actions", "objective", "inline_link_clicks",
    }
    | set(META_VIDEO_ARRAYS)
)  # fmt: skip
META_BREAKDOWNS = ("publisher_platform", "platform_position")
META_WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
META_RETIRED_WINDOWS = ("7d_view", "28d_view")
_WINDOW_SHARE = {"1d_click": 0.55, "7d_click": 0.8, "28d_click": 0.85, "1d_view": 0.2, "1d_ev": 0.05}
META_INSIGHTS_LIMIT_DEFAULT = 25
META_INSIGHTS_LIMIT_MAX = 5000
META_ADS_LIMIT_DEFAULT = 25
META_ADS_LIMIT_MAX = 100


class TikTokApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class GraphApiError(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _e100(message: str, **kw: Any) -> GraphApiError:
    return GraphApiError(graph_error(100, message, **kw))


# --------------------------------------------------------------------------------- helpers


def _iso_date(value: str | None, name: str) -> date:
    try:
        if not value or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(name) from None


def _tt_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _graph_local_time(dt: datetime, tz: str) -> str:
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M:%S%z")


def _f(x: float, nd: int) -> str:
    return f"{x:.{nd}f}"


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


# ================================================================================== TikTok


def _tt_page(q: Mapping[str, str]) -> tuple[int, int]:
    try:
        page = int(q.get("page") or 1)
    except ValueError:
        raise TikTokApiError(40002, "page: Not a valid integer.") from None
    try:
        size = int(q.get("page_size") or TT_PAGE_SIZE_DEFAULT)
    except ValueError:
        raise TikTokApiError(40002, "page_size: Not a valid integer.") from None
    if page < 1:
        raise TikTokApiError(40002, "page: Must be greater than or equal to 1.")
    if not 1 <= size <= TT_PAGE_SIZE_MAX:
        raise TikTokApiError(
            40002, f"page_size: Must be greater than or equal to 1 and less than or equal to {TT_PAGE_SIZE_MAX}."
        )
    return page, size


def _tt_paged(items: Sequence[Any], page: int, size: int) -> tuple[Sequence[Any], dict[str, int]]:
    total = len(items)
    info = {"page": page, "page_size": size, "total_number": total, "total_page": math.ceil(total / size)}
    return items[(page - 1) * size : page * size], info


def _tt_fields(q: Mapping[str, str], allowed: Sequence[str]) -> list[str]:
    raw = q.get("fields")
    if not raw:
        return list(allowed)
    try:
        fields = parse_list(raw)
    except ValueError:
        raise TikTokApiError(40002, "fields: Invalid JSON array.") from None
    out: list[str] = []
    for f in fields:
        if not isinstance(f, str) or f not in allowed:
            raise TikTokApiError(40002, f"fields: Invalid field: {f}.")
        if f not in out:
            out.append(f)
    return out


def _tt_advertiser(book: AdBook, q: Mapping[str, str], key: str = "advertiser_id") -> AdAccount:
    adv = q.get(key)
    if not adv:
        raise TikTokApiError(40002, f"{key}: Missing data for required field.")
    acc = book.account(TIKTOK_ADS, adv)
    if acc is None:
        raise TikTokApiError(
            40001, f"No permission to operate advertiser {adv}. Please make sure the advertiser is authorized."
        )
    return acc


def tt_advertiser_info(book: AdBook, q: Mapping[str, str], as_of: date) -> dict[str, Any]:
    raw = q.get("advertiser_ids")
    if not raw:
        raise TikTokApiError(40002, "advertiser_ids: Missing data for required field.")
    try:
        ids = [str(i) for i in parse_list(raw)]
    except ValueError:
        raise TikTokApiError(40002, "advertiser_ids: Invalid JSON array.") from None
    if not 1 <= len(ids) <= 100:
        raise TikTokApiError(40002, "advertiser_ids: Length must be between 1 and 100.")
    fields = _tt_fields(q, TT_ADVERTISER_FIELDS)
    out = []
    for adv in ids:
        acc = _tt_advertiser(book, {"advertiser_id": adv})
        values: dict[str, Any] = {
            "advertiser_id": acc.account_id,
            "name": acc.name,
            "company": f"{acc.brand.capitalize()} GmbH" if acc.country == "DE" else f"{acc.brand.capitalize()} Ltd",
            "status": "STATUS_ENABLE",
            "role": "ROLE_ADVERTISER",
            "currency": acc.currency,
            "timezone": acc.timezone,
            "display_timezone": acc.timezone,
            "country": acc.country,
            "create_time": int(acc.created_at.timestamp()),
            "balance": 0.0,
            "industry": "291302",
            "language": "en",
        }
        out.append({f: values[f] for f in fields})
    return {"list": out}


def _tt_ad_item(book: AdBook, ad: Ad, acc: AdAccount, fields: list[str], as_of: date) -> dict[str, Any]:
    running = ad.last_day >= as_of
    values: dict[str, Any] = {
        "advertiser_id": acc.account_id,
        "campaign_id": ad.campaign_id,
        "campaign_name": ad.campaign_name,
        "adgroup_id": ad.adgroup_id,
        "adgroup_name": ad.adgroup_name,
        "ad_id": ad.ad_id,
        "ad_name": ad.ad_name,
        "ad_format": "SINGLE_VIDEO",
        "ad_text": ad.text,
        "call_to_action": "LEARN_MORE",
        "identity_type": "BC_AUTH_TT" if ad.is_spark else "CUSTOMIZED_USER",
        "identity_id": book.world.brand(ad.brand).tiktok_business_id if ad.is_spark else f"7{ad.ad_id[-17:]}",
        "tiktok_item_id": ad.boosted_content_id,
        "video_id": ad.video_id,
        "create_time": _tt_time(ad.created_at),
        "modify_time": _tt_time(ad.created_at + timedelta(hours=2)),
        "operation_status": "ENABLE" if running else "DISABLE",
        "secondary_status": "AD_STATUS_DELIVERY_OK" if running else "AD_STATUS_DISABLE",
        "is_aco": False,
    }
    out = {}
    for f in fields:
        v = values[f]
        if v is None and f in ("tiktok_item_id", "video_id"):
            continue  # Spark Ads carry tiktok_item_id, the others video_id
        out[f] = v
    return out


def _tt_filtering(q: Mapping[str, str]) -> set[str] | None:
    raw = q.get("filtering")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            raise TikTokApiError(40002, "filtering: Invalid JSON.") from None
    ids: set[str] = set()
    if isinstance(value, dict):  # ad/get style {"ad_ids": [...]}
        got = value.get("ad_ids")
        if got is None:
            return None
        return {str(i) for i in got}
    if isinstance(value, list):  # report style [{field_name, filter_type, filter_value}]
        for cond in value:
            if not isinstance(cond, dict) or cond.get("field_name") not in ("ad_ids", "ad_id"):
                raise TikTokApiError(40002, "filtering: the sandbox supports ad_ids IN filters only.")
            fv = cond.get("filter_value")
            vals = parse_list(fv) if isinstance(fv, str) else fv
            ids |= {str(i) for i in vals or []}
        return ids
    raise TikTokApiError(40002, "filtering: Invalid JSON.")


def tt_ad_get(book: AdBook, q: Mapping[str, str], as_of: date) -> dict[str, Any]:
    acc = _tt_advertiser(book, q)
    fields = _tt_fields(q, TT_AD_FIELDS)
    page, size = _tt_page(q)
    ads = book.account_ads(acc, as_of)
    wanted = _tt_filtering(q)
    if wanted is not None:
        ads = [a for a in ads if a.ad_id in wanted]
    chunk, info = _tt_paged(ads, page, size)
    return {"list": [_tt_ad_item(book, a, acc, fields, as_of) for a in chunk], "page_info": info}


def _tt_metric(name: str, v: Mapping[str, int], row: DeliveryRow) -> Any:
    impressions, clicks, reach = v["impressions"], v["clicks"], v["reach"]
    spend = v["spend_minor"] / 100.0
    if name == "spend":
        return format_minor(v["spend_minor"])
    if name == "cpc":
        return _f(_ratio(spend, clicks), 2)
    if name == "cpm":
        return _f(_ratio(spend * 1000, impressions), 2)
    if name == "ctr":
        return _f(_ratio(clicks * 100, impressions), 2)
    if name == "cost_per_1000_reached":
        return _f(_ratio(spend * 1000, reach), 2)
    if name == "frequency":
        return _f(_ratio(impressions, reach), 2)
    if name == "average_video_play":
        return row.avg_watch_seconds
    if name == "average_video_play_per_user":
        return round(row.avg_watch_seconds * _ratio(v["video_plays"], reach), 2)
    if name == "currency":
        return row.account.currency
    if name == "conversion":
        return "0"
    if name == "cost_per_conversion":
        return "0.00"
    key = {
        "video_play_actions": "video_plays",
        "video_watched_2s": "video_views_2s",
        "video_watched_6s": "video_views_6s",
        "engaged_view": "video_views_6s",
        "engaged_view_15s": "thruplays",
        "paid_engaged_view": "video_views_6s",
    }.get(name, name)
    value = v[key]
    return value if TT_REPORT_METRICS[name] == "n" else str(value)


def tt_report(book: AdBook, q: Mapping[str, str], as_of: date) -> dict[str, Any]:
    acc = _tt_advertiser(book, q)
    if (q.get("service_type") or "AUCTION") != "AUCTION":
        raise TikTokApiError(40002, "service_type: the sandbox serves AUCTION reports only.")
    if q.get("report_type") != "BASIC":
        raise TikTokApiError(40002, "report_type: Must be one of: BASIC, AUDIENCE, PLAYABLE_MATERIAL, CATALOG...")
    if q.get("data_level") != "AUCTION_AD":
        raise TikTokApiError(40002, "data_level: the sandbox serves AUCTION_AD reports only.")
    try:
        dims = parse_list(q.get("dimensions") or "")
    except ValueError:
        raise TikTokApiError(40002, "dimensions: Invalid JSON array.") from None
    if sorted(dims) != ["ad_id", "stat_time_day"]:
        raise TikTokApiError(40002, f'dimensions: the sandbox supports ["ad_id", "stat_time_day"], got {dims}.')
    raw_metrics = q.get("metrics")
    try:
        metrics = parse_list(raw_metrics) if raw_metrics else ["spend", "impressions"]
    except ValueError:
        raise TikTokApiError(40002, "metrics: Invalid JSON array.") from None
    for m in metrics:
        if not isinstance(m, str) or m not in TT_REPORT_METRICS:
            raise TikTokApiError(40002, f"metrics: Invalid metric: {m}.")
    metrics = list(dict.fromkeys(metrics))
    if str(q.get("query_lifetime", "")).lower() == "true":
        raise TikTokApiError(40002, "query_lifetime: the sandbox serves daily reports only.")
    try:
        start = _iso_date(q.get("start_date"), "start_date")
        end = _iso_date(q.get("end_date"), "end_date")
    except ValueError as exc:
        raise TikTokApiError(40002, f"{exc}: Not a valid date, expected YYYY-MM-DD.") from None
    if start > end:
        raise TikTokApiError(40002, "start_date must be earlier than or equal to end_date.")
    if (end - start).days + 1 > TT_REPORT_MAX_DAYS:
        raise TikTokApiError(
            40002, f"The time span between start_date and end_date cannot exceed {TT_REPORT_MAX_DAYS} days."
        )
    page, size = _tt_page(q)
    wanted = _tt_filtering(q)
    rows = [r for r in book.rows_between(acc, start, min(end, as_of)) if wanted is None or r.ad.ad_id in wanted]
    chunk, info = _tt_paged(rows, page, size)
    out = []
    for r in chunk:
        v = r.served(as_of)
        out.append(
            {
                "dimensions": {"ad_id": r.ad.ad_id, "stat_time_day": f"{r.day.isoformat()} 00:00:00"},
                "metrics": {m: _tt_metric(m, v, r) for m in metrics},
            }
        )
    return {"list": out, "page_info": info}


# ================================================================================== Meta


def meta_account(book: AdBook, node: str) -> AdAccount | None:
    if not node.startswith("act_"):
        return None
    return book.account(META_ADS, node)


def parse_fields(raw: str | None, default: Sequence[str]) -> list[tuple[str, list[tuple[str, Any]] | None]]:
    """Graph `fields` with field expansion: "id,creative{id,video_id}" -> [(id, None), (creative, [...])]."""
    if not raw:
        return [(f, None) for f in default]
    out: list[tuple[str, list[tuple[str, Any]] | None]] = []

    def parse(s: str, i: int) -> tuple[list[tuple[str, Any]], int]:
        items: list[tuple[str, Any]] = []
        name = ""
        while i < len(s):
            ch = s[i]
            if ch == "{":
                sub, i = parse(s, i + 1)
                items.append((name.strip(), sub))
                name = ""
                if i < len(s) and s[i] == ",":
                    i += 1
                continue
            if ch == "}":
                if name.strip():
                    items.append((name.strip(), None))
                return items, i + 1
            if ch == ",":
                if name.strip():
                    items.append((name.strip(), None))
                name = ""
            else:
                name += ch
            i += 1
        if name.strip():
            items.append((name.strip(), None))
        return items, i

    parsed, _ = parse(raw, 0)
    seen = set()
    for name, sub in parsed:
        if name and name not in seen:
            seen.add(name)
            out.append((name, sub))
    return out


def _check_fields(fields: Sequence[tuple[str, Any]], allowed: frozenset[str], node_type: str) -> None:
    for name, _sub in fields:
        base = name.split(".")[0]
        if base not in allowed:
            raise _e100(f"(#100) Tried accessing nonexisting field ({base}) on node type ({node_type})")


def _limit(q: Mapping[str, str], default: int, cap: int) -> int:
    raw = q.get("limit")
    try:
        limit = int(raw) if raw not in (None, "") else default
    except ValueError:
        raise _e100("(#100) Param limit must be an integer") from None
    if limit < 1:
        raise _e100("(#100) Param limit must be a positive integer")
    return min(limit, cap)


def _tz_offset_hours(tz: str, day: date) -> float:
    off = datetime.combine(day, time(12), tzinfo=ZoneInfo(tz)).utcoffset()
    return (off.total_seconds() if off else 0.0) / 3600.0


def meta_account_node(book: AdBook, acc: AdAccount, q: Mapping[str, str], as_of: date) -> dict[str, Any]:
    fields = parse_fields(q.get("fields"), ("account_id", "id"))
    _check_fields(fields, META_ACCOUNT_FIELDS, "AdAccount")
    values: dict[str, Any] = {
        "id": acc.account_id,
        "account_id": acc.numeric_id,
        "name": acc.name,
        "currency": acc.currency,
        "timezone_name": acc.timezone,
        "timezone_offset_hours_utc": _tz_offset_hours(acc.timezone, as_of),
        "timezone_id": 1 + zlib.crc32(acc.timezone.encode()) % 500,
        "account_status": 1,
        "business_country_code": acc.country,
        "created_time": _graph_local_time(acc.created_at, acc.timezone),
    }
    out = {name: values[name] for name, _ in fields}
    out.setdefault("id", acc.account_id)
    return out


def _meta_status(ad: Ad, as_of: date) -> str:
    return "ACTIVE" if ad.last_day >= as_of else "PAUSED"


def _meta_creative(book: AdBook, ad: Ad, sub: list[tuple[str, Any]] | None) -> dict[str, Any]:
    fields = sub or [("id", None)]
    _check_fields(fields, META_CREATIVE_FIELDS, "AdCreative")
    ig = ad.boosted_platform == "instagram"
    values: dict[str, Any] = {
        "id": ad.creative_id,
        "name": f"{ad.ad_name} creative",
        "object_type": "VIDEO",
        "effective_object_story_id": ad.story_id,
        "effective_instagram_media_id": ad.boosted_content_id if ig else None,
        "instagram_permalink_url": ad.attrs.get("instagram_permalink_url"),
        "video_id": ad.video_id,
        "thumbnail_url": f"https://scontent.xx.fbcdn.net/v/t15.sandbox/{ad.creative_id}_thumb.jpg",
        "body": ad.text,
        "title": None,
    }
    out = {name: values[name] for name, _ in fields if values[name] is not None}
    out.setdefault("id", ad.creative_id)
    return out


def _cursor_window(q: Mapping[str, str], n: int, limit: int, key: str) -> tuple[int, int]:
    after, before = q.get("after"), q.get("before")
    if not (after or before):
        return 0, limit
    try:
        anchor = unb64(after or before or "")
        prefix = f"sbx{key}:"
        if not anchor.startswith(prefix):
            raise ValueError
        pos = int(anchor[len(prefix) :])
        if not 0 <= pos < max(n, 1):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise _e100("(#100) The after/before cursor is invalid or has expired", subcode=1349210) from None
    if after:
        return pos + 1, pos + 1 + limit
    return max(0, pos - limit), pos


def _paging(
    q_pairs: list[tuple[str, str]], base_url: str, path: str, start: int, count: int, n: int, key: str
) -> dict[str, Any]:
    first, last = b64(f"sbx{key}:{start}"), b64(f"sbx{key}:{start + count - 1}")
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    keep = [(k, v) for k, v in q_pairs if k not in ("after", "before")]
    if start + count < n:
        paging["next"] = f"{base_url}{path}?{urlencode(keep + [('after', last)])}"
    if start > 0:
        paging["previous"] = f"{base_url}{path}?{urlencode(keep + [('before', first)])}"
    return paging


def meta_ads_edge(
    book: AdBook,
    acc: AdAccount,
    q: Mapping[str, str],
    pairs: list[tuple[str, str]],
    base_url: str,
    path: str,
    as_of: date,
) -> dict[str, Any]:
    fields = parse_fields(q.get("fields"), ("id",))
    _check_fields(fields, META_AD_FIELDS, "Ad")
    limit = _limit(q, META_ADS_LIMIT_DEFAULT, META_ADS_LIMIT_MAX)
    ads = book.account_ads(acc, as_of)
    raw_status = q.get("effective_status")
    if raw_status:
        try:
            statuses = {str(s) for s in parse_list(raw_status)}
        except ValueError:
            statuses = set(raw_status.split(","))
        ads = [a for a in ads if _meta_status(a, as_of) in statuses]
    start, stop = _cursor_window(q, len(ads), limit, "ad")
    page = ads[start:stop]
    data = []
    for ad in page:
        status = _meta_status(ad, as_of)
        values: dict[str, Any] = {
            "id": ad.ad_id,
            "name": ad.ad_name,
            "account_id": acc.numeric_id,
            "adset_id": ad.adgroup_id,
            "campaign_id": ad.campaign_id,
            "status": status,
            "configured_status": status,
            "effective_status": status,
            "created_time": _graph_local_time(ad.created_at, acc.timezone),
            "updated_time": _graph_local_time(ad.created_at + timedelta(hours=1), acc.timezone),
        }
        obj: dict[str, Any] = {}
        for name, sub in fields:
            obj[name] = _meta_creative(book, ad, sub) if name == "creative" else values[name]
        obj.setdefault("id", ad.ad_id)
        data.append(obj)
    body: dict[str, Any] = {"data": data}
    if page:
        body["paging"] = _paging(pairs, base_url, path, start, len(page), len(ads), "ad")
    return body


def _insights_range(q: Mapping[str, str], as_of: date) -> tuple[date, date]:
    raw = q.get("time_range")
    if raw:
        try:
            tr = json.loads(raw)
            since, until = date.fromisoformat(tr["since"]), date.fromisoformat(tr["until"])
        except (ValueError, KeyError, TypeError):
            raise _e100(
                "(#100) time_range must be a JSON object with since and until dates in the form YYYY-MM-DD"
            ) from None
        if since > until:
            raise _e100("(#100) time_range: since must be on or before until")
        return since, until
    preset = q.get("date_preset") or "last_30d"
    presets = {"today": (0, 0), "yesterday": (1, 1), "last_3d": (3, 1), "last_7d": (7, 1), "last_14d": (14, 1),
               "last_28d": (28, 1), "last_30d": (30, 1), "last_90d": (90, 1)}  # fmt: skip
    if preset not in presets:
        raise _e100(f"(#100) date_preset must be one of the following values: {', '.join(presets)}")
    back, fwd = presets[preset]
    return as_of - timedelta(days=back), as_of - timedelta(days=fwd)


def _insights_windows(q: Mapping[str, str]) -> list[str]:
    raw = q.get("action_attribution_windows")
    if not raw:
        return []
    try:
        wins = [str(w) for w in parse_list(raw)]
    except ValueError:
        wins = [w.strip() for w in raw.split(",") if w.strip()]
    for w in wins:
        if w in META_RETIRED_WINDOWS:
            raise _e100(
                f"(#100) The attribution window {w} is no longer supported. Supported windows: "
                f"{', '.join(META_WINDOWS)}, default."
            )
        if w not in META_WINDOWS and w != "default":
            raise _e100(f"(#100) action_attribution_windows[{wins.index(w)}] must be one of: {', '.join(META_WINDOWS)}")
    return [w for w in wins if w != "default"]


def _action(action_type: str, value: int, windows: list[str], *, as_float: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"action_type": action_type, "value": str(value)}
    for w in windows:
        item[w] = str(int(value * _WINDOW_SHARE[w]))
    return item


def meta_insights(
    book: AdBook,
    acc: AdAccount,
    q: Mapping[str, str],
    pairs: list[tuple[str, str]],
    base_url: str,
    path: str,
    as_of: date,
) -> dict[str, Any]:
    level = q.get("level") or "ad"
    if level != "ad":
        raise _e100("(#100) The sandbox serves level=ad insights only")
    inc = q.get("time_increment") or "all_days"
    if inc not in ("1", "all_days"):
        raise _e100("(#100) The sandbox supports time_increment=1 or all_days")
    raw_fields = q.get("fields") or "impressions,spend"
    fields = [f.strip() for f in raw_fields.split(",") if f.strip()]
    for f in fields:
        if f not in META_INSIGHTS_FIELDS:
            raise _e100(f"(#100) {f} is not valid for fields param. please check "
                        "https://developers.facebook.com/docs/marketing-api/reference/ads-insights/")  # fmt: skip
    fields = list(dict.fromkeys(fields))
    raw_bd = q.get("breakdowns") or ""
    try:
        bds = [str(b) for b in parse_list(raw_bd)] if raw_bd.startswith("[") else [b.strip() for b in raw_bd.split(",")]
    except ValueError:
        bds = []
    bds = [b for b in bds if b]
    for b in bds:
        if b not in META_BREAKDOWNS:
            raise _e100(f"(#100) breakdowns[{bds.index(b)}] must be one of: {', '.join(META_BREAKDOWNS)} (sandbox)")
    if "platform_position" in bds and "publisher_platform" not in bds:
        raise _e100("(#100) Current combination of data breakdown columns (platform_position) is invalid ")
    windows = _insights_windows(q)
    since, until = _insights_range(q, as_of)
    limit = _limit(q, META_INSIGHTS_LIMIT_DEFAULT, META_INSIGHTS_LIMIT_MAX)
    by_pp, by_pos = "publisher_platform" in bds, "platform_position" in bds

    # group delivery rows: (date key, ad, breakdown values)
    groups: dict[tuple[Any, ...], list[DeliveryRow]] = {}
    for r in book.rows_between(acc, since, min(until, as_of)):
        dkey = r.day if inc == "1" else since
        key = (dkey, r.ad.ad_id, r.publisher_platform if by_pp else None, r.platform_position if by_pos else None)
        groups.setdefault(key, []).append(r)
    keys = sorted(groups, key=lambda k: (k[0], k[1], k[2] or "", k[3] or ""))
    start, stop = _cursor_window(q, len(keys), limit, "ins")
    page = keys[start:stop]
    data = []
    for key in page:
        members = groups[key]
        data.append(_insights_row(acc, key, members, fields, windows, bds, inc, since, min(until, as_of), as_of))
    body: dict[str, Any] = {"data": data}
    if page:
        body["paging"] = _paging(pairs, base_url, path, start, len(page), len(keys), "ins")
    return body


def _insights_row(
    acc: AdAccount,
    key: tuple[Any, ...],
    members: list[DeliveryRow],
    fields: list[str],
    windows: list[str],
    bds: list[str],
    inc: str,
    since: date,
    until: date,
    as_of: date,
) -> dict[str, Any]:
    ad = members[0].ad
    sums: dict[str, int] = {}
    reach_parts: list[int] = []
    watch_num = 0.0
    for r in members:
        v = r.served(as_of)
        for k, x in v.items():
            sums[k] = sums.get(k, 0) + x
        reach_parts.append(v["reach"])
        watch_num += r.avg_watch_seconds * v["video_plays"]
    # reach is not additive: combined rows get a de-duplicated reach, never below the largest part
    reach = reach_parts[0] if len(reach_parts) == 1 else max(max(reach_parts), int(sum(reach_parts) * 0.9))
    spend = sums["spend_minor"] / 100.0
    impressions, clicks = sums["impressions"], sums["clicks"]
    actions = {
        "link_click": sums["link_clicks"],
        "video_view": sums["video_views_3s"],
        "post_reaction": sums["likes"],
        "comment": sums["comments"],
        "post": sums["shares"],
        "like": sums["follows"],
    }
    actions["post_engagement"] = (
        actions["link_click"] + actions["video_view"] + actions["post_reaction"] + actions["comment"] + actions["post"]
    )
    actions["page_engagement"] = actions["post_engagement"] + actions["like"]
    values: dict[str, Any] = {
        "account_id": acc.numeric_id,
        "account_name": acc.name,
        "account_currency": acc.currency,
        "campaign_id": ad.campaign_id,
        "campaign_name": ad.campaign_name,
        "adset_id": ad.adgroup_id,
        "adset_name": ad.adgroup_name,
        "ad_id": ad.ad_id,
        "ad_name": ad.ad_name,
        "objective": "OUTCOME_AWARENESS",
        "spend": format_minor(sums["spend_minor"]),
        "impressions": str(impressions),
        "reach": str(reach),
        "clicks": str(clicks),
        "inline_link_clicks": str(sums["link_clicks"]),
        "cpm": _f(_ratio(spend * 1000, impressions), 6),
        "cpc": _f(_ratio(spend, clicks), 6) if clicks else None,
        "ctr": _f(_ratio(clicks * 100, impressions), 6),
        "cpp": _f(_ratio(spend * 1000, reach), 6),
        "frequency": _f(_ratio(impressions, reach), 6),
    }
    out: dict[str, Any] = {}
    for f in fields:
        if f == "actions":
            lst = [_action(t, actions[t], windows) for t in META_ACTION_TYPES if actions[t] > 0]
            if lst:
                out[f] = lst
        elif f in META_VIDEO_ARRAYS:
            n = sums[META_VIDEO_ARRAYS[f]]
            if n > 0:
                out[f] = [{"action_type": "video_view", "value": str(n)}]
        elif f == "video_avg_time_watched_actions":
            if sums["video_plays"] > 0:
                out[f] = [{"action_type": "video_view", "value": str(round(watch_num / sums["video_plays"]))}]
        elif values[f] is not None:
            out[f] = values[f]
    d0 = key[0] if inc == "1" else since
    d1 = key[0] if inc == "1" else until
    out["date_start"] = d0.isoformat()
    out["date_stop"] = d1.isoformat()
    if "publisher_platform" in bds:
        out["publisher_platform"] = key[2]
    if "platform_position" in bds:
        out["platform_position"] = key[3]
    return out


def insights_throttle_header(seq: int) -> str:
    return json.dumps(
        {
            "app_id_util_pct": float(seq % 5),
            "acc_id_util_pct": float(1 + seq % 9),
            "ads_api_access_tier": "standard_access",
        },
        separators=(",", ":"),
    )


def ad_account_usage_header(seq: int) -> str:
    return json.dumps(
        {"acc_id_util_pct": round(1 + (seq % 13) * 0.73, 2), "reset_time_duration": 0,
         "ads_api_access_tier": "standard_access"},
        separators=(",", ":"),
    )  # fmt: skip
