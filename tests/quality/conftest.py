"""Shared fixtures of the quality-gate tests: small warehouse files with a `marts` schema built from
the analyst sample (dagster_project/analyst/sample.py), and the sample's accounts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.analyst.sample import SAMPLE_BRANDS, build_sample_published

ORGANIC_MARTS = ("dim_account", "dim_content", "fct_content_daily", "rpt_platform_comparison_weekly")


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory) -> Path:
    return build_sample_published(tmp_path_factory.mktemp("sample") / "marts.duckdb", paid=False)


def _build_warehouse(sample: Path, path: Path, sql_edits: list[str] | None = None,
                     frames: dict[str, pd.DataFrame] | None = None) -> Path:
    """A warehouse file whose marts.* are the sample's organic marts (is_final, which the dbt YAML does
    not declare, left out), then `sql_edits` run on it and `frames` replacing whole tables."""
    path.unlink(missing_ok=True)
    conn = duckdb.connect(str(path))
    try:
        conn.execute(f"ATTACH '{sample}' AS s (READ_ONLY)")
        conn.execute("CREATE SCHEMA marts")
        for t in ORGANIC_MARTS:
            exclude = " EXCLUDE (is_final)" if t == "fct_content_daily" else ""
            conn.execute(f"CREATE TABLE marts.{t} AS SELECT *{exclude} FROM s.main.{t}")
        conn.execute("DETACH s")
        for sql in sql_edits or []:
            conn.execute(sql)
        for table, df in (frames or {}).items():
            conn.register("_f", df)
            conn.execute(f"CREATE OR REPLACE TABLE marts.{table} AS SELECT * FROM _f")
            conn.unregister("_f")
    finally:
        conn.close()
    return path


@pytest.fixture
def make_warehouse(sample_file, tmp_path):
    def make(name: str = "warehouse.duckdb", sql_edits: list[str] | None = None,
             frames: dict[str, pd.DataFrame] | None = None) -> Path:
        return _build_warehouse(sample_file, tmp_path / name, sql_edits, frames)
    return make


ACCOUNTS_YAML = """
brands:
{blocks}
"""


@pytest.fixture
def accounts_file(tmp_path) -> Path:
    """The sample's brands on the four organic surfaces, plus ad accounts (not organic: never required)."""
    blocks = []
    for i, brand in enumerate(SAMPLE_BRANDS):
        blocks.append(
            f"  {brand}:\n"
            f"    tiktok: {{business_id: 'tt{i}', advertiser_id: 'adv{i}'}}\n"
            f"    instagram: {{ig_user_id: 'ig{i}'}}\n"
            f"    facebook: {{page_id: 'fb{i}'}}\n"
            f"    meta_ads: {{ad_account_id: 'act_{i}'}}\n"
            f"    youtube: {{channel_id: 'yt{i}'}}\n")
    path = tmp_path / "accounts.yml"
    path.write_text(ACCOUNTS_YAML.format(blocks="".join(blocks)), encoding="utf-8")
    return path
