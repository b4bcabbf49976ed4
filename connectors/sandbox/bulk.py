"""Bulk raw generator: the `raw.*` rows that daily pulls of a sandbox world would have landed.

Lifetime snapshots cannot be fetched for the past, so a warehouse with a year of history cannot
be filled by pulling. `write_raw(world, conn, first_day, last_day)` writes, without HTTP, exactly
the rows the ingest assets land after one daily refresh per day `first_day..last_day` with the
default lookbacks (docs/DESIGN.md "Performance at agency scale", Worlds): same keys, same payload
JSON text (`landing._payload_json` of what the connector yields, personal-data keys dropped), and
for re-read daily rows the value of the newest pull that covered the day.

Exactness comes from reuse, not from a second model: every payload is built by the sandbox
server's own builders (`SandboxServer._tt_video`, `_ig_insights`, `_yt_videos`, `_yta_reports`...,
called on a server that is never started) and the Marketing API handlers of ads_api.py, with the
query parameters the connectors send, and then shaped the way the connector shapes it
(`insights_to_dict`, `{**media, "insights": ...}`, report rows as {column: value}). The connector
rules are applied as the connectors apply them: Instagram's legacy `plays` retry, the YouTube
Shorts-only and max-age rules of the video-days asset, each platform's latency (TikTok account
days, YouTube Analytics), paid lookbacks (Meta 28, TikTok 7 days) and restatements (the served
values of the last pull covering a day). tests/integration/test_bulk_generator.py proves it row for
row against real day-by-day pulls over HTTP.

Daily rows are computed once per (object, day) at the as-of date of the last pull that covered the
day (a row, once served, is served by every later pull of its window, so the newest pull is the one
that wins). Rows are built in Python lists and inserted per table in chunks through one
Arrow table each: appended to a table that was empty when the run began, upserted with landing's
`_upsert` into one that was not (re-running over existing rows changes what changed, like landing).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import ads_api
from .server import SandboxServer, _BadRequest, _Ctx
from .world import World, WorldSettings

PAID_PLATFORMS = ("tiktok_ads", "meta_ads")
ORGANIC_PLATFORMS = ("tiktok", "instagram", "facebook", "youtube")
ALL_PLATFORMS = ORGANIC_PLATFORMS + PAID_PLATFORMS
TABLES_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "tiktok": ("tiktok_videos", "tiktok_account_days"),
    "instagram": ("instagram_reels",),
    "facebook": ("facebook_reels",),
    "youtube": ("youtube_videos", "youtube_video_days"),
    "tiktok_ads": ("tiktok_advertisers", "tiktok_ads", "tiktok_ad_days"),
    "meta_ads": ("meta_ad_accounts", "meta_ads", "meta_ad_days"),
}
CHUNK_ROWS = 50_000  # rows buffered per table before one bulk insert


@dataclass(frozen=True)
class Lookbacks:
    """The ingest defaults (PlatformsResource): what one daily refresh re-reads."""

    daily: int = 7
    meta_ads: int = 28
    tiktok_ads: int = 7
    youtube_max_age: int = 120


def _days(first: date, last: date) -> Iterator[date]:
    for i in range((last - first).days + 1):
        yield first + timedelta(days=i)


class _Sink:
    """Buffers (key..., payload_json) rows per raw table and bulk-inserts them in chunks."""

    def __init__(self, conn: Any, pulled_at: datetime, chunk_rows: int = CHUNK_ROWS, last_day: date | None = None,
                 lookbacks: Lookbacks | None = None) -> None:
        from dagster_project.defs.ingest.landing import RAW_TABLES

        self.conn = conn
        self.pulled_at = pulled_at
        # Each appended row is stamped as the pull that last wrote it would have been: `pulled_at`
        # minus the days from that pull to `last_day` (a snapshot's own day; a daily row's metric
        # date plus its table's lookback, at most `last_day`). So the incremental models' watermark
        # sees a history of daily pulls, not one pull of everything.
        self.last_day = last_day
        lb = lookbacks or Lookbacks()
        self.lookback_days = {"meta_ad_days": lb.meta_ads, "tiktok_ad_days": lb.tiktok_ads}
        self.default_lookback = lb.daily
        self.chunk_rows = chunk_rows
        self.tables = RAW_TABLES
        self.buffers: dict[str, list[tuple]] = {}
        self.counts: dict[str, int] = {}
        # Every key is generated once per run, so a table that starts empty is appended to; one
        # that already holds rows is upserted into.
        self.appending = {name for name, t in RAW_TABLES.items()
                          if conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {t.qualified} LIMIT 1)").fetchall()[0][0] == 0}

    def add(self, table: str, row: tuple) -> None:
        buf = self.buffers.setdefault(table, [])
        buf.append(row)
        if len(buf) >= self.chunk_rows:
            self.flush(table)

    def _pulled_at_sql(self, name: str, date_column: str) -> str:
        if self.last_day is None:
            return "CAST(? AS TIMESTAMP)"
        last = f"DATE '{self.last_day.isoformat()}'"
        pull_day = (date_column if date_column == "snapshot_date" else
                    f"least({last}, CAST({date_column} + INTERVAL {self.lookback_days.get(name, self.default_lookback)} DAY AS DATE))")
        return f"CAST(? AS TIMESTAMP) - to_days(CAST(date_diff('day', {pull_day}, {last}) AS INTEGER))"

    def flush(self, table: str | None = None) -> None:
        import pyarrow as pa

        from dagster_project.defs.ingest.landing import _upsert

        for name in [table] if table else list(self.buffers):
            rows = self.buffers.get(name) or []
            if not rows:
                continue
            self.buffers[name] = []
            t = self.tables[name]
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            if name not in self.appending:
                # the table held rows before this run: upsert like landing does (slower)
                _upsert(self.conn, t, rows, self.pulled_at, count_total=False)
                continue
            key_cols = list(t.key)
            cols = list(zip(*rows, strict=True))
            # one Arrow table per chunk (typed columns, no pandas object columns); pulled_at is
            # computed by the INSERT from the row's date
            arrays = {c: pa.array(cols[i], type=pa.date32() if c == t.date_column else pa.string())
                      for i, c in enumerate(key_cols)}
            arrays["payload"] = pa.array(cols[-1], type=pa.string())
            frame = pa.table(arrays)
            view = f"_bulk_{name}"
            self.conn.register(view, frame)
            try:
                self.conn.execute(
                    f"INSERT INTO {t.qualified} ({', '.join(key_cols)}, pulled_at, payload) "
                    f"SELECT {', '.join(key_cols)}, {self._pulled_at_sql(name, t.date_column)}, "
                    f"CAST(payload AS JSON) FROM {view}",
                    [self.pulled_at],
                )
            finally:
                self.conn.unregister(view)


def _checked(platforms: Iterable[str] | None, first_day: date, last_day: date, world_end: date) -> tuple[str, ...]:
    """The platforms to write (default all), after checking them and the pull days."""
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    if last_day > world_end:
        raise ValueError(f"last_day {last_day} is after the world's end {world_end}")
    chosen = tuple(platforms) if platforms is not None else ALL_PLATFORMS
    unknown = sorted(set(chosen) - set(ALL_PLATFORMS))
    if unknown:
        raise ValueError(f"unknown platform(s) {unknown}: choose from {', '.join(ALL_PLATFORMS)}")
    return chosen


def write_raw(
    world: World,
    conn: Any,
    first_day: date,
    last_day: date,
    *,
    platforms: Iterable[str] | None = None,
    pulled_at: datetime | None = None,
    lookbacks: Lookbacks | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write `raw.*` (and `raw.accounts`) as daily pulls of `first_day..last_day` would have.

    `platforms`: a subset of tiktok, instagram, facebook, youtube, tiktok_ads, meta_ads (default
    all). Returns {raw table: rows written}. `conn` is an open DuckDB connection (the raw schema
    is created if missing); `pulled_at` (default now, naive UTC) stamps the last day's pull, and
    every older row is stamped whole days earlier, as its own pull would have been.
    """
    from dagster_project import settings
    from dagster_project.defs.ingest.landing import ensure_raw_schema, land_accounts, utc_now

    chosen = _checked(platforms, first_day, last_day, world.end)
    ensure_raw_schema(conn)
    config = settings.parse_accounts(world.accounts_config(), "sandbox world")
    stamp = pulled_at or utc_now()
    land_accounts(conn, config.accounts, stamp)
    lookbacks = lookbacks or Lookbacks()
    gen = _Generator(world, first_day, last_day, lookbacks, _Sink(conn, stamp, last_day=last_day, lookbacks=lookbacks))
    say = progress or (lambda _msg: None)
    for platform in ALL_PLATFORMS:
        if platform not in chosen:
            continue
        started = time.perf_counter()
        accounts = [a.account_id for a in config.for_platform(platform)]
        getattr(gen, platform)(accounts)
        gen.sink.flush()
        rows = {t: gen.sink.counts.get(t, 0) for t in TABLES_BY_PLATFORM[platform]}
        say(f"{platform}: {rows} in {time.perf_counter() - started:.1f} s")
    return {f"raw.{t}": n for t, n in sorted(gen.sink.counts.items())}


# The platforms in the order a pool of processes should take them: the costliest first (rows per
# brand on `large`: Meta ads ~125 k, TikTok ads ~94 k, YouTube ~36 k, the other organic ~20 k each).
COSTLIEST_FIRST = ("meta_ads", "tiktok_ads", "youtube", "facebook", "instagram", "tiktok")
_WORKER_WORLD: tuple[WorldSettings, World] | None = None  # a pool worker's world, built once for its tasks


def _write_part(task: tuple[WorldSettings, str, str, date, date, datetime, Lookbacks | None]) -> tuple[str, dict[str, int], float]:
    import duckdb

    global _WORKER_WORLD
    world_settings, platform, path, first, last, stamp, lookbacks = task
    started = time.perf_counter()
    if _WORKER_WORLD is None or _WORKER_WORLD[0] != world_settings:
        _WORKER_WORLD = (world_settings, World(world_settings))
    with duckdb.connect(path) as conn:
        counts = write_raw(_WORKER_WORLD[1], conn, first, last, platforms=[platform], pulled_at=stamp,
                           lookbacks=lookbacks)
    return platform, counts, time.perf_counter() - started


def write_raw_parallel(
    world_settings: WorldSettings,
    db_path: str,
    first_day: date,
    last_day: date,
    *,
    jobs: int,
    platforms: Iterable[str] | None = None,
    pulled_at: datetime | None = None,
    lookbacks: Lookbacks | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """`write_raw` with one platform per task over `jobs` processes, each into a part file beside
    `db_path`, then appended into `db_path` table by table.

    The workers are spawned, not forked (forking a process that runs threads, a test server's or
    DuckDB's, can leave a child waiting forever on a lock it copied), so each builds the world from
    `world_settings` once (the world is deterministic: the same in every process). The rows are
    those of `write_raw` (same keys, payloads and `pulled_at`, one stamp for all, `raw.accounts`
    from the first part). Appending only: the chosen platforms' raw tables in `db_path` must be
    empty (to update a warehouse that holds rows, `write_raw` upserts).
    """
    import multiprocessing

    import duckdb

    from dagster_project.defs.ingest.landing import ensure_raw_schema, utc_now

    wanted = _checked(platforms, first_day, last_day, world_settings.end)
    chosen = [p for p in COSTLIEST_FIRST if p in wanted]
    stamp = pulled_at or utc_now()
    with duckdb.connect(db_path) as conn:
        ensure_raw_schema(conn)
        holding = [t for p in chosen for t in TABLES_BY_PLATFORM[p]
                   if conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM raw.{t} LIMIT 1)").fetchall()[0][0]]
    if holding:
        raise ValueError(f"{db_path}: raw.{', raw.'.join(holding)} already hold rows; parallel writing only "
                         "appends (write with one job to update them)")
    parts = {p: f"{db_path}.part-{p}" for p in chosen}
    for path in parts.values():
        for leftover in (path, path + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
    say = progress or (lambda _msg: None)
    tasks = [(world_settings, p, parts[p], first_day, last_day, stamp, lookbacks) for p in chosen]
    with multiprocessing.get_context("spawn").Pool(max(1, min(jobs, len(chosen)))) as pool:
        for platform, counts, seconds in pool.imap_unordered(_write_part, tasks):
            say(f"{platform}: {counts} in {seconds:.1f} s")
    totals: dict[str, int] = {}
    started = time.perf_counter()
    with duckdb.connect(db_path) as conn:
        for p in chosen:
            conn.execute(f"ATTACH '{parts[p]}' AS part (READ_ONLY)")
            try:
                if p == chosen[0]:  # every part landed the same accounts
                    conn.execute("BEGIN TRANSACTION")
                    conn.execute("DELETE FROM raw.accounts")
                    conn.execute("INSERT INTO raw.accounts BY NAME SELECT * FROM part.raw.accounts")
                    conn.execute("COMMIT")
                for t in TABLES_BY_PLATFORM[p]:
                    conn.execute(f"INSERT INTO raw.{t} BY NAME SELECT * FROM part.raw.{t}")
                    totals[f"raw.{t}"] = int(conn.execute(f"SELECT count(*) FROM raw.{t}").fetchall()[0][0])
            finally:
                conn.execute("DETACH part")
            os.remove(parts[p])
    say(f"parts appended into {db_path} in {time.perf_counter() - started:.1f} s")
    return dict(sorted(totals.items()))


class _Generator:
    """One method per platform; each adds its tables' rows to the sink."""

    def __init__(self, world: World, first: date, last: date, lookbacks: Lookbacks, sink: _Sink) -> None:
        from dagster_project.defs.ingest.landing import _payload_json
        from dagster_project.privacy import is_personal_key, without_personal_fields

        self.world = world
        self.first, self.last = first, last
        self.lb = lookbacks
        self.sink = sink
        # builders of a server that is never started (no socket is used by the builders)
        self.srv = SandboxServer(world, host="127.0.0.1", port=0)
        self.srv._httpd.server_close()
        self._strip = without_personal_fields
        self._json = _payload_json
        self._denied = is_personal_key
        self._key_sets: dict[tuple, bool] = {}  # a dict's key tuple -> does it hold a denied key

    def _has_denied_key(self, node: Any) -> bool:
        """Would landing's minimization remove anything from `node`? (cached per key set; faster
        here than landing's text search, because many sandbox payloads do hold such a key)"""
        if isinstance(node, dict):
            keys = tuple(node)
            bad = self._key_sets.get(keys)
            if bad is None:
                bad = self._key_sets[keys] = any(isinstance(k, str) and self._denied(k) for k in keys)
            if bad:
                return True
            return any(self._has_denied_key(v) for v in node.values() if isinstance(v, (dict, list)))
        if isinstance(node, list):
            return any(self._has_denied_key(v) for v in node if isinstance(v, (dict, list)))
        return False

    def payload(self, obj: Any) -> str:
        """The connector's record payload as landing stores it (personal-data keys dropped by the
        ingest's own function when there are any: a payload without one is landed unchanged)."""
        if self._has_denied_key(obj):
            obj = self._strip(obj, set())
        return self._json(obj)

    @staticmethod
    def ctx(as_of: date, path: str, pairs: Sequence[tuple[str, Any]]) -> _Ctx:
        return _Ctx(as_of, "http://sandbox.invalid", path, [(k, str(v)) for k, v in pairs], {}, 0)

    def _daily_window(self, lookback: int, latency: int = 0) -> tuple[date, date] | None:
        """Metric days some pull a in first..last asked for ([a - lookback, a - latency])."""
        if latency > lookback:
            return None
        return self.first - timedelta(days=lookback), self.last - timedelta(days=latency)

    def _last_pull(self, day: date, lookback: int) -> date | None:
        """The as-of date of the newest pull whose window [a - lookback, a] holds `day`."""
        a = min(self.last, day + timedelta(days=lookback))
        return a if a >= max(self.first, day) else None

    # ------------------------------------------------------------------ TikTok organic

    def tiktok(self, accounts: list[str]) -> None:
        from connectors.tiktok import ACCOUNT_DAY_FIELDS, VIDEO_FIELDS

        fields = list(dict.fromkeys(VIDEO_FIELDS))
        day_fields = list(dict.fromkeys(ACCOUNT_DAY_FIELDS))
        add, payload, video = self.sink.add, self.payload, self.srv._tt_video
        for a in _days(self.first, self.last):
            for bid in accounts:
                for c in self.world.account_contents("tiktok", bid, a):
                    add("tiktok_videos", (bid, c.content_id, a, payload(video(c, fields, a))))
        for bid in accounts:
            brand = self.world.account_brand("tiktok", bid)
            assert brand is not None, f"tiktok account {bid} is not in the world"
            window = self._daily_window(self.lb.daily, brand.tiktok_latency_days)
            if window is None:
                continue
            for d in _days(*window):
                add("tiktok_account_days", (bid, d, payload(self.srv._tt_day_row(bid, d, day_fields))))

    # ------------------------------------------------------------------ Meta organic

    def instagram(self, accounts: list[str]) -> None:
        from connectors.meta import (
            IG_REEL_METRICS,
            IG_REEL_METRICS_LEGACY,
            MEDIA_FIELDS,
            REELS_PRODUCT_TYPE,
            insights_to_dict,
        )

        fields = list(dict.fromkeys(f.strip() for f in MEDIA_FIELDS.split(",")))
        add, payload, value = self.sink.add, self.payload, self.srv._ig_media_value
        for a in _days(self.first, self.last):
            for uid in accounts:
                metrics = IG_REEL_METRICS  # the connector's state, per account and pull
                for c in self.world.account_contents("instagram", uid, a):
                    if value(c, "media_product_type", a) != REELS_PRODUCT_TYPE:
                        continue  # the connector skips FEED media (before asking for insights)
                    media = {f: v for f in fields if (v := value(c, f, a)) is not None}
                    media.setdefault("id", c.content_id)
                    path = f"/v25.0/{c.content_id}/insights"
                    try:
                        body = self.srv._ig_insights(self.ctx(a, path, [("metric", metrics)]), c, a)
                    except _BadRequest:
                        if metrics == IG_REEL_METRICS_LEGACY:
                            raise
                        # the views metric is rejected before 2025-04-21: the connector asks
                        # once more with `plays` and keeps that list for the account's pull
                        metrics = IG_REEL_METRICS_LEGACY
                        body = self.srv._ig_insights(self.ctx(a, path, [("metric", metrics)]), c, a)
                    record = {**media, "insights": insights_to_dict(body)}
                    add("instagram_reels", (uid, c.content_id, a, payload(record)))

    def facebook(self, accounts: list[str]) -> None:
        from connectors.meta import FB_REEL_FIELDS, FB_REEL_METRICS, insights_to_dict

        fields = list(dict.fromkeys(f.strip() for f in FB_REEL_FIELDS.split(",")))
        add, payload, value = self.sink.add, self.payload, self.srv._fb_video_value
        for a in _days(self.first, self.last):
            for pid in accounts:
                for c in self.world.account_contents("facebook", pid, a):
                    reel = {f: v for f in fields if (v := value(c, f, a)) is not None}
                    reel.setdefault("id", c.content_id)
                    ctx = self.ctx(a, f"/v25.0/{c.content_id}/video_insights", [("metric", FB_REEL_METRICS)])
                    record = {**reel, "insights": insights_to_dict(self.srv._fb_insights(ctx, c, a))}
                    add("facebook_reels", (pid, c.content_id, a, payload(record)))

    # ------------------------------------------------------------------ YouTube

    def youtube(self, accounts: list[str]) -> None:
        from connectors.youtube import DAILY_METRICS, DATA_PAGE_SIZE, VIDEO_PARTS, parse_iso8601_duration
        from dagster_project.defs.ingest.youtube import SHORTS_MAX_SECONDS

        add, payload = self.sink.add, self.payload
        # video id -> (first pull it qualified for Analytics, last such pull)
        eligible: dict[tuple[str, str], list[date]] = {}
        for a in _days(self.first, self.last):
            oldest = a - timedelta(days=self.lb.youtube_max_age)
            for cid in accounts:
                ids = [c.content_id for c in self.world.account_contents("youtube", cid, a)]
                for i in range(0, len(ids), DATA_PAGE_SIZE):
                    batch = ids[i : i + DATA_PAGE_SIZE]
                    ctx = self.ctx(a, "/youtube/v3/videos", [("part", VIDEO_PARTS), ("id", ",".join(batch))])
                    reply = self.srv._yt_videos(ctx)
                    assert reply.status == 200, f"youtube channel {cid}: videos.list answered {reply.status}"
                    for item in reply.body.get("items") or []:
                        vid = str(item["id"])
                        add("youtube_videos", (cid, vid, a, payload(item)))
                        duration = item.get("contentDetails", {}).get("duration")
                        published = item.get("snippet", {}).get("publishedAt")
                        if (duration and parse_iso8601_duration(duration) <= SHORTS_MAX_SECONDS and published
                                and datetime.fromisoformat(published.replace("Z", "+00:00")).date() >= oldest):
                            span = eligible.setdefault((cid, vid), [a, a])
                            span[1] = a
        # Analytics rows: a pull at a asks [a - lookback, a] and gets days up to a - latency; a
        # day's value does not depend on the pull, so each video needs one report over the union
        for (cid, vid), (a_first, a_last) in eligible.items():
            brand = self.world.account_brand("youtube", cid)
            assert brand is not None, f"youtube channel {cid} is not in the world"
            lat = brand.youtube_latency_days
            if lat > self.lb.daily:
                continue
            start, end = a_first - timedelta(days=self.lb.daily), a_last - timedelta(days=lat)
            if start > end:
                continue
            pairs = [("ids", f"channel=={cid}"), ("startDate", start.isoformat()), ("endDate", end.isoformat()),
                     ("metrics", DAILY_METRICS), ("dimensions", "day"), ("filters", f"video=={vid}"),
                     ("sort", "day")]
            reply = self.srv._yta_reports(self.ctx(a_last, "/v2/reports", pairs), "")
            assert reply.status == 200, f"youtube channel {cid} video {vid}: reports answered {reply.status}"
            names = [h["name"] for h in reply.body.get("columnHeaders") or []]
            for row in reply.body.get("rows") or []:
                record = dict(zip(names, row, strict=True))
                add("youtube_video_days", (cid, vid, date.fromisoformat(record["day"]), payload(record)))

    # ------------------------------------------------------------------ paid

    def tiktok_ads(self, accounts: list[str]) -> None:
        from connectors.tiktok import (
            AD_DAY_DIMENSIONS,
            AD_DAY_METRICS,
            ADS_PAGE_SIZE,
            ADVERTISER_FIELDS,
            REPORT_PARAMS,
        )

        book = self.world.ad_book
        add, payload = self.sink.add, self.payload

        def pages(handler: Callable[..., dict[str, Any]], q: dict[str, str], a: date) -> Iterator[dict[str, Any]]:
            page = 1
            while True:
                data = handler(book, {**q, "page": str(page), "page_size": str(ADS_PAGE_SIZE)}, a)
                yield from data.get("list") or []
                if page >= int((data.get("page_info") or {}).get("total_page", 0)):
                    return
                page += 1

        for a in _days(self.first, self.last):
            for adv in accounts:
                q = {"advertiser_ids": json.dumps([adv]), "fields": json.dumps(list(ADVERTISER_FIELDS))}
                items = ads_api.tt_advertiser_info(book, q, a)["list"]
                item = next((i for i in items if str(i.get("advertiser_id", "")) == adv), None)
                if item is None and len(items) == 1 and items[0].get("advertiser_id") in (None, ""):
                    item = items[0]
                assert item is not None, f"tiktok_ads advertiser {adv}: not in advertiser/info"
                add("tiktok_advertisers", (adv, a, payload(item)))
                seen: set[str] = set()
                for ad in pages(ads_api.tt_ad_get, {"advertiser_id": adv}, a):
                    ad_id = str(ad["ad_id"])
                    if ad_id not in seen:
                        seen.add(ad_id)
                        add("tiktok_ads", (adv, ad_id, a, payload(ad)))
        base = {**REPORT_PARAMS, "dimensions": json.dumps(list(AD_DAY_DIMENSIONS)),
                "metrics": json.dumps(list(AD_DAY_METRICS))}
        window = self._daily_window(self.lb.tiktok_ads)
        assert window is not None
        # day by day, then account by account: rows are written in the order the daily pulls land
        # them (each day's rows by the last pull of its window), as landing leaves a raw table; a
        # table written account by account puts every date in every row group, and a pull's merge,
        # which reads its date window, then reads the whole table
        for d in _days(*window):
            a = self._last_pull(d, self.lb.tiktok_ads)
            if a is None:
                continue
            for adv in accounts:
                q = {"advertiser_id": adv, **base, "start_date": d.isoformat(), "end_date": d.isoformat()}
                seen_days: set[tuple[str, date]] = set()
                for row in pages(ads_api.tt_report, q, a):
                    ad_id = str(row["dimensions"]["ad_id"])
                    day = date.fromisoformat(str(row["dimensions"]["stat_time_day"])[:10])
                    if (ad_id, day) not in seen_days:
                        seen_days.add((ad_id, day))
                        add("tiktok_ad_days", (adv, ad_id, day, payload(row)))

    def meta_ads(self, accounts: list[str]) -> None:
        from connectors.meta import (
            AD_ACCOUNT_FIELDS,
            AD_FIELDS,
            AD_INSIGHTS_BREAKDOWNS,
            AD_INSIGHTS_FIELDS,
            AD_INSIGHTS_PAGE_SIZE,
            ADS_PAGE_SIZE,
            DEFAULT_API_VERSION,
            ad_account_key,
        )

        book = self.world.ad_book
        add, payload = self.sink.add, self.payload

        def edge(handler: Callable[..., dict[str, Any]], acc: Any, path: str,
                 pairs: list[tuple[str, str]], a: date) -> Iterator[dict[str, Any]]:
            while True:
                q: dict[str, str] = {}
                for k, v in pairs:
                    q.setdefault(k, v)
                body = handler(book, acc, q, pairs, "http://sandbox.invalid", path, a)
                yield from body.get("data") or []
                nxt = (body.get("paging") or {}).get("next")
                if not nxt:
                    return
                pairs = parse_qsl(urlsplit(nxt).query, keep_blank_values=True)

        for a in _days(self.first, self.last):
            for raw_id in accounts:
                key = ad_account_key(raw_id)
                acc = ads_api.meta_account(book, key)
                assert acc is not None, f"meta_ads account {key} is not in the world"
                node = ads_api.meta_account_node(book, acc, {"fields": AD_ACCOUNT_FIELDS}, a)
                add("meta_ad_accounts", (key, a, payload(node)))
                path = f"/{DEFAULT_API_VERSION}/{key}/ads"
                seen: set[str] = set()
                for ad in edge(ads_api.meta_ads_edge, acc, path,
                               [("fields", AD_FIELDS), ("limit", str(ADS_PAGE_SIZE))], a):
                    ad_id = str(ad["id"])
                    if ad_id not in seen:
                        seen.add(ad_id)
                        add("meta_ads", (key, ad_id, a, payload(ad)))
        window = self._daily_window(self.lb.meta_ads)
        assert window is not None
        for d in _days(*window):  # day by day, then account by account (see tiktok_ads)
            a = self._last_pull(d, self.lb.meta_ads)
            if a is None:
                continue
            for raw_id in accounts:
                key = ad_account_key(raw_id)
                acc = ads_api.meta_account(book, key)
                path = f"/{DEFAULT_API_VERSION}/{key}/insights"
                pairs = [("level", "ad"), ("time_increment", "1"),
                         ("time_range", json.dumps({"since": d.isoformat(), "until": d.isoformat()},
                                                   separators=(",", ":"))),
                         ("breakdowns", ",".join(AD_INSIGHTS_BREAKDOWNS)), ("fields", ",".join(AD_INSIGHTS_FIELDS)),
                         ("limit", str(AD_INSIGHTS_PAGE_SIZE))]
                seen_rows: set[tuple[str, date]] = set()
                for row in edge(ads_api.meta_insights, acc, path, pairs, a):
                    day = date.fromisoformat(row["date_start"])
                    object_id = "|".join([str(row["ad_id"]), *(str(row[b]) for b in AD_INSIGHTS_BREAKDOWNS)])
                    if (object_id, day) not in seen_rows:
                        seen_rows.add((object_id, day))
                        add("meta_ad_days", (key, object_id, day, payload(row)))
