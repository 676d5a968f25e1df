"""What each transport can see and do, declared once and read by the core."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import messages as msg
from bot.config import ConfigError, load_home
from bot.transport import capabilities
from bot.transport.account_view import WECHAT, Sight
from bot.transport.wecom_ids import WeComIds
from tests.wecom_home import make_wecom


def test_wecom_sight_is_derived_from_its_capabilities() -> None:
    """The fake shows a WeCom bot what the capabilities say: @-messages only, no room media,
    no joins; WeChat sees everything."""
    assert capabilities.WECOM.sight == Sight(room_messages="mentions", room_media=False,
                                             memberships=False)
    assert capabilities.WECHATY.sight == WECHAT == capabilities.LOCAL.sight
    assert not capabilities.WECOM.welcomes and capabilities.WECHATY.welcomes


def test_help_notes_say_what_applies_on_wecom_only() -> None:
    """#帮助 on WeCom says to @ first and to send photos privately; on WeChat nothing extra."""
    assert capabilities.WECOM.help_notes() == [msg.CAP_MENTION_ONLY, msg.CAP_MEDIA_PRIVATE]
    assert capabilities.WECHATY.help_notes() == []
    assert any("欢迎" in n for n in capabilities.WECOM.groups_notes())


def test_accounts_of_different_transports_in_one_home(demo_copy: Path) -> None:
    """An account's own transport wins over the home's; the others keep the home's."""
    bot_yaml = demo_copy / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    config["accounts"].append({"id": "jilin-wecom", "name": "吉林科协企业微信助手",
                               "transport": "wecom",
                               "wecom": {"bot_id_env": "BOT_ID", "secret_env": "BOT_SECRET"}})
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    home = load_home(demo_copy)
    assert capabilities.of_account(home, "jilin-kexie") is capabilities.LOCAL
    assert capabilities.of_account(home, "jilin-wecom") is capabilities.WECOM
    assert "BOT_ID" in bot_yaml.read_text("utf-8")  # a name, never the id itself


def test_wecom_account_needs_its_credential_names(demo_copy: Path) -> None:
    """transport: wecom without the wecom block is one clear problem."""
    bot_yaml = demo_copy / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    config["accounts"][0]["transport"] = "wecom"
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_home(demo_copy)
    assert "bot_id_env" in str(caught.value)


def test_wecom_groups_need_no_room_topic_and_people_have_userids(demo_copy: Path) -> None:
    """A WeCom chat is bound with #绑定, so its group needs no topic; userids map both ways."""
    home = load_home(make_wecom(demo_copy))
    assert all(g.room_topic is None for g in home.groups.values())
    ids = WeComIds(home)
    assert ids.userid("wxid_cc_wangshuzhen") == "wc-wxid_cc_wangshuzhen"
    assert ids.contact("wc-wxid_cc_wangshuzhen") == "wxid_cc_wangshuzhen"
    assert ids.contact("tech-1") == ids.userid("tech-1") == "tech-1"


def test_one_userid_is_one_person(demo_copy: Path) -> None:
    """Two people with the same WeCom userid would be indistinguishable: refused."""
    make_wecom(demo_copy)
    groups_yaml = demo_copy / "config" / "groups.yaml"
    groups = yaml.safe_load(groups_yaml.read_text("utf-8"))
    groups["experts"][0]["wecom_userid"] = groups["admins"][0]["wecom_userid"]
    groups_yaml.write_text(yaml.safe_dump(groups, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_home(demo_copy)
    assert "wecom_userid" in str(caught.value) or "userid" in str(caught.value)
