"""Rows per CPU-second of the bulk raw generator (connectors/sandbox/bulk.py).

    .venv/bin/python scripts/bulk_rate.py [--world agency] [--brands 2] [--days 60] [--profile]

Builds the world (not timed), then times `write_raw` over the last `--days` pulls of the world
into a fresh DuckDB file and prints rows, CPU seconds (this process and its children), wall
seconds and rows per CPU second. A measurement script, never a test assertion.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    import importlib

    import duckdb

    from connectors.sandbox.world import World
    from connectors.sandbox.worlds import world_settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world", default="agency")
    p.add_argument("--brands", type=int, default=2)
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--platform", action="append", default=None)
    p.add_argument("--module", default="connectors.sandbox.bulk", help="module holding write_raw")
    p.add_argument("--profile", action="store_true", help="cProfile write_raw, print the top 30")
    args = p.parse_args()
    write_raw = importlib.import_module(args.module).write_raw
    t0 = time.perf_counter()
    import dagster_project.defs.ingest.common  # noqa: F401  (fixed cost: it builds the dbt project)

    print(f"imports: {time.perf_counter() - t0:.1f} s wall (not timed below)")
    world = World(world_settings(args.world, n_brands=args.brands))
    last = world.end
    first = max(world.start if hasattr(world, "start") else last, last - timedelta(days=args.days - 1))
    with tempfile.TemporaryDirectory() as tmp:
        conn = duckdb.connect(os.path.join(tmp, "bulk.duckdb"))
        cpu0, wall0 = _cpu(), time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            counts = prof.runcall(write_raw, world, conn, first, last, platforms=args.platform)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        else:
            counts = write_raw(world, conn, first, last, platforms=args.platform)
        cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
        conn.close()
    rows = sum(counts.values())
    print(f"world={args.world} brands={args.brands} pulls={first}..{last} platforms={args.platform or 'all'}")
    for t, n in counts.items():
        print(f"  {t}: {n}")
    print(f"rows={rows} cpu_s={cpu:.1f} wall_s={wall:.1f} rows_per_cpu_s={rows / cpu:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
