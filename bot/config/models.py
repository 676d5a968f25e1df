"""The shape of each YAML file in a home, as frozen pydantic models.

Each model validates one file on its own; references between files (a group's region, an expert's
industry, a series' episodes) are checked in :mod:`bot.config.home`, which sees them all.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot import messages as msg
from bot.domain import Tier

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
ContentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=64)]
# WeChat contact ids are opaque (wxid_…, numeric, @im.wxwork); only whitespace is ruled out.
ContactId = Annotated[str, Field(pattern=r"^\S+$", max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=500)]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
# An industry's id or, where no two industries share it, its Chinese name (水稻): checked and
# turned into the id against industries.yaml by load_home (and the schedule loader).
IndustryRef = Annotated[str, Field(min_length=1, max_length=64)]


class Model(BaseModel):
    """Frozen, and strict about keys: a misspelt key is an error, never silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- config/bot.yaml -------------------------------------------------------------------------


class Rate(Model):
    """Pacing of one account. The defaults are safe for a personal WeChat account."""

    per_minute: float = Field(default=12, gt=0, le=600)
    burst: int = Field(default=3, ge=1, le=100)
    jitter_seconds: float = Field(default=2.0, ge=0, le=60)


TransportName = Literal["local", "wechaty", "wecom"]


class WeComAccount(Model):
    """``wecom:`` of an account: the *names* of the environment variables that hold the WeCom
    智能机器人's Bot ID and Secret, so neither ever sits in YAML (or in a log quoting it)."""

    bot_id_env: EnvName
    secret_env: EnvName


class Account(Model):
    id: Slug
    name: Text
    rate: Rate = Rate()
    transport: TransportName | None = None  # None: bot.yaml's ``transport``
    wecom: WeComAccount | None = None

    @model_validator(mode="after")
    def _wecom_needs_credentials(self) -> Account:
        if self.transport == "wecom" and self.wecom is None:
            raise ValueError(msg.WECOM_NEEDS_CREDENTIALS)
        return self


class SimulatorSettings(Model):
    """``local:`` in bot.yaml: how the embedded simulator fills each room (not to be confused
    with :class:`bot.transport.local_world.LocalWorld`, the simulated world itself)."""

    technicians_per_group: int = Field(default=12, ge=0, le=500)
    seed: int = 2020


class OutboxSettings(Model):
    max_attempts: int = Field(default=6, ge=1, le=50)
    base_backoff_seconds: float = Field(default=30, gt=0, le=3600)
    # replies to one member's commands in any minute; more are spread out (bot.delivery.fairness)
    command_replies_per_minute: int = Field(default=4, ge=1, le=60)
    # a message of this purpose not sent this many minutes after it was queued is dropped
    # (counted); purposes not listed never go stale
    stale_after_minutes: dict[str, Annotated[float, Field(gt=0)]] = {
        "reply": 15, "welcome": 60, "later": 15}
    # false: arrival order within a priority and no per-member limit (for comparison only)
    fair: bool = True


class Links(Model):
    """Tracked links: what members' phones open (``public_base``, e.g. the bot's address behind
    the office's HTTPS proxy) and, without the simulator, where the bot's link server listens."""

    public_base: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$",
                                      max_length=500)] | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=1, le=65535)


class BotConfig(Model):
    timezone: str = "Asia/Shanghai"
    transport: TransportName = "local"  # of the accounts that do not name their own
    database_url: str | None = None
    store_chat_text: bool = False
    accounts: list[Account] = Field(min_length=1)
    local: SimulatorSettings = SimulatorSettings()
    outbox: OutboxSettings = OutboxSettings()
    links: Links = Links()
    welcome: str = "欢迎 {name} 加入「{group}」！发送「#帮助」查看使用方法。"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(msg.UNKNOWN_TIMEZONE.format(zone=value)) from None
        return value

    @model_validator(mode="after")
    def _wecom_accounts_have_credentials(self) -> BotConfig:
        missing = [a.id for a in self.accounts if a.wecom is None
                   and self.transport_of(a.id) == "wecom"]
        if missing:
            raise ValueError(msg.WECOM_NEEDS_CREDENTIALS_OF.format(accounts="、".join(missing)))
        return self

    def transport_of(self, account_id: str) -> TransportName:
        """The account's own ``transport``, else the home's: accounts of different transports
        can run in one home (one province on WeChat and on WeCom)."""
        account = next((a for a in self.accounts if a.id == account_id), None)
        return (account.transport if account is not None else None) or self.transport


# --- config/groups.yaml ----------------------------------------------------------------------


class County(Model):
    id: Slug
    name: Text


class City(Model):
    id: Slug
    name: Text
    counties: list[County] = []


class Province(Model):
    id: Slug
    name: Text
    cities: list[City] = []


class Group(Model):
    id: Slug
    name: Text
    tier: Tier
    region: Slug
    account: Slug
    room_topic: Text | None = None
    room_id: ContactId | None = None
    wecom_webhook_key_env: EnvName | None = None


class Admin(Model):
    id: ContactId
    name: Text
    region: Slug
    wecom_userid: ContactId | None = None  # who this is on WeCom: matched by userid, never name


class Expert(Model):
    id: ContactId
    name: Text
    title: str = ""
    industries: list[IndustryRef] = []
    region: Slug
    tier: Tier
    general: bool = False  # also takes questions that match no industry
    wecom_userid: ContactId | None = None


class GroupsFile(Model):
    regions: Province
    groups: list[Group] = []
    admins: list[Admin] = []
    experts: list[Expert] = []


# --- config/industries.yaml ------------------------------------------------------------------


class Industry(Model):
    id: Slug
    name: Text
    sector: Text
    keywords: list[Annotated[str, Field(min_length=1, max_length=40)]] = []


class IndustriesFile(Model):
    industries: list[Industry] = Field(min_length=1)


# --- content_library/*.yaml ------------------------------------------------------------------

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def _duration_seconds(value: object) -> object:
    """Accept whole minutes (``25``) or a clock (``"25:00"``, ``"1:05:30"``); keep seconds."""
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int):
        return value * 60
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if not match:
            raise ValueError("时长写成分钟数（25）或 “25:00” / “1:05:30”")
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        if seconds >= 60 or (match.group(1) and minutes >= 60):
            raise ValueError("时长里的分、秒应小于 60")
        return hours * 3600 + minutes * 60 + seconds
    return value


Seconds = Annotated[int, BeforeValidator(_duration_seconds), Field(ge=0, le=24 * 3600)]


class Series(Model):
    id: ContentId
    title: Text
    industry: IndustryRef | None = None
    description: str = ""


class ContentItem(Model):
    id: ContentId
    title: Text
    industry: IndustryRef
    tiers: list[Tier] = Field(min_length=1)
    source: Text
    speaker: Text | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    url_is_example: bool = False  # a placeholder link, said so wherever it is shown
    file: Annotated[str, Field(max_length=300)] | None = None  # under content_library/media/
    duration: Seconds | None = None
    description: str = ""
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    series: ContentId | None = None
    episode: int | None = Field(default=None, ge=1, le=1000)


class ContentFile(Model):
    series: list[Series] = []
    items: list[ContentItem] = []
