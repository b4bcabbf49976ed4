"""What every ingest asset does: for each configured account, call the client, land the records.

One account's failure does not stop the others: their rows land, then the asset fails naming
every account that failed (so the blocking completeness check downstream sees the gap too).

A platform that asks for a long pause (Meta's `estimated_time_to_regain_access`, a `Retry-After`
beyond the client's cap) is not slept through inside the step: when the wait fits the run's
budget the step asks Dagster to retry it after that wait (`RetryRequested`); when it does not,
the step fails at once as *transient* (no in-run retry), and the other platforms' steps go on.
"""

# No `from __future__ import annotations` here: Dagster reads the asset functions' annotations.
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
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
    configure_pacing,
    platform_pacer,
)
from dagster_project import settings
from dagster_project.defs.ingest.landing import Lander
from dagster_project.defs.partitions import daily_partitions, partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource
from dagster_project.settings import Account, ConfigError

INGEST_RETRY = dg.RetryPolicy(
    max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# The longest server-requested pause a run waits for (through a Dagster retry); a longer one fails
# the step fast so the run can finish the other platforms and the next run picks the day up.
RETRY_WAIT_BUDGET_SECONDS = 3600.0
RATE_LIMIT_RETRIES = 1  # Dagster retries after a server-requested pause, per step
ASSET_DEFAULTS = dict(partitions_def=daily_partitions, kinds={"python", "duckdb"}, retry_policy=INGEST_RETRY,
                      pool="warehouse_writer")


def apply_rate_limits() -> None:
    """Pace the clients as SHORTFORM_RATE_LIMITS says; a family's pacer is replaced only when its
    limit changes, so the sliding window carries over from one asset (and day) to the next."""
    for family, limit in settings.rate_limits().items():
        current = platform_pacer(family)
        if limit != ((current.max_requests, current.window) if current else None):
            configure_pacing(family, *limit) if limit else configure_pacing(family, None)


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
    error: str | None = None
    retryable: bool = True
    remedy: str = ""
    retry_after: float | None = None  # seconds the platform asked to wait (RateLimitedError)


def server_requested_wait(failed: Sequence[AccountOutcome]) -> float | None:
    """The pause to retry after, when every failure is a rate limit that said how long; else None."""
    waits = [o.retry_after for o in failed]
    if not failed or any(w is None for w in waits):
        return None
    return max(waits)


def run_for_accounts(
    context: dg.AssetExecutionContext,
    accounts: Sequence[Account],
    fetch: Callable[[Account], list],
    stage: Callable[[Account, list], None],
    lander: Lander,
    retry_budget_seconds: float = RETRY_WAIT_BUDGET_SECONDS,
) -> dg.MaterializeResult:
    """Pull every account, land what succeeds, then report or fail with a redacted summary.

    `fetch(account)` calls the API and returns the account's records; up to
    `settings.ingest_workers()` accounts are fetched at once in threads (each account has its own
    client and session; the API family's pacer is shared and thread-safe), while this thread
    `stage`s each account's records into `lander` in account order, so the database has one writer.
    When every failure is a rate limit with a known wait, the step is retried by Dagster after
    that wait if it fits `retry_budget_seconds`, else it fails fast as transient.
    """
    outcomes: list[AccountOutcome] = []
    workers = settings.ingest_workers()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        in_flight: deque = deque()
        queue = iter(accounts)
        for account in queue:  # keep at most `workers` accounts ahead of the writer
            in_flight.append((account, pool.submit(fetch, account)))
            if len(in_flight) >= workers:
                break
        while in_flight:
            account, future = in_flight.popleft()
            nxt = next(queue, None)
            if nxt is not None:
                in_flight.append((nxt, pool.submit(fetch, nxt)))
            try:
                stage(account, future.result())
                outcomes.append(AccountOutcome(account))
            except (ConnectorError, ConfigError) as exc:
                retryable = bool(getattr(exc, "retryable", False))
                wait = exc.retry_after if isinstance(exc, RateLimitedError) else None
                context.log.error(f"{exc} -> {remedy(exc, account)}")
                outcomes.append(AccountOutcome(account, str(exc), retryable, remedy(exc, account), wait))
    landing = lander.finish()
    if lander.dropped:  # data minimization (E3/E4): only the key names are logged
        context.log.warning(f"dropped personal-data field(s) {sorted(lander.dropped)} from the payloads of "
                            f"{landing.table} before landing")
    for outcome in outcomes:
        refused = lander.failed.get(outcome.account.account_id)
        if refused and not outcome.error:
            context.log.error(f"{outcome.account.describe()}: {refused}")
            outcome.error, outcome.retryable = refused, False
            outcome.remedy = "the pull was not landed: open an issue with this message"
    landed = {landing.table: landing.received}
    written = {landing.table: landing.written}
    failed = [o for o in outcomes if o.error]
    if failed:
        summary = "; ".join(f"{o.account.describe()}: {o.error} [{o.remedy}]" for o in failed)
        wait = server_requested_wait(failed)
        if wait is not None:
            pause_for_rate_limit(context, wait, summary, failed, landed, retry_budget_seconds)
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
            "rows_in_table": landing.total_rows,
        }
    )


def pause_for_rate_limit(context: dg.AssetExecutionContext, wait: float, summary: str,
                         failed: Sequence[AccountOutcome], landed: dict[str, int], budget: float) -> None:
    """Raise RetryRequested(wait) when the pause fits the budget and a retry is left; else a fast,
    non-retried Failure marked transient (the other platforms' steps are not affected)."""
    where = f"{len(failed)} account(s) rate limited for {context.partition_key}"
    retry_number = getattr(context, "retry_number", 0) or 0
    if wait <= budget and retry_number < RATE_LIMIT_RETRIES:
        context.log.warning(f"{where}; the platform asks to wait {wait:.0f} s: retrying the step "
                            f"after that pause (Dagster retry {retry_number + 1}/{RATE_LIMIT_RETRIES}). {summary}")
        raise dg.RetryRequested(max_retries=RATE_LIMIT_RETRIES, seconds_to_wait=wait)
    why = (f"more than this run's {budget:.0f} s budget" if wait > budget
           else f"still limited after {retry_number} paused retr{'y' if retry_number == 1 else 'ies'}")
    raise dg.Failure(
        description=(f"transient: {where}; the platform asks to wait {wait:.0f} s ({wait / 60:.0f} min), "
                     f"{why}; failing fast, rerun this day after the pause: {summary}"),
        metadata={"failed_accounts": [o.account.account_id for o in failed], "rows_landed": landed,
                  "transient": True, "retry_after_seconds": wait},
        allow_retries=False,
    )


def lifetime_asset(key: list[str], table: str, group: str, method: str, description: str):
    """A raw asset landing `client.<method>(account_id)` (one record or many) as the partition day's snapshot."""
    platform = key[1]

    @dg.asset(key=key, group_name=group, description=description, **ASSET_DEFAULTS)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)
        apply_rate_limits()

        with warehouse.connect() as conn:  # one connection (and few transactions) for every account
            lander = Lander(conn, table)

            def fetch(account):
                result = getattr(platforms.client(account), method)(account.account_id)
                return [result] if hasattr(result, "payload") else list(result)

            def stage(account, records):
                lander.lifetime(account.account_id, records, day)

            return run_for_accounts(context, platforms.accounts().for_platform(platform), fetch, stage, lander)

    return _asset


def daily_asset(key: list[str], table: str, group: str, method: str, lookback_field: str, description: str):
    """A raw asset landing `client.<method>(account_id, day - lookback, day)`: daily rows, re-read and upserted."""
    platform = key[1]

    @dg.asset(key=key, group_name=group, description=description, **ASSET_DEFAULTS)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)
        start = day - timedelta(days=getattr(platforms, lookback_field))
        apply_rate_limits()

        with warehouse.connect() as conn:  # one connection (and few transactions) for every account
            lander = Lander(conn, table)

            def fetch(account):
                return list(getattr(platforms.client(account), method)(account.account_id, start, day))

            def stage(account, records):
                lander.daily(account.account_id, records)

            return run_for_accounts(context, platforms.accounts().for_platform(platform), fetch, stage, lander)

    return _asset
