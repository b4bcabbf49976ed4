"""Partitions: one partition per UTC day of pulls."""

from __future__ import annotations

from datetime import date

import dagster as dg

PARTITIONS_START = "2026-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1)


def partition_date(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)
