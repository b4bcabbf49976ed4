"""`shortform`: the command line of the warehouse.

  shortform sandbox serve [--world W] [--port N] [--as-of D]   the fake platform APIs on 127.0.0.1
  shortform sandbox bulk --world W --db PATH [--first D --last D] [--jobs N]   raw tables of daily pulls, written directly
  shortform pull --platform P --date D [--db PATH]    land one UTC day of one platform family
  shortform refresh [--date D] [--full-refresh]       pull all, build, check, publish
  shortform simulate [--world W] [--days N] [--end D]   make run: N daily refreshes on the sandbox
  shortform compare                                   print the weekly comparison from the published file
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from datetime import UTC, date, datetime, timedelta

import yaml

from dagster_project import settings

SANDBOX_TOKENS = {"tiktok": "sandbox-tiktok-token", "meta": "sandbox-meta-token", "youtube": "sandbox-youtube-token"}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def _apply_paths(args: argparse.Namespace) -> None:
    """Command-line paths become the environment the resources read (absolute, so dbt agrees)."""
    if getattr(args, "db", None):
        os.environ["SHORTFORM_DB"] = str(settings.resolve_path(args.db))
    if getattr(args, "published", None):
        os.environ["SHORTFORM_PUBLISHED_DB"] = str(settings.resolve_path(args.published))
    if getattr(args, "accounts", None):
        os.environ["SHORTFORM_ACCOUNTS"] = str(settings.resolve_path(args.accounts))
    os.environ["SHORTFORM_DB"] = str(settings.warehouse_db_path())
    os.environ["SHORTFORM_PUBLISHED_DB"] = str(settings.published_db_path())
    try:
        settings.load_accounts()
    except settings.ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None


def _report(summaries) -> bool:
    ok = True
    for s in summaries:
        print(s.describe())
        ok &= s.success and not s.check_failures
    return ok


def _quiet_refresh(refresh, instance):
    """Run the refresh with dbt's console output sent to data/last_refresh.log instead of the terminal."""
    import contextlib

    log = settings.warehouse_db_path().parent / "last_refresh.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
        summary = refresh(instance)
    print(f"(dbt output: {log})")
    return summary


def _world_settings(args: argparse.Namespace):
    """The settings of the named sandbox world of --world (default demo), --brands overriding its size."""
    from connectors.sandbox.worlds import world_settings

    overrides = {"n_brands": args.brands} if getattr(args, "brands", None) else {}
    try:
        return world_settings(args.world, **overrides)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None


def _world(args: argparse.Namespace):
    """The named sandbox world of --world (default demo), with --brands overriding its size."""
    from connectors.sandbox import World

    try:
        return World(_world_settings(args))
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from connectors.sandbox import SandboxServer

    server = SandboxServer(_world(args), host="127.0.0.1", port=args.port)
    if args.as_of:
        server.set_as_of(args.as_of)
    print(f"sandbox serving on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_sandbox_bulk(args: argparse.Namespace) -> int:
    """Write the raw tables that daily pulls of first..last would have landed (no HTTP)."""
    import time

    import duckdb

    from connectors.sandbox.bulk import write_raw, write_raw_parallel

    if args.jobs < 1:
        raise SystemExit(f"error: --jobs={args.jobs}: give 1 or more processes")
    try:  # before the world is built (minutes for the large worlds)
        db = settings.checked_path("--db", args.db, (".duckdb", ".db"))
    except settings.ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None
    started = time.perf_counter()
    db.parent.mkdir(parents=True, exist_ok=True)
    say = lambda msg: print(f"  {msg}", flush=True)  # noqa: E731
    try:
        if args.jobs > 1:  # each worker process builds the world itself
            world_settings = _world_settings(args)
            first, last = args.first or world_settings.history_start, args.last or world_settings.end
            print(f"world {args.world}: {world_settings.n_brands} brands; writing raw {first} .. {last} into {db} "
                  f"with {args.jobs} processes", flush=True)
            writing = time.perf_counter()
            counts = write_raw_parallel(world_settings, str(db), first, last, jobs=args.jobs,
                                        platforms=args.platform or None, progress=say)
        else:
            world = _world(args)
            first, last = args.first or world.start, args.last or world.end
            print(f"world {args.world}: {len(world.brands)} brands, {len(world.all_contents())} posts "
                  f"(built in {time.perf_counter() - started:.0f} s); writing raw {first} .. {last} into {db}",
                  flush=True)
            writing = time.perf_counter()
            with duckdb.connect(str(db)) as conn:
                counts = write_raw(world, conn, first, last, platforms=args.platform or None, progress=say)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    total = sum(counts.values())
    elapsed = time.perf_counter() - writing
    print(f"{total} raw rows written in {elapsed:.0f} s ({total / max(elapsed, 1e-9):.0f} rows/s); "
          f"file {db.stat().st_size / 2**20:.0f} MiB")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from dagster_project.orchestrate import pull_day

    _apply_paths(args)
    return 0 if _report(pull_day(args.date, [args.platform])) else 1


def cmd_refresh(args: argparse.Namespace) -> int:
    from dagster_project.orchestrate import get_instance, pull_day, refresh
    from dagster_project.summary import comparison_table

    _apply_paths(args)
    instance = get_instance()
    ok = _report(pull_day(args.date or _yesterday(), None, instance))
    ok &= _report([_quiet_refresh(functools.partial(refresh, full_refresh=args.full_refresh), instance)])
    published = settings.published_db_path()
    if published.exists():
        print()
        print(comparison_table(published))
    print(f"\npublished file: {published}")
    return 0 if ok else 1


def cmd_simulate(args: argparse.Namespace) -> int:
    """Start the sandbox, replay N days of daily pulls with its clock, refresh, print the comparison."""
    from connectors.sandbox import SandboxServer
    from dagster_project.orchestrate import get_instance, pull_day, refresh
    from dagster_project.summary import (
        TRY_QUERY,
        comparison_table,
        crosspost_winners,
        paid_tables,
        tiktok_vs_meta_verdicts,
    )

    world = _world(args)
    end = args.end or world.settings.end
    start = end - timedelta(days=args.days - 1)
    server = SandboxServer(world, host="127.0.0.1", port=0, tokens=SANDBOX_TOKENS).start()
    try:
        for env_name, _default in settings.BASE_URL_ENV.values():
            os.environ[env_name] = server.url
        for family, var in settings.TOKEN_ENV.items():
            os.environ[var] = SANDBOX_TOKENS[family]
        if not getattr(args, "accounts", None):
            # the sandbox world's brands and accounts, written once so every step reads the same file
            accounts_file = settings.warehouse_db_path().parent / "sandbox_accounts.yml"
            accounts_file.parent.mkdir(parents=True, exist_ok=True)
            accounts_file.write_text(yaml.safe_dump(world.accounts_config(), sort_keys=True), encoding="utf-8")
            args.accounts = str(accounts_file)
        _apply_paths(args)
        instance = get_instance()
        print(f"sandbox on {server.url}; simulating daily pulls {start} .. {end} ({args.days} days)", flush=True)
        ok = True
        day = start
        while day <= end:
            server.set_as_of(day)
            summaries = pull_day(day, None, instance)
            failed = [s for s in summaries if not s.success]
            print(f"  pulled {day}: {'ok' if not failed else 'FAILED'}", flush=True)
            ok &= _report(failed) if failed else True
            day += timedelta(days=1)
        print("building, checking and publishing ...", flush=True)
        ok &= _report([_quiet_refresh(refresh, instance)])
    finally:
        server.stop()
    published = settings.published_db_path()
    if published.exists():
        print()
        print(comparison_table(published))
        print()
        print(paid_tables(published))
        print()
        print(crosspost_winners(published))
        print()
        print(tiktok_vs_meta_verdicts(published))
        print(f"\npublished file: {published}")
        print("next: make dashboard (http://127.0.0.1:8501) | .venv/bin/shortform report | .venv/bin/shortform sql")
        print("\nquery it read-only from Python or any DuckDB client (duckdb -readonly FILE), e.g.:\n")
        print(TRY_QUERY)
    return 0 if ok else 1


def cmd_compare(args: argparse.Namespace) -> int:
    from dagster_project.summary import comparison_table

    _apply_paths(args)
    published = settings.published_db_path()
    if not published.exists():
        print(f"error: {published} does not exist yet; run `shortform refresh` first", file=sys.stderr)
        return 1
    print(comparison_table(published, args.week_start))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from dagster_project.status import status_report

    _apply_paths(args)
    print(status_report(settings.warehouse_db_path(), settings.published_db_path(), settings.run_failures_path()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shortform", description="Short-form video analytics warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    sandbox = sub.add_parser("sandbox", help="the built-in fake platform APIs")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_sub.add_parser("serve", help="serve the sandbox on 127.0.0.1")
    serve.add_argument("--world", default="demo", help="named sandbox world: demo, agency, large, tiny")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--as-of", type=_date, default=None, help="simulated today (default: world end)")
    serve.set_defaults(func=cmd_sandbox_serve)
    bulk = sandbox_sub.add_parser("bulk", help="write the raw tables of daily pulls directly (no HTTP)")
    bulk.add_argument("--world", default="demo", help="named sandbox world: demo, agency, large, tiny")
    bulk.add_argument("--brands", type=int, default=None, help="override the world's number of brands")
    bulk.add_argument("--db", required=True, help="DuckDB file to write raw.* into")
    bulk.add_argument("--first", type=_date, default=None, help="first daily pull (default: world start)")
    bulk.add_argument("--last", type=_date, default=None, help="last daily pull (default: world end)")
    bulk.add_argument("--platform", action="append", default=None,
                      choices=("tiktok", "instagram", "facebook", "youtube", "tiktok_ads", "meta_ads"),
                      help="only these platforms (repeatable; default all)")
    bulk.add_argument("--jobs", type=int, default=1, help="processes writing platforms at once (one per core; "
                      "into an empty warehouse only)")
    bulk.set_defaults(func=cmd_sandbox_bulk)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="warehouse DuckDB file (default $SHORTFORM_DB or data/warehouse.duckdb)")
        p.add_argument("--published", help="published marts file (default data/published/marts.duckdb)")
        p.add_argument("--accounts", help="accounts file (default accounts.yml, else the sandbox's accounts)")

    pull = sub.add_parser("pull", help="land one UTC day of one platform family into raw.*")
    pull.add_argument("--platform", required=True, choices=settings.PLATFORM_FAMILIES)
    pull.add_argument("--date", required=True, type=_date)
    common(pull)
    pull.set_defaults(func=cmd_pull)

    refresh = sub.add_parser("refresh", help="pull every platform for a day, build, check, publish")
    refresh.add_argument("--date", type=_date, default=None, help="UTC day to pull (default yesterday)")
    refresh.add_argument("--full-refresh", action="store_true",
                         help="rebuild the incremental dbt models from every raw row (dbt build --full-refresh)")
    common(refresh)
    refresh.set_defaults(func=cmd_refresh)

    simulate = sub.add_parser("simulate", help="replay N days of daily pulls on the sandbox, then refresh")
    simulate.add_argument("--world", default="demo", help="named sandbox world: demo, agency, large, tiny")
    simulate.add_argument("--days", type=int, default=35)
    simulate.add_argument("--brands", type=int, default=None, help="brands in the sandbox world (default: the world's own)")
    simulate.add_argument("--end", type=_date, default=None, help="last simulated day (default: world end)")
    common(simulate)
    simulate.set_defaults(func=cmd_simulate)

    compare = sub.add_parser("compare", help="print the weekly comparison from the published file")
    compare.add_argument("--week-start", default=None)
    common(compare)
    compare.set_defaults(func=cmd_compare)
    from dagster_project.analyst import cli as analyst_cli

    analyst_cli.register(sub)  # shortform report [--week YYYY-Www] [--brand B] [--out F] | shortform sql [QUERY|-]

    status = sub.add_parser("status", help="last pulls, source freshness, last publish and its checks")
    common(status)
    status.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
