"""The measured steps, each run in a child process: `python -m bench.steps STEP ARGS_JSON_FILE`.

The parent (scripts/bench.py) sets the environment (sandbox URLs, tokens, warehouse paths, quota
modes) and the sandbox clock; a step does one thing, times it with `time.perf_counter`, and writes
its figures as JSON to `args["result"]`. Tokens live only in memory (recorded requests are never
written anywhere).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def _rss_mib() -> float:
    """Current resident set of this process (MiB), from /proc/self/statm."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def _peak_rss_mib() -> float:
    """Peak resident set of this process (MiB): VmHWM, the high-water mark of this program's own
    memory. Not RUSAGE_SELF's ru_maxrss: on Linux that keeps the spawning process's high-water mark
    through fork (or vfork) and exec, so a child of a 2 GB parent reported 2 GB however little it used."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------------------ request recording


def family_of(method: str, url: str) -> str:
    path = urlsplit(url).path
    if path.startswith("/open_api/"):
        return "tiktok"
    if path.startswith(("/youtube/", "/v2/reports")):
        return "youtube"
    if path.startswith("/__sandbox"):
        return "control"
    return "meta"  # Graph: /v{N}.0/... and batch POST / or /v{N}.0/


def batch_items(body: Any) -> int:
    """Number of Graph batch items in a POST body (form field `batch`), 0 when it is no batch."""
    if not body:
        return 0
    text = body.decode() if isinstance(body, bytes) else str(body)
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key == "batch":
            try:
                items = json.loads(value)
            except ValueError:
                return 0
            return len(items) if isinstance(items, list) else 0
    return 0


class Recorder:
    """Wraps requests.Session.send: every HTTP request sent (kept in memory, for counting and for
    replaying the same pages with a bare requests loop)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self._orig = None

    def __enter__(self) -> Recorder:
        import requests

        self._orig = requests.Session.send
        recorder = self
        orig = self._orig

        def send(session, request, **kwargs):
            recorder.requests.append((request.method, request.url, dict(request.headers), request.body))
            return orig(session, request, **kwargs)

        requests.Session.send = send
        return self

    def __exit__(self, *exc: object) -> None:
        import requests

        requests.Session.send = self._orig

    def counts(self, start: int = 0, end: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"http": {}, "meta_batch_items": 0, "meta_batch_requests": 0}
        for method, url, _headers, body in self.requests[start:end]:
            fam = family_of(method, url)
            out["http"][fam] = out["http"].get(fam, 0) + 1
            if fam == "meta" and method == "POST":
                n = batch_items(body)
                if n:
                    out["meta_batch_items"] += n
                    out["meta_batch_requests"] += 1
        return out


def replay(recorded: list[tuple[str, str, dict[str, str], Any]]) -> float:
    """The bare loop: the same requests, one plain requests.Session, JSON-decoded; seconds taken."""
    import requests

    session = requests.Session()
    t0 = time.perf_counter()
    for method, url, headers, body in recorded:
        response = session.request(method, url, headers=headers, data=body, timeout=60)
        json.loads(response.content)
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------------------ assets


def daily_pull_assets(organic_only: bool = False) -> list[Any]:
    """The assets of the daily_pull job, in dependency order (YouTube videos before video days)."""
    from dagster_project.defs.ingest import ads, meta, tiktok, youtube

    organic = [tiktok.raw_tiktok_videos, tiktok.raw_tiktok_account_days, meta.raw_instagram_reels,
               meta.raw_facebook_reels, youtube.raw_youtube_videos, youtube.raw_youtube_video_days]
    paid = [ads.raw_tiktok_advertisers, ads.raw_tiktok_ads, ads.raw_tiktok_ad_days, ads.raw_meta_ad_accounts,
            ads.raw_meta_ads, ads.raw_meta_ad_days]
    return organic if organic_only else organic + paid


def _received(result: Any) -> int:
    meta = getattr(result, "metadata", None) or {}
    value = meta.get("rows_received")
    data = getattr(value, "data", value) or {}
    return int(sum(data.values())) if isinstance(data, dict) else 0


def step_pull(args: dict[str, Any]) -> dict[str, Any]:
    """One day's daily pull, every asset of the daily_pull job invoked directly (connector plus
    landing, no Dagster run overhead), into the warehouse SHORTFORM_DB; then the bare loop."""
    import dagster as dg
    import duckdb

    from dagster_project import settings
    from dagster_project.defs.ingest.landing import ensure_raw_schema, land_accounts
    from dagster_project.defs.resources import PlatformsResource, WarehouseResource

    try:
        from connectors import http as chttp
    except ImportError:  # pragma: no cover
        chttp = None
    db = os.environ["SHORTFORM_DB"]
    with duckdb.connect(db) as conn:
        ensure_raw_schema(conn)
        land_accounts(conn, settings.load_accounts().accounts)
    warehouse = WarehouseResource(db_path=db)
    platforms = PlatformsResource()
    instance = dg.DagsterInstance.ephemeral()
    day = date.fromisoformat(args["day"])
    rss_before = _rss_mib()
    per_asset: list[dict[str, Any]] = []
    if chttp is not None and hasattr(chttp, "reset_request_counts"):
        chttp.reset_request_counts()
    profiler = None
    if args.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    # Dagster's context objects are built before the clock starts (run set-up, not ingestion).
    assets = [(asset, dg.build_asset_context(partition_key=day.isoformat(), instance=instance))
              for asset in daily_pull_assets(args.get("organic_only", False))]
    with Recorder() as rec:
        t_all = time.perf_counter()
        for asset, context in assets:
            first = len(rec.requests)
            t0 = time.perf_counter()
            result = asset(context, warehouse=warehouse, platforms=platforms)
            per_asset.append({"asset": asset.key.to_user_string(), "seconds": time.perf_counter() - t0,
                              "records": _received(result), "first": first, "last": len(rec.requests),
                              # the process's peak so far: the asset that raises it is the one to profile
                              "peak_rss_mib": _peak_rss_mib()})
        seconds = time.perf_counter() - t_all
    if profiler is not None:
        profiler.stop()
        Path(args["profile"]).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    out: dict[str, Any] = {
        "seconds": seconds,
        "records": sum(a["records"] for a in per_asset),
        "requests": rec.counts(),
        "per_asset": [{k: v for k, v in a.items() if k not in ("first", "last")} | {"requests": rec.counts(a["first"], a["last"])}
                      for a in per_asset],
        "rss_before_mib": rss_before,
        "peak_rss_self_mib": _peak_rss_mib(),
        "modes": {k: os.environ.get(k, "") for k in ("SHORTFORM_META_INSIGHTS", "SHORTFORM_YOUTUBE_REPORTS",
                                                      "SHORTFORM_INGEST_WORKERS")},
    }
    if chttp is not None and hasattr(chttp, "request_counts"):
        out["connector_request_counts"] = dict(chttp.request_counts())
    if args.get("bare"):
        # The bare loop fetches exactly the pages the connector fetched (same URLs, headers and
        # bodies, same sandbox, same clock), decodes JSON, and does nothing else.
        out["bare_seconds"] = replay(rec.requests)
        for a in per_asset:
            if a["asset"] not in args.get("bare_assets", ["raw/tiktok/videos"]):
                continue
            a_out = next(x for x in out["per_asset"] if x["asset"] == a["asset"])
            a_out["bare_seconds"] = replay(rec.requests[a["first"]:a["last"]])
    return out


def step_history(args: dict[str, Any]) -> dict[str, Any]:
    """Raw history first..last into SHORTFORM_DB: the bulk generator when it exists, else real
    day-by-day pulls over HTTP (the sandbox's clock set per day)."""
    import duckdb

    from bench.common import settings_from_json
    from dagster_project.defs.ingest.landing import ensure_raw_schema

    first, last = date.fromisoformat(args["first"]), date.fromisoformat(args["last"])
    db = os.environ["SHORTFORM_DB"]
    t0 = time.perf_counter()
    try:
        from connectors.sandbox.bulk import write_raw
    except ImportError:
        write_raw = None
    if write_raw is not None:
        from connectors.sandbox import World

        world = World(settings_from_json(args["world"]))
        t_world = time.perf_counter() - t0
        with duckdb.connect(db) as conn:
            ensure_raw_schema(conn)
            rows = write_raw(world, conn, first, last)
        method = "bulk generator (connectors.sandbox.bulk.write_raw)"
    else:
        import dagster as dg
        import requests

        from dagster_project import settings
        from dagster_project.defs.ingest.landing import land_accounts
        from dagster_project.defs.resources import PlatformsResource, WarehouseResource

        t_world = 0.0
        with duckdb.connect(db) as conn:
            ensure_raw_schema(conn)
            land_accounts(conn, settings.load_accounts().accounts)
        warehouse, platforms = WarehouseResource(db_path=db), PlatformsResource()
        instance = dg.DagsterInstance.ephemeral()
        day = first
        while day <= last:
            requests.post(f"{args['sandbox']}/__sandbox/clock", json={"as_of": day.isoformat()},
                          timeout=30).raise_for_status()
            for asset in daily_pull_assets():
                asset(dg.build_asset_context(partition_key=day.isoformat(), instance=instance),
                      warehouse=warehouse, platforms=platforms)
            day = date.fromordinal(day.toordinal() + 1)
        with duckdb.connect(db) as conn:
            rows = {t: conn.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in
                    [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = 'raw'").fetchall()]}
        method = "real day-by-day pulls over HTTP (no bulk generator on this branch)"
    return {"seconds": time.perf_counter() - t0, "world_seconds": t_world, "rows": {str(k): int(v) for k, v in dict(rows).items()},
            "method": method, "db_mib": Path(db).stat().st_size / 2**20}


def step_job(args: dict[str, Any]) -> dict[str, Any]:
    """A Dagster job in process, as the CLI runs it: `daily_pull` for a day or `refresh`."""
    import contextlib
    import inspect

    from dagster_project import orchestrate

    instance = orchestrate.get_instance()
    t0 = time.perf_counter()
    with open(Path(args["work"]) / "dbt_output.log", "a") as fh, contextlib.redirect_stdout(fh):
        if args["job"] == "daily_pull":
            summaries = orchestrate.pull_day(date.fromisoformat(args["day"]), None, instance)
        else:
            kwargs = {}
            if args.get("full_refresh"):
                if "full_refresh" not in inspect.signature(orchestrate.refresh).parameters:
                    raise SystemExit("orchestrate.refresh has no full_refresh option on this branch")
                kwargs["full_refresh"] = True
            summaries = [orchestrate.refresh(instance, **kwargs)]
    seconds = time.perf_counter() - t0
    ok = all(s.success and not s.check_failures for s in summaries)
    return {"seconds": seconds, "ok": ok, "summary": "\n".join(s.describe() for s in summaries),
            "peak_rss_self_mib": _peak_rss_mib()}


def step_dbt_floor(args: dict[str, Any]) -> dict[str, Any]:
    """`dbt build --full-refresh` of the floor's marts (+ upstream) vs bench/floor.py on the same raw."""
    import subprocess

    from bench.common import BIN, DBT_DIR
    from dagster_project import settings

    db = os.environ["SHORTFORM_DB"]
    out: dict[str, Any] = {}
    from bench.floor import FLOOR_MARTS, run_floor

    select = " ".join(f"+{m}" for m in FLOOR_MARTS)
    work = Path(args["work"])
    cmd = [str(BIN / "dbt"), "build", "--full-refresh", "--select", *select.split(), "--indirect-selection", "cautious",
           "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(work / "target"),
           "--log-path", str(work / "logs"), *settings.DBT_REFRESH_EXCLUDE]  # as the refresh builds
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=DBT_DIR, env=os.environ, capture_output=True, text=True)
    out["dbt_build_seconds"] = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    (work / "dbt_floor_build.log").write_text(proc.stdout)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    for kind in ("model", "test", "seed", "unit_test"):
        nodes = [r for r in results if r["unique_id"].split(".")[0] == kind]
        out[f"dbt_{kind}_seconds_summed"] = sum(r.get("execution_time") or 0 for r in nodes)
        out[f"dbt_{kind}_nodes"] = len(nodes)
    t0 = time.perf_counter()
    reported = run_floor(db)
    out["floor_seconds"] = time.perf_counter() - t0  # wall time of the call, connection included
    out["floor_reported_seconds"] = float(reported) if isinstance(reported, int | float) else None
    out["floor_marts"] = list(FLOOR_MARTS)
    return out


def dashboard_queries(path: str) -> list[tuple[str, Any]]:
    """(name, callable) of every query the dashboard pages run, with the dashboard's default filters
    (every brand and surface, the last 28 days) and one with a single brand picked."""
    from datetime import timedelta

    from dagster_project.analyst import queries
    from dagster_project.analyst.db import Catalog

    catalog = Catalog.load(path)
    options = queries.filter_options(path)
    hi = options["max_date"]
    lo = max(options["min_date"], hi - timedelta(days=27)) if hi else None
    default = queries.Filters.of([], [], lo, hi)
    one = queries.Filters.of(options["brands"][:1], [], lo, hi)
    out: list[tuple[str, Any]] = [("filter_options", lambda: queries.filter_options(path))]
    for label, f in (("all", default), ("one_brand", one)):
        out += [
            (f"surface_summary[{label}]", lambda f=f: queries.surface_summary(f, path)),
            (f"surface_summary_by_brand[{label}]", lambda f=f: queries.surface_summary(f, path, by_brand=True)),
            (f"paid_summary[{label}]", lambda f=f: queries.paid_summary(f, catalog, path)),
            (f"weekly_trend[{label}]", lambda f=f: queries.weekly_trend(f, path)),
            (f"weekly_cpm[{label}]", lambda f=f: queries.weekly_cpm(f, catalog, path)),
            (f"top_content[{label}]", lambda f=f: queries.top_content(f, path)),
            (f"crosspost[{label}]", lambda f=f: queries.table_rows(queries.CROSSPOST, f, catalog, path)),
            (f"boosted[{label}]", lambda f=f: queries.table_rows(queries.BOOSTED, f, catalog, path)),
            (f"benchmarks[{label}]", lambda f=f: queries.table_rows(queries.BENCHMARKS, f, catalog, path)),
            (f"budget_scenarios[{label}]", lambda f=f: queries.budget_scenarios(f.brands, catalog, path)),
        ]
    out += [
        ("publish_info", lambda: queries.publish_info(path)),
        ("freshness", lambda: queries.freshness(catalog, path)),
        ("not_final_days", lambda: queries.not_final_days(catalog, path)),
    ]
    return out


def step_queries(args: dict[str, Any]) -> dict[str, Any]:
    """Latency of the dashboard's queries and of the cookbook's recipes, each through
    analyst.db.connect as the dashboard runs them, `repeat` times after one warm-up pass."""
    from dagster_project.analyst.cookbook import recipes
    from dagster_project.analyst.db import connect

    path = args["published"]
    repeat = int(args.get("repeat", 10))
    samples: dict[str, list[float]] = {}
    jobs = [(f"dashboard:{n}", fn) for n, fn in dashboard_queries(path)]

    def recipe_job(sql: str):
        def run():
            with connect(path) as conn:
                return conn.execute(sql).fetchall()
        return run

    jobs += [(f"cookbook:{r.title[:48]}", recipe_job(r.sql)) for r in recipes()]
    for _name, fn in jobs:  # one warm-up pass (OS file cache, the attach, DuckDB's cache), not counted
        fn()
    for _ in range(repeat):
        for name, fn in jobs:
            t0 = time.perf_counter()
            fn()
            samples.setdefault(name, []).append((time.perf_counter() - t0) * 1000.0)
    return {"samples_ms": samples, "queries": len(jobs), "repeat": repeat}


def step_dlt(args: dict[str, Any]) -> dict[str, Any]:
    """The peer: dlt's REST API source loading the same TikTok video-list pages into DuckDB."""
    from bench.dlt_peer import run_dlt

    return run_dlt(args)


def step_cut(args: dict[str, Any]) -> dict[str, Any]:
    """The memory row's short history (`bench.common.cut_raw_history`), in a child process: DuckDB's
    copy takes ~2 GB, which the bench's own process would otherwise pass on to the ru_maxrss of
    every step it starts after (`run_step`)."""
    from bench.common import cut_raw_history

    cut_raw_history(Path(args["source"]), Path(args["target"]), date.fromisoformat(args["last"]), int(args["days"]))
    return {"peak_rss_self_mib": _peak_rss_mib()}


STEPS = {"pull": step_pull, "history": step_history, "job": step_job, "dbt_floor": step_dbt_floor,
         "queries": step_queries, "dlt": step_dlt, "cut": step_cut}


def main(argv: list[str]) -> int:
    step, spec = argv[0], Path(argv[1])
    args = json.loads(spec.read_text())
    result = STEPS[step](args)
    Path(args["result"]).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
