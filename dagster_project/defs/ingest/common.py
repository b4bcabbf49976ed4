"""What every ingest asset does: for each configured account, call the client, land the records.

One account's failure does not stop the others: their rows land, then the asset fails naming
every account that failed (so the blocking completeness check downstream sees the gap too).
"""

# No `from __future__ import annotations` here: Dagster reads the asset functions' annotations.
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from connectors.http import (
    ApiError,
    AuthError,
    ConnectorError,
    PaginationLoopError,
    PayloadError,
    QuotaExceededError,
    RateLimitedError,
    TransientError,
)
from dagster_project.defs.ingest.landing import LandingResult, land_daily, land_lifetime
from dagster_project.defs.partitions import daily_partitions, partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource
from dagster_project.settings import Account, ConfigError

INGEST_RETRY = dg.RetryPolicy(
    max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
ASSET_DEFAULTS = dict(partitions_def=daily_partitions, kinds={"python", "duckdb"}, retry_policy=INGEST_RETRY,
                      pool="warehouse_writer")


def remedy(exc: BaseException, account: Account) -> str:
    """What the user should do about a failed pull, in a few words."""
    if isinstance(exc, AuthError):
        return f"refresh the token in ${account.token_env}, then rerun this day"
    if isinstance(exc, ConfigError):
        return "fix the accounts file or environment, then rerun this day"
    if isinstance(exc, QuotaExceededError):
        return "wait for the daily quota to reset, then rerun; the lookback window refills missed days"
    if isinstance(exc, RateLimitedError):
        return "rate limited: rerun later (the platform asked to wait)"
    if isinstance(exc, TransientError):
        return "the platform or network failed: rerun"
    if isinstance(exc, (PayloadError, PaginationLoopError, ApiError)):
        return "the API answered something unexpected: check the connector against the API's changelog"
    return "rerun; if it persists, open an issue with this message"


@dataclass
class AccountOutcome:
    account: Account
    results: list[LandingResult]
    error: str | None = None
    retryable: bool = True
    remedy: str = ""


def run_for_accounts(
    context: dg.AssetExecutionContext,
    accounts: Sequence[Account],
    pull_one: Callable[[Account], list[LandingResult]],
) -> dg.MaterializeResult:
    """Pull every account, land what succeeds, then report or fail with a redacted summary."""
    outcomes: list[AccountOutcome] = []
    for account in accounts:
        try:
            outcomes.append(AccountOutcome(account, pull_one(account)))
        except (ConnectorError, ConfigError) as exc:
            retryable = bool(getattr(exc, "retryable", False))
            context.log.error(f"{exc} -> {remedy(exc, account)}")
            outcomes.append(AccountOutcome(account, [], str(exc), retryable, remedy(exc, account)))
    landed: dict[str, int] = {}
    written: dict[str, int] = {}
    for outcome in outcomes:
        for r in outcome.results:
            landed[r.table] = landed.get(r.table, 0) + r.received
            written[r.table] = written.get(r.table, 0) + r.written
    failed = [o for o in outcomes if o.error]
    if failed:
        summary = "; ".join(f"{o.account.describe()}: {o.error} [{o.remedy}]" for o in failed)
        raise dg.Failure(
            description=f"{len(failed)} of {len(outcomes)} accounts failed for {context.partition_key}: {summary}",
            metadata={"failed_accounts": [o.account.account_id for o in failed], "rows_landed": landed},
            allow_retries=all(o.retryable for o in failed),
        )
    return dg.MaterializeResult(
        metadata={
            "accounts": len(outcomes),
            "rows_received": dg.MetadataValue.json(landed),
            "rows_written": dg.MetadataValue.json(written),
        }
    )


def lifetime_asset(key: list[str], table: str, group: str, method: str, description: str):
    """A raw asset landing `client.<method>(account_id)` (one record or many) as the partition day's snapshot."""
    platform = key[1]

    @dg.asset(key=key, group_name=group, description=description, **ASSET_DEFAULTS)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)

        def pull(account):
            result = getattr(platforms.client(account), method)(account.account_id)
            records = [result] if hasattr(result, "payload") else list(result)
            with warehouse.connect() as conn:
                return [land_lifetime(conn, table, records, day)]

        return run_for_accounts(context, platforms.accounts().for_platform(platform), pull)

    return _asset


def daily_asset(key: list[str], table: str, group: str, method: str, lookback_field: str, description: str):
    """A raw asset landing `client.<method>(account_id, day - lookback, day)`: daily rows, re-read and upserted."""
    platform = key[1]

    @dg.asset(key=key, group_name=group, description=description, **ASSET_DEFAULTS)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)
        start = day - timedelta(days=getattr(platforms, lookback_field))

        def pull(account):
            records = list(getattr(platforms.client(account), method)(account.account_id, start, day))
            with warehouse.connect() as conn:
                return [land_daily(conn, table, records)]

        return run_for_accounts(context, platforms.accounts().for_platform(platform), pull)

    return _asset
