"""Fixtures for the connector tests: a loopback HTTP server, a sentinel token, a fake sleep."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # so `pytest` works without an installed package
    sys.path.insert(0, str(REPO_ROOT))

SENTINEL = "EAAB-TEST-SENTINEL-12345"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Connector tests may only reach loopback (pytest-socket), whatever the command line says."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.allow_hosts(["127.0.0.1"]))


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)  # an IP: "localhost" may resolve to ::1 and be blocked


class FakeSleep:
    """Records the waits a client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    @property
    def total(self) -> float:
        return sum(self.calls)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def client_options(sleep: FakeSleep) -> dict:
    """Options every test client gets: fake sleep, short timeouts, seeded jitter."""
    import random

    return {"sleep": sleep, "rng": random.Random(7), "connect_timeout": 2.0, "read_timeout": 5.0}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog capturing everything (urllib3's URL lines included) at DEBUG."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def token() -> str:
    return SENTINEL


def _assert_no_token(*texts: object) -> None:
    for text in texts:
        assert SENTINEL not in str(text), f"token leaked into: {str(text)[:300]}"


@pytest.fixture
def assert_no_token():
    """assert_no_token(*texts): the sentinel token appears in none of them."""
    return _assert_no_token
