"""Typed records that connectors yield and the landing layer writes.

Connectors never know the snapshot date of a pull: a lifetime record is stamped with the pull's
date by the ingest layer. Daily records carry the metric date the API reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class LifetimeRecord:
    """Lifetime totals of one object (video, reel) as the API returned them now."""

    platform: str  # tiktok | instagram | facebook | youtube
    account_id: str  # business_id | ig_user_id | page_id | channel_id
    object_id: str  # item_id | media id | video id
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class DailyRecord:
    """One day of metrics of one object (or of the account when object_id is None)."""

    platform: str
    account_id: str
    object_id: str | None
    metric_date: date
    payload: Mapping[str, Any]
