"""A copy of the demo home whose account runs on WeCom (智能机器人), for tests of the transport."""

from __future__ import annotations

from pathlib import Path

import yaml

BOT_ID_ENV = "AGRIBOT_TEST_WECOM_BOT_ID"
SECRET_ENV = "AGRIBOT_TEST_WECOM_SECRET"


def make_wecom(home: Path, *, userids: bool = True, topics: bool = False) -> Path:
    """Put every account of ``home`` on transport wecom, drop the room topics (a WeCom chat is
    bound with #绑定; ``topics`` keeps them, for harnesses that bind by topic) and give the
    admins and experts a WeCom userid (``wc-<id>``)."""
    bot_yaml = home / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    for account in config["accounts"]:
        account["transport"] = "wecom"
        account["wecom"] = {"bot_id_env": BOT_ID_ENV, "secret_env": SECRET_ENV}
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    groups_yaml = home / "config" / "groups.yaml"
    groups = yaml.safe_load(groups_yaml.read_text("utf-8"))
    for group in groups["groups"]:
        if not topics:
            group.pop("room_topic", None)
    if userids:
        for person in [*groups["admins"], *groups["experts"]]:
            person["wecom_userid"] = f"wc-{person['id']}"
    groups_yaml.write_text(yaml.safe_dump(groups, allow_unicode=True), "utf-8")
    return home
