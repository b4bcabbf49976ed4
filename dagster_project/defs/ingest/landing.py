"""Raw landing: idempotent upserts of connector records into DuckDB `raw.*` tables.

Each pull of one platform account and day is written in one transaction: either every row of it
lands or none does. Rows are keyed by their natural key (kept unique by the upsert, not by a
PRIMARY KEY); a re-pull replaces a row only when its payload changed (newest pull wins), so landing
an identical pull twice changes nothing. The ingest assets' `Lander` drops keys naming end users'
personal data from payloads first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import orjson
import pandas as pd

from connectors.records import DailyRecord, LifetimeRecord
from dagster_project.privacy import has_personal_key, may_have_personal_key, without_personal_fields


@dataclass(frozen=True)
class RawTable:
    name: str  # table name inside schema raw
    account_column: str
    object_column: str | None
    date_column: str  # snapshot_date | metric_date

    @property
    def key(self) -> tuple[str, ...]:
        cols = [self.account_column]
        if self.object_column:
            cols.append(self.object_column)
        cols.append(self.date_column)
        return tuple(cols)

    @property
    def qualified(self) -> str:
        return f"raw.{self.name}"


RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in (
        RawTable("tiktok_videos", "business_id", "item_id", "snapshot_date"),
        RawTable("tiktok_account_days", "business_id", None, "metric_date"),
        RawTable("instagram_reels", "ig_user_id", "media_id", "snapshot_date"),
        RawTable("facebook_reels", "page_id", "video_id", "snapshot_date"),
        RawTable("youtube_videos", "channel_id", "video_id", "snapshot_date"),
        RawTable("youtube_video_days", "channel_id", "video_id", "metric_date"),
        RawTable("tiktok_advertisers", "advertiser_id", None, "snapshot_date"),
        RawTable("tiktok_ads", "advertiser_id", "ad_id", "snapshot_date"),
        RawTable("tiktok_ad_days", "advertiser_id", "ad_id", "metric_date"),
        RawTable("meta_ad_accounts", "ad_account_id", None, "snapshot_date"),
        RawTable("meta_ads", "ad_account_id", "ad_id", "snapshot_date"),
        RawTable("meta_ad_days", "ad_account_id", "ad_placement_key", "metric_date"),
    )
}

ACCOUNTS_DDL = """
CREATE TABLE IF NOT EXISTS raw.accounts (
    brand VARCHAR NOT NULL,
    brand_timezone VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    surface VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (brand, platform, account_id)
)
"""


@dataclass(frozen=True)
class LandingResult:
    table: str
    received: int  # rows in this pull
    written: int  # rows inserted or changed
    total_rows: int  # rows in the table afterwards


def utc_now() -> datetime:
    """Naive UTC timestamp, the warehouse's convention for `*_at` columns."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _raw_columns(table: RawTable) -> str:
    cols = [f"{table.account_column} VARCHAR NOT NULL"]
    if table.object_column:
        cols.append(f"{table.object_column} VARCHAR NOT NULL")
    cols += [f"{table.date_column} DATE NOT NULL", "pulled_at TIMESTAMP NOT NULL", "payload JSON NOT NULL"]
    return ", ".join(cols)


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables when missing. The natural key is kept unique by `_upsert`, not by a
    PRIMARY KEY: DuckDB holds a key's index in memory and rewrites it at every checkpoint, which made
    a daily pull's memory and time grow with the history (1,135 vs 636 MiB at one year of `agency`).
    Tables of an older warehouse that still carry the key are rebuilt without it once."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    keyed = {r[0] for r in conn.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE schema_name = 'raw' AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()}
    for table in RAW_TABLES.values():
        if table.name in keyed:
            _drop_primary_key(conn, table)
        else:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({_raw_columns(table)})")
    conn.execute(ACCOUNTS_DDL)


def _drop_primary_key(conn: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    """Rebuild one raw table without its PRIMARY KEY (same rows, in date order), in one transaction."""
    conn.execute("SET enable_progress_bar = false")
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"CREATE TABLE raw._rebuild ({_raw_columns(table)})")
        conn.execute(f"INSERT INTO raw._rebuild SELECT {', '.join(table.key)}, pulled_at, payload "
                     f"FROM {table.qualified} ORDER BY {table.date_column}")
        conn.execute(f"DROP TABLE {table.qualified}")
        conn.execute(f"ALTER TABLE raw._rebuild RENAME TO {table.name}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _orjson_may_differ(text: str) -> bool:
    """Whether orjson's text may differ from the standard library's: floats under 1e-4 ("1e-05" vs
    "0.00001", "3e-07" vs "3e-7") and NaN/Infinity, which orjson writes as null. Substring
    searches (a regex alternation cost as much as the serialization saved)."""
    if "null" in text:
        return True
    for mark, is_number in (
        ("e-", str.isdigit),  # "3e-7": a digit before "e-"
        # "0.00001" as a number: in compact JSON only ':' ',' '[' or a minus sign come before a
        # number. Not "10.0000", nor a string such as Meta's "ctr":"0.000000", which both write alike
        # (on Meta's ad days that string sent a third of the rows to the standard library).
        ("0.0000", lambda before: before in ":,[-"),
    ):
        at = text.find(mark)
        while at >= 0:
            if at > 0 and is_number(text[at - 1]):
                return True
            at = text.find(mark, at + len(mark))
    return False


def _stdlib_json(payload: object) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# The fast path is taken only when this orjson writes these like the standard library (an orjson
# older than the pinned one writes 1e16 for 1e+16, for example).
_ORJSON_PROBE = {"b": [1e16, -2.5e20, 1.5e300, 0.0001, 123456789.123, -0.0, 1.0, 2**63], "a": "é\u2028\x7f😀\"\\"}
_ORJSON_SAME = orjson.dumps(_ORJSON_PROBE, option=orjson.OPT_SORT_KEYS).decode() == _stdlib_json(_ORJSON_PROBE)


def _payload_json(payload: object) -> str:
    """The payload as landed: keys sorted, compact, UTF-8 (the standard library's json.dumps text).

    orjson writes the same text ~6x faster (identical on 121,249 payloads of every raw table); the
    standard library writes it when orjson refuses (keys that are not strings, integers beyond 64
    bits) or its text may differ (`_orjson_may_differ`), so stored payloads never change form.
    """
    try:
        text = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode() if _ORJSON_SAME else None
    except TypeError:
        text = None
    if text is None or _orjson_may_differ(text):
        text = _stdlib_json(payload)
    return text


def _minimized_texts(payloads: Sequence[object], dropped: set[str]) -> list[str]:
    """The payloads' JSON texts without keys naming end-user data (E3/E4), at any depth; their
    names go to `dropped`. The texts of one pull are searched together for a hint word first (one
    search instead of one per payload, which cost a sixth of a Meta ad days pull), then each
    payload of a pull with a hit; so a clean payload is serialized once and never walked."""
    texts = [_payload_json(p) for p in payloads]
    if not may_have_personal_key("\n".join(texts)):
        return texts
    for i, (payload, text) in enumerate(zip(payloads, texts, strict=True)):
        if may_have_personal_key(text) and has_personal_key(payload):
            texts[i] = _payload_json(without_personal_fields(payload, dropped))
    return texts


def _upsert(
    conn: duckdb.DuckDBPyConnection, table: RawTable, rows: Sequence[tuple], pulled_at: datetime,
    count_total: bool = True,
) -> LandingResult:
    """Upsert rows of (key values..., payload_json) in one transaction.

    Only the slice of the table this pull can touch is read: its accounts, between its first and
    last date. Raw tables grow in date order, so DuckDB skips every other row group by its min/max
    statistics, and the cost and memory of landing follow the size of the pull, not of the history.
    A row whose payload changed is updated in place (newest pull wins, with its `pulled_at`); an
    identical row is left as it was; new keys are inserted.
    """
    # The last occurrence of a key in one pull wins (an API may repeat an item across pages).
    deduped = list({row[:-1]: row for row in rows}.values())
    key_cols = list(table.key)
    cols = ", ".join(key_cols)
    conn.execute("BEGIN TRANSACTION")
    try:
        written = 0
        if deduped:
            frame = pd.DataFrame([row[:-1] for row in deduped], columns=key_cols)
            frame["payload"] = [row[-1] for row in deduped]
            conn.register("_landing_rows", frame)
            try:
                conn.execute(
                    "CREATE OR REPLACE TEMP TABLE _landing AS SELECT "
                    + ", ".join(f"CAST({c} AS {'DATE' if c == table.date_column else 'VARCHAR'}) AS {c}"
                                for c in key_cols)
                    + ", CAST(payload AS VARCHAR) AS payload FROM _landing_rows"
                )
            finally:
                conn.unregister("_landing_rows")
            dates = [row[len(key_cols) - 1] for row in deduped]
            accounts = sorted({row[0] for row in deduped})
            in_slice = (f"t.{table.date_column} BETWEEN ? AND ? AND t.{table.account_column} "
                        f"IN ({', '.join('?' * len(accounts))})")
            params = [min(dates), max(dates), *accounts]
            same_key = " AND ".join(f"t.{c} = l.{c}" for c in key_cols)
            # rows of this pull that are new (`_row` null) or differ from what is stored (`_row`: its rowid)
            conn.execute(
                f"CREATE OR REPLACE TEMP TABLE _changed AS SELECT l.*, t._row FROM _landing l LEFT JOIN "
                f"(SELECT {cols}, CAST(payload AS VARCHAR) AS payload, rowid AS _row FROM {table.qualified} t "
                f"WHERE {in_slice}) t ON {same_key} WHERE NOT coalesce(t.payload = l.payload, false) ORDER BY t._row",
                params,
            )
            written = int(conn.execute("SELECT count(*) FROM _changed").fetchall()[0][0])
            if written:
                # A changed row is updated where it is stored, not deleted and appended: deleting
                # most of a restated window (Meta's 28 days) and appending it again made the next
                # checkpoint rewrite the table's tail, which cost more the longer the history was
                # (docs/BENCHMARKS.md "Session 13"). Rows also stay where they first landed, in
                # date order. The update goes in rowid order: DuckDB updates scattered rows slowly.
                conn.execute(
                    f"UPDATE {table.qualified} t SET payload = CAST(l.payload AS JSON), "
                    f"pulled_at = CAST(? AS TIMESTAMP) FROM _changed l WHERE t.rowid = l._row",
                    [pulled_at],
                )
                conn.execute(
                    f"INSERT INTO {table.qualified} ({cols}, pulled_at, payload) "
                    f"SELECT {cols}, CAST(? AS TIMESTAMP), CAST(payload AS JSON) FROM _changed WHERE _row IS NULL",
                    [pulled_at],
                )
            conn.execute("DROP TABLE _landing")
            conn.execute("DROP TABLE _changed")
        total = conn.execute(f"SELECT count(*) FROM {table.qualified}").fetchall()[0] if count_total else None
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return LandingResult(table.qualified, len(rows), written, int(total[0]) if total else 0)


def _key_prefix(table: RawTable, record: LifetimeRecord | DailyRecord) -> tuple:
    """The account (and object, when the table is keyed by one) of a record."""
    return (record.account_id, record.object_id) if table.object_column else (record.account_id,)


def land_lifetime(
    conn: duckdb.DuckDBPyConnection,
    table_name: str,
    records: Iterable[LifetimeRecord],
    snapshot_date: date,
    pulled_at: datetime | None = None,
) -> LandingResult:
    """Land lifetime totals as the snapshot of `snapshot_date`."""
    table = RAW_TABLES[table_name]
    rows = [(*_key_prefix(table, r), snapshot_date, _payload_json(r.payload)) for r in records]
    return _upsert(conn, table, rows, pulled_at or utc_now())


def land_daily(
    conn: duckdb.DuckDBPyConnection,
    table_name: str,
    records: Iterable[DailyRecord],
    pulled_at: datetime | None = None,
) -> LandingResult:
    """Land daily rows keyed by the metric date the API reported."""
    table = RAW_TABLES[table_name]
    rows = [(*_key_prefix(table, r), r.metric_date, _payload_json(r.payload)) for r in records]
    return _upsert(conn, table, rows, pulled_at or utc_now())


# Staged rows that trigger a merge between two accounts' pulls. Every merge reads the raw rows of
# the pull's date range (for Meta ad days, the 28-day window of every account), so fewer, larger
# merges read less: 20,000 instead of 5,000 took a one-year Meta ad days pull's merges from ~6 to
# ~3 s, for ~80 MB more peak memory (still bounded by this, not by the history).
FLUSH_ROWS = 20_000

# DuckDB checkpoints when a commit leaves more than `checkpoint_threshold` (16 MiB) of WAL, and a
# checkpoint rewrites the row groups the commit touched. A Meta ad days pull's merges passed it
# several times, each rewriting the same tail again; with this, an asset's connection checkpoints
# once, when it closes (docs/BENCHMARKS.md "Session 13").
LANDING_CHECKPOINT_THRESHOLD = "1GB"


class Lander:
    """Lands the pulls of one asset run into one raw table, over one open connection.

    Each account's pull is staged whole, and the staged pulls are merged in one transaction once
    they reach `flush_rows` rows (always between two accounts, never inside one) and at `finish()`.
    So an account lands entirely or not at all, the cost of a transaction is shared by many small
    accounts, and memory is bounded by `flush_rows` (or by one account's pull), not by the history.
    When a merge fails, its accounts are retried one by one, so only the account whose rows the
    database refused fails (`failed`), and the others land.
    """

    def __init__(self, conn: duckdb.DuckDBPyConnection, table_name: str, flush_rows: int = FLUSH_ROWS) -> None:
        self.conn = conn
        conn.execute(f"SET checkpoint_threshold = '{LANDING_CHECKPOINT_THRESHOLD}'")
        self.table = RAW_TABLES[table_name]
        self.flush_rows = flush_rows
        self.staged: list[tuple[str, list[tuple]]] = []
        self.staged_rows = 0
        self.received = 0
        self.written = 0
        self.failed: dict[str, str] = {}  # account id -> why the database refused its rows
        self.dropped: set[str] = set()  # personal-data keys removed from payloads

    def lifetime(self, account_id: str, records: Iterable[LifetimeRecord], snapshot_date: date) -> int:
        return self._stage(account_id, self._rows(records, lambda r: snapshot_date))

    def daily(self, account_id: str, records: Iterable[DailyRecord]) -> int:
        return self._stage(account_id, self._rows(records, lambda r: r.metric_date))

    def _rows(self, records: Iterable[LifetimeRecord | DailyRecord], day_of) -> list[tuple]:
        """(key values..., day, minimized payload text) of one account's records."""
        records = list(records)
        texts = _minimized_texts([r.payload for r in records], self.dropped)
        return [(*_key_prefix(self.table, r), day_of(r), t) for r, t in zip(records, texts, strict=True)]

    def _stage(self, account_id: str, rows: list[tuple]) -> int:
        if self.staged and self.staged_rows + len(rows) > self.flush_rows:
            self.flush()
        self.staged.append((account_id, rows))
        self.staged_rows += len(rows)
        return len(rows)

    def flush(self) -> None:
        staged, self.staged, self.staged_rows = self.staged, [], 0
        if not staged:
            return
        pulled_at = utc_now()
        try:
            self._merge([row for _, rows in staged for row in rows], pulled_at)
        except duckdb.Error as exc:
            if len(staged) == 1:
                self.failed[staged[0][0]] = _landing_error(self.table, exc)
                return
            for account_id, rows in staged:  # find the account(s) the database refused
                try:
                    self._merge(rows, pulled_at)
                except duckdb.Error as one:
                    self.failed[account_id] = _landing_error(self.table, one)

    def _merge(self, rows: list[tuple], pulled_at: datetime) -> None:
        result = _upsert(self.conn, self.table, rows, pulled_at, count_total=False)
        self.received += result.received
        self.written += result.written

    def finish(self) -> LandingResult:
        """Merge what is staged; the table's totals for the asset's metadata."""
        self.flush()
        total = self.conn.execute(f"SELECT count(*) FROM {self.table.qualified}").fetchall()[0]
        return LandingResult(self.table.qualified, self.received, self.written, int(total[0]) if total else 0)


def _landing_error(table: RawTable, exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"landing into {table.qualified} failed ({exc.__class__.__name__}: {first[:300]})"


def land_accounts(conn: duckdb.DuckDBPyConnection, accounts: Iterable, loaded_at: datetime | None = None) -> int:
    """Replace raw.accounts with the configured accounts (brand ownership of each account)."""
    rows = [
        (a.brand, a.brand_timezone, a.platform, a.surface, a.account_id, loaded_at or utc_now())
        for a in accounts
    ]
    conn.execute("BEGIN TRANSACTION")
    try:
        existing = conn.execute(
            "SELECT brand, brand_timezone, platform, surface, account_id FROM raw.accounts ORDER BY ALL"
        ).fetchall()
        if sorted(r[:5] for r in rows) != [tuple(e) for e in existing]:
            conn.execute("DELETE FROM raw.accounts")
            if rows:
                conn.executemany("INSERT INTO raw.accounts VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(rows)
