"""`shortform status`: what landed when, how fresh each source is, and what was last published."""

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.defs.ingest.landing import RAW_TABLES

WARN_AFTER_DAYS, ERROR_AFTER_DAYS = 2, 10  # as the dbt sources' freshness


def _age_label(pulled_at: datetime | None, now: datetime) -> str:
    if pulled_at is None:
        return "never"
    days = (now - pulled_at).total_seconds() / 86400
    state = "ok" if days < WARN_AFTER_DAYS else "WARN stale" if days < ERROR_AFTER_DAYS else "ERROR stale"
    return f"{state} ({days:.1f} days ago)"


def status_report(warehouse: Path, published: Path, failures: Path, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    lines = [f"warehouse: {warehouse}"]
    if warehouse.exists():
        conn = duckdb.connect(str(warehouse), read_only=True)
        try:
            lines.append(f"  {'raw table':<24} {'rows':>9} {'latest day':>11}  last pull (UTC)      freshness")
            for table in RAW_TABLES.values():
                try:
                    rows, latest, pulled = conn.execute(
                        f"SELECT count(*), max({table.date_column}), max(pulled_at) FROM {table.qualified}"
                    ).fetchone()
                except duckdb.CatalogException:
                    rows, latest, pulled = 0, None, None
                lines.append(f"  {table.name:<24} {rows:>9} {str(latest or '-'):>11}  "
                             f"{str(pulled or '-'):<19}  {_age_label(pulled, now)}")
        finally:
            conn.close()
    else:
        lines.append("  (not created yet: run `shortform pull` or `shortform refresh`)")
    lines.append(f"published: {published}")
    if published.exists():
        conn = duckdb.connect(str(published), read_only=True)
        try:
            row = conn.execute("SELECT published_at, run_id, content_hash, checks FROM _publish_info "
                               "ORDER BY published_at DESC LIMIT 1").fetchone()
        finally:
            conn.close()
        if row:
            checks = json.loads(row[3] or "[]")
            passed = sum(1 for c in checks if c["passed"])
            lines.append(f"  last publish {row[0]} UTC, run {row[1] or '-'}, content {row[2][:12]}")
            lines.append(f"  checks at that publish: {passed} of {len(checks)} passed")
    else:
        lines.append("  (nothing published yet)")
    if failures.exists():
        recent = failures.read_text(encoding="utf-8").splitlines()[-5:]
        if recent:
            lines.append("recent run failures:")
            lines += [f"  {json.loads(x)['at']}  {json.loads(x)['failure']}" for x in recent]
    return "\n".join(lines)
