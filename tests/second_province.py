"""A second province's home, written from scratch as a newcomer would: 四川省 with its own
regions, industries, catalog and experts, nothing shared with the Jilin demo. Tests that the
product carries no demo leftovers run on it."""

from __future__ import annotations

from pathlib import Path

# Words and ids of the Jilin demo that must never reach this province's chats.
DEMO_WORDS = ("香菇", "绿霉", "菌棒", "食用菌", "玉米螟", "cs-0", "ef-0", "jiutai", "九台",
              "吉林", "长春", "jilin")

ADMIN_PJ = "wxid_pj_admin"  # 邓丽, admin of 蒲江县

BOT_YAML = """\
timezone: Asia/Shanghai
accounts:
  - id: sc-kexie
    name: 四川科协助手
    rate: {per_minute: 600, burst: 20, jitter_seconds: 0}
local: {technicians_per_group: 3, seed: 7}
# one technician tries every command within the same (manual-clock) minute
outbox: {command_replies_per_minute: 10}
"""

GROUPS_YAML = """\
regions:
  id: sichuan
  name: 四川省
  cities:
    - id: chengdu
      name: 成都市
      counties:
        - {id: pujiang, name: 蒲江县}
        - {id: jintang, name: 金堂县}
    - id: yaan
      name: 雅安市
      counties:
        - {id: mingshan, name: 名山区}
groups:
  - {id: sc-senior, name: 四川省高级农技师群, tier: senior, region: sichuan, account: sc-kexie,
     room_topic: 四川省高级农技师群}
  - {id: cd-inter, name: 成都市中级农技师群, tier: intermediate, region: chengdu,
     account: sc-kexie, room_topic: 成都市中级农技师群}
  - {id: pujiang-junior, name: 蒲江县初级农技师群, tier: junior, region: pujiang,
     account: sc-kexie, room_topic: 蒲江县初级农技师群}
  - {id: jintang-junior, name: 金堂县初级农技师群, tier: junior, region: jintang,
     account: sc-kexie, room_topic: 金堂县初级农技师群}
  - {id: mingshan-junior, name: 名山区初级农技师群, tier: junior, region: mingshan,
     account: sc-kexie, room_topic: 名山区初级农技师群}
admins:
  - {id: wxid_sc_admin, name: 何建国, region: sichuan}
  - {id: wxid_cd_admin, name: 罗小平, region: chengdu}
  - {id: wxid_pj_admin, name: 邓丽, region: pujiang}
experts:
  - {id: wxid_exp_tea_pj, name: 杜春茶, industries: [tea], region: pujiang, tier: junior}
  - {id: wxid_exp_citrus_cd, name: 黄柑林, industries: [citrus], region: chengdu,
     tier: intermediate}
  - {id: wxid_exp_pig_sc, name: 熊大猪, industries: [pigs], region: sichuan, tier: senior}
  - {id: wxid_exp_general_sc, name: 万通, region: sichuan, tier: senior, general: true}
"""

INDUSTRIES_YAML = """\
industries:
  - id: tea
    name: 茶叶
    sector: 特色种植业
    keywords: [茶叶, 茶树, 茶园, 采茶, 炒茶, 茶饼病, 茶小绿叶蝉]
  - id: citrus
    name: 柑橘
    sector: 特色种植业
    keywords: [柑橘, 丑柑, 不知火, 爱媛, 溃疡病, 黄龙病, 红蜘蛛]
  - id: pigs
    name: 生猪
    sector: 养殖业
    keywords: [生猪, 母猪, 仔猪, 猪瘟, 非洲猪瘟, 育肥猪]
"""

CATALOG_YAML = """\
series:
  - {id: chayuan, title: 茶园四季管理, industry: tea}
items:
  - id: tea-101
    title: 春茶采摘与炒制
    industry: tea
    tiers: [junior, intermediate]
    source: 四川农业大学
    url: https://example.org/sc/tea-101
    duration: "20:00"
    series: chayuan
    episode: 1
  - id: tea-102
    title: 茶园病虫害绿色防控
    industry: tea
    tiers: [junior, intermediate]
    source: 四川农业大学
    speaker: 杜春茶
    url: https://example.org/sc/tea-102
    series: chayuan
    episode: 2
  - id: gj-201
    title: 丑柑高接换种
    industry: citrus
    tiers: [junior, intermediate, senior]
    source: 成都市农林科学院
    speaker: 黄柑林
    url: https://example.org/sc/gj-201
  - id: zh-301
    title: 母猪分娩舍管理
    industry: pigs
    tiers: [intermediate, senior]
    source: 四川省畜牧总站
    url: https://example.org/sc/zh-301
"""

SCHEDULE_YAML = """\
region: pujiang
schedules:
  - id: pujiang-chayuan
    targets: [pujiang-junior]
    when: {weekly: {weekdays: [三], time: "20:00"}}
    what: {series: chayuan}
"""


def write_second_province(root: Path) -> Path:
    """Write the home under ``root`` and return it."""
    files = {
        "config/bot.yaml": BOT_YAML,
        "config/groups.yaml": GROUPS_YAML,
        "config/industries.yaml": INDUSTRIES_YAML,
        "content_library/catalog.yaml": CATALOG_YAML,
        "schedules/sichuan/chengdu/pujiang.yaml": SCHEDULE_YAML,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root
