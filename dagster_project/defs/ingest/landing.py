"""Raw landing: idempotent upserts of connector records into DuckDB `raw.*` tables.

Each pull of one platform account and day is written in one transaction: either every row of it
lands or none does. Rows are keyed by their natural key; a re-pull replaces a row only when its
payload changed (newest pull wins), so landing an identical pull twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from connectors.records import DailyRecord, LifetimeRecord


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


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table in RAW_TABLES.values():
        cols = [f"{table.account_column} VARCHAR NOT NULL"]
        if table.object_column:
            cols.append(f"{table.object_column} VARCHAR NOT NULL")
        cols += [
            f"{table.date_column} DATE NOT NULL",
            "pulled_at TIMESTAMP NOT NULL",
            "payload JSON NOT NULL",
            f"PRIMARY KEY ({', '.join(table.key)})",
        ]
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table.qualified} ({', '.join(cols)})")
    conn.execute(ACCOUNTS_DDL)


def _payload_json(payload: object) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _upsert(
    conn: duckdb.DuckDBPyConnection, table: RawTable, rows: Sequence[tuple], pulled_at: datetime
) -> LandingResult:
    """Upsert rows of (key values..., payload_json) in one transaction."""
    # The last occurrence of a key in one pull wins (an API may repeat an item across pages).
    deduped = list({row[:-1]: row for row in rows}.values())
    key_cols = list(table.key)
    conn.execute("BEGIN TRANSACTION")
    try:
        written = 0
        if deduped:
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE _landing AS SELECT * FROM "
                f"{table.qualified} LIMIT 0"
            )
            frame = pd.DataFrame(
                [(*row[:-1], pulled_at, row[-1]) for row in deduped],
                columns=[*key_cols, "pulled_at", "payload"],
            )
            conn.register("_landing_rows", frame)
            try:
                conn.execute(
                    f"INSERT INTO _landing ({', '.join(key_cols)}, pulled_at, payload) "
                    f"SELECT {', '.join(key_cols)}, pulled_at, CAST(payload AS JSON) FROM _landing_rows"
                )
            finally:
                conn.unregister("_landing_rows")
            on = " AND ".join(f"t.{c} = l.{c}" for c in key_cols)
            changed = conn.execute(
                f"SELECT count(*) FROM _landing l LEFT JOIN {table.qualified} t ON {on} "
                "WHERE t.payload IS NULL OR CAST(t.payload AS VARCHAR) <> CAST(l.payload AS VARCHAR)"
            ).fetchone()
            written = int(changed[0]) if changed else 0
            conn.execute(
                f"INSERT INTO {table.qualified} ({', '.join(key_cols)}, pulled_at, payload) "
                f"SELECT {', '.join(key_cols)}, pulled_at, payload FROM _landing "
                f"ON CONFLICT ({', '.join(key_cols)}) DO UPDATE SET "
                "payload = excluded.payload, pulled_at = excluded.pulled_at "
                f"WHERE CAST({table.qualified}.payload AS VARCHAR) <> CAST(excluded.payload AS VARCHAR)"
            )
            conn.execute("DROP TABLE _landing")
        total = conn.execute(f"SELECT count(*) FROM {table.qualified}").fetchone()
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
