"""Small synthetic published files with the marts' schemas (from the dbt YAML): one with the
organic marts only, one with the paid marts too."""

from __future__ import annotations

import pytest

from dagster_project.analyst.sample import build_sample_published


@pytest.fixture(scope="session")
def organic_db(tmp_path_factory):
    return build_sample_published(tmp_path_factory.mktemp("organic") / "marts.duckdb", paid=False)


@pytest.fixture(scope="session")
def paid_db(tmp_path_factory):
    return build_sample_published(tmp_path_factory.mktemp("paid") / "marts.duckdb", paid=True)
