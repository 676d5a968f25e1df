"""Loading and validating a home of 3,000 groups and 10,000 content items (target: under 3 s).

Baseline, same run: a bare ``yaml.safe_load`` of the same files with no validation at all.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from homegen import generate_home

from bot.config import load_home

GROUPS, ITEMS, TARGET_S = 3000, 10_000, 3.0


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_home(Path(tmp), groups=GROUPS, items=ITEMS)
        home = load_home(root)
        assert len(home.groups) == GROUPS and len(home.items) == ITEMS
        files = sorted(root.rglob("*.yaml"))
        ours = best_of(3, lambda: load_home(root))
        baseline = best_of(3, lambda: [yaml.safe_load(p.read_text("utf-8")) for p in files])
    print(f"load+validate home ({GROUPS} groups, {ITEMS} items): {ours:.2f} s "
          f"(target < {TARGET_S:.0f} s)")
    print(f"baseline yaml.safe_load of the same files: {baseline:.2f} s; "
          f"ratio ours/baseline {ours / baseline:.2f}")
    return 0 if ours < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
