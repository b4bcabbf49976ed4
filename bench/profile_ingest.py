"""Profile one daily pull (connector + landing) with pyinstrument: `python -m bench.profile_ingest WORLD DAYS OUT`.

Same steps as the bench's ingestion row (sandbox process, raw history by the bulk generator, the
pull of the world's last day); the profile of the pull is written to OUT as text. Needs pyinstrument.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path


def main(argv: list[str]) -> int:
    from bench.common import (
        Sandbox,
        accounts_file,
        run_step,
        sandbox_environ,
        settings_to_json,
        world_with_history,
    )

    name, days, out = argv[0], int(argv[1]), Path(argv[2]).resolve()
    settings = world_with_history(name, days)
    work = out.parent / f"profile_{name}_{days}d"
    work.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox.start(settings, work / "sandbox.log")
    try:
        env = sandbox_environ(sandbox.url, work, accounts_file(sandbox, work / "accounts.yml"))
        last = settings.end - timedelta(days=1)
        sandbox.set_as_of(last)
        run_step("history", {"work": str(work), "world": settings_to_json(settings),
                             "first": settings.history_start.isoformat(), "last": last.isoformat(),
                             "sandbox": sandbox.url}, env)
        sandbox.set_as_of(settings.end)
        result = run_step("pull", {"work": str(work), "day": settings.end.isoformat(), "bare": True,
                                   "profile": str(out)}, env)
    finally:
        sandbox.stop()
    d = result.data
    print(f"ours {d['records'] / d['seconds']:.0f} records/s ({d['seconds']:.1f} s, profiled), bare loop "
          f"{d['records'] / d['bare_seconds']:.0f} records/s; profile: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
