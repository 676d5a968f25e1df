"""Generated homes of any size, for benchmarks: a province with many cities and counties, one
junior group per county plus the senior and intermediate groups, and a large catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TIERS = ["junior", "intermediate", "senior"]


def generate_home(root: Path, *, groups: int, items: int, cities: int = 30) -> Path:
    """Write a valid home with about ``groups`` groups and ``items`` content items to ``root``."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "content_library").mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "bot.yaml", root / "config" / "bot.yaml")
    shutil.copy(REPO / "config" / "industries.yaml", root / "config" / "industries.yaml")
    industries = [i["id"] for i in
                  yaml.safe_load((REPO / "config" / "industries.yaml").read_text())["industries"]]
    counties = groups - 1 - cities
    city_list = [{"id": f"c{c}", "name": f"第{c}市", "counties": []} for c in range(cities)]
    for n in range(counties):
        city_list[n % cities]["counties"].append({"id": f"k{n}", "name": f"第{n}县"})
    group_list = [{"id": "g-senior", "name": "省高级群", "tier": "senior", "region": "p",
                   "account": "jilin-kexie", "room_topic": "省高级群"}]
    group_list += [{"id": f"g-c{c}", "name": f"第{c}市中级群", "tier": "intermediate",
                    "region": f"c{c}", "account": "jilin-kexie", "room_topic": f"第{c}市中级群"}
                   for c in range(cities)]
    group_list += [{"id": f"g-k{n}", "name": f"第{n}县初级群", "tier": "junior", "region": f"k{n}",
                    "account": "jilin-kexie", "room_topic": f"第{n}县初级群"}
                   for n in range(counties)]
    experts = [{"id": f"wxid_e{n}", "name": f"专家{n}",
                "industries": [industries[n % 11]],
                "region": f"c{n % cities}", "tier": "intermediate"} for n in range(200)]
    admins = [{"id": f"wxid_a{n}", "name": f"管理员{n}", "region": f"k{n}"}
              for n in range(counties)]
    _dump(root / "config" / "groups.yaml", {
        "regions": {"id": "p", "name": "省", "cities": city_list},
        "groups": group_list, "admins": admins, "experts": experts})
    per_file = 1000
    for f in range(0, items, per_file):
        chunk = [{
            "id": f"x-{n:05d}", "title": f"课程{n}", "industry": industries[n % 11],
            "tiers": [TIERS[n % 3]], "source": "农业大学", "speaker": "讲师",
            "url": f"https://example.org/agribot/x-{n}", "url_is_example": True,
            "duration": "25:00", "description": "一段介绍", "tags": ["标签"],
        } for n in range(f, min(items, f + per_file))]
        _dump(root / "content_library" / f"part{f // per_file:03d}.yaml", {"items": chunk})
    return root


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
