"""The published file opens in the oldest DuckDB reader it promises to support.

The file is written by the real publish code (dagster_project.defs.publish.publish_marts) from a
small warehouse; the reader version is the file's own `_publish_info.storage_compatibility_version`
(override with SHORTFORM_OLDREADER_DUCKDB=1.x.y). The reader is pip-installed once into
.venv-oldreader/duckdb-<version>/ and reused; without a package index the test is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.analyst.sample import build_sample_published

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".venv-oldreader"

READER_SCRIPT = r"""
import json, sys
import duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
tables = sorted(r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall())
out = {"version": duckdb.__version__, "tables": tables,
       "counts": {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables},
       "views": conn.execute("SELECT sum(views) FROM rpt_platform_comparison_weekly").fetchone()[0],
       "spend": str(conn.execute("SELECT sum(spend_reporting) FROM fct_ad_daily").fetchone()[0])}
print(json.dumps(out))
"""


def reader_python(version: str) -> Path:
    """A cached venv with duckdb==version; skips the test when it cannot be installed."""
    venv = CACHE / f"duckdb-{version}"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists() and python.exists():
        return python
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                       timeout=120)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"duckdb=={version}"], check=True, capture_output=True, text=True, timeout=300)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot install duckdb=={version} into {venv} (no package index reachable?): "
                    f"{(exc.stderr or '').strip().splitlines()[-1:] if exc.stderr else exc}")
    except (subprocess.TimeoutExpired, OSError) as exc:
        pytest.skip(f"cannot install duckdb=={version} into {venv}: {exc}")
    marker.write_text(version)
    return python


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Marts in a warehouse file, published by the pipeline's own publish step."""
    from dagster_project.defs.publish import publish_marts

    tmp = tmp_path_factory.mktemp("oldreader")
    sample = build_sample_published(tmp / "sample.duckdb", paid=True)
    warehouse = tmp / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(f"ATTACH '{sample}' AS sample (READ_ONLY)")
        conn.execute("CREATE SCHEMA marts")
        for (table,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                     "'sample' AND table_name <> '_publish_info'").fetchall():
            conn.execute(f'CREATE TABLE marts."{table}" AS SELECT * FROM sample.main."{table}"')
    outcome = publish_marts(warehouse, tmp / "published" / "marts.duckdb", run_id="oldreader-test")
    assert outcome.swapped
    return outcome.path


def test_oldest_supported_reader_opens_the_published_file(published):
    with duckdb.connect(str(published), read_only=True) as conn:
        declared = conn.execute("SELECT storage_compatibility_version FROM _publish_info").fetchone()[0]
        tables = sorted(r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall())
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        views = conn.execute("SELECT sum(views) FROM rpt_platform_comparison_weekly").fetchone()[0]
        spend = str(conn.execute("SELECT sum(spend_reporting) FROM fct_ad_daily").fetchone()[0])
    version = os.environ.get("SHORTFORM_OLDREADER_DUCKDB") or declared.lstrip("v")
    assert version.startswith("1."), f"the published file should target a DuckDB 1.x reader, declares {declared}"
    python = reader_python(version)
    result = subprocess.run([str(python), "-c", READER_SCRIPT, str(published)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"duckdb {version} could not read the published file:\n{result.stderr[-2000:]}"
    seen = json.loads(result.stdout)
    assert seen["version"] == version
    assert seen == {"version": version, "tables": tables, "counts": counts, "views": views, "spend": spend}


def test_weekly_report_asset_writes_reports_after_publish(published):
    """The Dagster asset that the refresh runs after publishing writes one report per brand plus all brands."""
    import dagster as dg

    from dagster_project.analyst.assets import weekly_client_report
    from dagster_project.defs.resources import PublishResource

    result = dg.materialize([weekly_client_report], resources={"publish": PublishResource(published_path=str(published))},
                            selection=[weekly_client_report])
    assert result.success
    folder = published.parent.parent / "reports"
    names = sorted(p.name for p in folder.glob("weekly_*.html"))
    assert len(names) == 3 and any(n.endswith("_acme.html") for n in names), names
