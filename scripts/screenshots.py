#!/usr/bin/env python
"""Real screenshots of each dashboard page, taken in headless Chromium (Debian's `chromium`).

    .venv/bin/python scripts/screenshots.py [--published FILE] [--out docs/img] [--pages overview status]

Starts `streamlit run dashboard/app.py` on a free 127.0.0.1 port against the published file,
then drives Chromium over the DevTools protocol (loopback only): open the page, wait until
Streamlit has finished running the script and the charts have drawn, capture a full-page PNG.
Without --published it uses $SHORTFORM_PUBLISHED_DB (or data/published/marts.duckdb).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "content", "budget", "status")
MAX_HEIGHT = 4200
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
    "--disable-extensions", "--disable-sync", "--metrics-recording-only", "--no-first-run",
    "--no-default-browser-check", "--mute-audio", "--hide-scrollbars", "--force-device-scale-factor=1",
]
# done = Streamlit's status widget says the script is not running, and nothing is still loading
READY_JS = """
(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  if (!document.querySelector('h1')) return false;
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  for (const c of charts) { if (!c.querySelector('canvas, svg')) return false; }
  return true;
})()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {url}")


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("chromium not found: apt-get install -y chromium")


class DevTools:
    """Just enough of the Chrome DevTools protocol: send a command, await its reply."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})


async def capture(debug_port: int, url: str, out: Path, width: int, timeout: float) -> None:
    import websockets

    with _new_target(debug_port) as target:
        ws_url = target["webSocketDebuggerUrl"]
    async with websockets.connect(ws_url, max_size=64 * 1024 * 1024) as ws:
        dt = DevTools(ws)
        await dt.call("Page.enable")
        # one tall viewport from the start: resizing later re-lays out Streamlit (and animates the sidebar)
        await dt.call("Emulation.setDeviceMetricsOverride", width=width, height=MAX_HEIGHT, deviceScaleFactor=1,
                      mobile=False)
        await dt.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        stable = 0
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            res = await dt.call("Runtime.evaluate", expression=READY_JS, returnByValue=True)
            stable = stable + 1 if res.get("result", {}).get("value") else 0
            if stable >= 4:  # ready for 2 s in a row: charts have finished their first draw
                break
        else:
            print(f"warning: {url} did not settle in {timeout:.0f}s; capturing anyway", file=sys.stderr)
        bottom = (await dt.call("Runtime.evaluate", returnByValue=True, expression=(
            "(() => { const b = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
            " return b ? b.getBoundingClientRect().bottom : document.body.scrollHeight; })()")))["result"]["value"]
        height = int(min(max(bottom + 24, 700), MAX_HEIGHT))
        shot = await dt.call("Page.captureScreenshot", format="png",
                             clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        out.write_bytes(base64.b64decode(shot["data"]))


class _new_target:
    """Open a new tab through the DevTools HTTP endpoint (PUT /json/new)."""

    def __init__(self, port: int):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            self.target = json.loads(resp.read())

    def __enter__(self):
        return self.target

    def __exit__(self, *exc):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--published", default=None, help="published marts file (default $SHORTFORM_PUBLISHED_DB)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=PAGES)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a page to settle")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from dagster_project.analyst.db import published_path

    published = published_path(args.published)
    if not published.exists():
        raise SystemExit(f"{published} does not exist: run `make run` (or pass --published)")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium()

    app_port, debug_port = free_port(), free_port()
    env = dict(os.environ, SHORTFORM_PUBLISHED_DB=str(published), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    streamlit_bin = Path(sys.executable).with_name("streamlit")
    server = subprocess.Popen(
        [str(streamlit_bin), "run", str(ROOT / "dashboard" / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(app_port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--theme.base", "light", "--client.toolbarMode", "minimal"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    profile = tempfile.mkdtemp(prefix="shortform-chromium-")
    browser = None
    try:
        wait_http(f"http://127.0.0.1:{app_port}/_stcore/health", 60)
        browser = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
             f"--remote-debugging-port={debug_port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{debug_port}/json/version", 30)
        for page in args.pages:
            target = out_dir / f"dashboard_{page}.png"
            asyncio.run(capture(debug_port, f"http://127.0.0.1:{app_port}/?page={page}", target, args.width,
                                args.timeout))
            print(f"wrote {target}")
    finally:
        for proc in (browser, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
