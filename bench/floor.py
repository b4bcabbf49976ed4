"""The hand-written SQL floor of the dbt benchmark (issue 7).

`bench/floor.sql` computes, from the raw tables and the dbt seeds, the same rows as the dbt marts
named in FLOOR_MARTS, as one DuckDB script run in one connection into schema `floor`. The bench
compares `dbt build --select +<FLOOR_MARTS>` with `run_floor` on the same warehouse file;
tests/bench/test_floor.py proves the tables equal the marts.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
FLOOR_SQL = Path(__file__).with_name("floor.sql")
SEEDS_DIR = REPO / "dbt" / "seeds"

# The marts the floor reproduces, in the order of the script (same names in schema floor).
FLOOR_MARTS: tuple[str, ...] = (
    "dim_account",
    "dim_content",
    "fct_content_daily",
    "fct_content_age",
    "rpt_platform_comparison_weekly",
    "fct_ad_daily",
    "dim_ad",
    "rpt_cost_efficiency_weekly",
    "rpt_boosted_content_weekly",
    "rpt_budget_reallocation",
    "rpt_content_benchmarks",
    "rpt_surface_benchmarks",
    "rpt_crosspost_comparison",
)


def floor_script(seeds_dir: Path = SEEDS_DIR) -> str:
    """The SQL script with the seeds directory filled in."""
    return FLOOR_SQL.read_text().replace("{seeds}", seeds_dir.as_posix())


def dbt_select() -> str:
    """The dbt selection that builds exactly the floor's marts and what they depend on."""
    return " ".join(f"+{name}" for name in FLOOR_MARTS)


def run_floor(db_path: Path | str, *, threads: int | None = None) -> float:
    """Run the floor script against the warehouse at db_path (raw.* must be landed); returns the
    wall-clock seconds of the script (connection opening excluded)."""
    script = floor_script()
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("SET enable_progress_bar = false")
        if threads:
            conn.execute(f"SET threads = {int(threads)}")
        started = time.perf_counter()
        conn.execute(script)
        return time.perf_counter() - started


def profile_floor(db_path: Path | str) -> list[tuple[float, str]]:
    """Run the script statement by statement; (seconds, first line of the statement) each, to see
    what dominates (the statements end with ';' at the end of a line)."""
    statements = [s.strip() for s in floor_script().split(";\n") if s.strip()]
    timings = []
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("SET enable_progress_bar = false")
        for statement in statements:
            started = time.perf_counter()
            conn.execute(statement)
            label = next(line for line in statement.splitlines() if line and not line.startswith("--"))
            timings.append((time.perf_counter() - started, label))
    return timings


if __name__ == "__main__":  # pragma: no cover - manual use: python -m bench.floor <warehouse.duckdb> [--profile]
    import sys

    if "--profile" in sys.argv[2:]:
        for seconds, label in profile_floor(sys.argv[1]):
            print(f"{seconds:8.3f} s  {label}")
    else:
        print(f"floor: {run_floor(sys.argv[1]):.3f} s")
