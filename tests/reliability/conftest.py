"""Shared fixtures of the reliability suite (RELIABILITY.md sections A, B, F).

Every scenario runs the real code against a real `SandboxServer` on loopback, with small worlds,
short timeouts and few attempts so the whole suite stays within a few minutes on two cores.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from connectors.sandbox import SandboxServer, World, WorldSettings  # noqa: E402
from dagster_project import settings  # noqa: E402

SENTINEL = "EAAB-TEST-SENTINEL-rel-5150"
TOKENS = {"tiktok": SENTINEL + "-tt", "meta": SENTINEL + "-meta", "youtube": SENTINEL + "-yt"}
# Short timeouts and few attempts for the platforms resource of every Dagster run of this suite.
FAST_PLATFORMS = {"max_attempts": 2, "connect_timeout_seconds": 1, "read_timeout_seconds": 2}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Reliability tests may only reach loopback (pytest-socket), whatever the command line says."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.allow_hosts(["127.0.0.1"]))


class FakeSleep:
    """Records the waits a client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def client_options(sleep: FakeSleep) -> dict:
    return {"sleep": sleep, "rng": random.Random(7), "connect_timeout": 1.0, "read_timeout": 2.0,
            "max_attempts": 3}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_rows(db: Path | str, table: str, columns: str = "*") -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(f"SELECT {columns} FROM raw.{table} ORDER BY ALL").fetchall()


class PipelineEnv:
    """A sandbox plus the SHORTFORM_* / token environment every pipeline run reads."""

    def __init__(self, tmp: Path, world: World) -> None:
        self.tmp = tmp
        self.world = world
        self.accounts = tmp / "accounts.yml"
        self.accounts.write_text(yaml.safe_dump(world.accounts_config()))
        self.server = SandboxServer(world, host="127.0.0.1", port=0, tokens=TOKENS).start()
        self.saved = dict(os.environ)
        for env_name, _default in settings.BASE_URL_ENV.values():
            os.environ[env_name] = self.server.url
        for family, var in settings.TOKEN_ENV.items():
            os.environ[var] = TOKENS[family]
        self.use_db(tmp / "warehouse.duckdb")
        os.environ["SHORTFORM_PUBLISHED_DB"] = str(tmp / "published" / "marts.duckdb")
        os.environ["SHORTFORM_ACCOUNTS"] = str(self.accounts)
        os.environ.pop("DAGSTER_HOME", None)

    @property
    def db(self) -> Path:
        return Path(os.environ["SHORTFORM_DB"])

    @property
    def published(self) -> Path:
        return Path(os.environ["SHORTFORM_PUBLISHED_DB"])

    def use_db(self, path: Path) -> None:
        os.environ["SHORTFORM_DB"] = str(path)

    def close(self) -> None:
        self.server.stop()
        os.environ.clear()
        os.environ.update(self.saved)


def make_env(tmp: Path, n_brands: int = 1) -> PipelineEnv:
    return PipelineEnv(tmp, World(WorldSettings(n_brands=n_brands)))


@pytest.fixture
def pipeline_env(tmp_path) -> Iterator[PipelineEnv]:
    env = make_env(tmp_path)
    yield env
    env.close()


def run_job(job_name: str, partition=None, instance=None, platforms: dict | None = None,
            tags: dict | None = None):
    """A job of the real definitions, in process, with short HTTP timeouts; returns (result, summary)."""
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.orchestrate import _summarize

    job = defs.resolve_job_def(job_name)
    key = partition.isoformat() if partition else None
    config = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    if platforms is not None:
        config["resources"] = {"platforms": {"config": platforms}}
    result = job.execute_in_process(run_config=config, instance=instance or dg.DagsterInstance.ephemeral(),
                                    partition_key=key, raise_on_error=False, tags=tags or {})
    return result, _summarize(result, job_name, key)
