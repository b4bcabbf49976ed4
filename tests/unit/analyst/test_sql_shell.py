"""`shortform sql`: reads work; writes, ATTACH, host files, extensions and unlocking are refused."""

from __future__ import annotations

import io

import pytest

from dagster_project.analyst.cli import main
from dagster_project.analyst.sql_shell import run_sql


def test_select_prints_a_table(organic_db):
    out = io.StringIO()
    assert run_sql("SELECT surface, count(*) AS n FROM fct_content_daily GROUP BY 1 ORDER BY 1; SELECT 1 AS one",
                   organic_db, out) == 0
    text = out.getvalue()
    assert "| surface" in text and "instagram_reels" in text and "(4 rows)" in text and "| one |" in text


def test_csv_and_stdin(organic_db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT brand FROM dim_account GROUP BY 1 ORDER BY 1"))
    assert main(["sql", "--format", "csv", "--published", str(organic_db)]) == 0
    assert capsys.readouterr().out.splitlines() == ["brand", "acme", "globex"]


@pytest.mark.parametrize("statement, message", [
    ("INSERT INTO dim_account SELECT * FROM dim_account", "read-only"),
    ("DELETE FROM fct_content_daily", "read-only"),
    ("CREATE TABLE x AS SELECT 1", "read-only"),
    ("DROP TABLE dim_content", "read-only"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "disabled by configuration"),
    ("ATTACH ':memory:' AS m", ""),
    ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
    ("SELECT * FROM read_text('/etc/hostname')", "disabled by configuration"),
    ("COPY dim_content TO '{tmp}/out.csv'", "disabled by configuration"),
    ("INSTALL httpfs", ""),
    ("LOAD httpfs", ""),
    ("SET enable_external_access = true", "configuration"),
    ("RESET lock_configuration", ""),
])
def test_unsafe_statements_are_refused(organic_db, tmp_path, capsys, statement, message):
    statement = statement.format(tmp=tmp_path)
    assert main(["sql", statement, "--published", str(organic_db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    # the file is unchanged and still readable
    out = io.StringIO()
    assert run_sql("SELECT count(*) FROM dim_content", organic_db, out) == 0


def test_missing_file_and_empty_query(tmp_path, capsys, monkeypatch):
    assert main(["sql", "SELECT 1", "--published", str(tmp_path / "nope.duckdb")]) == 1
    assert "does not exist yet" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("  "))
    assert main(["sql", "-", "--published", str(tmp_path / "nope.duckdb")]) in (1, 2)
