"""E6: configured paths (SHORTFORM_ACCOUNTS, SHORTFORM_DB, SHORTFORM_PUBLISHED_DB) stay under the
project or an explicitly allowed directory; traversal, outside absolute paths, symlinks out of the
base and wrong suffixes are refused with an error naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project import settings
from dagster_project.settings import ALLOWED_DIRS_ENV, PROJECT_ROOT, ConfigError


@pytest.fixture
def allowed(tmp_path, monkeypatch) -> Path:
    """Only `tmp_path/allowed` (and the project) are allowed in these tests."""
    base = tmp_path / "allowed"
    base.mkdir()
    monkeypatch.setenv(ALLOWED_DIRS_ENV, str(base))
    return base


@pytest.mark.parametrize("setting, reader", [
    ("SHORTFORM_DB", settings.warehouse_db_path),
    ("SHORTFORM_PUBLISHED_DB", settings.published_db_path),
])
def test_database_paths(setting, reader, allowed, tmp_path, monkeypatch):
    monkeypatch.setenv(setting, str(allowed / "w.duckdb"))
    assert reader() == (allowed / "w.duckdb").resolve()
    monkeypatch.setenv(setting, "data/x.duckdb")  # relative: under the project, wherever the cwd is
    monkeypatch.chdir(tmp_path)
    assert reader() == PROJECT_ROOT.resolve() / "data" / "x.duckdb"
    refused = {
        "../../etc/passwd": "'..' is not allowed",
        str(allowed / ".." / "w.duckdb"): "'..' is not allowed",
        "/etc/passwd.duckdb": "outside the project",
        str(tmp_path / "elsewhere.duckdb"): "outside the project",
        str(allowed / "w.sqlite"): "expected a .duckdb file",
        str(allowed / "w.duckdb.bak"): "expected a .duckdb file",
        " ": "not a usable path",
    }
    for value, why in refused.items():
        monkeypatch.setenv(setting, value)
        with pytest.raises(ConfigError) as err:
            reader()
        assert setting in str(err.value) and why in str(err.value), (value, str(err.value))


def test_symlinks_out_of_the_base_are_refused_and_inside_are_fine(allowed, tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "w.duckdb").write_bytes(b"")
    (allowed / "link.duckdb").symlink_to(outside / "w.duckdb")
    (allowed / "linked_dir").symlink_to(outside, target_is_directory=True)
    (allowed / "real.duckdb").write_bytes(b"")
    (allowed / "alias.duckdb").symlink_to(allowed / "real.duckdb")
    (allowed / "passwd.duckdb").symlink_to("/etc/passwd")
    for name in ("link.duckdb", "linked_dir/w.duckdb", "passwd.duckdb"):
        monkeypatch.setenv("SHORTFORM_DB", str(allowed / name))
        with pytest.raises(ConfigError, match="SHORTFORM_DB.*outside the project"):
            settings.warehouse_db_path()
    monkeypatch.setenv("SHORTFORM_DB", str(allowed / "alias.duckdb"))
    assert settings.warehouse_db_path() == (allowed / "real.duckdb").resolve()
    (allowed / "yml.duckdb").symlink_to(allowed / "accounts.yml")
    monkeypatch.setenv("SHORTFORM_DB", str(allowed / "yml.duckdb"))
    with pytest.raises(ConfigError, match="SHORTFORM_DB.*link to accounts.yml"):
        settings.warehouse_db_path()


def test_accounts_file(allowed, tmp_path, monkeypatch):
    good = allowed / "accounts.yaml"
    good.write_text("brands:\n  acme:\n    tiktok:\n      business_id: '123'\n")
    monkeypatch.setenv("SHORTFORM_ACCOUNTS", str(good))
    assert [a.account_id for a in settings.load_accounts().accounts] == ["123"]
    (tmp_path / "accounts.yml").write_text(good.read_text())
    for value, why in {"../../etc/passwd": "'..' is not allowed", "/etc/passwd": "expected a .yml or .yaml",  # pragma: allowlist secret
                       str(tmp_path / "accounts.yml"): "outside the project",
                       str(allowed / "accounts.json"): "expected a .yml or .yaml"}.items():
        monkeypatch.setenv("SHORTFORM_ACCOUNTS", value)
        with pytest.raises(ConfigError) as err:
            settings.load_accounts()
        assert "SHORTFORM_ACCOUNTS" in str(err.value) and why in str(err.value), str(err.value)
    with pytest.raises(ConfigError, match="accounts file.*outside the project"):
        settings.load_accounts(tmp_path / "accounts.yml")


def test_without_the_allow_variable_only_the_project_is_allowed(tmp_path, monkeypatch):
    monkeypatch.delenv(ALLOWED_DIRS_ENV, raising=False)
    monkeypatch.setenv("SHORTFORM_DB", str(tmp_path / "w.duckdb"))
    with pytest.raises(ConfigError, match="outside the project"):
        settings.warehouse_db_path()
    monkeypatch.delenv("SHORTFORM_DB")
    assert settings.warehouse_db_path() == PROJECT_ROOT.resolve() / "data" / "warehouse.duckdb"


@pytest.mark.parametrize("value", ["relative/dir", "/", "/tmp/../etc"])
def test_the_allow_variable_itself_is_checked(value, monkeypatch):
    monkeypatch.setenv(ALLOWED_DIRS_ENV, value)
    with pytest.raises(ConfigError, match=ALLOWED_DIRS_ENV):
        settings.allowed_bases()


@pytest.mark.parametrize("value", ["512MB", "2GB", "1.5GiB", "50%", " 300 mb "])
def test_duckdb_memory_limit_is_applied_to_pipeline_connections(value, tmp_path, monkeypatch):
    from dagster_project.defs.resources import open_duckdb

    monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_ENV, value)
    assert settings.duckdb_memory_limit() == value.strip()
    conn = open_duckdb(tmp_path / "w.duckdb")
    try:
        capped = conn.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        conn.close()
    monkeypatch.delenv(settings.DUCKDB_MEMORY_LIMIT_ENV)
    conn = open_duckdb(tmp_path / "w.duckdb")
    try:
        unset = conn.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        conn.close()
    assert capped != unset  # the cap took effect (the unset default is 80 % of RAM)


@pytest.mark.parametrize("value", ["lots", "0%", "200%", "12", "2 GB of RAM"])
def test_duckdb_memory_limit_refuses_what_duckdb_would_misread(value, monkeypatch):
    monkeypatch.setenv(settings.DUCKDB_MEMORY_LIMIT_ENV, value)
    with pytest.raises(ConfigError, match=settings.DUCKDB_MEMORY_LIMIT_ENV):
        settings.duckdb_memory_limit()
