"""Error envelopes of each platform and the sandbox's injectable faults.

A fault is armed for one platform (`tiktok`, `meta`, `youtube`, or `any`) and applies to the next
`count` API requests of that platform whose path contains `path_contains` (after letting the first
`skip` of them through, when the option `skip=N` is given: e.g. fail page 2, not page 1). Control endpoints
(`/__sandbox/...`) are never faulted.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_PLATFORMS = frozenset({"tiktok", "meta", "youtube", "any"})
FAULT_KINDS = frozenset(
    {
        "rate_limit",  # TikTok 200/40100; Meta 400 code 80002 (IG) / 80001 (FB) / 80000 (ads insights) /
        # 80004 (ads management) or 4/17/32/613 (option `code`); YouTube 429
        "quota_exceeded",  # YouTube 403 quotaExceeded; TikTok 200/40100; Meta 400 code 4
        "server_error",  # HTTP 503
        "expired_token",  # TikTok 200/40105; Meta 400 code 190 subcode 463; YouTube 401
        "retry_after",  # HTTP 429 + Retry-After
        "truncated",  # Content-Length larger than the body, then the connection is closed
        "slow",  # sleep (default 3 s) before answering normally
        "schema_drift",  # normal answer with an unexpected extra field in every object
        "cursor_loop",  # paginated answer whose next cursor is the one just requested (TikTok cursor +
        # has_more true, Graph paging.next, YouTube nextPageToken): a client that trusts it loops forever
        "connection_reset",  # the socket is closed (RST) without any response bytes
        "drop_field",  # option `field`: that field (or Graph insights metric / Analytics column) removed
        "number_as_string",  # option `field`: its numbers served as strings; `as_float=True` -> "12.5" style
        "rename_field",  # options `field`, `to`: the field (metric, column) served under another name
        "no_insights",  # Meta insights of one object: 400 code 10 "(#10) Not enough viewers..." or, with
        # option subcode=2108006, code 100/2108006 (media posted before the business account conversion)
    }
)
# kinds that alter (or replace) a normal answer instead of answering with an error envelope
ALTERING_KINDS = frozenset(
    {"slow", "truncated", "schema_drift", "cursor_loop", "drop_field", "number_as_string", "rename_field"}
)
FIELD_KINDS = frozenset({"drop_field", "number_as_string", "rename_field"})

_fbtrace = itertools.count(1)


@dataclass
class Reply:
    """An HTTP answer: status, JSON-able body (or raw bytes) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"
    truncate: bool = False
    reset: bool = False  # close the connection with a TCP RST and send nothing

    def encode(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ------------------------------------------------------------------------------------ envelopes


def tiktok_error(code: int, message: str, request_id: str, status: int = 200) -> Reply:
    return Reply(status, {"code": code, "message": message, "request_id": request_id, "data": {}})


def fbtrace_id() -> str:
    n = next(_fbtrace)
    return "A" + format(n * 2654435761 % (1 << 48), "012x").upper() + "sbx"


def graph_error(
    code: int,
    message: str,
    *,
    status: int = 400,
    subcode: int | None = None,
    is_transient: bool | None = None,
    err_type: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> Reply:
    err: dict[str, Any] = {"message": message, "type": err_type, "code": code}
    if subcode is not None:
        err["error_subcode"] = subcode
    if is_transient is not None:
        err["is_transient"] = is_transient
    err["fbtrace_id"] = fbtrace_id()
    return Reply(status, {"error": err}, dict(headers or {}))


_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def google_error(
    status: int,
    reason: str,
    message: str,
    *,
    domain: str = "global",
    location: str | None = None,
    location_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    item: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [item],
            "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
        }
    }
    return Reply(status, body, dict(headers or {}))


def google_unauthorized() -> Reply:
    return google_error(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
        "or other valid authentication credential.",
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


# ------------------------------------------------------------------------------------ the queue


@dataclass
class Fault:
    platform: str
    kind: str
    count: int = 1
    path_contains: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, platform: str, path: str) -> bool:
        if self.platform not in ("any", platform):
            return False
        return self.path_contains is None or self.path_contains in path

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "kind": self.kind,
            "count": self.count,
            "path_contains": self.path_contains,
            **self.options,
        }


class FaultQueue:
    """Thread-safe list of armed faults; the oldest matching one fires first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, platform: str, kind: str, count: int = 1, path_contains: str | None = None, **options: Any) -> Fault:
        if platform not in FAULT_PLATFORMS:
            raise ValueError(f"unknown fault platform {platform!r}; expected one of {sorted(FAULT_PLATFORMS)}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if int(count) < 1:
            raise ValueError("count must be >= 1")
        if kind in FIELD_KINDS and not options.get("field"):
            raise ValueError(f"fault kind {kind!r} needs the option field=<name>")
        if kind == "rename_field" and not options.get("to"):
            raise ValueError("fault kind 'rename_field' needs the option to=<new name>")
        fault = Fault(platform, kind, int(count), path_contains or None, dict(options))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, platform: str, path: str, kinds: tuple[str, ...] | None = None) -> Fault | None:
        """The next armed fault for this request (only of `kinds` when given), or None."""
        with self._lock:
            for f in self._faults:
                if f.matches(platform, path) and (kinds is None or f.kind in kinds):
                    if int(f.options.get("skip", 0)) > 0:  # let the first `skip` matching requests through
                        f.options["skip"] = int(f.options["skip"]) - 1
                        return None
                    f.count -= 1
                    if f.count <= 0:
                        self._faults.remove(f)
                    return Fault(f.platform, f.kind, 1, f.path_contains, dict(f.options))
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]


# ------------------------------------------------------------------------- fault -> response

_META_RATE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80000: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    80004: "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. "
    "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
}
# default BUC code per business-use-case type of the object a request is about
_META_BUC_CODES = {"instagram": 80002, "pages": 80001, "ads_insights": 80000, "ads_management": 80004}
_META_BUC_SUBCODES = {80000: 2446079, 80004: 2446079}


def buc_header(object_id: str, buc_type: str, usage: int, regain_minutes: int) -> str:
    return json.dumps(
        {
            object_id: [
                {
                    "type": buc_type,
                    "call_count": usage,
                    "total_cputime": max(1, usage // 4),
                    "total_time": max(1, usage // 3),
                    "estimated_time_to_regain_access": regain_minutes,
                }
            ]
        },
        separators=(",", ":"),
    )


def app_usage_header(call_count: int) -> str:
    return json.dumps(
        {"call_count": call_count, "total_time": max(1, call_count // 2), "total_cputime": max(1, call_count // 3)},
        separators=(",", ":"),
    )


def fault_reply(fault: Fault, platform: str, *, request_id: str, meta_object: tuple[str, str] | None) -> Reply | None:
    """The error answer of an error-type fault; None for kinds that alter a normal answer."""
    kind, opts = fault.kind, fault.options
    if kind in ALTERING_KINDS:
        return None
    if kind == "connection_reset":
        return Reply(0, b"", reset=True)
    if kind == "no_insights":
        if int(opts.get("subcode", 0) or 0) == 2108006:
            return graph_error(
                100, "(#100) Media posted before business account conversion", subcode=2108006,
                err_type="GraphMethodException",
            )  # fmt: skip
        return graph_error(10, "(#10) Not enough viewers for the media to show insights")
    if kind == "retry_after":
        retry = {"Retry-After": str(opts.get("retry_after", 1))}
        if platform == "tiktok":
            r = tiktok_error(40100, "Too many requests. Please retry in some time.", request_id, status=429)
            r.headers.update(retry)
            return r
        if platform == "meta":
            return graph_error(4, _META_RATE_MESSAGES[4], status=429, is_transient=True, headers=retry)
        return google_error(429, "rateLimitExceeded", "Too many requests. Retry later.", headers=retry)
    if kind == "server_error":
        if platform == "tiktok":
            body = b"<html><head><title>503 Service Temporarily Unavailable</title></head><body>503</body></html>"
            return Reply(503, body, content_type="text/html")
        if platform == "meta":
            return graph_error(
                2, "An unexpected error has occurred. Please retry your request later.", status=503, is_transient=True
            )
        return google_error(503, "backendError", "The service is currently unavailable.")
    if kind == "expired_token":
        if platform == "tiktok":
            return tiktok_error(40105, "The access token is invalid or has expired.", request_id)
        if platform == "meta":
            return graph_error(
                190,
                "Error validating access token: Session has expired on Saturday, 28-Nov-26 01:00:00 PST. "
                "The current time is Saturday, 28-Nov-26 09:00:00 PST.",
                subcode=463,
            )
        return google_unauthorized()
    if kind == "quota_exceeded":
        if platform == "tiktok":
            return tiktok_error(40100, "Too many requests. Please retry in some time.", request_id)
        if platform == "meta":
            return graph_error(
                4, _META_RATE_MESSAGES[4], is_transient=True, headers={"X-App-Usage": app_usage_header(100)}
            )
        return google_error(
            403,
            "quotaExceeded",
            'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
            domain="youtube.quota",
        )
    if kind == "rate_limit":
        if platform == "tiktok":
            return tiktok_error(
                int(opts.get("code", 40100)), "Too many requests. Please retry in some time.", request_id
            )
        if platform == "meta":
            obj_id, buc_type = meta_object or ("0", "instagram")
            code = int(opts.get("code", _META_BUC_CODES.get(buc_type, 80001)))
            regain = int(opts.get("regain_minutes", 0))
            headers = {"X-App-Usage": app_usage_header(100 if code == 4 else 42)}
            headers["X-Business-Use-Case-Usage"] = buc_header(obj_id, buc_type, 100, regain)
            if buc_type == "ads_insights":
                headers["X-FB-Ads-Insights-Throttle"] = json.dumps(
                    {"app_id_util_pct": 42.0, "acc_id_util_pct": 100.0, "ads_api_access_tier": "standard_access"},
                    separators=(",", ":"),
                )
            if buc_type in ("ads_insights", "ads_management"):
                headers["X-Ad-Account-Usage"] = json.dumps(
                    {"acc_id_util_pct": 100.0, "reset_time_duration": regain * 60,
                     "ads_api_access_tier": "standard_access"},
                    separators=(",", ":"),
                )  # fmt: skip
            message = _META_RATE_MESSAGES.get(code, f"(#{code}) Rate limit reached")
            return graph_error(code, message, subcode=_META_BUC_SUBCODES.get(code), is_transient=True, headers=headers)
        return google_error(
            429,
            "rateLimitExceeded",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service.",
        )
    raise ValueError(f"unknown fault kind {kind!r}")


# ------------------------------------------------------------------- field-level schema drift


def _drifted_number(value: Any, as_float: bool) -> Any:
    """A number as a string: 12 -> "12", or with as_float 12 -> "12.5" (a count that is not a count)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value
    if as_float:
        try:
            return f"{int(float(value))}.5"
        except ValueError:
            return value
    return str(value)


def alter_fields(body: Any, kind: str, options: dict[str, Any]) -> int:
    """Apply a field fault (drop_field / number_as_string / rename_field) to a JSON body in place.

    The field is found wherever it appears: as a key of any object at any depth (TikTok videos[],
    metrics[], YouTube items[].statistics), as the `name` of a Graph insights item
    (`{"name": m, "values": [{"value": v}]}`), and as a YouTube Analytics column
    (`columnHeaders[].name` with the matching cell of every row). Returns how many places changed.
    """
    name = str(options["field"])
    to = str(options.get("to") or "")
    as_float = bool(options.get("as_float", False))
    changed = 0

    def visit(node: Any) -> None:
        nonlocal changed
        if isinstance(node, list):
            if kind == "drop_field":
                keep = [x for x in node if not (isinstance(x, dict) and x.get("name") == name and "values" in x)]
                if len(keep) != len(node):
                    changed += len(node) - len(keep)
                    node[:] = keep
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        headers = node.get("columnHeaders")
        if isinstance(headers, list):  # YouTube Analytics result table
            idx = next((i for i, h in enumerate(headers) if isinstance(h, dict) and h.get("name") == name), None)
            if idx is not None:
                rows = node.get("rows") if isinstance(node.get("rows"), list) else []
                if kind == "drop_field":
                    del headers[idx]
                    for row in rows:
                        if isinstance(row, list) and len(row) > idx:
                            del row[idx]
                elif kind == "rename_field":
                    headers[idx] = {**headers[idx], "name": to}
                else:
                    for row in rows:
                        if isinstance(row, list) and len(row) > idx:
                            row[idx] = _drifted_number(row[idx], as_float)
                changed += 1 + len(rows)
        if node.get("name") == name and isinstance(node.get("values"), list):  # Graph insights item
            if kind == "rename_field":
                node["name"] = to
                changed += 1
            elif kind == "number_as_string":
                for v in node["values"]:
                    if isinstance(v, dict) and "value" in v:
                        v["value"] = _drifted_number(v["value"], as_float)
                        changed += 1
        if name in node and not (name == "name" and "values" in node):
            if kind == "drop_field":
                del node[name]
            elif kind == "rename_field":
                node[to] = node.pop(name)
            else:
                node[name] = _drifted_number(node[name], as_float)
            changed += 1
        for value in list(node.values()):
            if isinstance(value, (dict, list)):
                visit(value)

    visit(body)
    return changed
