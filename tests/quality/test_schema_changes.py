"""A13 WARN schema-change check: only the latest pull of each account is judged, nested metric
objects are looked into, and every allow-list covers what the sandbox sends normally (the
end-to-end side, with the sandbox's schema_drift fault, is in tests/reliability)."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest

from connectors.records import LifetimeRecord
from dagster_project.defs.ingest.landing import RAW_TABLES, ensure_raw_schema, land_lifetime
from dagster_project.defs.quality.schema_changes import (
    SCHEMA_BY_TABLE,
    SCHEMA_CHANGE_CHECKS,
    check_tables,
    latest_pull_keys,
)

REEL = {"id": "m1", "caption": "hi", "media_type": "VIDEO", "media_product_type": "REELS",
        "permalink": "https://x/p/1", "timestamp": "2026-11-01T10:00:00+0000", "like_count": 3,
        "comments_count": 1, "shortcode": "abc", "insights": {"views": 10, "reach": 8, "likes": 3}}


@pytest.fixture
def conn(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c)
    yield c
    c.close()


def land(conn, account: str, payload: dict, day: date = date(2026, 11, 20)) -> None:
    land_lifetime(conn, "instagram_reels", [LifetimeRecord("instagram", account, payload["id"], payload)], day)


def result_for(conn, table: str) -> dg.AssetCheckResult:
    (result,) = check_tables(conn, [table])
    return result


def test_known_payload_passes_and_a_missing_table_is_not_judged(conn):
    land(conn, "ig1", REEL)
    ok = result_for(conn, "instagram_reels")
    assert ok.passed and ok.severity == dg.AssetCheckSeverity.WARN
    conn.execute("DROP TABLE raw.youtube_videos")
    assert result_for(conn, "youtube_videos").passed


def test_new_top_level_and_nested_keys_warn_with_their_counts(conn):
    land(conn, "ig1", {**REEL, "collab_handle": "x", "insights": {**REEL["insights"], "plays": 10}})
    land(conn, "ig1", {**REEL, "id": "m2", "collab_handle": "y"})
    result = result_for(conn, "instagram_reels")
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["unexpected_keys"].value == {"collab_handle": 2, "insights.plays": 1}
    assert "instagram raw.instagram_reels" in result.description
    assert "collab_handle" in result.description and "insights.plays" in result.description


def test_only_each_accounts_latest_pull_counts(conn):
    land(conn, "ig1", {**REEL, "old_field": 1}, date(2026, 11, 19))
    land(conn, "ig2", {**REEL, "id": "m9"}, date(2026, 11, 19))
    land(conn, "ig1", REEL, date(2026, 11, 20))  # the newer pull of ig1 no longer carries it
    counts = latest_pull_keys(conn, SCHEMA_BY_TABLE["instagram_reels"])
    assert "old_field" not in counts and counts["id"] == 2
    assert result_for(conn, "instagram_reels").passed
    land(conn, "ig2", {**REEL, "id": "m9", "old_field": 2}, date(2026, 11, 21))
    assert not result_for(conn, "instagram_reels").passed


def test_every_raw_table_has_one_non_blocking_check():
    assert set(SCHEMA_BY_TABLE) == set(RAW_TABLES)
    specs = [s for c in SCHEMA_CHANGE_CHECKS for s in c.check_specs]
    assert len(specs) == len(RAW_TABLES) and not any(s.blocking for s in specs)
    assert {s.asset_key.path[0] for s in specs} == {"raw"}
