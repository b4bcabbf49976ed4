"""A sandbox server in its own process: `python -m bench.serve SETTINGS_JSON TOKENS_JSON`.

Prints `sandbox <url>` once listening (the parent reads that line), serves until terminated.
"""

from __future__ import annotations

import json
import signal
import sys


def main(argv: list[str]) -> int:
    from bench.common import settings_from_json
    from connectors.sandbox import SandboxServer, World

    world = World(settings_from_json(json.loads(argv[0])))
    server = SandboxServer(world, host="127.0.0.1", port=0, tokens=json.loads(argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"sandbox {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
