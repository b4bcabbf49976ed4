"""Shared HTTP plumbing for the platform clients: session, retries, redaction, errors.

Every request of a client goes through `BaseClient.get_json`, which

* paces itself first: every client of a platform in the process shares one sliding-window
  `RequestPacer` (DEFAULT_PACING, or `configure_pacing`), so a backfill stays under the
  platform's documented request rate instead of learning it from rate-limit answers;
* sends it with `(connect, read)` timeouts on a plain `requests.Session` (no urllib3 retries);
* asks the platform's *classifier* what the answer means: OK, rate limited, transient, auth
  failure, quota exhausted or fatal (TikTok and Meta report errors in bodies, not statuses);
* retries rate limits, 5xx, connection errors, timeouts and truncated or non-JSON bodies with
  exponential backoff and jitter, honouring a server-requested wait (`Retry-After`, Meta's
  `estimated_time_to_regain_access`) unless it exceeds the client's cap, in which case it fails
  fast with `RateLimitedError`;
* raises one of the errors below, built *outside* any `except` block, so nothing from `requests`
  (whose messages hold full URLs) is chained, and with every message passed through a redactor
  that knows the client's token.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter

DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds
DEFAULT_READ_TIMEOUT = 60.0  # seconds
DEFAULT_MAX_ATTEMPTS = 5  # per logical request, first try included
DEFAULT_BACKOFF_BASE = 1.0  # seconds; doubles per attempt
DEFAULT_BACKOFF_MAX = 60.0  # seconds; ceiling of one backoff step
DEFAULT_MAX_WAIT = 300.0  # longest single server-requested wait we sleep through
DEFAULT_MAX_TOTAL_WAIT = 900.0  # sleeping budget of one logical request (all its retries)
DEFAULT_MAX_PAGES = 10_000  # pagination guard
USER_AGENT = "shortform-warehouse/0.1"
# Client-side pacing: at most N requests per sliding window of S seconds, per platform and process.
# TikTok documents 600 requests per minute per endpoint on a one-minute sliding window (the Business
# API documents no figure; the same budget is used). Meta's limits are dynamic and reported in usage
# headers on every answer, which the Meta classifier already turns into pauses at >= 95 %; YouTube
# meters daily quota units, not a fixed request rate. Neither has a fixed default: set one with
# `configure_pacing` (or a client's `max_requests_per_window`) when a limit is known.
DEFAULT_PACING: dict[str, tuple[int, float] | None] = {
    "tiktok": (600, 60.0),
    "meta": None,
    "youtube": None,
}
REDACTED = "***"

# Secrets recognisable by their shape, whatever token the client holds.
_SECRET_PATTERNS = (
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|client_secret|appsecret_proof|api_key|key)"
        r"(?:=|%3D))[^&\s\"'#<>]+"
    ),
    re.compile(r"(?i)(\baccess-token[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
    re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)[^\s\"',}]+"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"),
)
_MIN_SECRET_LENGTH = 4  # shorter "tokens" would shred every message


# --------------------------------------------------------------------------- redaction


class Redactor:
    """Removes known secret values and anything shaped like a credential from text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        variants = {secret, quote(secret, safe=""), quote(secret)}
        self._secrets = sorted(set(self._secrets) | variants, key=len, reverse=True)

    def __call__(self, text: object) -> str:
        out = str(text)
        for secret in self._secrets:
            out = out.replace(secret, REDACTED)
        for pattern in _SECRET_PATTERNS:
            out = pattern.sub(lambda m: m.group(1) + REDACTED, out)
        return out


redact = Redactor()  # shape-based only; clients hold their own with the token added


# --------------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of every connector error. Message: "<platform> account <id> <path>: <detail>"."""

    retryable = False

    def __init__(
        self,
        detail: str,
        *,
        platform: str | None = None,
        account: str | None = None,
        endpoint: str | None = None,
        code: int | str | None = None,
        subcode: int | None = None,
        retry_after: float | None = None,
        redactor: Callable[[object], str] | None = None,
    ) -> None:
        scrub = redactor or redact
        self.platform = platform
        self.account = account
        self.endpoint = scrub(endpoint_path(endpoint)) if endpoint else None
        self.code = code
        self.subcode = subcode
        self.retry_after = retry_after
        self.detail = scrub(detail)
        where = " ".join(
            part
            for part in (
                platform or "",
                f"account {account}" if account is not None else "",
                self.endpoint or "",
            )
            if part
        )
        super().__init__(scrub(f"{where}: {self.detail}" if where else self.detail))

    def __reduce__(self):  # keep pickling (e.g. across processes) from re-running __init__
        return (_restore_error, (type(self), str(self), dict(self.__dict__)))


def _restore_error(cls: type[ConnectorError], text: str, state: dict[str, Any]) -> ConnectorError:
    err = cls.__new__(cls)
    Exception.__init__(err, text)
    err.__dict__.update(state)
    return err


class AuthError(ConnectorError):
    """Token missing, invalid, expired or lacking permission. Never retried."""


class RateLimitedError(ConnectorError):
    """Still rate limited after the retries, or asked to wait longer than the cap.

    `retry_after` holds the server-requested wait in seconds when known.
    """

    retryable = True


class QuotaExceededError(ConnectorError):
    """A daily (or longer) quota is used up. Never retried; rerun after the reset."""


class TransientError(ConnectorError):
    """5xx, connection error, timeout or broken body that outlived the retries."""

    retryable = True


class ApiError(ConnectorError):
    """The API refused the request for a reason retrying cannot fix (carries code, message)."""


class PaginationLoopError(ConnectorError):
    """The same cursor came back twice, or there were more pages than `max_pages`."""


class PayloadError(ConnectorError, ValueError):
    """The API answered, but a field is missing or not of the expected kind."""


# --------------------------------------------------------------------------- classification


class Verdict(enum.Enum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    AUTH = "auth"
    QUOTA = "quota"
    FATAL = "fatal"


@dataclass(frozen=True)
class HttpResult:
    """What a classifier sees: status, headers and the parsed JSON body (None if not JSON)."""

    status: int
    headers: Mapping[str, str]
    body: Any


@dataclass(frozen=True)
class Outcome:
    """A classifier's decision.

    `wait` is a server-requested pause in seconds: before the retry for RATE_LIMITED or
    TRANSIENT, before the *next* request for OK (throttling on usage headers).
    """

    verdict: Verdict
    message: str = ""
    code: int | str | None = None
    subcode: int | None = None
    wait: float | None = None


Classifier = Callable[[HttpResult], Outcome]

_ERROR_FOR_VERDICT: dict[Verdict, type[ConnectorError]] = {
    Verdict.RATE_LIMITED: RateLimitedError,
    Verdict.TRANSIENT: TransientError,
    Verdict.AUTH: AuthError,
    Verdict.QUOTA: QuotaExceededError,
    Verdict.FATAL: ApiError,
}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` as seconds (delta-seconds or HTTP date), None when absent or unreadable."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    raw = str(raw).strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def default_classifier(result: HttpResult) -> Outcome:
    """Status-only rules; platform classifiers fall back to it."""
    status = result.status
    if 200 <= status < 300:
        return Outcome(Verdict.OK)
    wait = retry_after_seconds(result.headers)
    if status == 401:
        return Outcome(Verdict.AUTH, "HTTP 401 unauthorized", code=status)
    if status == 429:
        return Outcome(Verdict.RATE_LIMITED, "HTTP 429 too many requests", code=status, wait=wait)
    if status == 408 or status >= 500:
        return Outcome(Verdict.TRANSIENT, f"HTTP {status}", code=status, wait=wait)
    return Outcome(Verdict.FATAL, f"HTTP {status}", code=status)


# --------------------------------------------------------------------------- helpers


def make_session(user_agent: str = USER_AGENT, pool_size: int = 10) -> requests.Session:
    """A session without urllib3-level retries (BaseClient retries) and a JSON Accept header."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=0, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
    return session


def endpoint_path(url_or_path: str) -> str:
    """The path of a URL, never its query string or host."""
    return urlsplit(url_or_path).path or "/"


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": in [c/2, c] for c = min(cap, base * 2**(n-1))."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_int(value: Any, field: str, **context: Any) -> int:
    """An int from a number or numeric string ("12", "12.0", 12.0); PayloadError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and number.is_integer():
                return int(number)
    raise PayloadError(f"field {field!r}: expected an integer, got {_short(value)}", **context)


def as_float(value: Any, field: str, **context: Any) -> float:
    """A float from a number or numeric string; PayloadError otherwise (bools are garbage)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise PayloadError(f"field {field!r}: expected a number, got {_short(value)}", **context)


def as_bool(value: Any, field: str, **context: Any) -> bool:
    """A bool from true/false, 1/0 or their string forms; PayloadError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise PayloadError(f"field {field!r}: expected a boolean, got {_short(value)}", **context)


def as_date(value: Any, field: str, **context: Any) -> date:
    """A date from "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss", "YYYYMMDD" or a date.

    PayloadError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 8 and text.isdigit():
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise PayloadError(f"field {field!r}: expected a date, got {_short(value)}", **context)


def date_windows(start: date, end: date, max_days: int) -> list[tuple[date, date]]:
    """[start, end] (inclusive) cut into consecutive windows of at most `max_days` days."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    windows: list[tuple[date, date]] = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=max_days - 1))
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows


# --------------------------------------------------------------------------- pagination guard


class PageGuard:
    """Counts pages of one listing and remembers their cursors; raises on a loop."""

    def __init__(self, max_pages: int, error_context: Mapping[str, Any]) -> None:
        self.max_pages = max_pages
        self.pages = 0
        self._seen: set[str] = set()
        self._context = dict(error_context)

    def visit(self, cursor: object) -> None:
        """Call once per page with the cursor (token, URL, offset...) that fetches it."""
        self.pages += 1
        if self.pages > self.max_pages:
            raise PaginationLoopError(
                f"more than {self.max_pages} pages; giving up (pagination loop?)", **self._context
            )
        key = json.dumps(cursor, sort_keys=True, default=str)
        if key in self._seen:
            raise PaginationLoopError(
                f"pagination loop: the same cursor came back at page {self.pages}", **self._context
            )
        self._seen.add(key)


# --------------------------------------------------------------------------- client-side pacing


class RequestPacer:
    """A thread-safe sliding-window limiter: at most `max_requests` per `window_seconds`.

    A request takes a slot before it is sent (`acquire`) and gives it back when its answer has
    arrived (`release`); the slot then counts until `window_seconds` after that *arrival*. Because a
    server stamps a request somewhere between its send and its answer, counting from the answer is
    conservative: a server enforcing the same sliding window never sees more than `max_requests`.
    """

    def __init__(self, max_requests: int, window_seconds: float, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if int(max_requests) < 1 or not window_seconds > 0:
            raise ValueError("max_requests must be >= 1 and window_seconds > 0")
        self.max_requests = int(max_requests)
        self.window = float(window_seconds)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._done: list[float] = []  # answer times of the requests still inside the window
        self._in_flight = 0
        self.waited = 0.0  # total seconds callers spent waiting for a slot
        self.paced = 0  # requests that had to wait

    def __repr__(self) -> str:
        return f"RequestPacer({self.max_requests} per {self.window:g} s)"

    def acquire(self) -> float:
        """Block until a slot is free, take it, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                horizon = now - self.window
                self._done = [t for t in self._done if t > horizon]
                if len(self._done) + self._in_flight < self.max_requests:
                    self._in_flight += 1
                    if waited:
                        self.waited += waited
                        self.paced += 1
                    return waited
                # the oldest finished request leaves the window first; with none finished, poll
                delay = (self._done[0] - horizon) if self._done else min(0.05, self.window)
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay

    def release(self) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._done.append(self._clock())


_PACERS: dict[str, RequestPacer | None] = {}
_PACERS_LOCK = threading.Lock()


def configure_pacing(platform: str, max_requests: int | None, window_seconds: float = 60.0) -> RequestPacer | None:
    """Set the limit every client of `platform` created from now on in this process shares
    (None: no pacing). Clients made before keep the pacer they were given."""
    with _PACERS_LOCK:
        _PACERS[platform] = (RequestPacer(max_requests, window_seconds)
                             if max_requests is not None else None)
        return _PACERS[platform]


def reset_pacing(platform: str | None = None) -> None:
    """Back to DEFAULT_PACING (for one platform or all)."""
    with _PACERS_LOCK:
        if platform is None:
            _PACERS.clear()
        else:
            _PACERS.pop(platform, None)


def platform_pacer(platform: str) -> RequestPacer | None:
    """The process-wide pacer of a platform, created from DEFAULT_PACING on first use."""
    with _PACERS_LOCK:
        if platform not in _PACERS:
            default = DEFAULT_PACING.get(platform)
            _PACERS[platform] = RequestPacer(*default) if default else None
        return _PACERS[platform]


# --------------------------------------------------------------------------- call counting

_REQUEST_COUNTS: dict[str, int] = {}
_COUNTS_LOCK = threading.Lock()


def count_request(platform: str) -> None:
    """Count one HTTP attempt sent for `platform` (every retry counts: it spends quota too)."""
    with _COUNTS_LOCK:
        _REQUEST_COUNTS[platform] = _REQUEST_COUNTS.get(platform, 0) + 1


def request_counts() -> dict[str, int]:
    """HTTP attempts sent per client platform (tiktok, meta, youtube) since the last reset."""
    with _COUNTS_LOCK:
        return dict(_REQUEST_COUNTS)


def reset_request_counts() -> None:
    with _COUNTS_LOCK:
        _REQUEST_COUNTS.clear()


# --------------------------------------------------------------------------- base client


class BaseClient:
    """GETs JSON with timeouts, retries, classification and redaction. Subclass per platform."""

    platform = "http"
    default_max_wait = DEFAULT_MAX_WAIT

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        session: requests.Session | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_wait: float | None = None,
        max_total_wait: float = DEFAULT_MAX_TOTAL_WAIT,
        max_pages: int = DEFAULT_MAX_PAGES,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        classifier: Classifier | None = None,
        logger: logging.Logger | None = None,
        max_requests_per_window: int | None = None,
        pacing_window_seconds: float = 60.0,
        pacer: RequestPacer | None = None,
    ) -> None:
        if not token:
            raise ValueError(f"{self.platform}: no access token given")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.redactor = Redactor([token])
        self.session = session or make_session()
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_wait = self.default_max_wait if max_wait is None else max_wait
        self.max_total_wait = max_total_wait
        self.max_pages = max_pages
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._classify = classifier or self.classify
        self.log = logger or logging.getLogger(f"connectors.{self.platform}")
        self._pending_throttle = 0.0  # seconds to pause before the next request
        # pacing: an explicit pacer, else a private limit, else the platform's shared one
        if pacer is None and max_requests_per_window is not None:
            pacer = RequestPacer(max_requests_per_window, pacing_window_seconds)
        self.pacer = pacer if pacer is not None else platform_pacer(self.platform)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, token={REDACTED!r})"

    # -- per-platform hooks

    def auth_headers(self) -> dict[str, str]:
        """Headers carrying the token. Subclasses override."""
        return {"Authorization": f"Bearer {self._token}"}

    def classify(self, result: HttpResult) -> Outcome:
        """The platform's classifier. Subclasses override (or pass `classifier=`)."""
        return default_classifier(result)

    # -- helpers for subclasses

    def page_guard(self, account: str, endpoint: str, platform: str | None = None) -> PageGuard:
        return PageGuard(self.max_pages, self.context(account, endpoint, platform))

    def context(self, account: str, endpoint: str, platform: str | None = None) -> dict[str, Any]:
        """Keyword arguments naming where an error happened (for error classes, as_int...)."""
        return {"platform": platform or self.platform, "account": account,
                "endpoint": endpoint, "redactor": self.redactor}

    def log_event(self, level: int, message: str, *args: object) -> None:
        """Log through the redactor (never log a raw URL or header elsewhere)."""
        if self.log.isEnabledFor(level):
            self.log.log(level, "%s", self.redactor(message % args if args else message))

    def url(self, target: str) -> str:
        if target.startswith(("http://", "https://")):
            return target
        return self.base_url + target

    # -- the request loop

    def get_json(
        self,
        target: str,
        params: Mapping[str, Any] | None = None,
        *,
        account: str,
        platform: str | None = None,
    ) -> Any:
        """GET `target` (a path under base_url, or an absolute URL) and return its JSON body."""
        return self.request_json("GET", target, params, account=account, platform=platform)

    def request_json(
        self,
        method: str,
        target: str,
        params: Mapping[str, Any] | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        account: str,
        platform: str | None = None,
        weight: int = 1,
    ) -> Any:
        """`method` `target` (form fields in `data` for a POST) with the retry loop of get_json.

        `weight`: pacer slots the request takes (a Graph batch counts as its items)."""
        url = self.url(target)
        endpoint = endpoint_path(url)
        context = self.context(account, endpoint, platform)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            waited += self._pause_for_throttle(context, waited)
            outcome, body = self._attempt(url, params, method=method, data=data, weight=weight)
            if outcome.verdict is Verdict.OK:
                if outcome.wait:
                    self._pending_throttle = max(self._pending_throttle, outcome.wait)
                return body
            cls = _ERROR_FOR_VERDICT[outcome.verdict]
            detail = _describe(outcome)
            if not cls.retryable:
                raise cls(detail, code=outcome.code, subcode=outcome.subcode, **context)
            if outcome.wait is not None and outcome.wait > self.max_wait:
                raise RateLimitedError(
                    f"{detail}; server asks to wait {outcome.wait:.0f} s, more than the "
                    f"{self.max_wait:.0f} s cap",
                    code=outcome.code, subcode=outcome.subcode, retry_after=outcome.wait,
                    **context,
                )
            if attempt >= self.max_attempts:
                raise cls(f"{detail}; gave up after {attempt} attempts", code=outcome.code,
                          subcode=outcome.subcode, retry_after=outcome.wait, **context)
            delay = (outcome.wait if outcome.wait is not None
                     else backoff_delay(attempt, self.backoff_base, self.backoff_max, self._rng))
            if waited + delay > self.max_total_wait:
                raise cls(f"{detail}; retry wait budget of {self.max_total_wait:.0f} s used up",
                          code=outcome.code, subcode=outcome.subcode, retry_after=outcome.wait,
                          **context)
            self.log_event(logging.WARNING, "%s account %s %s: %s; retry %d/%d in %.1f s",
                           context["platform"], account, endpoint, detail, attempt,
                           self.max_attempts - 1, delay)
            self._sleep(delay)
            waited += delay

    def _pause_for_throttle(self, context: dict[str, Any], waited: float) -> float:
        delay, self._pending_throttle = self._pending_throttle, 0.0
        if delay <= 0:
            return 0.0
        if delay > self.max_wait or waited + delay > self.max_total_wait:
            raise RateLimitedError(
                f"usage near the limit; server asks to pause {delay:.0f} s, more than the "
                f"{self.max_wait:.0f} s cap", retry_after=delay, **context)
        self.log_event(logging.INFO, "%s account %s: usage near the limit, pausing %.1f s",
                       context["platform"], context["account"], delay)
        self._sleep(delay)
        return delay

    def _attempt(self, url: str, params: Mapping[str, Any] | None, *, method: str = "GET",
                 data: Mapping[str, Any] | None = None, weight: int = 1) -> tuple[Outcome, Any]:
        """One HTTP exchange. Never lets a requests exception (holding the URL) escape."""
        failure: Outcome | None = None
        pacer = self.pacer
        slots = max(1, min(weight, pacer.max_requests)) if pacer is not None else 0
        for _ in range(slots):
            pacer.acquire()  # type: ignore[union-attr]
        count_request(self.platform)
        try:
            response = self.session.request(method, url, params=params, data=data,
                                            headers=self.auth_headers(), timeout=self.timeout)
            content = response.content  # a truncated body raises here
        except requests.Timeout as exc:
            failure = Outcome(Verdict.TRANSIENT, f"timed out ({type(exc).__name__})")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            failure = Outcome(Verdict.TRANSIENT, f"connection failed ({_reason(exc)})")
        except requests.RequestException as exc:
            failure = Outcome(Verdict.FATAL, f"request failed ({type(exc).__name__})")
        finally:
            for _ in range(slots):
                pacer.release()  # type: ignore[union-attr]
        if failure is not None:
            return failure, None
        body = _parse_json(content)
        if 200 <= response.status_code < 300 and body is None:
            return Outcome(Verdict.TRANSIENT, f"HTTP {response.status_code} with a truncated or "
                                              "non-JSON body"), None
        result = HttpResult(response.status_code, response.headers, body)
        return self._classify(result), body


# Every byte mapped to '0' (a digit), '-' (itself) or ' ' (anything else): a body's "digit shape".
_DIGIT_SHAPE = bytes(48 if 48 <= b <= 57 else 45 if b == 45 else 32 for b in range(256))
_LONG_NUMBERS = (b"0" * 20, b"-" + b"0" * 19)


def _parse_json(content: bytes) -> Any:
    """The body's JSON as the standard library decodes it, or None when it is not JSON.

    orjson decodes ~1.4x faster (a third of a connector's own CPU is decoding). Where the two
    differ, orjson either refuses what the standard library accepts (NaN and Infinity, lone
    surrogates, numbers beyond a double: decoded by the standard library then) or returns an
    integer beyond 64 bits as a float. A run of 20 digits, or 19 after a minus sign, is what such an
    integer needs, so a body holding one (in a number or a string) goes to the standard library,
    and both ways give the same objects (`tests/unit/connectors/test_http_json.py`).
    """
    if not content:
        return None
    shape = content.translate(_DIGIT_SHAPE)
    if not any(run in shape for run in _LONG_NUMBERS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(content)
    except ValueError:
        return None


def _reason(exc: Exception) -> str:
    """A short cause for a connection error, without the URL requests puts in its message."""
    match = re.search(r"\[Errno -?\d+\][^'\")\]]*", str(exc))
    name = type(exc).__name__
    return f"{name}: {match.group(0).strip()}" if match else name


def _describe(outcome: Outcome) -> str:
    labels = {
        Verdict.RATE_LIMITED: "rate limited",
        Verdict.TRANSIENT: "transient failure",
        Verdict.AUTH: "authentication failed (check or renew the token)",
        Verdict.QUOTA: "quota exhausted (no retry; rerun after the quota resets)",
        Verdict.FATAL: "request failed",
    }
    parts = [labels[outcome.verdict]]
    if outcome.code is not None:
        code = f"code {outcome.code}"
        if outcome.subcode is not None:
            code += f"/{outcome.subcode}"
        parts.append(code)
    head = " ".join(parts[:1]) + (f" ({parts[1]})" if len(parts) > 1 else "")
    return f"{head}: {outcome.message}" if outcome.message else head
