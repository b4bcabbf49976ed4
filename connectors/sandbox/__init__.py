"""The platform sandbox: a deterministic world and a real HTTP server that serves it.

    from connectors.sandbox import World, WorldSettings, SandboxServer
    world = World(WorldSettings())
    server = SandboxServer(world).start()   # server.url -> "http://127.0.0.1:PORT"
    ...
    server.stop()

Paid media (issue 3): `world.ad_accounts()`, `world.ads()`, `world.truth_ad_daily(as_of=None)`; the
model is in ads.py and the TikTok / Meta Marketing API routes in ads_api.py.

See docs/DESIGN.md ("Sandbox") for the contract and server.py for the routes.
"""

from .server import SandboxServer
from .world import World, WorldSettings

__all__ = ["SandboxServer", "World", "WorldSettings"]
