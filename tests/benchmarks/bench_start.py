"""Start time and memory with 3,000 groups of 500 members (DESIGN §7), local transport, SQLite.

Each scenario runs in its own process, so its peak memory is its own:
- the measured one: 3,000 groups × 500 generated technicians, first start (every room bound for
  the first time: its members are logged as present) and a restart on the same database;
- the baseline: the same 3,000 groups with 5 technicians each.
No target is set by an issue; the figures are printed for comparison over time.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GROUPS = 3000


async def _start(root: Path, db: Path) -> dict[str, float]:
    from bot.app import AgriBot, RunSettings
    from bot.config import load_home
    from bot.db.engine import make_engine, upgrade

    began = time.perf_counter()
    home = load_home(root)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    async with AgriBot(home, engine, RunSettings(simulator_port=None)) as bot:
        await bot.wait_ready(3600)
        ready = time.perf_counter() - began
    engine.dispose()
    return {"ready_s": ready, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(root: Path, db: Path) -> None:
    print(json.dumps(asyncio.run(_start(root, db))))


def scenario(tmp: Path, members: int) -> tuple[dict[str, float], dict[str, float]]:
    import yaml
    from homegen import generate_home

    root = generate_home(tmp / f"home{members}", groups=GROUPS, items=500)
    bot_yaml = root / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    config["local"]["technicians_per_group"] = members
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    db = tmp / f"agribot{members}.db"
    runs = []
    for _ in ("first start", "restart"):
        out = subprocess.run([sys.executable, __file__, "--child", str(root), str(db)],
                             check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs[0], runs[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        first, again = scenario(Path(tmp), 500)
        base_first, base_again = scenario(Path(tmp), 5)
    for label, run, base in (("first start", first, base_first), ("restart", again, base_again)):
        print(f"{GROUPS} groups x 500 members, {label}: ready in {run['ready_s']:.1f} s, "
              f"peak {run['peak_mb']:.0f} MB (baseline 5 members: {base['ready_s']:.1f} s, "
              f"{base['peak_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(main())
