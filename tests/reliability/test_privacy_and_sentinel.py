"""E3/E4 data minimization at the raw boundary, and the sentinel scan of a whole `shortform simulate`.

E4 (HMAC pseudonyms of third-party creators) is not needed here, and this module proves the premise:
the warehouse stores no identifier of a third party at all. The connectors request only the brand's
own objects with explicit field lists (no owner, username, commenter, author or viewer field; no
comment endpoints), and the ingest layer drops any payload key named like end-user data before it
lands (a platform adding `username` to an answer does not put it in DuckDB). With no creator or
commenter identifier stored, there is nothing to pseudonymise, so there is no pepper to keep
secret either. The ids kept (video, channel, account, ad ids) belong to the agency's own brands.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors import meta, tiktok, youtube
from dagster_project.defs.ingest.landing import RAW_TABLES
from dagster_project.defs.quality.pii import DENIED_COLUMN

from .conftest import FAST_PLATFORMS, ROOT, make_env, run_job

pytestmark = pytest.mark.slow

# what a third party's identity looks like as a key (DENIED_COLUMN plus the platform spellings)
THIRD_PARTY_KEY = re.compile(DENIED_COLUMN.pattern + r"|(^|_)(owner|author|from|username|open_id|union_id)$"
                             r"|authorchannel|commenter|displayname")


def key_paths(node, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(prefix + k)
            out |= key_paths(v, prefix + k + ".")
    elif isinstance(node, list):
        for v in node:
            out |= key_paths(v, prefix)
    return out


def requested_fields() -> set[str]:
    names: set[str] = set()
    for value in (tiktok.VIDEO_FIELDS, tiktok.ACCOUNT_DAY_FIELDS, tiktok.ADVERTISER_FIELDS, tiktok.AD_DAY_METRICS,
                  meta.MEDIA_FIELDS, meta.IG_REEL_METRICS, meta.FB_REEL_FIELDS, meta.FB_REEL_METRICS,
                  meta.AD_ACCOUNT_FIELDS, meta.AD_FIELDS, meta.AD_INSIGHTS_FIELDS, youtube.VIDEO_PARTS,
                  youtube.PLAYLIST_ITEM_PARTS, youtube.DAILY_METRICS):
        text = ",".join(value) if isinstance(value, tuple) else value
        names |= {n for n in re.split(r"[,{}()]", text) if n.strip()}
    return {n.strip() for n in names}


def test_e3_e4_no_third_party_identifier_is_requested_or_stored_even_when_a_platform_sends_one(tmp_path):
    asked = requested_fields()
    assert "caption" in asked and "views" in asked  # the lists were read
    assert not {f for f in asked if THIRD_PARTY_KEY.search(f.lower())}, asked

    env = make_env(tmp_path, n_brands=1)
    try:
        day = env.world.settings.end
        env.server.set_as_of(day)
        # the platforms start sending end-user identifiers under the names of existing fields
        env.server.inject_fault("tiktok", "rename_field", count=100_000, path_contains="business/video/list",
                                field="caption", to="username")
        env.server.inject_fault("meta", "rename_field", count=100_000, path_contains="/media", field="caption",
                                to="commenter_handle")
        env.server.inject_fault("youtube", "rename_field", count=100_000, path_contains="/youtube/v3/videos",
                                field="channelTitle", to="author_email")
        instance = dg.DagsterInstance.ephemeral()
        _, summary = run_job("daily_pull", day, instance, platforms=FAST_PLATFORMS)
        assert summary.success, summary.describe()
        messages = " ".join(r.user_message for r in instance.all_logs(instance.get_runs(limit=1)[0].run_id))
        for name in ("username", "commenter_handle", "author_email"):
            assert f"dropped personal-data field(s) ['{name}']" in messages, name

        with duckdb.connect(str(env.db), read_only=True) as conn:
            columns = conn.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns"
                                   ).fetchall()
            own_accounts = {t.account_column for t in RAW_TABLES.values()}  # the brands' own account ids
            bad_columns = [c for c in columns if THIRD_PARTY_KEY.search(c[2].lower()) and c[2] not in own_accounts]
            assert not bad_columns, bad_columns
            stored: set[str] = set()
            tables = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE "
                                                 "table_schema = 'raw' AND table_name <> 'accounts'").fetchall()]
            rows = 0
            for table in tables:
                for (payload,) in conn.execute(f"SELECT CAST(payload AS VARCHAR) FROM raw.{table}").fetchall():
                    stored |= key_paths(json.loads(payload))
                    rows += 1
        assert rows > 50 and len(tables) >= 6
        leaked = sorted(k for k in stored if THIRD_PARTY_KEY.search(k.rsplit(".", 1)[-1].lower()))
        assert not leaked, leaked
    finally:
        env.close()


# --------------------------------------------------------------------------- sentinel scan (E1/E2)


def scan_files(root: Path, secrets: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits += [f"{path}: {s.decode()}" for s in secrets if s in data]
    return hits


def scan_duckdb(path: Path, secrets: list[str]) -> list[str]:
    """Strings inside DuckDB files may be compressed, so search every text column with SQL too."""
    hits = []
    with duckdb.connect(str(path), read_only=True) as conn:
        cols = conn.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                            "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE 'STRUCT%' "
                            "OR data_type LIKE '%[]'").fetchall()
        for schema, table, column in cols:
            for secret in secrets:
                n = conn.execute(f'SELECT count(*) FROM "{schema}"."{table}" '
                                 f'WHERE CAST("{column}" AS VARCHAR) LIKE ?', [f"%{secret}%"]).fetchone()[0]
                if n:
                    hits.append(f"{path}: {schema}.{table}.{column} ({n} rows)")
    return hits


def test_sentinel_never_leaves_the_credentials_during_simulate(tmp_path):
    """`shortform simulate` (what `make run` runs) authenticates with the sandbox tokens; those
    credentials, the sentinels here, must not show up in its output, data files, DuckDB contents,
    dbt logs and artifacts, or the Dagster home (run and event storage)."""
    from dagster_project.cli import SANDBOX_TOKENS

    secrets = sorted(SANDBOX_TOKENS.values())
    data = tmp_path / "data"
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    for name in ("SHORTFORM_DB", "SHORTFORM_PUBLISHED_DB", "SHORTFORM_ACCOUNTS"):
        env.pop(name, None)
    dbt_dirs = [ROOT / "dbt" / "target", ROOT / "dbt" / "logs"]
    result = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "simulate", "--days", "2", "--brands", "1",
         "--db", str(data / "warehouse.duckdb"), "--published", str(data / "published" / "marts.duckdb")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    print(f"\nsimulate --days 2 exit {result.returncode}; last lines:\n" + "\n".join(output.splitlines()[-6:]))
    assert "simulating daily pulls" in output and (data / "warehouse.duckdb").exists(), output[-3000:]
    assert not [s for s in secrets if s in output]
    bytes_secrets = [s.encode() for s in secrets]
    hits = scan_files(tmp_path, bytes_secrets)
    for d in dbt_dirs:
        if d.exists():
            hits += scan_files(d, bytes_secrets)
    for db in data.rglob("*.duckdb"):
        hits += scan_duckdb(db, secrets)
    assert not hits, hits
    assert any(home.rglob("*.db")), "the Dagster home was not used"
    assert any(p.name in ("manifest.json", "run_results.json") for d in dbt_dirs if d.exists()
               for p in d.rglob("*.json")), "no dbt artifacts were scanned"
