"""`make bench`: one run, one table, the machine described, written to docs/BENCHMARKS.md.

    python scripts/bench.py                       # agency + large (hours on 2 cores)
    python scripts/bench.py --large-world none    # agency only (large rows say "not run")
    python scripts/bench.py --smoke               # make bench-smoke: tiny world, minutes

Every figure comes from this run: each measured step runs in a child process (bench/steps.py)
against a sandbox process serving the world (bench/serve.py). Sizes are flags; the table says
which world and how many days each row ran on. Benchmarks are never assertions: the smoke test
only checks that every row printed a number.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import (  # noqa: E402
    Sandbox,
    StepFailed,
    accounts_file,
    machine,
    run_step,
    sandbox_environ,
    settings_to_json,
    world_with_history,
)

# The measured pulls (throughput, calls, memory) run without the client's TikTok pacer (600 requests
# a minute, TikTok's documented limit): it waits on purpose, which is not connector or landing cost.
# The daily_pull job of the refresh rows keeps the default pacing, as production does.
PULL_ENV = {"SHORTFORM_RATE_LIMITS": "tiktok=off"}
BEGIN, END = "<!-- bench:begin (written by scripts/bench.py) -->", "<!-- bench:end -->"


@dataclass
class Row:
    section: str
    measure: str
    figure: str
    target: str = ""
    verdict: str = ""  # met | MISSED | "" (no target)
    detail: str = ""


@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    results: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        (self.work / "results.json").write_text(json.dumps(self.results, indent=1, default=str))

    def log(self, msg: str) -> None:
        print(f"[bench {time.perf_counter() - self.started:7.1f}s] {msg}", file=sys.stderr, flush=True)

    def add(self, *a: Any, **kw: Any) -> None:
        self.rows.append(Row(*a, **kw))

    def missing(self, section: str, measure: str, target: str, why: str) -> None:
        self.rows.append(Row(section, measure, f"n/a ({why})", target, "not run"))


def fmt(x: float, digits: int = 1) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# ------------------------------------------------------------------------------------------ phases


def world_phase(b: Bench, name: str, *, primary: bool) -> dict[str, Any]:
    """Build a year (or the world's history) of raw, refresh, then measure one daily refresh.

    primary (agency): history to end-2, full build, then day end-1 as a real daily refresh (Dagster
    daily_pull job + incremental refresh), then (after a warm-up pull of day end into an empty
    warehouse) day end pulled by the assets directly with the bare
    loop (throughput, calls, memory at full history), the same pull on the history cut to
    --memory-days (memory), naive-mode calls, dlt, dbt vs floor, queries.
    not primary (large): history to end-1, full refresh (time, memory), dbt vs floor, queries.
    """
    settings = world_with_history(name, b.args.days if primary else b.args.large_days)
    end = settings.end
    days = (end - settings.history_start).days + 1
    work = b.work / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out: dict[str, Any] = {"world": name, "days": days, "end": end}
    b.results["primary" if primary else "large"] = out
    b.log(f"{name}: starting the sandbox ({settings.n_brands} brands, {days} days of history)")
    t0 = time.perf_counter()
    sandbox = Sandbox.start(settings, work / "sandbox.log")
    out["sandbox_start_seconds"] = time.perf_counter() - t0
    try:
        accounts = accounts_file(sandbox, work / "accounts.yml")
        env = sandbox_environ(sandbox.url, work, accounts)
        if not primary and getattr(b.args, "large_memory_limit", None):
            # the sandbox process serving large holds its world (~5 GB): DuckDB's default 80 % of RAM
            # for the refresh beside it would overcommit the machine
            env["SHORTFORM_DUCKDB_MEMORY_LIMIT"] = b.args.large_memory_limit
            out["duckdb_memory_limit"] = b.args.large_memory_limit
        base = {"work": str(work)}
        # primary: history to end-(n+1), the daily refresh of end-n, then the n measured pulls of
        # end-n+1..end, each onto the days before it (bench.steps.step_pull)
        n = max(1, int(getattr(b.args, "ingest_days", 1) or 1)) if primary else 1
        out["ingest_days"] = n
        hist_last = end - timedelta(days=n + 1 if primary else 1)
        history_from = b.args.history_from if primary else getattr(b.args, "large_history_from", None)
        if history_from:
            # raw input of an earlier invocation (same world, same days): copied, not re-generated
            shutil.copyfile(history_from, work / "warehouse.duckdb")
            out["history"] = {"method": f"copied from {history_from}", "rows": {}}
            b.log(f"{name}: raw history copied from {history_from}")
            check_history_end(work / "warehouse.duckdb", hist_last,
                              f"--{'' if primary else 'large-'}history-from {history_from}")
        else:
            b.log(f"{name}: raw history {settings.history_start} .. {hist_last}")
            sandbox.set_as_of(hist_last)
            hist = run_step("history", {**base, "world": settings_to_json(settings),
                                        "first": settings.history_start.isoformat(),
                                        "last": hist_last.isoformat(), "sandbox": sandbox.url}, env)
            out["history"] = hist.data
            b.log(f"{name}: history {hist.data['method']}: {sum(hist.data['rows'].values()):,} raw rows "
                  f"in {hist.seconds:.0f}s")
        def attempt(label: str, fn):
            try:
                return fn()
            except StepFailed as exc:
                out[f"{label}_error"] = str(exc).splitlines()[0]
                b.notes.append(f"{name}: {label} failed: {exc}")
                b.log(f"{name}: {label} FAILED: {str(exc).splitlines()[0]}")
                return None
            finally:
                b.save()

        skip_dbt = b.args.skip_dbt
        if skip_dbt:
            out["dbt_skipped"] = b.args.skip_dbt
        else:
            b.log(f"{name}: full refresh (dbt build, checks, publish)")
        full = None if skip_dbt else attempt("full_refresh", lambda: run_step("job", {**base, "job": "refresh"}, env))
        if full:
            out["full_refresh"] = {"seconds": full.data["seconds"], "maxrss_mib": full.maxrss_mib,
                                   "ok": full.data["ok"], "summary": full.data["summary"]}
            if not full.data["ok"]:
                b.notes.append(f"{name}: the full refresh did not pass its checks: {full.data['summary']}")
        def warm_up(day: date) -> None:
            # The sandbox builds a day's world lazily on its first requests (at one year of agency,
            # TikTok ads and ad days took 34 s cold and 1 s warm; Meta ad days 55 vs 24 s): a
            # throwaway pull of the day into an empty warehouse pays that, so the measured pulls
            # meet a warm server, as they would meet a real API.
            warm = work / f"warmup_{day}"
            if attempt(f"warmup_pull_{day}", lambda: run_step("pull", {"work": str(warm), "day": day.isoformat()},
                                                              sandbox_environ(sandbox.url, warm, accounts) | PULL_ENV)):
                shutil.rmtree(warm, ignore_errors=True)  # kept with its log when it failed

        if primary:
            day = end - timedelta(days=n)
            sandbox.set_as_of(day)
            pull_job = incr = None
            if not skip_dbt:
                warm_up(day)
                b.log(f"{name}: daily refresh of {day}: daily_pull job + incremental refresh")
                pull_job = attempt("daily_pull", lambda: run_step("job", {**base, "job": "daily_pull",
                                                                          "day": day.isoformat()}, env))
                incr = attempt("incremental_refresh", lambda: run_step("job", {**base, "job": "refresh"}, env))
            if pull_job and incr:
                out["daily"] = {"pull_seconds": pull_job.data["seconds"], "refresh_seconds": incr.data["seconds"],
                                "ok": pull_job.data["ok"] and incr.data["ok"],
                                "summary": pull_job.data["summary"] + "\n" + incr.data["summary"]}
            # The memory row's short histories: the same world's raw history cut to its last N days,
            # so the next pull is the same pull (same sandbox, day, pages) over less history.
            landed_last = day if pull_job else hist_last
            short_days = [d for d in memory_days(b.args) if d < days]
            cut_failed = []
            for d in short_days:
                try:
                    run_step("cut", {**base, "source": str(work / "warehouse.duckdb"), "last": landed_last.isoformat(),
                                     "target": str(b.work / f"{name}_{d}d" / "warehouse.duckdb"), "days": d}, env)
                except Exception as exc:  # noqa: BLE001 - the memory row says why; the other rows go on
                    cut_failed.append(d)
                    b.notes.append(f"{name}: cutting the history to {d} days failed: {exc}")
            # One day's pull carries DuckDB's checkpoint rewrites of the raw tables' tails, which
            # fall on some days and not others (BENCHMARKS.md, session 11): n consecutive days, summed.
            out["pulls"], out["memory"], out["memory_pulls"] = [], {}, {}
            for pull_day in (day + timedelta(days=i) for i in range(1, n + 1)):
                sandbox.set_as_of(pull_day)
                warm_up(pull_day)  # the measured pull and the bare loop replaying it meet a warm server
                b.log(f"{name}: pull of {pull_day} by the assets directly + bare requests loop (full history)")
                pull = attempt(f"pull_{pull_day}", lambda pull_day=pull_day: run_step(
                    "pull", {**base, "day": pull_day.isoformat(), "bare": True}, env | PULL_ENV))
                if pull:
                    out["pulls"].append(pull.data | {"maxrss_mib": pull.maxrss_mib, "day": pull_day.isoformat()})
                    out["pull"] = out["pulls"][-1]  # the last day's: the calls rows compare it with the naive pull
                for d in (d for d in short_days if d not in cut_failed):
                    short = b.work / f"{name}_{d}d"
                    b.log(f"{name}: the same pull of {pull_day} on the history cut to its last {d} days (memory row)")
                    step = attempt(f"pull_{pull_day}_{d}d", lambda short=short, pull_day=pull_day: run_step(
                        "pull", {"work": str(short), "day": pull_day.isoformat()},
                        sandbox_environ(sandbox.url, short, accounts) | PULL_ENV))
                    if step:
                        m = step.data | {"maxrss_mib": step.maxrss_mib, "days": d, "day": pull_day.isoformat()}
                        out["memory_pulls"].setdefault(str(d), []).append(m)
                        out["memory"][str(d)] = m
            b.log(f"{name}: naive-pattern pull of {end} (per_object / per_video) into an empty warehouse")
            naive_work = work / "naive"
            naive_env = sandbox_environ(sandbox.url, naive_work, accounts) | PULL_ENV | {
                "SHORTFORM_META_INSIGHTS": "per_object", "SHORTFORM_YOUTUBE_REPORTS": "per_video"}
            naive = attempt("naive_pull", lambda: run_step("pull", {"work": str(naive_work), "day": end.isoformat()}, naive_env))
            if naive:
                out["naive"] = naive.data
            if not b.args.no_dlt:
                b.log(f"{name}: dlt REST API source, TikTok video list of every account")
                dlt_run = attempt("dlt", lambda: run_step("dlt", {"work": str(work / "dlt")}, env))
                if dlt_run:
                    out["dlt"] = dlt_run.data
        if skip_dbt:
            return out
        out["floor"] = floor_phase(b, name, work, env)
        b.save()
        b.log(f"{name}: dashboard and cookbook query latency on the published file")
        published = work / "published" / "marts.duckdb"
        q = attempt("queries", lambda: run_step("queries", {**base, "published": str(published),
                                                            "repeat": b.args.repeat}, env))
        if q:
            out["queries"] = q.data
    finally:
        sandbox.stop()
    return out


def check_history_end(db: Path, last: date, source: str) -> None:
    """A copied history must end the day before the run's first pull (its newest TikTok snapshot)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as conn:
        newest = conn.execute("SELECT max(snapshot_date) FROM raw.tiktok_videos").fetchall()[0][0]
    if newest != last:
        raise StepFailed(f"{source}: its raw history ends {newest}, this run needs it to end "
                         f"{last} (the day before its first pull); regenerate it with "
                         f"`shortform sandbox bulk --last {last}` or change --ingest-days")


def memory_days(args: Any) -> list[int]:
    """The short histories (days) of the ingestion memory row."""
    return [int(x) for x in str(args.memory_days).split(",") if x]


def floor_phase(b: Bench, name: str, work: Path, env: dict[str, str]) -> dict[str, Any] | None:
    try:
        import bench.floor  # noqa: F401
    except ImportError:
        b.notes.append("bench/floor.py is not on this branch: dbt-vs-floor rows not run")
        return None
    b.log(f"{name}: dbt build (full refresh) of the floor's marts vs bench/floor.sql")
    try:
        return run_step("dbt_floor", {"work": str(work)}, env).data
    except StepFailed as exc:
        b.notes.append(f"{name}: dbt vs floor failed: {exc}")
        return {"error": str(exc).splitlines()[0]}


# ------------------------------------------------------------------------------------------- rows


def mode_text(modes: dict[str, str]) -> str:
    meta = modes.get("SHORTFORM_META_INSIGHTS") or "batch (default)"
    youtube = modes.get("SHORTFORM_YOUTUBE_REPORTS") or "by_day (default)"
    workers = modes.get("SHORTFORM_INGEST_WORKERS") or "4 (default)"
    return f"Meta {meta} / YouTube {youtube} / {workers} accounts at once"


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def rows_for(b: Bench, prim: dict[str, Any] | None, large: dict[str, Any] | None,
             mem: dict[int, dict[str, Any]]) -> None:
    a = b.args
    pulls = (prim or {}).get("pulls") or ([prim["pull"]] if prim and "pull" in prim else [])
    if prim and pulls:
        p = pulls[-1]
        days_in = prim["days"] - len(pulls)
        where = (f"{prim['world']}, pull of {prim['end']} with {days_in} days in the warehouse" if len(pulls) == 1 else
                 f"{prim['world']}, {len(pulls)} consecutive daily pulls ({pulls[0]['day']} .. {pulls[-1]['day']}), "
                 f"the first onto {days_in} days in the warehouse, summed")
        records, seconds = sum(x["records"] for x in pulls), sum(x["seconds"] for x in pulls)
        bare_seconds = sum(x["bare_seconds"] for x in pulls)
        ours, bare = records / seconds, records / bare_seconds
        b.add("ingestion", "records/s, ours (connector + landing), every daily-pull asset", fmt(ours),
              detail=f"{records:,} records in {seconds:.1f} s; {where}; {mode_text(p['modes'])}; "
              "TikTok client pacing off (its 600/min pacer waits on purpose)")
        b.add("ingestion", "records/s, bare requests loop, same pages", fmt(bare),
              detail=f"{sum(sum(x['requests']['http'].values()) for x in pulls):,} requests replayed in "
              f"{bare_seconds:.1f} s")
        by_day = "" if len(pulls) == 1 else "; day by day " + ", ".join(
            f"{x['bare_seconds'] / x['seconds']:.2f}" for x in pulls)
        b.add("ingestion", "ours / bare loop", f"{ours / bare:.2f}", ">= 0.8", verdict(ours / bare >= 0.8),
              detail=f"summed over {len(pulls)} pulls{by_day}" if len(pulls) > 1 else "")
        tts = [x for q in pulls for x in q["per_asset"] if x["asset"] == "raw/tiktok/videos" and x["records"]]
        if tts:
            tt = {"records": sum(x["records"] for x in tts), "seconds": sum(x["seconds"] for x in tts),
                  "bare_seconds": sum(x["bare_seconds"] for x in tts),
                  "pages": sum(x["requests"]["http"].get("tiktok", 0) for x in tts)}
            t_ours = tt["records"] / tt["seconds"]
            t_bare = tt["records"] / tt["bare_seconds"]
            b.add("ingestion", "TikTok video list records/s: ours / bare loop", f"{fmt(t_ours)} / {fmt(t_bare)}",
                  detail=f"{tt['records']:,} videos, {tt['pages']} pages" + (f" ({len(tts)} pulls)" if len(tts) > 1 else ""))
            d = prim.get("dlt")
            if d:
                t_dlt = d["records"] / d["seconds"]
                b.add("ingestion", "TikTok video list records/s: dlt REST API source -> DuckDB (peer)",
                      fmt(t_dlt), detail=f"dlt {d['dlt']}, {d['records']:,} rows in {d['seconds']:.1f} s; "
                      f"dlt is {t_dlt / t_ours:.1f}x ours")
            else:
                b.missing("ingestion", "TikTok video list records/s: dlt REST API source -> DuckDB (peer)", "",
                          prim.get("dlt_error", "dlt not run"))
        ne, oe = prim.get("naive", {}).get("requests"), p["requests"]
        for fam, label in (("meta", "Meta"), ("youtube", "YouTube"), ("tiktok", "TikTok")):
            if ne is None:
                b.missing("api calls", f"{label} HTTP requests per daily refresh: ours vs naive",
                          ">= 10x fewer" if fam == "meta" else "", prim.get("naive_pull_error", "naive pull not run"))
                continue
            o, n = oe["http"].get(fam, 0), ne["http"].get(fam, 0)
            ratio = n / o if o else float("inf")
            target, ok = ("", "")
            if fam == "meta":
                target, ok = ">= 10x fewer", verdict(ratio >= 10)
            extra = ""
            if fam == "meta" and oe.get("meta_batch_items"):
                counted = o - oe["meta_batch_requests"] + oe["meta_batch_items"]
                extra = (f"; {oe['meta_batch_requests']} of ours are batch requests carrying {oe['meta_batch_items']} "
                         f"items: counted per item (as Graph's rate limits do) ours is {counted:,}, {n / max(counted, 1):.1f}x fewer")
            b.add("api calls", f"{label} HTTP requests per daily refresh ({prim['world']}): ours vs naive",
                  f"{o:,} vs {n:,} ({ratio:.1f}x fewer)", target, ok,
                  detail=f"{mode_text(p['modes'])} vs {mode_text(prim['naive']['modes'])}{extra}")
    else:
        for m, t in (("records/s, ours vs bare loop", ">= 0.8"), ("Meta calls, ours vs naive", ">= 10x fewer")):
            b.missing("ingestion" if "records" in m else "api calls", m, t, "primary world not run")
    if prim and "daily" in prim and "full_refresh" in prim:
        d, f = prim["daily"], prim["full_refresh"]
        daily = d["pull_seconds"] + d["refresh_seconds"]
        n_in = prim["days"] - prim.get("ingest_days", 1) - 1
        b.add("refresh", f"daily incremental refresh, {prim['world']} ({n_in} days + 1): pull + build/check/publish",
              f"{daily:.0f} s", detail=f"pull {d['pull_seconds']:.0f} s + refresh {d['refresh_seconds']:.0f} s"
              + ("" if d["ok"] else " (FAILED: see notes)"))
        b.add("refresh", "full rebuild (build, check, publish), same warehouse", f"{f['seconds']:.0f} s")
        b.add("refresh", "daily incremental / full rebuild", f"{daily / f['seconds'] * 100:.0f} %", "<= 10 %",
              verdict(daily / f["seconds"] <= 0.10))
        if not d["ok"]:
            b.notes.append(f"daily refresh summary: {d['summary']}")
    else:
        why = ((prim or {}).get("dbt_skipped") or (prim or {}).get("incremental_refresh_error")
               or (prim or {}).get("daily_pull_error") or "not run")
        for m, t in (("daily incremental refresh", ""), ("full rebuild", ""), ("daily incremental / full rebuild", "<= 10 %")):
            b.missing("refresh", m, t, why)
    for w in (prim, large):
        if not w:
            continue
        fl = w.get("floor")
        is_large = w is large
        label = f"dbt build / floor ({w['world']}, {w['days']} days)"
        if fl and "dbt_build_seconds" in fl:
            r = fl["dbt_build_seconds"] / fl["floor_seconds"]
            b.add("dbt", label, f"{r:.1f}x", "<= 2x" if is_large else "", verdict(r <= 2) if is_large else "",
                  detail=f"dbt build {fl['dbt_build_seconds']:.0f} s wall ({fl['dbt_model_nodes']} models "
                  f"{fl['dbt_model_seconds_summed']:.0f} s + {fl['dbt_test_nodes']} tests {fl['dbt_test_seconds_summed']:.0f} s, "
                  f"summed per node) vs "
                  f"floor {fl['floor_seconds']:.1f} s; {len(fl['floor_marts'])} marts")
        else:
            b.missing("dbt", label, "<= 2x" if is_large else "",
                      w.get("dbt_skipped") or (fl or {}).get("error", "floor not available"))
    qw = large if large and "queries" in large else prim
    if qw and "queries" in qw:
        samples = [x for v in qw["queries"]["samples_ms"].values() for x in v]
        worst = max(qw["queries"]["samples_ms"].items(), key=lambda kv: pct(kv[1], 0.95))
        p95 = pct(samples, 0.95)
        b.add("queries", f"dashboard + cookbook query latency p50 / p95 ({qw['world']} published file)",
              f"{pct(samples, 0.5):.1f} / {p95:.1f} ms", "p95 < 100 ms", verdict(p95 < 100),
              detail=f"{qw['queries']['queries']} queries x {qw['queries']['repeat']}; slowest p95 "
              f"{worst[0]} {pct(worst[1], 0.95):.0f} ms")
    else:
        b.missing("queries", "query latency p50 / p95", "p95 < 100 ms",
                  (prim or {}).get("dbt_skipped") or "no published file")
    # {days of history: the pulls over it}; a run of one pull per history has only "memory"
    mem_pulls = {d: [m] for d, m in mem.items()}
    mem_pulls.update({int(d): ms for d, ms in ((prim or {}).get("memory_pulls") or {}).items() if ms})
    if prim and pulls:
        mem_pulls[prim["days"]] = [x | {"days": prim["days"]} for x in pulls]
    if len(mem_pulls) >= 2:
        (d1, ms1), (d2, ms2) = sorted(mem_pulls.items())[0], sorted(mem_pulls.items())[-1]
        # the peak of each pull itself (before the long run's bare-loop replay), averaged over its days
        def peaks(ms: list[dict[str, Any]]) -> list[float]:
            return [m.get("peak_rss_self_mib", m["maxrss_mib"]) for m in ms]
        peak1, peak2 = (sum(peaks(ms)) / len(ms) for ms in (ms1, ms2))
        growth = peak2 / peak1 - 1
        m1, m2 = ms1[-1], ms2[-1]
        spread = "" if len(ms1) == len(ms2) == 1 else (
            f"mean of {len(ms1)} / {len(ms2)} pulls (each day's peak {min(peaks(ms1)):.0f}-{max(peaks(ms1)):.0f} / "
            f"{min(peaks(ms2)):.0f}-{max(peaks(ms2)):.0f} MiB); ")
        same = "the same pull" if len(ms1) == len(ms2) == 1 else "the same pulls"
        b.add("memory", f"ingestion peak RSS (VmHWM), {same} over {d1} vs {d2} days of history",
              f"{peak1:.0f} vs {peak2:.0f} MiB ({growth * 100:+.0f} %)", "within 10 %",
              verdict(abs(growth) <= 0.10),
              detail=f"{spread}RSS after imports {m1['rss_before_mib']:.0f} / {m2['rss_before_mib']:.0f} MiB; "
              f"{sum(m['records'] for m in ms1):,} vs {sum(m['records'] for m in ms2):,} records pulled; one world "
              f"and the same pull days, its raw history cut to the last {d1} days for the short run")
    else:
        b.missing("memory", "ingestion peak RSS, short vs long history", "within 10 %", "not run")
    rw = large if large else prim
    if rw and rw.get("dbt_skipped"):
        b.missing("memory", "whole refresh peak RSS", "", rw["dbt_skipped"])
    elif rw and "full_refresh" in rw:
        b.add("memory", f"whole refresh peak RSS ({rw['world']}, {rw['days']} days)",
              f"{rw['full_refresh']['maxrss_mib']:.0f} MiB",
              detail=f"largest of the refresh process and its dbt subprocess; {rw['full_refresh']['seconds']:.0f} s"
              + (f"; DuckDB memory_limit {rw['duckdb_memory_limit']}" if rw.get("duckdb_memory_limit") else ""))
    if a.large_world == "none":
        b.notes.append("large world not run (--large-world none): rows asked \"on large\" use the primary world where they ran")


# ------------------------------------------------------------------------------------------ output


def render(b: Bench, mach: dict[str, str], elapsed: float, started_at: str, argv: list[str]) -> str:
    lines = [
        f"Run started {started_at} UTC, took {elapsed / 60:.0f} min: `scripts/bench.py {' '.join(argv)}`.",
        "",
        f"Machine: {mach['cpu']}; {mach['ram']} RAM; {mach['os']}; Python {mach['python']}; DuckDB {mach['duckdb']}; "
        f"{mach['dbt']}; Dagster {mach['dagster']}; dlt {mach['dlt']}.",
        "",
        "| section | measure | figure | target | verdict | detail |",
        "|---|---|---|---|---|---|",
    ]
    for r in b.rows:
        lines.append(f"| {r.section} | {r.measure} | {r.figure} | {r.target} | {r.verdict} | {r.detail} |")
    if b.notes:  # first line of each (a failed step's log tail stays in its log file)
        lines += ["", "Notes from this run:", ""] + [f"- {n.splitlines()[0].rstrip(':')}" for n in b.notes]
    return "\n".join(lines)


def write_doc(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + BEGIN + "\n" + block + "\n" + END + tail
    else:
        text = text.rstrip() + "\n\n" + BEGIN + "\n" + block + "\n" + END + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def recover(work: Path, saved: dict[str, Any]) -> None:
    """Figures of steps that finished after the last results.json save of an interrupted run: each
    step wrote its own JSON (pull, naive pull, dlt, memory pull). Peak memory there is the step's
    own RUSAGE_SELF ru_maxrss (no subprocess in a pull, so the same figure wait4 would give)."""

    def newest(folder: Path, step: str) -> dict[str, Any] | None:
        files = sorted(folder.glob(f"{step}.*.json"), key=lambda f: f.stat().st_mtime)
        return json.loads(files[-1].read_text()) if files else None

    prim = saved.get("primary") or {}
    if prim:
        folder = work / prim["world"]
        pull = newest(folder, "pull")
        if "pull" not in prim and pull and "bare_seconds" in pull:
            prim["pull"] = pull | {"maxrss_mib": pull["peak_rss_self_mib"]}
        naive = newest(folder / "naive", "pull")
        if "naive" not in prim and naive:
            prim["naive"] = naive
        dlt = newest(folder / "dlt", "dlt")
        if "dlt" not in prim and dlt:
            prim["dlt"] = dlt
            saved.setdefault("notes", []).append(
                "dlt row: this run's dlt step failed (the peer's business_id map did not reach dlt's normalize); "
                "after the fix the dlt step alone was run again on the same world, day and pages (a fresh sandbox "
                "process, as-of the same day) into the same work folder, and the table takes that step's output")
        memory = saved.setdefault("memory", {})
        for sub in work.glob(f"{prim['world']}_*d"):
            m = newest(sub, "pull")
            if m:
                days = int(sub.name.rsplit("_", 1)[1].rstrip("d"))
                memory.setdefault(str(days), m | {"maxrss_mib": m["peak_rss_self_mib"], "days": days})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", default="agency", help="primary world (ingestion, calls, incremental, floor)")
    parser.add_argument("--large-world", default="large", help="world of the large rows, or 'none'")
    parser.add_argument("--large-days", type=int, default=None, help="cut the large world to its last N days")
    parser.add_argument("--days", type=int, default=None, help="cut the primary world to its last N days")
    parser.add_argument("--memory-days", default="30", help="short history (days) of the ingestion memory row: "
                        "the primary world's raw history cut to its last N days, then the same pull")
    parser.add_argument("--ingest-days", type=int, default=3, help="consecutive daily pulls measured by the "
                        "ingestion and memory rows, summed (the primary history then ends N+1 days before the world)")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query for the latency percentiles")
    parser.add_argument("--smoke", action="store_true", help="tiny world, short histories, few repeats")
    parser.add_argument("--no-dlt", action="store_true", help="skip the dlt peer")
    parser.add_argument("--work", default=None, help="scratch directory (default data/bench or data/bench-smoke)")
    parser.add_argument("--out", default=None, help="markdown file to write (default docs/BENCHMARKS.md; smoke: WORK/BENCHMARKS.md)")
    parser.add_argument("--skip-dbt", default="", metavar="REASON",
                        help="skip every dbt step (refresh, incremental, floor, queries); the rows say REASON")
    parser.add_argument("--history-from", default=None, help="copy the primary world's raw history from this "
                        "warehouse file (an earlier invocation's) instead of generating it")
    parser.add_argument("--large-memory-limit", default="50%", help="SHORTFORM_DUCKDB_MEMORY_LIMIT of the large "
                        "world's steps ('' for DuckDB's default, 80 %% of RAM)")
    parser.add_argument("--large-history-from", default=None, help="the same for the large world: raw history "
                        "through its end-1 (e.g. `shortform sandbox bulk --world large --last END-1`)")
    parser.add_argument("--render-only", default=None, help="re-render the table from a results.json of a run")
    parser.add_argument("--recover", action="store_true", help="with --render-only: also take the figures of "
                        "steps that finished after that run's last save (an interrupted run)")
    a = parser.parse_args(argv)
    if a.smoke:
        a.world, a.large_world = "tiny", "none" if a.large_world == "large" else a.large_world
        a.memory_days = "7" if a.memory_days == "30" else a.memory_days
        a.ingest_days = min(a.ingest_days, 2)
        a.repeat = min(a.repeat, 3)
    work = Path(a.work or REPO / "data" / ("bench-smoke" if a.smoke else "bench")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    out = Path(a.out) if a.out else (work / "BENCHMARKS.md" if a.smoke else REPO / "docs" / "BENCHMARKS.md")
    b = Bench(a, work)
    if a.render_only:  # the same run's figures, rendered again (e.g. after a fix of this script's table code)
        saved = json.loads(Path(a.render_only).read_text())
        b.args = argparse.Namespace(**saved["args"])
        if a.recover:
            recover(Path(a.render_only).parent, saved)
        mem_saved = {int(k): v for k, v in (saved.get("memory") or (saved.get("primary") or {}).get("memory")
                                             or {}).items()}
        rows_for(b, saved.get("primary"), saved.get("large"), mem_saved)
        b.notes += saved.get("notes", [])
        table = render(b, saved["machine"], float(saved.get("elapsed", 0)), saved.get("started_at", "?"),
                       saved.get("argv", []))
        print(table)
        write_doc(out, table)
        return 0
    mach = machine()
    results = b.results
    results.update({"machine": mach, "args": vars(a), "argv": sys.argv[1:] if argv is None else list(argv),
                    "started_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M}"})
    prim = large = None
    try:
        prim = world_phase(b, a.world, primary=True)
    except StepFailed as exc:
        b.notes.append(f"primary world {a.world}: {exc}")
        prim = results.get("primary")
    if a.large_world != "none":
        try:
            large = world_phase(b, a.large_world, primary=False)
        except StepFailed as exc:
            b.notes.append(f"large world {a.large_world}: {exc}")
            large = results.get("large")
    mem = {int(d): m for d, m in ((prim or {}).get("memory") or {}).items()}
    results["memory"] = mem
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    results["bench_process_maxrss_mib"] = own
    if own > 1024:  # a child's ru_maxrss starts at this process's high-water mark (bench/common.py)
        b.notes.append(f"this bench process itself peaked at {own:.0f} MiB: whole-refresh memory figures "
                       "(ru_maxrss) of steps started after that are at least that")
    results["notes"] = list(b.notes)
    results["elapsed"] = time.perf_counter() - b.started
    b.save()
    rows_for(b, prim, large, mem)
    table = render(b, mach, results["elapsed"], results["started_at"], results["argv"])
    print(table)
    b.save()
    write_doc(out, table)
    print(f"\nwritten: {out} (raw figures: {work / 'results.json'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
