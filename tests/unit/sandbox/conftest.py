"""Fixtures for the sandbox tests: one default world and one started server per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connectors.sandbox import SandboxServer, World, WorldSettings


@pytest.fixture(scope="session")
def world() -> World:
    return World(WorldSettings())


@pytest.fixture(scope="session")
def server(world: World) -> Iterator[SandboxServer]:
    srv = SandboxServer(world, host="127.0.0.1", port=0).start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _reset_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with no armed faults and the clock at the world's end."""
    yield
    if "server" in request.fixturenames:
        srv: SandboxServer = request.getfixturevalue("server")
        srv.clear_faults()
        srv.set_as_of(srv.world.end)


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="session")
def brands(world: World) -> dict[str, Any]:
    return world.accounts_config()["brands"]


class Api:
    """Small request helpers bound to one server (fixtures: `api`, and `make_api` for other servers)."""

    def __init__(self, http: requests.Session, server: SandboxServer) -> None:
        self.http = http
        self.server = server

    def tt(self, endpoint: str, token: str | None = "tok", **params: Any) -> requests.Response:
        headers = {"Access-Token": token} if token is not None else {}
        for key in ("fields", "filters"):
            if key in params and not isinstance(params[key], str):
                params[key] = json.dumps(params[key])
        return self.http.get(
            f"{self.server.url}/open_api/v1.3/business/{endpoint}/", params=params, headers=headers, timeout=5
        )

    def graph(self, path: str, token: str | None = "tok", version: str = "v25.0", **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.get(f"{self.server.url}/{version}/{path}", params=params, headers=headers, timeout=5)

    def yt(self, path: str, token: str | None = "tok", **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.get(f"{self.server.url}{path}", params=params, headers=headers, timeout=5)


@pytest.fixture
def api(http: requests.Session, server: SandboxServer) -> Api:
    return Api(http, server)


@pytest.fixture
def make_api(http: requests.Session) -> Any:
    return lambda srv: Api(http, srv)


@pytest.fixture
def strict_server(world: World) -> Iterator[SandboxServer]:
    """A server that accepts only fixed tokens; YouTube tokens bound per channel."""
    tokens = {
        "tiktok": "tt-good",
        "meta": "meta-good",
        "youtube": {"acme": "yt-acme", "bloom": "yt-bloom"},
    }
    srv = SandboxServer(world, tokens=tokens).start()
    yield srv
    srv.stop()
