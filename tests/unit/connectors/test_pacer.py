"""Client-side pacing (RELIABILITY.md B7/F2): the sliding-window RequestPacer and its sharing."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.http import (
    DEFAULT_PACING,
    RequestPacer,
    configure_pacing,
    platform_pacer,
    reset_pacing,
)
from connectors.meta import MetaClient
from connectors.tiktok import TikTokClient
from connectors.youtube import YouTubeClient


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _clean_pacers():
    reset_pacing()
    yield
    reset_pacing()


def test_the_request_over_the_limit_waits_until_the_oldest_answer_leaves_the_window():
    clock = FakeClock()
    pacer = RequestPacer(3, 10.0, clock=clock, sleep=clock.sleep)
    for offset in (0.0, 1.0, 2.0):  # three answers at t = 100, 101, 102
        clock.now = 100.0 + offset
        assert pacer.acquire() == 0.0
        pacer.release()
    clock.now = 105.0
    waited = pacer.acquire()  # the fourth may go only when the answer at 100 is 10 s old
    assert waited == pytest.approx(5.0)
    assert clock.now == pytest.approx(110.0)
    pacer.release()
    assert pacer.paced == 1 and pacer.waited == pytest.approx(5.0)


def test_requests_in_flight_count_against_the_limit():
    clock = FakeClock()
    pacer = RequestPacer(2, 1.0, clock=clock, sleep=clock.sleep)
    pacer.acquire()
    pacer.acquire()  # two in flight, none answered yet

    def answer_later(seconds: float) -> None:
        clock.now += seconds
        pacer.release()

    clock.sleep = lambda s: (clock.sleeps.append(s), answer_later(s))  # type: ignore[method-assign]
    pacer._sleep = clock.sleep
    waited = pacer.acquire()
    assert waited > 0  # it had to wait for an answer and then a whole window
    assert clock.now - 100.0 >= 1.0


def test_a_shared_pacer_never_lets_more_than_n_answers_into_any_window_across_threads():
    n, window = 5, 0.2
    pacer = RequestPacer(n, window)
    stamps: list[tuple[float, float]] = []  # (send, answer)
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(6):
            pacer.acquire()
            sent = time.monotonic()
            time.sleep(0.003)
            answered = time.monotonic()
            pacer.release()
            with lock:
                stamps.append((sent, answered))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 24
    sends = sorted(s for s, _ in stamps)
    # a server stamping each request at its send time sees at most n in any window
    for i, s in enumerate(sends):
        inside = [x for x in sends[i:] if x < s + window]
        assert len(inside) <= n, (i, len(inside))
    assert pacer.paced > 0


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        RequestPacer(0, 1.0)
    with pytest.raises(ValueError):
        RequestPacer(1, 0)


def test_clients_of_one_platform_share_one_pacer_and_defaults_follow_the_contracts():
    a = TikTokClient(base_url="http://127.0.0.1:9", token="tok-a")
    b = TikTokClient(base_url="http://127.0.0.1:9", token="tok-b")
    assert a.pacer is b.pacer is platform_pacer("tiktok")
    assert (a.pacer.max_requests, a.pacer.window) == DEFAULT_PACING["tiktok"] == (600, 60.0)
    # Meta reports its dynamic limits in usage headers; YouTube meters daily units: no fixed pacing
    assert MetaClient(base_url="http://127.0.0.1:9", token="tok-m").pacer is None
    assert YouTubeClient("http://127.0.0.1:9", "http://127.0.0.1:9", token="tok-y").pacer is None
    configured = configure_pacing("meta", 7, 2.0)
    m1 = MetaClient(base_url="http://127.0.0.1:9", token="tok-m")
    m2 = MetaClient(base_url="http://127.0.0.1:9", token="tok-n")
    assert m1.pacer is m2.pacer is configured and configured.max_requests == 7
    own = MetaClient(base_url="http://127.0.0.1:9", token="tok-o", max_requests_per_window=3,
                     pacing_window_seconds=1.0)
    assert own.pacer is not configured and own.pacer.max_requests == 3


def test_rate_limits_from_the_environment(monkeypatch):
    from dagster_project import settings
    from dagster_project.defs.ingest.common import apply_rate_limits

    monkeypatch.setenv("SHORTFORM_RATE_LIMITS", "meta=200/3600, youtube = 50/60.5,tiktok=off")
    assert settings.rate_limits() == {"meta": (200, 3600.0), "youtube": (50, 60.5), "tiktok": None}
    apply_rate_limits()
    meta = platform_pacer("meta")
    assert (meta.max_requests, meta.window) == (200, 3600.0) and platform_pacer("tiktok") is None
    apply_rate_limits()  # unchanged setting: the same pacer (its window keeps counting)
    assert platform_pacer("meta") is meta
    monkeypatch.delenv("SHORTFORM_RATE_LIMITS")
    apply_rate_limits()  # nothing set: nothing changes
    assert platform_pacer("meta") is meta
    for bad in ("instagram=1/1", "meta=0/60", "meta=10", "meta=10/0", "meta"):
        monkeypatch.setenv("SHORTFORM_RATE_LIMITS", bad)
        with pytest.raises(settings.ConfigError, match="SHORTFORM_RATE_LIMITS"):
            settings.rate_limits()
