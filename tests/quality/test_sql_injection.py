"""E5: every filter value a dashboard user or analyst types reaches SQL as a bound parameter.

For each query function the dashboard (dashboard/common.py -> dagster_project.analyst.queries) and
the weekly report use, an injection payload gives exactly the result of an unknown literal: no rows
for a brand filter, never "every brand". Identifiers come only from the file's own catalog
(allow-list) and are quoted. The published file is a small one from dagster_project/analyst/sample.py.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from dagster_project.analyst import queries, report
from dagster_project.analyst.db import Catalog, quote_ident
from dagster_project.analyst.sample import build_sample_published

PAYLOADS = [
    "acme' OR 1=1 --",
    "acme' OR '1'='1",
    "x'; DROP TABLE dim_content; --",
    "' UNION SELECT * FROM _publish_info --",
    "acme\" OR \"1\"=\"1",
    "%",
    "acme') OR ('a'='a",
]
UNKNOWN = "no-such-brand"


@pytest.fixture(scope="module")
def paid_file(tmp_path_factory):
    return build_sample_published(tmp_path_factory.mktemp("e5") / "marts.duckdb", paid=True)


@pytest.fixture(scope="module")
def catalog(paid_file):
    return Catalog.load(paid_file)


def _runners(path, catalog):
    start, end = date(2026, 10, 26), date(2026, 11, 15)
    return {
        "surface_summary": lambda f: queries.surface_summary(f, path),
        "surface_summary_by_brand": lambda f: queries.surface_summary(f, path, by_brand=True),
        "weekly_trend": lambda f: queries.weekly_trend(f, path),
        "top_content": lambda f: queries.top_content(f, path),
        "paid_summary": lambda f: queries.paid_summary(f, catalog, path),
        "weekly_cpm": lambda f: queries.weekly_cpm(f, catalog, path),
        "table_rows": lambda f: queries.table_rows(queries.COST_WEEKLY, f, catalog, path),
        "budget_scenarios": lambda f: queries.budget_scenarios(f.brands, catalog, path)[0],
        "_dated": lambda f: queries.surface_summary(queries.Filters.of(f.brands, f.surfaces, start, end), path),
    }


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_brand_payload_behaves_like_an_unknown_brand(paid_file, catalog, payload):
    for name, run in _runners(paid_file, catalog).items():
        injected = run(queries.Filters.of([payload]))
        unknown = run(queries.Filters.of([UNKNOWN]))
        _same(injected, unknown)
        assert len(injected) == 0, name


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_surface_payload_behaves_like_an_unknown_surface(paid_file, catalog, payload):
    for name, run in _runners(paid_file, catalog).items():
        if name == "budget_scenarios":
            continue  # no surface filter
        _same(run(queries.Filters.of(None, [payload])), run(queries.Filters.of(None, ["no-such-surface"])))


def test_positive_control_a_real_brand_filters_and_the_file_is_untouched(paid_file, catalog):
    acme = queries.surface_summary(queries.Filters.of(["acme"]), paid_file, by_brand=True)
    both = queries.surface_summary(queries.Filters.of(), paid_file, by_brand=True)
    assert set(acme["brand"]) == {"acme"} and set(both["brand"]) == {"acme", "globex"}
    for payload in PAYLOADS:
        queries.top_content(queries.Filters.of([payload]), paid_file)
    with duckdb.connect(str(paid_file), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM dim_content").fetchone()[0] > 0  # no DROP happened


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_brand_is_bound_too(paid_file, payload):
    with pytest.raises(report.ReportError):
        report.latest_complete_week(paid_file, brand=payload)  # behaves like an unknown brand: no rows
    with pytest.raises(report.ReportError, match="unknown brand"):
        report.collect(paid_file, "2026-W45", payload)


def test_identifiers_come_only_from_the_catalog(paid_file, catalog):
    # a table name that is not in the file is refused before any SQL is built
    assert queries.table_rows("dim_content; DROP TABLE dim_content", queries.Filters.of(), catalog, paid_file) is None
    assert quote_ident('views" FROM dim_content --') == '"views"" FROM dim_content --"'
    with duckdb.connect(str(paid_file), read_only=True) as conn:
        with pytest.raises(duckdb.BinderException):
            conn.execute(f"SELECT {quote_ident('views FROM dim_content --')} FROM fct_content_daily")
