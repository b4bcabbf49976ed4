"""E3: personal data of end users never reaches a published mart: e-mail addresses and phone numbers
in text columns, and columns outside the dbt YAML allow-list or named like end-user data, fail
blocking checks. The metadata never repeats the offending values."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from dagster_project.defs.quality.pii import (
    COLUMNS_CHECK,
    PII_CHECK,
    declared_columns,
    frame_findings,
    pii_results,
)
from dagster_project.defs.resources import open_duckdb

CLEAN = pd.DataFrame({
    "content_key": ["tiktok:7301234567890123456", "youtube:dQw4w9WgXcQ"],
    "account_id": ["7301234567890123456", "UC-abc_123"],
    "caption": ["New drop 2026-11-28, 100 000 views! follow @acme.official", "Week 2026-W44 recap #shorts"],
    "permalink": ["https://www.tiktok.com/@acme/video/7301234567890123456", "https://youtube.com/shorts/dQw4w9WgXcQ"],
    "views": [1_234_567, 42],
})


def test_clean_frame_has_no_findings():
    text, columns = frame_findings(CLEAN, "dim_content", allowed=set(CLEAN.columns))
    assert text == [] and columns == []


@pytest.mark.parametrize("caption,kind", [
    ("mail me a@b.com", "email"),
    ("Contact: jane.doe+promo@example.co.uk for collabs", "email"),
    ("call 555-123-4567 now", "phone"),
    ("WhatsApp +49 30 1234 5678", "phone"),
    ("text (555) 123-4567", "phone"),
    ("+1 (555) 123-4567", "phone"),
])
def test_email_or_phone_in_a_caption_is_found(caption, kind):
    df = CLEAN.assign(caption=[CLEAN["caption"][0], caption])
    text, _ = frame_findings(df, "dim_content")
    assert [(f.column, f.kind, f.count) for f in text] == [("caption", kind, 1)]
    assert caption not in text[0].describe()  # the value itself never goes into the metadata


@pytest.mark.parametrize("column", ["commenter_handle", "commenter_name", "user_id", "viewer_country",
                                    "viewer_id", "author_email", "phone"])
def test_end_user_columns_are_refused_even_when_declared(column):
    df = CLEAN.assign(**{column: ["x", "y"]})
    _, columns = frame_findings(df, "dim_content", allowed=set(df.columns))
    assert [(f.column, f.kind) for f in columns] == [(column, "denied_column")]


def test_an_undeclared_column_fails_the_allow_list():
    df = CLEAN.assign(extra_field=["x", "y"])
    _, columns = frame_findings(df, "dim_content", allowed=set(CLEAN.columns))
    assert [(f.column, f.kind) for f in columns] == [("extra_field", "undeclared_column")]


def test_no_declared_mart_column_is_on_the_deny_list():
    from dagster_project.defs.quality.pii import DENIED_COLUMN

    declared = declared_columns()
    assert {"dim_content", "fct_content_daily", "rpt_platform_comparison_weekly"} <= set(declared)
    assert [c for cols in declared.values() for c in cols if DENIED_COLUMN.search(c)] == []


def _results(warehouse, tables) -> dict[tuple[str, str], dg.AssetCheckResult]:
    conn = open_duckdb(warehouse, read_only=True)
    try:
        return {(r.asset_key.path[-1], r.check_name): r for r in pii_results(conn, tables, declared_columns())}
    finally:
        conn.close()


TABLES = ["dim_account", "dim_content", "fct_content_daily", "rpt_platform_comparison_weekly"]


def test_sample_marts_pass_both_checks(make_warehouse):
    results = _results(make_warehouse(), TABLES)
    assert len(results) == 2 * len(TABLES)
    assert all(r.passed for r in results.values()), [r.description for r in results.values() if not r.passed]


def test_pii_in_a_mart_fails_the_blocking_check(make_warehouse):
    warehouse = make_warehouse(sql_edits=[
        "UPDATE marts.dim_content SET caption = 'mail me a@b.com' WHERE content_key = "
        "(SELECT min(content_key) FROM marts.dim_content)",
        "ALTER TABLE marts.fct_content_daily ADD COLUMN commenter_handle VARCHAR",
    ])
    results = _results(warehouse, TABLES)
    text = results[("dim_content", PII_CHECK)]
    assert not text.passed and text.severity == dg.AssetCheckSeverity.ERROR
    assert "dim_content.caption: 1 distinct value(s) with an e-mail address" in text.description
    assert "a@b.com" not in str(text.metadata) and "a@b.com" not in text.description
    cols = results[("fct_content_daily", COLUMNS_CHECK)]
    assert not cols.passed and "commenter_handle" in cols.description
    assert all(r.passed for (t, c), r in results.items() if (t, c) not in {
        ("dim_content", PII_CHECK), ("fct_content_daily", COLUMNS_CHECK)})
