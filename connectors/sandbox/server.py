"""The sandbox HTTP server: TikTok, Graph (Instagram/Facebook) and YouTube on one origin.

Stdlib only (`http.server.ThreadingHTTPServer`, daemon threads, HTTP/1.1 keep-alive). The
contracts follow ../shared/docs/API_CONTRACTS.md; docs/DESIGN.md ("Sandbox") pins the Python API.

Routes (all GET):
  /open_api/v1.3/business/get/            TikTok account profile + daily account metrics
  /open_api/v1.3/business/video/list/     TikTok lifetime per-video metrics (cursor paging)
  /v{N}.0/{ig-user-id}/media              Instagram media (cursor paging)
  /v{N}.0/{ig-media-id}/insights          Instagram media insights (lifetime)
  /v{N}.0/{page-id}/video_reels           Facebook Page Reels (cursor paging; /videos is an alias)
  /v{N}.0/{video-id}/video_insights       Facebook Reels insights (lifetime)
  /v{N}.0/{id}                            node fields of any of the objects above
  /open_api/v1.3/advertiser/info/ | ad/get/ | report/integrated/get/   TikTok Marketing API (ads_api.py)
  /v{N}.0/act_{id} | act_{id}/ads | act_{id}/insights                   Meta Marketing API (ads_api.py)
  /youtube/v3/channels | playlistItems | videos     YouTube Data API v3
  /v2/reports                             YouTube Analytics v2 reports.query
Control (never faulted, never logged in request_log):
  GET/POST /__sandbox/clock, GET/POST/DELETE /__sandbox/faults, GET /__sandbox/accounts,
  GET /__sandbox/requests, GET /__sandbox/health

Tokens never reach a log: the handler's access log is silenced and `request_log` keeps the path
without the query string.
"""

from __future__ import annotations

import ast
import itertools
import json
import logging
import re
import socket
import struct
import threading
import time as _time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import ads_api, graph_batch
from .faults import (
    FaultQueue,
    Reply,
    alter_fields,
    app_usage_header,
    buc_header,
    fault_reply,
    google_error,
    google_unauthorized,
    graph_error,
    tiktok_error,
)
from .wire import b64, parse_list, unb64
from .world import (
    INSTAGRAM_VIEWS_FROM,
    KIND_LONG_FORM,
    KIND_SHORT,
    YOUTUBE_VIEWS_FROM,
    Brand,
    Content,
    World,
    stable_hash,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------- constants

TT_ACCOUNT_FIELDS = frozenset(
    {
        "is_business_account", "username", "display_name", "profile_image", "profile_deep_link",
        "bio_description", "is_verified", "following_count", "followers_count", "total_likes",
        "videos_count", "audience_ages", "audience_genders", "audience_countries", "audience_cities",
    }
)  # fmt: skip
TT_DAILY_FIELDS = frozenset(
    {
        "video_views", "unique_video_views", "profile_views", "likes", "comments", "shares",
        "followers_count", "daily_new_followers", "daily_lost_followers", "daily_total_followers",
        "engaged_audience", "audience_activity", "phone_number_clicks", "lead_submissions",
        "app_download_clicks", "bio_link_clicks", "email_clicks", "address_clicks",
    }
)  # fmt: skip
TT_VIDEO_FIELDS = frozenset(
    {
        "item_id", "media_type", "is_ad", "create_time", "caption", "share_url", "embed_url",
        "thumbnail_url", "video_duration", "video_views", "reach", "likes", "comments", "shares",
        "favorites", "total_time_watched", "average_time_watched", "full_video_watched_rate",
        "new_followers", "profile_views", "website_clicks", "phone_number_clicks", "lead_submissions",
        "app_download_clicks", "email_clicks", "address_clicks", "video_view_retention",
        "impression_sources", "audience_genders", "audience_countries", "audience_cities",
        "audience_types", "engagement_likes",
    }
)  # fmt: skip
TT_MAX_LOOKBACK_DAYS = 60
TT_MAX_COUNT = 20
TT_STRING_SHARE = 12  # percent of numeric values sent as numeric strings
TT_STRING_CREATE_TIME_SHARE = 30

IG_MEDIA_FIELDS = frozenset(
    {
        "id", "caption", "media_type", "media_product_type", "permalink", "timestamp", "thumbnail_url",
        "like_count", "comments_count", "shortcode", "media_url", "owner", "username",
        "is_comment_enabled", "is_shared_to_feed", "children",
    }
)  # fmt: skip
IG_USER_FIELDS = frozenset(
    {
        "id",
        "username",
        "name",
        "followers_count",
        "follows_count",
        "media_count",
        "biography",
        "profile_picture_url",
        "website",
    }
)
IG_REELS_METRICS: dict[str, tuple[str, str]] = {
    "views": ("Views", "The number of times your reel was played or displayed."),
    "reach": ("Accounts reached", "The number of unique accounts that have seen your reel at least once."),
    "likes": ("Likes", "The number of likes on your reel."),
    "comments": ("Comments", "The number of comments on your reel."),
    "shares": ("Shares", "The number of times your reel was shared."),
    "saved": ("Saved", "The number of times your reel was saved."),
    "total_interactions": ("Interactions", "Likes, saves, comments and shares on your reel, minus unlikes, unsaves and deleted comments."),
    "ig_reels_avg_watch_time": ("Average watch time", "The average amount of time spent playing the reel, in milliseconds."),
    "ig_reels_video_view_total_time": ("Watch time", "The total amount of time the reel was played, including replays, in milliseconds."),
}  # fmt: skip
# Before INSTAGRAM_VIEWS_FROM (as-of date) insights answer the legacy `plays` instead of `views`
# (a simplification: the real API offered both for a few months).
IG_LEGACY_PLAYS = ("plays", "Plays", "The number of times your reel starts to play, not counting replays.")
IG_REELS_ONLY = frozenset({"ig_reels_avg_watch_time", "ig_reels_video_view_total_time"})
IG_RETIRED_METRICS = frozenset(
    {"plays", "impressions", "clips_replays_count", "ig_reels_aggregated_all_plays_count", "video_views"}
)

FB_PAGE_FIELDS = frozenset({"id", "name", "fan_count", "followers_count", "link", "category", "username"})
FB_VIDEO_FIELDS = frozenset(
    {
        "id",
        "description",
        "title",
        "created_time",
        "updated_time",
        "length",
        "permalink_url",
        "post_id",
        "published",
        "status",
        "views",
        "post_views",
        "from",
    }
)
FB_VIDEO_DEFAULT_FIELDS = ("id", "description", "updated_time")
FB_METRICS: dict[str, tuple[str, str]] = {
    "blue_reels_play_count": ("Reels plays", "The number of times your reel starts to play, not counting replays."),
    "fb_reels_total_plays": ("Total plays", "The number of times your reel starts to play, including replays."),
    "fb_reels_replay_count": ("Replays", "The number of times your reel was replayed."),
    "post_impressions_unique": ("Reach", "The number of people who saw your reel."),
    "post_video_avg_time_watched": ("Average time watched", "Average time your reel was played, in milliseconds."),
    "post_video_view_time": ("Total time watched", "Total time your reel was played, including replays, in milliseconds."),
    "post_video_social_actions": ("Social actions", "Comments and shares on your reel."),
    "post_video_likes_by_reaction_type": ("Reactions", "Reactions on your reel by type."),
    "post_video_followers": ("Follows", "The number of new followers from your reel."),
    "post_video_retention_graph": ("Retention", "Share of viewers still watching at each point of the reel."),
}  # fmt: skip

GRAPH_PAGE_DEFAULT = 25
GRAPH_PAGE_MAX = 100

YT_CHANNEL_PARTS = frozenset({"id", "snippet", "contentDetails", "statistics", "status"})
YT_PLAYLIST_ITEM_PARTS = frozenset({"id", "snippet", "contentDetails", "status"})
YT_VIDEO_PARTS = frozenset({"id", "snippet", "contentDetails", "statistics", "status"})
YT_MAX_RESULTS = 50
YT_DEFAULT_MAX_RESULTS = 5

YTA_METRICS: dict[str, str] = {
    "views": "INTEGER", "engagedViews": "INTEGER", "estimatedMinutesWatched": "INTEGER",
    "averageViewDuration": "INTEGER", "averageViewPercentage": "FLOAT", "likes": "INTEGER",
    "dislikes": "INTEGER", "comments": "INTEGER", "shares": "INTEGER",
    "subscribersGained": "INTEGER", "subscribersLost": "INTEGER",
}  # fmt: skip
YTA_DIMENSIONS = ("day", "video", "creatorContentType")
YTA_VIDEO_MAX_RESULTS = 200  # maxResults cap of reports with the video dimension
YTA_MAX_VIDEO_FILTER = 500  # video IDs in one `filters=video==...`

_GRAPH_PATH = re.compile(r"^/(?:v(\d+)\.0/)?([A-Za-z0-9_]+)(?:/([A-Za-z_]+))?/?$")
_GRAPH_PREFIX = re.compile(r"^/v\d+\.0/")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _BadRequest(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


# --------------------------------------------------------------------------------- helpers


def _parse_date(value: str) -> date:
    if not _DATE.match(value or ""):
        raise ValueError(f"not a YYYY-MM-DD date: {value!r}")
    return date.fromisoformat(value)


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _parse_date(str(value))


def _parse_object_param(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError) as exc:
            raise ValueError("not a JSON object") from exc
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _lifetime_insights(
    content_id: str, edge: str, metrics: Iterable[str], values: Mapping[str, Any], catalog: Mapping[str, tuple]
) -> dict[str, Any]:
    """The Graph insights envelope: one lifetime item per requested metric, in request order."""
    data = []
    for m in metrics:
        title, desc = catalog[m]
        data.append({
            "name": m,
            "period": "lifetime",
            "values": [{"value": values[m]}],
            "title": title,
            "description": desc,
            "id": f"{content_id}/{edge}/{m}/lifetime",
        })
    return {"data": data}


def _graph_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _rfc3339(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso8601_duration(seconds: float) -> str:
    """YouTube's contentDetails.duration: PT45S, PT1M30S, PT12M4S, PT1H2M3S."""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or total == 0:
        out += f"{s}S"
    return out


def _etag(obj: Any) -> str:
    raw = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()
    return b64(format(zlib.crc32(raw), "08x") + format(len(raw), "x"))


def _maybe_str(value: int | float, *key: object, share: int = TT_STRING_SHARE) -> int | float | str:
    """Send some numeric values as numeric strings (stable per object and field)."""
    if stable_hash(*key) % 100 < share:
        return str(value)
    return value


def _split_csv(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


# --------------------------------------------------------------------------------- the server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: SandboxServer

    def __init__(self, addr: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(addr, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (timeout, truncated read) is not an error worth a traceback."""
        log.debug("sandbox connection from %s ended abruptly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ShortformSandbox/1.0"
    sys_version = ""
    timeout = 120
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.conn_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silenced: the request line carries access tokens (Graph `access_token=`)."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            reply = self.server.sandbox.handle(self.command, self.path, self.headers, body)
        except Exception as exc:  # a sandbox bug must still answer
            log.exception("sandbox error on %s %s", self.command, urlsplit(self.path).path)
            reply = Reply(500, {"error": {"message": f"sandbox internal error: {type(exc).__name__}"}})
        self._send(reply)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch

    def _send(self, reply: Reply) -> None:
        if reply.reset:  # connection_reset fault: RST, no status line, no bytes
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
            return
        data = reply.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.truncate:
            self.send_header("Content-Length", str(len(data) + max(64, len(data))))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Ctx:
    """Per-request view: the as-of date snapshot, base URL and query."""

    __slots__ = ("as_of", "base_url", "path", "query", "pairs", "headers", "seq")

    def __init__(
        self, as_of: date, base_url: str, path: str, pairs: list[tuple[str, str]], headers: Mapping[str, str], seq: int
    ):
        self.as_of = as_of
        self.base_url = base_url
        self.path = path
        self.pairs = pairs
        self.query: dict[str, str] = {}
        for k, v in pairs:
            self.query.setdefault(k, v)
        self.headers = headers
        self.seq = seq

    def q(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)


class SandboxServer:
    """A real HTTP server serving the world's platform APIs at a simulated as-of date."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        tokens: Mapping[str, Any] | None = None,
        as_of: date | str | None = None,
        *,
        graph_batch: bool = True,
        yta_video_reports: bool = True,
    ) -> None:
        self.world = world
        # quota features (graph_batch.py): Graph batch requests + insights field expansion, and
        # YouTube Analytics `dimensions=video` reports; False = a server following API_CONTRACTS.md only
        self.graph_batch = graph_batch
        self.yta_video_reports = yta_video_reports
        self.batch_item_log: list[tuple[str, str]] = []  # (method, path) of every Graph batch item served
        self._as_of = world.end
        if as_of is not None:
            self.set_as_of(as_of)
        self.faults = FaultQueue()
        self.request_log: list[tuple[str, str]] = []
        self._seq = itertools.count(1)
        self._allowed: dict[str, set[str] | None] = {"tiktok": None, "meta": None, "youtube": None}
        self._yt_binding: dict[str, str] = {}  # token -> channel id
        self._configure_tokens(tokens)
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self._thread: threading.Thread | None = None
        self._blocking = False
        self._stopped = False
        # optional server-side sliding-window rate limits (set_rate_limit)
        self._limits: dict[str, tuple[int, float]] = {}
        self._limit_hits: dict[str, deque[float]] = {}
        self._limit_lock = threading.Lock()
        self.rate_limited: dict[str, int] = {"tiktok": 0, "meta": 0, "youtube": 0}

    # ---------------------------------------------------------------- public API (DESIGN.md)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def as_of(self) -> date:
        return self._as_of

    def set_as_of(self, as_of: date | datetime | str) -> date:
        d = _as_date(as_of)
        if d > self.world.end:
            raise ValueError(f"as_of {d} is after the world's end {self.world.end}")
        self._as_of = d
        return d

    def inject_fault(
        self, platform: str, kind: str, count: int = 1, path_contains: str | None = None, **options: Any
    ) -> None:
        """Arm a fault for the next `count` matching requests.

        Options: `code` (Meta rate-limit code: 4/17/32/613/80000/80001/80002/80004; TikTok code), `regain_minutes`
        (Meta BUC estimated_time_to_regain_access, default 0), `retry_after` (seconds, default 1),
        `delay` (slow, seconds, default 3); `field` (drop_field, number_as_string, rename_field: the field,
        Graph insights metric or Analytics column), `to` (rename_field: the new name), `as_float`
        (number_as_string: serve 12 as "12.5" instead of "12"); `skip` (any kind: let the first N matching
        requests through first).
        """
        self.faults.add(platform, kind, count, path_contains, **options)

    def clear_faults(self) -> None:
        self.faults.clear()

    def set_rate_limit(self, platform: str, requests: int | None, window_seconds: float = 1.0) -> None:
        """Enforce at most `requests` API requests per sliding `window_seconds` for a platform.

        A request over the limit is answered with the platform's rate-limit signal (TikTok HTTP 200
        code 40100; Graph HTTP 400 code 613 with a moderate X-App-Usage; YouTube 429
        rateLimitExceeded) and counted in `rate_limited[platform]`. `requests=None` removes it.
        """
        if platform not in self.rate_limited:
            raise ValueError(f"unknown platform {platform!r}; expected tiktok, meta or youtube")
        with self._limit_lock:
            if requests is None:
                self._limits.pop(platform, None)
                self._limit_hits.pop(platform, None)
                return
            if int(requests) < 1 or window_seconds <= 0:
                raise ValueError("requests must be >= 1 and window_seconds > 0")
            self._limits[platform] = (int(requests), float(window_seconds))
            self._limit_hits[platform] = deque()

    def _over_limit(self, platform: str) -> bool:
        with self._limit_lock:
            limit = self._limits.get(platform)
            if limit is None:
                return False
            n, window = limit
            hits = self._limit_hits[platform]
            now = _time.monotonic()
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= n:
                self.rate_limited[platform] += 1
                return True
            hits.append(now)
            return False

    def _limit_reply(self, platform: str, ctx: _Ctx) -> Reply:
        if platform == "tiktok":
            return tiktok_error(40100, "Too many requests. Please retry in some time.", self._request_id(ctx))
        if platform == "meta":
            return graph_error(
                613, "(#613) Calls to this api have exceeded the rate limit.", is_transient=True,
                headers={"X-App-Usage": app_usage_header(80)},
            )  # fmt: skip
        return google_error(429, "rateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit "
                            "'Queries per second' of service.")  # fmt: skip

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"sandbox:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Blocking serve (for the CLI); returns after stop() (from another thread) or KeyboardInterrupt."""
        self._blocking = True
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._blocking = False
            self._close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        elif self._blocking:
            self._httpd.shutdown()  # serve_forever() closes on its way out
            return
        self._close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _close(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        with self._httpd.conn_lock:
            conns = list(self._httpd.connections)
        for conn in conns:  # idle keep-alive connections must not outlive the server
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()

    # ---------------------------------------------------------------- tokens

    def _configure_tokens(self, tokens: Mapping[str, Any] | None) -> None:
        if tokens is None:
            return
        for platform, spec in tokens.items():
            if platform not in self._allowed:
                raise ValueError(f"unknown token platform {platform!r}; expected tiktok, meta or youtube")
            if spec is None:
                continue
            if isinstance(spec, str):
                self._allowed[platform] = {spec}
            elif isinstance(spec, Mapping):
                self._allowed[platform] = {str(v) for v in spec.values()}
                if platform == "youtube":
                    for key, tok in spec.items():
                        self._yt_binding[str(tok)] = self._resolve_channel(str(key))
            else:
                self._allowed[platform] = {str(v) for v in spec}

    def _resolve_channel(self, key: str) -> str:
        for b in self.world.brands:
            if key in (b.slug, b.youtube_channel_id):
                return b.youtube_channel_id
        raise ValueError(f"youtube token key {key!r} is neither a brand slug nor a channel id of the world")

    def _token_ok(self, platform: str, token: str | None) -> bool:
        if not token:
            return False
        allowed = self._allowed[platform]
        return allowed is None or token in allowed

    # ---------------------------------------------------------------- dispatch

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        parts = urlsplit(target)
        path = parts.path or "/"
        if path.startswith("/__sandbox/") or path == "/__sandbox":
            return self._control(method, path, body)
        self.request_log.append((method, path))
        if self.graph_batch and graph_batch.is_batch_path(method, path):
            return self._graph_batch_request(path, parts.query, headers, body)
        return self._serve(method, path, parse_qsl(parts.query, keep_blank_values=True), headers)

    def _graph_batch_request(self, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """A Graph batch POST (graph_batch.py). The batch as a whole can meet an error-type fault; the
        rate limiter (set_rate_limit) counts its items, as Graph counts every item of a batch."""
        fault = self.faults.take("meta", path, kinds=graph_batch.BATCH_FAULT_KINDS)
        if fault is not None:
            if fault.kind == "slow":
                _time.sleep(float(fault.options.get("delay", 3.0)))
            freply = fault_reply(fault, "meta", request_id="", meta_object=None)
            if freply is not None:
                return freply
        reply = graph_batch.handle_batch(self, path, query, headers, body)
        if fault is not None and fault.kind == "truncated":
            reply.truncate = True
        return reply

    def _serve(self, method: str, path: str, pairs: list[tuple[str, str]], headers: Mapping[str, str]) -> Reply:
        """One API request (a plain HTTP request, or one item of a Graph batch)."""
        platform = self._platform_of(path)
        if platform is None:
            return Reply(404, {"error": {"message": f"no sandbox route for {path}"}})
        host = headers.get("Host") or f"{self.host}:{self.port}"
        ctx = _Ctx(
            self._as_of,
            f"http://{host}",
            path,
            pairs,
            headers,
            next(self._seq),
        )
        if self._limits and self._over_limit(platform):
            return self._limit_reply(platform, ctx)
        fault = self.faults.take(platform, path)
        if fault is not None:
            if fault.kind == "slow":
                _time.sleep(float(fault.options.get("delay", 3.0)))
            meta_obj = self._meta_object_for(path, ctx.as_of) if platform == "meta" else None
            freply = fault_reply(fault, platform, request_id=self._request_id(ctx), meta_object=meta_obj)
            if freply is not None:
                return freply
        if method != "GET":
            reply = Reply(405, {"error": {"message": f"{method} is not supported by the sandbox on {path}"}})
        else:
            try:
                if platform == "tiktok":
                    reply = self._tiktok(ctx)
                elif platform == "meta":
                    reply = self._graph(ctx)
                else:
                    reply = self._youtube(ctx)
            except _BadRequest as bad:
                reply = bad.reply
        if fault is not None and fault.kind == "truncated":
            reply.truncate = True
        if fault is not None and fault.kind == "schema_drift" and isinstance(reply.body, dict):
            _add_drift(reply.body)
        if fault is not None and reply.status == 200 and isinstance(reply.body, dict):
            if fault.kind == "cursor_loop":
                _loop_cursor(reply.body, platform, ctx)
            elif fault.kind in ("drop_field", "number_as_string", "rename_field"):
                alter_fields(reply.body, fault.kind, fault.options)
        return reply

    @staticmethod
    def _platform_of(path: str) -> str | None:
        if path.startswith("/open_api/"):
            return "tiktok"
        if path.startswith("/youtube/v3/") or path.rstrip("/") == "/v2/reports":
            return "youtube"
        if _GRAPH_PREFIX.match(path) or _GRAPH_PATH.match(path):
            return "meta"
        return None

    def _request_id(self, ctx: _Ctx) -> str:
        return f"{ctx.as_of:%Y%m%d}{ctx.seq:012d}{stable_hash('rid', ctx.seq) % (1 << 32):08X}"

    # ---------------------------------------------------------------- control endpoints

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        path = path.rstrip("/")
        try:
            payload = json.loads(body.decode() or "{}") if body else {}
        except ValueError:
            return Reply(400, {"error": "body is not JSON"})
        try:
            if path == "/__sandbox/clock":
                if method == "POST":
                    self.set_as_of(str(payload.get("as_of", "")))
                elif method != "GET":
                    return Reply(405, {"error": "use GET or POST"})
                return Reply(
                    200,
                    {
                        "as_of": self._as_of.isoformat(),
                        "start": self.world.start.isoformat(),
                        "end": self.world.end.isoformat(),
                    },
                )
            if path == "/__sandbox/faults":
                if method == "POST":
                    opts = {k: v for k, v in payload.items() if k not in ("platform", "kind", "count", "path_contains")}
                    self.inject_fault(
                        str(payload.get("platform", "")),
                        str(payload.get("kind", "")),
                        int(payload.get("count", 1)),
                        payload.get("path_contains"),
                        **opts,
                    )
                elif method == "DELETE":
                    self.clear_faults()
                elif method != "GET":
                    return Reply(405, {"error": "use GET, POST or DELETE"})
                return Reply(200, {"faults": self.faults.snapshot()})
            if path == "/__sandbox/accounts" and method == "GET":
                return Reply(200, self.world.accounts_config())
            if path == "/__sandbox/requests" and method == "GET":
                return Reply(200, {"count": len(self.request_log), "requests": [list(r) for r in self.request_log]})
            if path == "/__sandbox/health" and method == "GET":
                return Reply(200, {"ok": True})
        except (ValueError, TypeError) as exc:
            return Reply(400, {"error": str(exc)})
        return Reply(404, {"error": f"unknown control endpoint {method} {path}"})

    # ================================================================== TikTok

    def _tiktok(self, ctx: _Ctx) -> Reply:
        rid = self._request_id(ctx)
        token = ctx.headers.get("Access-Token")
        if not token:
            return tiktok_error(40104, "Access token is null, please check your request.", rid)
        if not self._token_ok("tiktok", token):
            return tiktok_error(40105, "Access token is incorrect or has been revoked.", rid)
        route = ctx.path.rstrip("/")
        ads_handler = {
            "/open_api/v1.3/advertiser/info": ads_api.tt_advertiser_info,
            "/open_api/v1.3/ad/get": ads_api.tt_ad_get,
            "/open_api/v1.3/report/integrated/get": ads_api.tt_report,
        }.get(route)
        if ads_handler is not None:
            try:
                ads_data = ads_handler(self.world.ad_book, ctx.query, ctx.as_of)
            except ads_api.TikTokApiError as exc:
                return tiktok_error(exc.code, exc.message, rid)
            return Reply(200, {"code": 0, "message": "OK", "request_id": rid, "data": ads_data})
        if route == "/open_api/v1.3/business/get":
            handler: Callable[[_Ctx, Brand], dict[str, Any]] = self._tt_business_get
        elif route == "/open_api/v1.3/business/video/list":
            handler = self._tt_video_list
        else:
            return Reply(404, {"code": 40400, "message": f"Path {ctx.path} not found.", "request_id": rid, "data": {}})
        bid = ctx.q("business_id")
        if not bid:
            return tiktok_error(40002, "business_id: Missing data for required field.", rid)
        brand = self.world.account_brand("tiktok", bid)
        if brand is None:
            return tiktok_error(
                40001, "No permission to operate the business account in the request. Please check business_id.", rid
            )
        try:
            data = handler(ctx, brand)
        except ValueError as exc:
            return tiktok_error(40002, str(exc), rid)
        return Reply(200, {"code": 0, "message": "OK", "request_id": rid, "data": data})

    @staticmethod
    def _tt_fields(ctx: _Ctx, allowed: frozenset[str], default: list[str]) -> list[str]:
        raw = ctx.q("fields")
        if raw is None or raw == "":
            return list(default)
        try:
            fields = parse_list(raw)
        except ValueError:
            raise ValueError("fields: Invalid JSON array.") from None
        out: list[str] = []
        for f in fields:
            if not isinstance(f, str) or f not in allowed:
                raise ValueError(f"fields: Invalid field: {f}.")
            if f not in out:
                out.append(f)
        return out

    def _tt_business_get(self, ctx: _Ctx, brand: Brand) -> dict[str, Any]:
        fields = self._tt_fields(ctx, TT_ACCOUNT_FIELDS | TT_DAILY_FIELDS, ["display_name", "profile_image"])
        a = ctx.as_of
        try:
            start = _parse_date(ctx.q("start_date") or (a - timedelta(days=7)).isoformat())
        except ValueError:
            raise ValueError("start_date: Not a valid date, expected YYYY-MM-DD.") from None
        try:
            end = _parse_date(ctx.q("end_date") or (a - timedelta(days=1)).isoformat())
        except ValueError:
            raise ValueError("end_date: Not a valid date, expected YYYY-MM-DD.") from None
        if start > end:
            raise ValueError("start_date must be earlier than or equal to end_date.")
        if (a - start).days > TT_MAX_LOOKBACK_DAYS:
            raise ValueError(f"start_date cannot be more than {TT_MAX_LOOKBACK_DAYS} days before today.")
        bid = brand.tiktok_business_id
        data: dict[str, Any] = {}
        vids = self.world.account_contents("tiktok", bid, a)
        account_values: dict[str, Any] = {
            "is_business_account": True,
            "username": brand.tiktok_username,
            "display_name": brand.name,
            "profile_image": f"https://p16-sign-va.tiktokcdn.com/sandbox/avatar/{brand.slug}.jpeg",
            "profile_deep_link": f"https://www.tiktok.com/@{brand.tiktok_username}",
            "bio_description": f"Official {brand.name} account",
            "is_verified": False,
            "following_count": 40 + stable_hash(bid) % 200,
            "followers_count": self.world.tiktok_account_day(bid, a)["followers_count"],
            "total_likes": sum(c.cum("likes", a) for c in vids),
            "videos_count": len(vids),
            "audience_ages": [
                {"age": "18-24", "percentage": 0.31}, {"age": "25-34", "percentage": 0.38},
                {"age": "35-44", "percentage": 0.17}, {"age": "45-54", "percentage": 0.09},
                {"age": "55+", "percentage": 0.05},
            ],
            "audience_genders": [
                {"gender": "Female", "percentage": 0.56}, {"gender": "Male", "percentage": 0.41},
                {"gender": "Other", "percentage": 0.03},
            ],
            "audience_countries": [{"country": "US", "percentage": 0.42}, {"country": "DE", "percentage": 0.18}, {"country": "GB", "percentage": 0.11}],
            "audience_cities": [{"city_name": "Los Angeles", "percentage": 0.06}, {"city_name": "Berlin", "percentage": 0.05}],
        }  # fmt: skip
        for f in fields:
            if f in TT_ACCOUNT_FIELDS:
                data[f] = account_values[f]
        daily = [f for f in fields if f in TT_DAILY_FIELDS]
        if daily:
            last = min(end, a - timedelta(days=brand.tiktok_latency_days))
            metrics = []
            d = start
            while d <= last:
                metrics.append(self._tt_day_row(bid, d, daily))
                d += timedelta(days=1)
            data["metrics"] = metrics
        return data

    def _tt_day_row(self, bid: str, d: date, fields: list[str]) -> dict[str, Any]:
        day = self.world.tiktok_account_day(bid, d)
        iso = d.isoformat()
        values: dict[str, Any] = {
            "video_views": day["video_views"],
            "unique_video_views": int(day["video_views"] * 0.72),
            "profile_views": day["profile_views"],
            "likes": day["likes"],
            "comments": day["comments"],
            "shares": day["shares"],
            "followers_count": day["followers_count"],
            "daily_new_followers": day["daily_new_followers"],
            "daily_lost_followers": day["daily_lost_followers"],
            "daily_total_followers": day["followers_count"],
            "engaged_audience": int((day["likes"] + day["comments"] + day["shares"]) * 0.8),
            "phone_number_clicks": 0,
            "lead_submissions": 0,
            "app_download_clicks": 0,
            "bio_link_clicks": day["profile_views"] // 20,
            "email_clicks": 0,
            "address_clicks": 0,
        }
        row: dict[str, Any] = {"date": iso}
        for f in fields:
            if f == "audience_activity":
                total = day["video_views"]
                weights = [1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 5, 6, 8, 9, 9, 8, 5, 3]
                row[f] = [{"hour": str(h), "count": total * w // 100} for h, w in enumerate(weights)]
            else:
                row[f] = _maybe_str(values[f], bid, iso, f)
        return row

    def _tt_video_list(self, ctx: _Ctx, brand: Brand) -> dict[str, Any]:
        fields = self._tt_fields(ctx, TT_VIDEO_FIELDS, ["item_id"])
        a = ctx.as_of
        bid = brand.tiktok_business_id
        raw_count = ctx.q("max_count")
        try:
            max_count = int(raw_count) if raw_count not in (None, "") else 10
        except ValueError:
            raise ValueError("max_count: Not a valid integer.") from None
        if not 1 <= max_count <= TT_MAX_COUNT:
            raise ValueError(f"max_count: Must be greater than or equal to 1 and less than or equal to {TT_MAX_COUNT}.")
        raw_cursor = ctx.q("cursor")
        end_ms = int(datetime.combine(a + timedelta(days=1), datetime.min.time(), tzinfo=UTC).timestamp()) * 1000
        try:
            cursor = int(raw_cursor) if raw_cursor not in (None, "") else end_ms
        except ValueError:
            raise ValueError("cursor: Not a valid integer.") from None
        vids = self.world.account_contents("tiktok", bid, a)
        raw_filters = ctx.q("filters")
        if raw_filters:
            try:
                filters = _parse_object_param(raw_filters)
            except ValueError:
                raise ValueError("filters: Invalid JSON object.") from None
            ids = filters.get("video_ids")
            if ids is not None:
                if not isinstance(ids, list):
                    raise ValueError("filters.video_ids: Not a valid list.")
                wanted = {str(i) for i in ids}
                vids = [c for c in vids if c.content_id in wanted]
            if filters.get("ad_post_only"):
                vids = []  # the sandbox's TikTok accounts are organic only
        rest = [c for c in vids if int(c.published_at.timestamp()) * 1000 < cursor]
        page = rest[:max_count]
        has_more = len(rest) > max_count
        # the real API may return fewer than max_count while has_more is true
        if has_more and max_count >= 4 and stable_hash("short-page", bid, cursor) % 5 == 0:
            page = page[:-1]
        next_cursor = int(page[-1].published_at.timestamp()) * 1000 if page else cursor
        return {
            "videos": [self._tt_video(c, fields, a) for c in page],
            "cursor": next_cursor,
            "has_more": has_more,
        }

    def _tt_video(self, c: Content, fields: list[str], a: date) -> dict[str, Any]:
        i = c.index(a)
        assert i is not None
        s = c.series
        views = s["views"][i]
        watch_ms = s["watch_ms"][i]
        create = int(c.published_at.timestamp())
        out: dict[str, Any] = {}
        vid = c.content_id
        for f in fields:
            if f == "item_id":
                v: Any = vid
            elif f == "media_type":
                v = "VIDEO"
            elif f == "is_ad":
                v = False
            elif f == "create_time":
                v = _maybe_str(create, vid, f, share=TT_STRING_CREATE_TIME_SHARE)
            elif f == "caption":
                v = c.caption
            elif f == "share_url":
                v = f"https://www.tiktok.com/@{c.brand}.official/video/{vid}"
            elif f == "embed_url":
                v = f"https://www.tiktok.com/embed/v2/{vid}"
            elif f == "thumbnail_url":
                v = f"https://p16-sign-va.tiktokcdn.com/obj/sandbox/{vid}~tplv-noop.image?x-expires={create + 86400 * 400}"
            elif f == "video_duration":
                v = round(c.duration_seconds or 0.0, 3)
            elif f == "video_views":
                v = _maybe_str(views, vid, f)
            elif f == "reach":
                v = _maybe_str(s["reach"][i], vid, f)
            elif f in ("likes", "comments", "shares", "new_followers", "profile_views"):
                v = _maybe_str(s[f][i], vid, f)
            elif f == "favorites":
                v = _maybe_str(s["saves"][i], vid, f)
            elif f == "total_time_watched":
                v = _maybe_str(round(watch_ms / 1000.0, 3), vid, f)
            elif f == "average_time_watched":
                v = _maybe_str(round(watch_ms / 1000.0 / views, 3) if views > 0 else 0.0, vid, f)
            elif f == "full_video_watched_rate":
                v = c.attrs["full_video_watched_rate"]
            elif f == "website_clicks":
                v = s["profile_views"][i] // 25
            elif f in (
                "phone_number_clicks",
                "lead_submissions",
                "app_download_clicks",
                "email_clicks",
                "address_clicks",
            ):
                v = 0
            elif f == "video_view_retention":
                dur = max(1, int(c.duration_seconds or 1))
                frac = c.attrs.get("watch_fraction", 0.5)
                v = [
                    {"second": str(sec), "percentage": round(max(0.0, 1.0 - (1 - frac) * sec / dur * 1.6), 4)}
                    for sec in range(0, dur + 1, max(1, dur // 10))
                ]
            elif f == "impression_sources":
                v = [{"impression_source": "For You", "percentage": 0.82}, {"impression_source": "Follow", "percentage": 0.09},
                     {"impression_source": "Personal Profile", "percentage": 0.05}, {"impression_source": "Search", "percentage": 0.04}]  # fmt: skip
            elif f == "audience_genders":
                v = [
                    {"gender": "Female", "percentage": 0.55},
                    {"gender": "Male", "percentage": 0.42},
                    {"gender": "Other", "percentage": 0.03},
                ]
            elif f == "audience_countries":
                v = [{"country": "US", "percentage": 0.45}, {"country": "DE", "percentage": 0.2}]
            elif f == "audience_cities":
                v = [{"city_name": "Los Angeles", "percentage": 0.05}]
            elif f == "audience_types":
                v = [{"type": "New viewers", "percentage": 0.78}, {"type": "Returning viewers", "percentage": 0.22}]
            elif f == "engagement_likes":
                v = [
                    {"second": "0", "percentage": 0.2},
                    {"second": "5", "percentage": 0.5},
                    {"second": "10", "percentage": 0.3},
                ]
            else:  # pragma: no cover - fields are validated
                continue
            out[f] = v
        return out

    # ================================================================== Graph (Meta)

    def _meta_token(self, ctx: _Ctx) -> str | None:
        token = ctx.q("access_token")
        if token:
            return token
        auth = ctx.headers.get("Authorization") or ""
        for scheme in ("Bearer ", "OAuth "):
            if auth.startswith(scheme):
                return auth[len(scheme) :].strip()
        return None

    def _meta_object_for(self, path: str, a: date) -> tuple[str, str] | None:
        m = _GRAPH_PATH.match(path)
        if not m:
            return None
        node = m.group(2)
        acc = ads_api.meta_account(self.world.ad_book, node)
        if acc is not None:
            return acc.numeric_id, "ads_insights" if m.group(3) == "insights" else "ads_management"
        b = self.world.account_brand("instagram", node)
        if b is not None:
            return node, "instagram"
        b = self.world.account_brand("facebook", node)
        if b is not None:
            return node, "pages"
        c = self.world.content(node)
        if c is not None and c.platform in ("instagram", "facebook"):
            return c.account_id, "instagram" if c.platform == "instagram" else "pages"
        return None

    def _graph(self, ctx: _Ctx) -> Reply:
        m = _GRAPH_PATH.match(ctx.path)
        if not m:
            return graph_error(2500, f"Unknown path components: {ctx.path}")
        token = self._meta_token(ctx)
        if not token:
            return graph_error(104, "An access token is required to request this resource.")
        if not self._token_ok("meta", token):
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        node, edge = m.group(2), m.group(3)
        a = ctx.as_of
        usage = 1 + ctx.seq % 7
        headers = {"X-App-Usage": app_usage_header(usage)}
        obj = self._meta_object_for(ctx.path, a)
        if obj is not None:
            headers["X-Business-Use-Case-Usage"] = buc_header(obj[0], obj[1], usage, 0)
        if obj is not None and obj[1].startswith("ads_"):
            headers["X-Ad-Account-Usage"] = ads_api.ad_account_usage_header(ctx.seq)
            if obj[1] == "ads_insights":
                headers["X-FB-Ads-Insights-Throttle"] = ads_api.insights_throttle_header(ctx.seq)
        try:
            body = self._graph_route(ctx, node, edge, a)
        except _BadRequest as bad:
            bad.reply.headers.update(headers)
            return bad.reply
        return Reply(200, body, headers)

    def _graph_route(self, ctx: _Ctx, node: str, edge: str | None, a: date) -> dict[str, Any]:
        ad_account = ads_api.meta_account(self.world.ad_book, node)
        if ad_account is not None:
            book = self.world.ad_book
            try:
                if edge is None:
                    return ads_api.meta_account_node(book, ad_account, ctx.query, a)
                if edge == "ads":
                    return ads_api.meta_ads_edge(book, ad_account, ctx.query, ctx.pairs, ctx.base_url, ctx.path, a)
                if edge == "insights":
                    return ads_api.meta_insights(book, ad_account, ctx.query, ctx.pairs, ctx.base_url, ctx.path, a)
            except ads_api.GraphApiError as exc:
                raise _BadRequest(exc.reply) from None
            raise _BadRequest(graph_error(2500, f"Unknown path components: /{edge}"))
        ig_brand = self.world.account_brand("instagram", node)
        fb_brand = self.world.account_brand("facebook", node)
        content = self.world.content(node)
        if content is not None and (content.platform not in ("instagram", "facebook") or not content.exists(a)):
            content = None
        if ig_brand is not None:
            if edge is None:
                return self._graph_fields(
                    ctx, "IGUser", IG_USER_FIELDS, ("id",), lambda f: self._ig_user_value(ig_brand, f, a)
                )
            if edge == "media":
                items = self.world.account_contents("instagram", node, a)
                return graph_batch.list_with_expansions(
                    self, ctx, {"insights": self._ig_insights},
                    lambda c: self._graph_list(c, items, "IGMedia", IG_MEDIA_FIELDS, ("id",), self._ig_media_value),
                )  # fmt: skip
            raise _BadRequest(graph_error(2500, f"Unknown path components: /{edge}"))
        if fb_brand is not None:
            if edge is None:
                return self._graph_fields(
                    ctx, "Page", FB_PAGE_FIELDS, ("id", "name"), lambda f: self._fb_page_value(fb_brand, f, a)
                )
            if edge in ("video_reels", "videos"):
                items = self._since_until(ctx, self.world.account_contents("facebook", node, a))
                return graph_batch.list_with_expansions(
                    self, ctx, {"video_insights": self._fb_insights},
                    lambda c: self._graph_list(
                        c, items, "Video", FB_VIDEO_FIELDS, FB_VIDEO_DEFAULT_FIELDS, self._fb_video_value
                    ),
                )  # fmt: skip
            raise _BadRequest(graph_error(2500, f"Unknown path components: /{edge}"))
        if content is not None and content.platform == "instagram":
            if edge is None:
                return self._graph_fields(
                    ctx, "IGMedia", IG_MEDIA_FIELDS, ("id",), lambda f: self._ig_media_value(content, f, a)
                )
            if edge == "insights":
                return self._ig_insights(ctx, content, a)
            raise _BadRequest(graph_error(2500, f"Unknown path components: /{edge}"))
        if content is not None and content.platform == "facebook":
            if edge is None:
                return self._graph_fields(
                    ctx,
                    "Video",
                    FB_VIDEO_FIELDS,
                    FB_VIDEO_DEFAULT_FIELDS,
                    lambda f: self._fb_video_value(content, f, a),
                )
            if edge == "video_insights":
                return self._fb_insights(ctx, content, a)
            raise _BadRequest(graph_error(2500, f"Unknown path components: /{edge}"))
        raise _BadRequest(
            graph_error(
                100,
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation. Please read the Graph API documentation at "
                "https://developers.facebook.com/docs/graph-api",
                subcode=33,
                err_type="GraphMethodException",
            )
        )

    @staticmethod
    def _requested_fields(ctx: _Ctx, node_type: str, allowed: frozenset[str], default: Iterable[str]) -> list[str]:
        raw = ctx.q("fields")
        if not raw:
            return list(default)
        out: list[str] = []
        depth, cur = 0, ""
        for ch in raw + ",":  # split on top-level commas; ignore `{...}` sub-selections
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                name = cur.strip()
                cur = ""
                if name and name not in out:
                    out.append(name)
                continue
            if depth == 0 and ch not in "{}":
                cur += ch
        for f in out:
            if f not in allowed:
                raise _BadRequest(
                    graph_error(100, f"(#100) Tried accessing nonexisting field ({f}) on node type ({node_type})")
                )
        return out

    def _graph_fields(self, ctx: _Ctx, node_type: str, allowed: frozenset[str], default: Iterable[str],
                      value: Callable[[str], Any]) -> dict[str, Any]:  # fmt: skip
        out: dict[str, Any] = {}
        for f in self._requested_fields(ctx, node_type, allowed, default):
            v = value(f)
            if v is not None:  # Graph omits fields without a value
                out[f] = v
        if "id" not in out:
            out["id"] = value("id")
        return out

    def _graph_list(self, ctx: _Ctx, items: list[Content], node_type: str, allowed: frozenset[str],
                    default: Iterable[str], value: Callable[[Content, str, date], Any]) -> dict[str, Any]:  # fmt: skip
        fields = self._requested_fields(ctx, node_type, allowed, default)
        raw_limit = ctx.q("limit")
        try:
            limit = int(raw_limit) if raw_limit not in (None, "") else GRAPH_PAGE_DEFAULT
        except ValueError:
            raise _BadRequest(graph_error(100, "(#100) Param limit must be an integer")) from None
        if limit < 1:
            raise _BadRequest(graph_error(100, "(#100) Param limit must be a positive integer"))
        limit = min(limit, GRAPH_PAGE_MAX)
        ids = [c.content_id for c in items]
        after, before = ctx.q("after"), ctx.q("before")
        start, stop = 0, limit
        if after or before:
            try:
                anchor = unb64(after or before or "")
                if not anchor.startswith("sbx:"):
                    raise ValueError
                pos = ids.index(anchor[4:])
            except (ValueError, UnicodeDecodeError):
                raise _BadRequest(
                    graph_error(100, "(#100) The after/before cursor is invalid or has expired", subcode=1349210)
                ) from None
            if after:
                start, stop = pos + 1, pos + 1 + limit
            else:
                start, stop = max(0, pos - limit), pos
        page = items[start:stop]
        a = ctx.as_of
        data = []
        for c in page:
            obj: dict[str, Any] = {}
            for f in fields:
                v = value(c, f, a)
                if v is not None:
                    obj[f] = v
            obj.setdefault("id", c.content_id)
            data.append(obj)
        body: dict[str, Any] = {"data": data}
        if page:
            first, last = b64("sbx:" + page[0].content_id), b64("sbx:" + page[-1].content_id)
            paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
            end_pos = start + len(page)
            keep = [(k, v) for k, v in ctx.pairs if k not in ("after", "before")]
            if end_pos < len(items):
                paging["next"] = f"{ctx.base_url}{ctx.path}?{urlencode(keep + [('after', last)])}"
            if start > 0:
                paging["previous"] = f"{ctx.base_url}{ctx.path}?{urlencode(keep + [('before', first)])}"
            body["paging"] = paging
        return body

    @staticmethod
    def _since_until(ctx: _Ctx, items: list[Content]) -> list[Content]:
        def bound(raw: str | None) -> float | None:
            if not raw:
                return None
            if raw.lstrip("-").isdigit():
                return float(raw)
            try:
                return datetime.combine(_parse_date(raw[:10]), datetime.min.time(), tzinfo=UTC).timestamp()
            except ValueError:
                raise _BadRequest(graph_error(100, f"(#100) Invalid time value: {raw}")) from None

        lo, hi = bound(ctx.q("since")), bound(ctx.q("until"))
        if lo is None and hi is None:
            return items
        return [
            c
            for c in items
            if (lo is None or c.published_at.timestamp() >= lo) and (hi is None or c.published_at.timestamp() <= hi)
        ]

    # ---- Instagram values

    def _ig_user_value(self, b: Brand, f: str, a: date) -> Any:
        if f == "id":
            return b.ig_user_id
        if f == "username":
            return b.ig_username
        if f == "name":
            return b.name
        if f == "followers_count":
            return b.ig_followers_base
        if f == "follows_count":
            return 80 + stable_hash(b.ig_user_id) % 300
        if f == "media_count":
            return len(self.world.account_contents("instagram", b.ig_user_id, a))
        if f == "biography":
            return f"Official {b.name} on Instagram"
        if f == "profile_picture_url":
            return f"https://scontent.cdninstagram.com/v/sandbox/{b.slug}.jpg"
        if f == "website":
            return f"https://{b.slug}.example.com/"
        return None

    def _ig_media_value(self, c: Content, f: str, a: date) -> Any:
        reel = c.is_short
        if f == "id":
            return c.content_id
        if f == "caption":
            return c.caption or None
        if f == "media_type":
            return c.attrs["media_type"]
        if f == "media_product_type":
            return c.attrs["media_product_type"]
        if f == "permalink":
            return f"https://www.instagram.com/{'reel' if reel else 'p'}/{c.attrs['shortcode']}/"
        if f == "shortcode":
            return c.attrs["shortcode"]
        if f == "timestamp":
            return _graph_time(c.published_at)
        if f == "thumbnail_url":
            return f"https://scontent.cdninstagram.com/v/t51.sandbox/{c.content_id}_thumb.jpg" if reel else None
        if f == "media_url":
            ext = "mp4" if reel else "jpg"
            return f"https://scontent.cdninstagram.com/v/t51.sandbox/{c.content_id}.{ext}"
        if f == "like_count":
            return c.cum("likes", a)
        if f == "comments_count":
            return c.cum("comments", a)
        if f == "owner":
            return {"id": c.account_id}
        if f == "username":
            return self.world.brand(c.brand).ig_username
        if f == "is_comment_enabled":
            return True
        if f == "is_shared_to_feed":
            return True if reel else None
        return None  # children: no carousels in the sandbox

    def _ig_insights(self, ctx: _Ctx, c: Content, a: date) -> dict[str, Any]:
        metrics = _split_csv(ctx.q("metric"))
        if not metrics:
            raise _BadRequest(graph_error(100, "(#100) The parameter metric is required"))
        catalog = dict(IG_REELS_METRICS)
        retired = IG_RETIRED_METRICS
        if a < INSTAGRAM_VIEWS_FROM:  # before the change: plays is served, views does not exist yet
            name, title, description = IG_LEGACY_PLAYS
            catalog = {(name if k == "views" else k): ((title, description) if k == "views" else v)
                       for k, v in IG_REELS_METRICS.items()}
            retired = IG_RETIRED_METRICS - {name}
        allowed = list(catalog)
        for i, m in enumerate(metrics):
            if m in retired:
                raise _BadRequest(
                    graph_error(
                        100,
                        f"(#100) Starting from version v22.0 and above, the {m} metric is no longer supported for "
                        "media insights. Please use views metric instead.",
                    )
                )
            if m not in catalog:
                raise _BadRequest(
                    graph_error(100, f"(#100) metric[{i}] must be one of the following values: {', '.join(allowed)}")
                )
            if m in IG_REELS_ONLY and not c.is_short:
                raise _BadRequest(
                    graph_error(
                        100,
                        f"(#100) The Media Insights API does not support the {m} metric for this media product type.",
                    )
                )
        period = ctx.q("period")
        if period and period != "lifetime":
            return {"data": []}
        i = c.index(a)
        assert i is not None
        s = c.series
        views = s["views"][i]
        watch = s.get("watch_ms", [0] * (i + 1))[i]
        values = {
            "views": views,
            "reach": s["reach"][i],
            "likes": s["likes"][i],
            "comments": s["comments"][i],
            "shares": s["shares"][i],
            "saved": s["saves"][i],
            "total_interactions": s["likes"][i] + s["comments"][i] + s["shares"][i] + s["saves"][i],
            "ig_reels_avg_watch_time": watch // views if views > 0 else 0,
            "ig_reels_video_view_total_time": watch,
        }
        if a < INSTAGRAM_VIEWS_FROM:
            values["plays"] = s["plays"][i]
        return _lifetime_insights(c.content_id, "insights", metrics, values, catalog)

    # ---- Facebook values

    def _fb_page_value(self, b: Brand, f: str, a: date) -> Any:
        return {
            "id": b.fb_page_id,
            "name": b.name,
            "fan_count": b.fb_followers_base,
            "followers_count": b.fb_followers_base,
            "link": f"https://www.facebook.com/{b.slug}",
            "category": "Brand",
            "username": b.slug,
        }.get(f)

    def _fb_video_value(self, c: Content, f: str, a: date) -> Any:
        if f == "id":
            return c.content_id
        if f == "description":
            return c.caption or None
        if f == "title":
            return c.attrs.get("title")
        if f == "created_time":
            return _graph_time(c.published_at)
        if f == "updated_time":
            return _graph_time(c.published_at + timedelta(seconds=42))
        if f == "length":
            return round(c.duration_seconds or 0.0, 3)
        if f == "permalink_url":
            return f"https://www.facebook.com/reel/{c.content_id}/"
        if f == "post_id":
            return f"{c.account_id}_{c.attrs['post_suffix']}"
        if f == "published":
            return True
        if f == "status":
            return {"video_status": "ready"}
        if f in ("views", "post_views"):
            return c.cum("views", a)
        if f == "from":
            b = self.world.brand(c.brand)
            return {"name": b.name, "id": b.fb_page_id}
        return None

    def _fb_insights(self, ctx: _Ctx, c: Content, a: date) -> dict[str, Any]:
        metrics = _split_csv(ctx.q("metric")) or list(FB_METRICS)
        for m in metrics:
            if m not in FB_METRICS:
                raise _BadRequest(graph_error(100, "(#100) The value must be a valid insights metric"))
        period = ctx.q("period")
        if period and period != "lifetime":
            return {"data": []}
        i = c.index(a)
        assert i is not None
        s = c.series
        views = s["views"][i]
        watch = s["watch_ms"][i]
        reactions = {}
        for key in s:
            if key.startswith("reaction_") and s[key][i] > 0:
                reactions[key[len("reaction_") :]] = s[key][i]
        frac = c.attrs.get("watch_fraction", 0.5)
        values: dict[str, Any] = {
            "blue_reels_play_count": views - s["replays"][i],
            "fb_reels_total_plays": views,
            "fb_reels_replay_count": s["replays"][i],
            "post_impressions_unique": s["reach"][i],
            "post_video_avg_time_watched": watch // views if views > 0 else 0,
            "post_video_view_time": watch,
            "post_video_social_actions": {"COMMENT": s["comments"][i], "SHARE": s["shares"][i]},
            "post_video_likes_by_reaction_type": reactions,
            "post_video_followers": s["followers"][i],
            "post_video_retention_graph": {
                str(k): round(max(0.0, 1.0 - (1 - frac) * 1.6 * k / 40), 4) for k in range(0, 41, 4)
            },
        }
        return _lifetime_insights(c.content_id, "video_insights", metrics, values, FB_METRICS)

    # ================================================================== YouTube

    def _youtube(self, ctx: _Ctx) -> Reply:
        auth = ctx.headers.get("Authorization") or ""
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        if not self._token_ok("youtube", token):
            return google_unauthorized()
        route = ctx.path.rstrip("/")
        if route == "/v2/reports":
            return self._yta_reports(ctx, token or "")
        if route == "/youtube/v3/channels":
            return self._yt_channels(ctx, token or "")
        if route == "/youtube/v3/playlistItems":
            return self._yt_playlist_items(ctx)
        if route == "/youtube/v3/videos":
            return self._yt_videos(ctx)
        return google_error(404, "notFound", f"The requested URL {ctx.path} was not found on this server.")

    def _yt_mine(self, token: str) -> Brand:
        channel = self._yt_binding.get(token)
        if channel is not None:
            b = self.world.account_brand("youtube", channel)
            if b is not None:
                return b
        return self.world.brands[0]

    @staticmethod
    def _yt_parts(ctx: _Ctx, allowed: frozenset[str]) -> list[str]:
        raw = ctx.q("part")
        if not raw:
            raise _BadRequest(google_error(400, "required", "Required parameter: part", location="part"))
        parts = _split_csv(raw)
        for p in parts:
            if p not in allowed:
                raise _BadRequest(google_error(400, "unknownPart", f"'{p}'", domain="youtube.part", location="part"))
        return parts

    @staticmethod
    def _yt_max_results(ctx: _Ctx) -> int:
        raw = ctx.q("maxResults")
        try:
            n = int(raw) if raw not in (None, "") else YT_DEFAULT_MAX_RESULTS
        except ValueError:
            n = -1
        if not 0 <= n <= YT_MAX_RESULTS:
            raise _BadRequest(
                google_error(
                    400,
                    "invalidValue",
                    f"Invalid value '{raw}'. Values must be within the range: [0, 50]",
                    location="maxResults",
                )
            )
        return n

    def _yt_channels(self, ctx: _Ctx, token: str) -> Reply:
        parts = self._yt_parts(ctx, YT_CHANNEL_PARTS)
        a = ctx.as_of
        if (ctx.q("mine") or "").lower() == "true":
            brands = [self._yt_mine(token)]
        elif ctx.q("id"):
            brands = []
            for cid in _split_csv(ctx.q("id")):
                b = self.world.account_brand("youtube", cid)
                if b is not None and b not in brands:
                    brands.append(b)
        else:
            return google_error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam, forHandle",
                domain="youtube.parameter",
            )
        items = []
        for b in brands:
            cid = b.youtube_channel_id
            item: dict[str, Any] = {"kind": "youtube#channel", "etag": "", "id": cid}
            vids = self.world.account_contents("youtube", cid, a)
            if "snippet" in parts:
                item["snippet"] = {
                    "title": b.name,
                    "description": f"Official {b.name} channel.",
                    "customUrl": f"@{b.slug}",
                    "publishedAt": "2019-03-14T10:00:00Z",
                    "thumbnails": {
                        "default": {"url": f"https://yt3.ggpht.com/sandbox/{b.slug}=s88", "width": 88, "height": 88}
                    },
                    "localized": {"title": b.name, "description": f"Official {b.name} channel."},
                }
            if "contentDetails" in parts:
                item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": "UU" + cid[2:]}}
            if "statistics" in parts:
                subs = b.youtube_subscribers_base + sum(c.cum("subs_gained", a) - c.cum("subs_lost", a) for c in vids)
                item["statistics"] = {
                    "viewCount": str(sum(c.cum("views", a) for c in vids)),
                    "subscriberCount": str(subs),
                    "hiddenSubscriberCount": False,
                    "videoCount": str(len(vids)),
                }
            if "status" in parts:
                item["status"] = {"privacyStatus": "public", "isLinked": True, "longUploadsStatus": "allowed"}
            item["etag"] = _etag(item)
            items.append(item)
        body: dict[str, Any] = {
            "kind": "youtube#channelListResponse",
            "etag": "",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": YT_DEFAULT_MAX_RESULTS},
        }
        if items:
            body["items"] = items
        body["etag"] = _etag(body)
        return Reply(200, body)

    def _yt_playlist_items(self, ctx: _Ctx) -> Reply:
        parts = self._yt_parts(ctx, YT_PLAYLIST_ITEM_PARTS)
        playlist = ctx.q("playlistId")
        if not playlist:
            return google_error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: playlistId, id",
                domain="youtube.parameter",
            )
        max_results = self._yt_max_results(ctx)
        brand = self.world.account_brand("youtube", "UC" + playlist[2:]) if playlist.startswith("UU") else None
        if brand is None:
            return google_error(
                404,
                "playlistNotFound",
                "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
                domain="youtube.playlistItem",
                location="playlistId",
            )
        a = ctx.as_of
        vids = self.world.account_contents("youtube", brand.youtube_channel_id, a)
        offset = 0
        token = ctx.q("pageToken")
        if token:
            try:
                raw = unb64(token)
                if not raw.startswith("PT:"):
                    raise ValueError
                offset = int(raw[3:])
            except (ValueError, UnicodeDecodeError):
                return google_error(
                    400, "invalidPageToken", "The request specifies an invalid page token.", location="pageToken"
                )
        page = vids[offset : offset + max_results]
        items = []
        for pos, c in enumerate(page, start=offset):
            item: dict[str, Any] = {
                "kind": "youtube#playlistItem",
                "etag": "",
                "id": b64(f"{playlist}.{c.content_id}"),
            }
            if "snippet" in parts:
                item["snippet"] = {
                    "publishedAt": _rfc3339(c.published_at),
                    "channelId": brand.youtube_channel_id,
                    "title": c.attrs["title"],
                    "description": c.caption,
                    "thumbnails": self._yt_thumbs(c),
                    "channelTitle": brand.name,
                    "playlistId": playlist,
                    "position": pos,
                    "resourceId": {"kind": "youtube#video", "videoId": c.content_id},
                    "videoOwnerChannelTitle": brand.name,
                    "videoOwnerChannelId": brand.youtube_channel_id,
                }
            if "contentDetails" in parts:
                item["contentDetails"] = {"videoId": c.content_id, "videoPublishedAt": _rfc3339(c.published_at)}
            if "status" in parts:
                item["status"] = {"privacyStatus": "public"}
            item["etag"] = _etag(item)
            items.append(item)
        body: dict[str, Any] = {"kind": "youtube#playlistItemListResponse", "etag": ""}
        if offset + max_results < len(vids) and max_results > 0:
            body["nextPageToken"] = b64(f"PT:{offset + max_results}")
        if offset > 0:
            body["prevPageToken"] = b64(f"PT:{max(0, offset - max_results)}")
        body["items"] = items
        body["pageInfo"] = {"totalResults": len(vids), "resultsPerPage": max_results}
        body["etag"] = _etag(body)
        return Reply(200, body)

    @staticmethod
    def _yt_thumbs(c: Content) -> dict[str, Any]:
        base = f"https://i.ytimg.com/vi/{c.content_id}"
        return {
            "default": {"url": f"{base}/default.jpg", "width": 120, "height": 90},
            "medium": {"url": f"{base}/mqdefault.jpg", "width": 320, "height": 180},
            "high": {"url": f"{base}/hqdefault.jpg", "width": 480, "height": 360},
        }

    def _yt_videos(self, ctx: _Ctx) -> Reply:
        parts = self._yt_parts(ctx, YT_VIDEO_PARTS)
        if not ctx.q("id"):
            return google_error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: chart, id, myRating",
                domain="youtube.parameter",
            )
        ids = _split_csv(ctx.q("id"))
        if len(ids) > YT_MAX_RESULTS:
            return google_error(
                400,
                "invalidFilters",
                "The request specifies more than 50 video ids.",
                domain="youtube.video",
                location="id",
            )
        a = ctx.as_of
        items = []
        seen: set[str] = set()
        for vid in ids:
            c = self.world.content(vid)
            if c is None or c.platform != "youtube" or not c.exists(a) or vid in seen:
                continue
            seen.add(vid)
            brand = self.world.brand(c.brand)
            item: dict[str, Any] = {"kind": "youtube#video", "etag": "", "id": vid}
            if "snippet" in parts:
                item["snippet"] = {
                    "publishedAt": _rfc3339(c.published_at),
                    "channelId": c.account_id,
                    "title": c.attrs["title"],
                    "description": c.caption,
                    "thumbnails": self._yt_thumbs(c),
                    "channelTitle": brand.name,
                    "categoryId": "26",
                    "liveBroadcastContent": "none",
                    "localized": {"title": c.attrs["title"], "description": c.caption},
                }
            if "contentDetails" in parts:
                item["contentDetails"] = {
                    "duration": iso8601_duration(c.duration_seconds or 0),
                    "dimension": "2d",
                    "definition": "hd",
                    "caption": "false",
                    "licensedContent": False,
                    "contentRating": {},
                    "projection": "rectangular",
                }
            if "statistics" in parts:
                item["statistics"] = {
                    "viewCount": str(c.cum("views", a)),
                    "likeCount": str(c.cum("likes", a)),
                    "favoriteCount": "0",
                    "commentCount": str(c.cum("comments", a)),
                }
            if "status" in parts:
                item["status"] = {
                    "uploadStatus": "processed",
                    "privacyStatus": "public",
                    "license": "youtube",
                    "embeddable": True,
                    "publicStatsViewable": True,
                    "madeForKids": False,
                }
            item["etag"] = _etag(item)
            items.append(item)
        body = {
            "kind": "youtube#videoListResponse",
            "etag": "",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
        body["etag"] = _etag(body)
        return Reply(200, body)

    # ---- YouTube Analytics

    def _yta_reports(self, ctx: _Ctx, token: str) -> Reply:
        def bad(message: str) -> Reply:
            return google_error(400, "badRequest", message)

        for name in ("ids", "startDate", "endDate", "metrics"):
            if not ctx.q(name):
                return bad(f"Required parameter: {name}")
        ids = ctx.q("ids") or ""
        if not ids.startswith("channel=="):
            return bad("Invalid value for parameter ids. Expected channel==MINE or channel==<channel id>.")
        channel = ids[len("channel==") :]
        bound = self._yt_binding.get(token)
        if channel == "MINE":
            brand: Brand | None = self._yt_mine(token)
        else:
            brand = self.world.account_brand("youtube", channel)
            if brand is None or (bound is not None and bound != channel):
                return google_error(403, "forbidden", "Forbidden")
        assert brand is not None
        try:
            start = _parse_date(ctx.q("startDate") or "")
            end = _parse_date(ctx.q("endDate") or "")
        except ValueError:
            return bad("Invalid date. Dates must be formatted as YYYY-MM-DD.")
        if start > end:
            return bad("The query's start date cannot be after its end date.")
        metrics = _split_csv(ctx.q("metrics"))
        for m in metrics:
            if m not in YTA_METRICS:
                return bad(f"Unknown identifier ({m}) given in field parameters.metrics.")
        dims = _split_csv(ctx.q("dimensions"))
        for d in dims:
            if d not in YTA_DIMENSIONS:
                return bad(f"Unknown identifier ({d}) given in field parameters.dimensions.")
        if len(set(dims)) != len(dims):
            return bad("Duplicate dimension in parameters.dimensions.")
        video_filter: set[str] | None = None
        type_filter: set[str] | None = None
        for clause in [c for c in (ctx.q("filters") or "").split(";") if c.strip()]:
            key, sep, vals = clause.partition("==")
            if not sep or key.strip() not in ("video", "creatorContentType"):
                return bad(f"The query is not supported. Unsupported filter: {clause}")
            values = {v.strip() for v in vals.split(",") if v.strip()}
            if key.strip() == "video":
                if len(values) > YTA_MAX_VIDEO_FILTER:
                    return bad(f"Too many videos in the video filter (at most {YTA_MAX_VIDEO_FILTER}).")
                video_filter = values
            else:
                type_filter = {v.upper() for v in values}
        try:
            max_results = int(ctx.q("maxResults") or 0) or None
            start_index = int(ctx.q("startIndex") or 1)
        except ValueError:
            return bad("maxResults and startIndex must be integers.")
        if start_index < 1 or (max_results is not None and max_results < 1):
            return bad("startIndex must be >= 1 and maxResults >= 1.")
        if "video" in dims:  # per-video report ("top videos"): documented cap of 200 rows per page
            if not self.yta_video_reports:
                return bad("The query is not supported. Check the documentation for supported queries.")
            if max_results is None or max_results > YTA_VIDEO_MAX_RESULTS:
                return bad(f"The query's maxResults must be between 1 and {YTA_VIDEO_MAX_RESULTS} for a report "
                           "with the video dimension.")

        a = ctx.as_of
        last = min(end, a - timedelta(days=brand.youtube_latency_days))
        vids = self.world.account_contents("youtube", brand.youtube_channel_id, a)
        if video_filter is not None:
            vids = [c for c in vids if c.content_id in video_filter]
        if type_filter is not None:
            vids = [c for c in vids if _yt_content_type(c) in type_filter]
        groups: dict[tuple[Any, ...], list[int]] = {}
        # accumulator slots (same order as _YTA_SERIES), then watch_ms and duration_ms * views
        for c in vids:
            first = max(start, c.day0)
            if first > last:
                continue
            ctype = _yt_content_type(c)
            daily = [c.daily_series(name) for name in _YTA_SERIES]
            # `views` of days before YOUTUBE_VIEWS_FROM used the older methodology (= engagedViews)
            legacy_days = (YOUTUBE_VIEWS_FROM - c.day0).days
            if legacy_days > 0:
                daily[0] = daily[1][:legacy_days] + daily[0][legacy_days:]
            dv = daily[0]
            dur_ms = int((c.duration_seconds or 0) * 1000)
            for k in range((first - c.day0).days, (last - c.day0).days + 1):
                key = tuple(
                    (c.day0 + timedelta(days=k)).isoformat() if d == "day" else c.content_id if d == "video" else ctype
                    for d in dims
                )
                acc = groups.get(key)
                if acc is None:
                    acc = groups[key] = [0] * (len(_YTA_SERIES) + 1)
                for j, ser in enumerate(daily):
                    acc[j] += ser[k]
                acc[-1] += dv[k] * dur_ms
        rows = []
        for key, acc in groups.items():
            row: list[Any] = list(key)
            for m in metrics:
                row.append(_yta_value(m, acc))
            rows.append(row)
        rows = _yta_sort(rows, dims, metrics, ctx.q("sort"))
        if start_index > 1 or max_results is not None:
            rows = rows[start_index - 1 : (start_index - 1 + max_results) if max_results else None]
        headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dims]
        headers += [{"name": m, "columnType": "METRIC", "dataType": YTA_METRICS[m]} for m in metrics]
        body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:
            body["rows"] = rows
        return Reply(200, body)


def _yt_content_type(c: Content) -> str:
    return "SHORTS" if c.kind == KIND_SHORT else "VIDEO_ON_DEMAND" if c.kind == KIND_LONG_FORM else "UNSPECIFIED"


_YTA_SERIES = (
    "views", "engaged_views", "watch_min", "likes", "dislikes", "comments", "shares",
    "subs_gained", "subs_lost", "watch_ms",
)  # fmt: skip
_YTA_SLOT = {
    "views": 0, "engagedViews": 1, "estimatedMinutesWatched": 2, "likes": 3, "dislikes": 4,
    "comments": 5, "shares": 6, "subscribersGained": 7, "subscribersLost": 8,
}  # fmt: skip


def _yta_value(metric: str, acc: list[int]) -> int | float:
    views, watch_ms, dur_views_ms = acc[0], acc[9], acc[10]
    if metric == "averageViewDuration":
        return int(round(watch_ms / 1000.0 / views)) if views > 0 else 0
    if metric == "averageViewPercentage":
        return round(100.0 * watch_ms / dur_views_ms, 2) if dur_views_ms > 0 else 0.0
    return acc[_YTA_SLOT[metric]]


def _yta_sort(rows: list[list[Any]], dims: list[str], metrics: list[str], sort: str | None) -> list[list[Any]]:
    columns = dims + metrics
    keys = _split_csv(sort) or list(dims)
    for key in reversed(keys):
        desc = key.startswith("-")
        name = key.lstrip("-")
        if name not in columns:
            continue
        idx = columns.index(name)
        rows.sort(key=lambda r: r[idx], reverse=desc)  # noqa: B023
    return rows


def _add_drift(body: dict[str, Any]) -> None:
    """schema_drift fault: an unexpected field in every object of the payload's main list."""
    targets: list[Any] = []
    data = body.get("data")
    if isinstance(data, dict):
        for key in ("videos", "metrics", "list"):
            if isinstance(data.get(key), list):
                targets.extend(data[key])
        if not targets:
            targets.append(data)
    elif isinstance(data, list):
        targets.extend(data)
    if isinstance(body.get("items"), list):
        targets.extend(body["items"])
    if not targets:
        targets.append(body)
    for obj in targets:
        if isinstance(obj, dict):
            obj["sandbox_drift_field"] = "unexpected"


def _loop_cursor(body: dict[str, Any], platform: str, ctx: _Ctx) -> None:
    """cursor_loop fault: the answer points back at the page just requested, forever.

    TikTok: `has_more` true and `cursor` = the requested cursor (the first page keeps its own).
    Graph: `paging.next` = the requested URL (the first page: its own next, or itself + after).
    YouTube Data: `nextPageToken` = the requested pageToken (the first page: a token for itself).
    """
    if platform == "tiktok":
        data = body.get("data")
        if isinstance(data, dict) and "cursor" in data:
            requested = ctx.q("cursor")
            if requested not in (None, ""):
                data["cursor"] = int(requested) if requested.lstrip("-").isdigit() else requested
            data["has_more"] = True
        return
    if platform == "meta":
        if not isinstance(body.get("data"), list):
            return
        same = f"{ctx.base_url}{ctx.path}?{urlencode(ctx.pairs)}"
        paging = body.setdefault("paging", {})
        if ctx.q("after"):
            paging["next"] = same
        elif "next" not in paging:
            after = (paging.get("cursors") or {}).get("after")
            keep = [(k, v) for k, v in ctx.pairs if k not in ("after", "before")]
            paging["next"] = f"{ctx.base_url}{ctx.path}?{urlencode(keep + [('after', after)])}" if after else same
        return
    if isinstance(body.get("items"), list):
        body["nextPageToken"] = ctx.q("pageToken") or body.get("nextPageToken") or b64("PT:0")
