"""`make bench-smoke`: the benchmark's own code on the tiny world completes and prints every row
with a number. Figures are never asserted (benchmarks are not timed tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# every row scripts/bench.py prints, by (section, start of the measure)
EXPECTED_ROWS = [
    ("ingestion", "records/s, ours"),
    ("ingestion", "records/s, bare requests loop"),
    ("ingestion", "ours / bare loop"),
    ("ingestion", "TikTok video list records/s: ours / bare loop"),
    ("ingestion", "TikTok video list records/s: dlt"),
    ("api calls", "Meta HTTP requests"),
    ("api calls", "YouTube HTTP requests"),
    ("api calls", "TikTok HTTP requests"),
    ("refresh", "daily incremental refresh"),
    ("refresh", "full rebuild"),
    ("refresh", "daily incremental / full rebuild"),
    ("dbt", "dbt build / floor"),
    ("queries", "dashboard + cookbook query latency"),
    ("memory", "ingestion peak RSS"),
    ("memory", "whole refresh peak RSS"),
]


@pytest.mark.slow
@pytest.mark.timeout(2700)  # three tiny refreshes through Dagster + dbt: ~10 min idle, far more on a loaded machine
def test_bench_smoke_prints_every_row_with_a_number(tmp_path):
    pytest.importorskip("dlt", reason="the [bench] extra (dlt) is needed: pip install -e '.[bench]'")
    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "bench.py"), "--smoke", "--work", str(tmp_path / "work"),
                           "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=2600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and not line.startswith("| section")]
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    for section, measure in EXPECTED_ROWS:
        hits = [c for c in cells if c[0] == section and c[1].startswith(measure)]
        assert hits, f"row {section} / {measure!r} not printed:\n{proc.stdout}"
        for c in hits:
            figure = c[2]
            assert re.search(r"\d", figure) and not figure.startswith("n/a"), \
                f"row {section} / {c[1]!r} has no number: {figure!r}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert re.search(r"Machine: .+ logical cores; .+ RAM; .+; Python 3\.\d+", proc.stdout)
    assert out.read_text().count("| section | measure |") == 1  # one table, written to the file
