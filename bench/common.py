"""Shared pieces of the benchmark: worlds, history, the sandbox process, child steps, the machine.

Every measured step runs in a child process (`python -m bench.steps STEP ARGS.json`), so its peak
memory is its own: the parent reads `ru_maxrss` from `os.wait4` of that child (the largest resident
set of the child or of any descendant it waited for, e.g. the `dbt` subprocess; not a sum). On Linux
a child's ru_maxrss starts at its parent's high-water mark (it is kept through fork and exec), so
this process does no heavy work itself (the history cut is a step too) and the steps also report
their own peak (VmHWM). The sandbox runs in a process of its own too, so its world never counts
against the client.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt"
BIN = Path(sys.executable).parent
TOKENS = {"tiktok": "bench-tiktok-token", "meta": "bench-meta-token", "youtube": "bench-youtube-token"}


# ------------------------------------------------------------------------------------------ worlds


def world_settings(name: str, **overrides: Any):
    """The named world's settings (connectors.sandbox.worlds), with `history_start`/`end` overrides."""
    try:
        from connectors.sandbox.worlds import world_settings as named
    except ImportError:  # before the named worlds exist: demo and a tiny one only
        from dataclasses import replace

        from connectors.sandbox import WorldSettings

        base = WorldSettings()
        presets = {"demo": base, "tiny": replace(base, n_brands=2, history_start=base.end - timedelta(days=20))}
        if name not in presets:
            raise ValueError(f"unknown world {name!r} (known here: {', '.join(presets)})") from None
        return replace(presets[name], **overrides)
    return named(name, **overrides)


def world_with_history(name: str, days: int | None):
    """Settings of `name`, cut to its last `days` days of history (None: the preset's own)."""
    from dataclasses import replace

    settings = world_settings(name)
    if days is not None:
        start = max(settings.history_start, settings.end - timedelta(days=days - 1))
        settings = replace(settings, history_start=start)
    return settings


def cut_raw_history(source: Path, target: Path, last: date, days: int) -> None:
    """Copy the raw tables (and raw.accounts) of the warehouse `source` into a new warehouse
    `target` (its folder is emptied first), keeping only their last `days` days up to `last`: the
    same world and the same next pull, with a shorter history. Rows keep their order (date, then
    pull time)."""
    import shutil

    import duckdb

    from dagster_project.analyst.db import quote_literal
    from dagster_project.defs.ingest.landing import RAW_TABLES, ensure_raw_schema

    first = last - timedelta(days=days - 1)
    shutil.rmtree(target.parent, ignore_errors=True)  # no file of an earlier run left beside it
    target.parent.mkdir(parents=True)
    with duckdb.connect(str(target)) as conn:
        ensure_raw_schema(conn)
        conn.execute(f"ATTACH {quote_literal(source)} AS src (READ_ONLY)")
        conn.execute("INSERT INTO raw.accounts BY NAME SELECT * FROM src.raw.accounts")
        for table in RAW_TABLES.values():
            d = table.date_column
            conn.execute(f"INSERT INTO {table.qualified} BY NAME SELECT * FROM src.{table.qualified} "
                         f"WHERE {d} BETWEEN ? AND ? ORDER BY {d}, pulled_at", [first, last])
        conn.execute("DETACH src")


def settings_to_json(settings) -> dict[str, Any]:
    from dataclasses import asdict

    out = asdict(settings)
    for k, v in out.items():
        if isinstance(v, date):
            out[k] = v.isoformat()
    return out


def settings_from_json(data: dict[str, Any]):
    from connectors.sandbox import WorldSettings

    kwargs = dict(data)
    for k in ("history_start", "end"):
        kwargs[k] = date.fromisoformat(kwargs[k])
    return WorldSettings(**kwargs)


# ----------------------------------------------------------------------------------------- sandbox


@dataclass
class Sandbox:
    """A sandbox server in its own process (bench.serve), serving one world."""

    proc: subprocess.Popen
    url: str
    settings: dict[str, Any]

    @classmethod
    def start(cls, settings, log: Path) -> Sandbox:
        spec = json.dumps(settings_to_json(settings))
        log.parent.mkdir(parents=True, exist_ok=True)
        fh = log.open("w")
        proc = subprocess.Popen([sys.executable, "-m", "bench.serve", spec, json.dumps(TOKENS)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=fh, text=True)
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not match:
            proc.kill()
            raise RuntimeError(f"sandbox did not start (see {log}): {line!r}")
        return cls(proc, match.group(1), settings_to_json(settings))

    def set_as_of(self, day: date) -> None:
        import requests

        requests.post(f"{self.url}/__sandbox/clock", json={"as_of": day.isoformat()}, timeout=30).raise_for_status()

    def request_count(self) -> int:
        import requests

        return int(requests.get(f"{self.url}/__sandbox/requests", timeout=60).json()["count"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def accounts_file(sandbox: Sandbox, path: Path) -> Path:
    import requests
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    config = requests.get(f"{sandbox.url}/__sandbox/accounts", timeout=120).json()
    path.write_text(yaml.safe_dump(config, sort_keys=True))
    return path


def sandbox_environ(url: str, work: Path, accounts: Path) -> dict[str, str]:
    """The environment a pipeline run reads, pointing every platform at the sandbox."""
    from dagster_project import settings

    env = dict(os.environ)
    for env_name, _default in settings.BASE_URL_ENV.values():
        env[env_name] = url
    for family, var in settings.TOKEN_ENV.items():
        env[var] = TOKENS[family]
    env["SHORTFORM_DB"] = str(work / "warehouse.duckdb")
    env["SHORTFORM_PUBLISHED_DB"] = str(work / "published" / "marts.duckdb")
    env["SHORTFORM_ACCOUNTS"] = str(accounts)
    env["SHORTFORM_ALLOWED_DIRS"] = os.pathsep.join(
        filter(None, [env.get("SHORTFORM_ALLOWED_DIRS"), str(work), str(accounts.parent)]))
    env["DAGSTER_HOME"] = str(work / "dagster_home")
    env.setdefault("SHORTFORM_LOG_LEVEL", "ERROR")
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DO_NOT_TRACK"] = "1"
    env["GX_ANALYTICS_ENABLED"] = "false"
    return env


# ------------------------------------------------------------------------------------- child steps


@dataclass
class StepResult:
    data: dict[str, Any]
    seconds: float
    maxrss_mib: float  # ru_maxrss of the child (or its largest waited-for descendant), MiB


class StepFailed(RuntimeError):
    pass


def run_step(step: str, args: dict[str, Any], env: dict[str, str] | None = None, log: Path | None = None,
             timeout: float | None = None) -> StepResult:
    """Run `python -m bench.steps step` in a child process; its JSON result and its peak memory."""
    work = Path(args["work"])
    work.mkdir(parents=True, exist_ok=True)
    out = work / f"{step}.{os.getpid()}.{time.monotonic_ns()}.json"
    spec = work / (out.name + ".args")
    spec.write_text(json.dumps({**args, "result": str(out)}))
    log = log or work / f"{step}.log"
    with log.open("a") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bench.steps", step, str(spec)], cwd=REPO,
                                env=env or dict(os.environ), stdout=fh, stderr=subprocess.STDOUT)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                raise StepFailed(f"{step}: timed out after {timeout:.0f} s (log {log})")
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise StepFailed(f"{step}: exit {proc.returncode} (log {log}):\n  " + "\n  ".join(tail))
    data = json.loads(out.read_text())
    return StepResult(data, seconds, usage.ru_maxrss / 1024.0)


# ----------------------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"') + f" (Linux {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def machine() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    return {
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical cores",
        "ram": f"{_ram_gib():.1f} GiB",
        "os": _os_name(),
        "python": platform.python_version(),
        "duckdb": v("duckdb"),
        "dbt": f"dbt-core {v('dbt-core')}, dbt-duckdb {v('dbt-duckdb')}",
        "dagster": v("dagster"),
        "dlt": v("dlt"),
    }
