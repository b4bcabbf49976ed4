"""Run the Dagster jobs in process: one day's pulls, the refresh, and a simulated month on the sandbox.

The CLI and `make run` go through here so that every run uses the same Dagster definitions that
`dagster dev` shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import dagster as dg


@dataclass
class RunSummary:
    job: str
    partition: str | None
    success: bool
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    check_failures: list[str] = field(default_factory=list)  # blocking (ERROR) checks that failed
    materialized: list[str] = field(default_factory=list)
    check_warnings: list[str] = field(default_factory=list)  # WARN checks that failed (never block)

    def describe(self) -> str:
        where = f" {self.partition}" if self.partition else ""
        warnings = [f"  warning: {c}" for c in self.check_warnings]
        if self.success and not self.check_failures:
            return "\n".join([f"{self.job}{where}: ok", *warnings])
        parts = [f"{self.job}{where}: FAILED"]
        parts += [f"  step failed: {f}" for f in self.failures]
        parts += [f"  check failed: {c}" for c in self.check_failures]
        parts += warnings
        if self.skipped:
            parts.append(f"  skipped: {', '.join(self.skipped)}")
        if "published/marts" not in self.materialized and self.job == "refresh":
            parts.append("  not published: the previously published file is unchanged")
        return "\n".join(parts)


def get_instance() -> dg.DagsterInstance:
    """The instance of DAGSTER_HOME when set (so `dagster dev` shows the runs), else ephemeral."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        os.makedirs(home, exist_ok=True)
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _headline(message: str) -> str:
    """The line of a step failure that says what was wrong (dbt's own error lines when present)."""
    lines = [x.strip() for x in message.splitlines() if x.strip()]
    for marker in ("shortform:", "Failure in test", "Error in model", "Runtime Error", "Database Error"):
        hit = next((x for x in lines if marker in x), None)
        if hit:
            return hit
    return lines[0] if lines else ""


def _summarize(result: dg.ExecuteInProcessResult, job: str, partition: str | None) -> RunSummary:
    failures, skipped, checks, warnings, materialized = [], [], [], [], []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            message = data.error.message.strip() if data and data.error else "unknown error"
            if data and data.user_failure_data and data.user_failure_data.description:
                message = data.user_failure_data.description
            failures.append(f"{event.step_key}: {_headline(message)}")
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
            materialized.append(event.asset_key.to_user_string())
        elif event.event_type == dg.DagsterEventType.STEP_SKIPPED:
            skipped.append(event.step_key or "?")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation is not None and not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                (warnings if evaluation.severity == dg.AssetCheckSeverity.WARN else checks).append(name)
    return RunSummary(job, partition, result.success, failures, skipped, checks, materialized, warnings)


def run_job(job_name: str, partition: date | None = None, instance: dg.DagsterInstance | None = None,
            ops: dict | None = None) -> RunSummary:
    """ops: op run config, e.g. {"shortform_dbt_models": {"config": {"full_refresh": True}}}."""
    from dagster_project.definitions import defs

    job = defs.resolve_job_def(job_name)
    key = partition.isoformat() if partition else None
    # Console log level of in-process runs (the run storage keeps every event regardless).
    level = os.environ.get("SHORTFORM_LOG_LEVEL", "WARNING").upper()
    result = job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": level}}}, **({"ops": ops} if ops else {})},
        instance=instance or get_instance(), partition_key=key, raise_on_error=False,
        tags={"shortform/trigger": "cli"},
    )
    return _summarize(result, job_name, key)


def pull_day(day: date, families: Iterable[str] | None = None, instance: dg.DagsterInstance | None = None) -> list[RunSummary]:
    names = [f"pull_{f}" for f in families] if families else ["daily_pull"]
    return [run_job(n, day, instance) for n in names]


def refresh(instance: dg.DagsterInstance | None = None, full_refresh: bool = False) -> RunSummary:
    """Build, check, publish. Incremental dbt models process new and restated raw rows only;
    full_refresh rebuilds them from every raw row (`dbt build --full-refresh`)."""
    ops = {"shortform_dbt_models": {"config": {"full_refresh": True}}} if full_refresh else None
    return run_job("refresh", None, instance, ops)
