"""Resources: where the warehouse lives and how to reach each platform.

Only this module (through `settings`) reads the environment, and only when a run asks for a value.
Clients receive their token as an argument.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project import settings
from dagster_project.defs.ingest.landing import ensure_raw_schema

LOCK_WAIT_SECONDS = 30.0
META_RESTATEMENT_DAYS = 28
TIKTOK_MIN_LOOKBACK_DAYS = 7


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file (DuckDB allows one writer)."""


def open_duckdb(path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    """Open a DuckDB file, waiting a bounded time for another writer's lock to go away."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    limit = settings.duckdb_memory_limit()
    config = {"memory_limit": limit} if limit else {}
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"{path} is locked by another process (another refresh or an open writer); "
                    f"gave up after {wait_seconds:.0f} s. Only one refresh may write at a time."
                ) from None
            time.sleep(0.5)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file the pipeline writes (`SHORTFORM_DB`)."""

    db_path: str = ""

    def path(self) -> Path:
        return settings.resolve_path(self.db_path) if self.db_path else settings.warehouse_db_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = open_duckdb(self.path(), read_only=read_only)
        try:
            if not read_only:
                ensure_raw_schema(conn)
            yield conn
        finally:
            conn.close()


class PublishResource(dg.ConfigurableResource):
    """Where checked marts are published (`SHORTFORM_PUBLISHED_DB`)."""

    published_path: str = ""

    def path(self) -> Path:
        return (
            settings.resolve_path(self.published_path)
            if self.published_path
            else settings.published_db_path()
        )


class PlatformsResource(dg.ConfigurableResource):
    """Accounts, base URLs and tunables for the platform connectors."""

    accounts_file: str = ""
    daily_lookback_days: int = 7  # daily endpoints re-read this many days before the partition
    # Ads reports restate recent days: Meta up to 28 days, TikTok within the attribution window.
    meta_ads_lookback_days: int = 28
    tiktok_ads_lookback_days: int = 7
    youtube_max_age_days: int = 120  # ask YouTube Analytics for Shorts younger than this
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 60.0
    max_attempts: int = 5  # per HTTP request, with backoff that honours each platform's rate-limit signal

    def validate_lookbacks(self) -> None:
        """A lookback shorter than a platform's restatement window would freeze wrong numbers."""
        if self.meta_ads_lookback_days < META_RESTATEMENT_DAYS:
            raise settings.ConfigError(
                f"meta_ads_lookback_days={self.meta_ads_lookback_days} is shorter than Meta's "
                f"{META_RESTATEMENT_DAYS}-day restatement window")
        if self.tiktok_ads_lookback_days < TIKTOK_MIN_LOOKBACK_DAYS:
            raise settings.ConfigError(
                f"tiktok_ads_lookback_days={self.tiktok_ads_lookback_days} is shorter than "
                f"{TIKTOK_MIN_LOOKBACK_DAYS} days (TikTok settles the previous days' delivery late)")
        if not 0 <= self.daily_lookback_days <= 59:
            raise settings.ConfigError("daily_lookback_days must be 0..59 (TikTok business/get goes back 60 days)")

    def setup_for_execution(self, context) -> None:
        self.validate_lookbacks()

    def accounts(self) -> settings.AccountsConfig:
        return settings.load_accounts(self.accounts_file or None)

    def _timeouts(self) -> dict[str, float]:
        return {"connect_timeout": self.connect_timeout_seconds, "read_timeout": self.read_timeout_seconds,
                "max_attempts": self.max_attempts}

    def client(self, account: settings.Account):
        """The connector of the account's API family, holding that account's token."""
        return {"tiktok": self.tiktok_client, "meta": self.meta_client, "youtube": self.youtube_client}[
            account.family](account)

    def tiktok_client(self, account: settings.Account):
        from connectors.tiktok import TikTokClient

        return TikTokClient(
            base_url=settings.base_url("tiktok"), token=account.token(), **self._timeouts()
        )

    def meta_client(self, account: settings.Account):
        from connectors.meta import MetaClient

        return MetaClient(
            base_url=settings.base_url("meta"), token=account.token(),
            insights_mode=settings.meta_insights_mode(), **self._timeouts()
        )

    def youtube_client(self, account: settings.Account):
        from connectors.youtube import YouTubeClient

        return YouTubeClient(
            data_base_url=settings.base_url("youtube_data"),
            analytics_base_url=settings.base_url("youtube_analytics"),
            token=account.token(),
            reports_mode=settings.youtube_reports_mode(),
            **self._timeouts(),
        )
