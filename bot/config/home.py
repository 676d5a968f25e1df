"""A home: the folder holding ``config/``, ``content_library/`` and ``schedules/``.

:func:`load_home` reads every file (the optional settings files ``qa.yaml`` and
``reports.yaml`` too, so nothing else reads a home from disk), validates each against its model,
then checks references across files. It collects every problem before failing, so an admin
fixes a file in one pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from bot import messages as msg
from bot.config.mistakes import validation_problems
from bot.config.models import (
    Admin,
    BotConfig,
    ContentFile,
    ContentItem,
    Expert,
    Group,
    GroupsFile,
    IndustriesFile,
    Industry,
    Model,
    Series,
)
from bot.config.problems import ConfigError, Problem
from bot.config.settings import QA_FILE, REPORTS_FILE, QaSettings, ReportsConfig
from bot.config.yamlio import Location, YamlDocument, load_yaml
from bot.domain import Level
from bot.quiz.bank import QuizBank, QuizFile, check_banks

HOME_ENV = "AGRIBOT_HOME"
DB_URL_ENV = "AGRIBOT_DB_URL"


@dataclass(frozen=True)
class HomePaths:
    root: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> HomePaths:
        """``--home`` first, then ``AGRIBOT_HOME``, then the current folder."""
        chosen = home or os.environ.get(HOME_ENV) or "."
        return cls(Path(chosen).expanduser().resolve())

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def content(self) -> Path:
        return self.root / "content_library"

    @property
    def media(self) -> Path:
        return self.content / "media"

    @property
    def quizzes(self) -> Path:
        return self.content / "quizzes"

    @property
    def schedules(self) -> Path:
        return self.root / "schedules"

    @property
    def data(self) -> Path:
        return self.root / "data"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    level: Level
    parent: str | None
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Home:
    """Everything a home's YAML says, validated and indexed by id."""

    paths: HomePaths
    bot: BotConfig
    regions: Mapping[str, Region]
    province_id: str
    groups: Mapping[str, Group]
    admins: tuple[Admin, ...]
    experts: Mapping[str, Expert]
    industries: Mapping[str, Industry]
    series: Mapping[str, Series]
    items: Mapping[str, ContentItem]
    episodes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # series → item ids
    qa: QaSettings = field(default_factory=QaSettings)  # config/qa.yaml
    reports: ReportsConfig = field(default_factory=ReportsConfig)  # config/reports.yaml
    quizzes: Mapping[str, QuizBank] = field(default_factory=dict)  # content_library/quizzes/

    def ancestors(self, region_id: str) -> Iterator[Region]:
        """The region itself, then its parent, up to the province."""
        current: str | None = region_id
        while current is not None:
            region = self.regions[current]
            yield region
            current = region.parent

    def subtree(self, region_id: str) -> Iterator[Region]:
        """The region and every region below it, parents before children."""
        stack = [region_id]
        while stack:
            region = self.regions[stack.pop()]
            yield region
            stack.extend(reversed(region.children))

    def within(self, region_id: str, ancestor_id: str) -> bool:
        return any(r.id == ancestor_id for r in self.ancestors(region_id))

    def admins_of(self, region_id: str) -> list[Admin]:
        return [a for a in self.admins if a.region == region_id]

    def administers(self, contact_id: str, region_id: str) -> bool:
        """Whether ``contact_id`` is an admin of ``region_id`` or of a region above it: a city
        admin also runs its counties (一级抓一级)."""
        above = {r.id for r in self.ancestors(region_id)}
        return any(a.id == contact_id and a.region in above for a in self.admins)

    def responsible_admins(self, region_id: str) -> list[Admin]:
        """Who is told about a problem in a region: its admins, else those of the nearest
        region above that has any (一级抓一级); an unknown region goes to the province."""
        start = region_id if region_id in self.regions else self.province_id
        for region in self.ancestors(start):
            admins = self.admins_of(region.id)
            if admins:
                return admins
        return []

    def serving_account(self, region_id: str) -> str:
        """The account that talks to a region's people: the one serving the region's own groups
        (where its admins sit), else a group below it, else above; the first account if none."""
        start = region_id if region_id in self.regions else self.province_id
        below = {r.id for r in self.subtree(start)}
        for scope in ({start}, below, {r.id for r in self.ancestors(start)}):
            for group in self.groups.values():
                if group.region in scope:
                    return group.account
        return self.bot.accounts[0].id

    def database_url(self) -> str:
        """``AGRIBOT_DB_URL``, then ``bot.yaml``, then SQLite under the home's ``data/``."""
        url = os.environ.get(DB_URL_ENV) or self.bot.database_url
        return url or f"sqlite:///{self.paths.data / 'agribot.db'}"


M = TypeVar("M", bound=Model)


class ModelLoader:
    """Collects problems from every file instead of stopping at the first. Loaders of other
    files in a home (schedules) use it too, so every file reports problems alike."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def model(self, path: Path, model: type[M]) -> tuple[YamlDocument, M] | None:
        if not path.is_file():
            self.problems.append(Problem(path, 1, 1, msg.FILE_MISSING))
            return None
        try:
            doc = load_yaml(path)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None
        validated = self.validate(doc, model)
        return None if validated is None else (doc, validated)

    def optional(self, path: Path, model: type[M]) -> M | None:
        """A settings file that may be left out: the model's defaults when it is absent or
        empty; ``None`` (with problems recorded) when it is wrong."""
        if not path.is_file():
            return model()
        try:
            doc = load_yaml(path)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None
        return model() if doc.data is None else self.validate(doc, model)

    def validate(self, doc: YamlDocument, model: type[M]) -> M | None:
        if not isinstance(doc.data, dict):
            self.problems.append(doc.problem((), msg.NOT_A_MAPPING))
            return None
        try:
            return model.model_validate(doc.data)
        except ValidationError as exc:
            self.problems.extend(
                validation_problems(doc, exc.errors(include_url=False), model))
            return None

    def add(self, doc: YamlDocument, loc: Location, message: str) -> None:
        self.problems.append(doc.problem(loc, message))


def industry_id(industries: Mapping[str, Industry], ref: str) -> str | None:
    """``ref`` as an industry id: the id itself, or the id of the only industry so named
    (admins write ``水稻`` as readily as ``rice``)."""
    if ref in industries:
        return ref
    named = [i.id for i in industries.values() if i.name == ref.strip()]
    return named[0] if len(named) == 1 else None


def unknown_industry(industries: Mapping[str, Industry], ref: str) -> str:
    """Why ``ref`` names no industry, with what can be written instead."""
    named = [f"{i.id}（{i.name}）" for i in industries.values() if i.name == ref.strip()]
    if len(named) > 1:
        return msg.AMBIGUOUS_INDUSTRY.format(ref=ref, choices="、".join(named))
    choices = [f"{i.id}（{i.name}）" for i in industries.values()]
    shown = "、".join(choices[:30]) + (f" 等 {len(choices)} 个" if len(choices) > 30 else "")
    return msg.UNKNOWN_INDUSTRY.format(ref=ref, choices=shown)


def load_home(home: str | Path | HomePaths | None = None) -> Home:
    """Load and cross-check a whole home; raise :class:`ConfigError` listing every problem."""
    paths = home if isinstance(home, HomePaths) else HomePaths.resolve(home)
    loader = ModelLoader()
    bot = loader.model(paths.config / "bot.yaml", BotConfig)
    groups = loader.model(paths.config / "groups.yaml", GroupsFile)
    industries = loader.model(paths.config / "industries.yaml", IndustriesFile)
    contents = [
        loaded
        for path in sorted(paths.content.glob("*.yaml"))
        if (loaded := loader.model(path, ContentFile)) is not None
    ]
    quizzes = [
        bank
        for path in sorted(paths.quizzes.glob("*.yaml"))
        if (bank := loader.model(path, QuizFile)) is not None
    ]
    qa = loader.optional(paths.config / QA_FILE, QaSettings)
    reports = loader.optional(paths.config / REPORTS_FILE, ReportsConfig)
    if bot is None or groups is None or industries is None or qa is None or reports is None \
            or loader.problems:
        raise ConfigError(loader.problems)
    return _CrossCheck(loader, paths, bot, groups, industries, contents, qa, reports,
                       quizzes).build()


@dataclass
class _CrossCheck:
    loader: ModelLoader
    paths: HomePaths
    bot: tuple[YamlDocument, BotConfig]
    groups: tuple[YamlDocument, GroupsFile]
    industries: tuple[YamlDocument, IndustriesFile]
    contents: list[tuple[YamlDocument, ContentFile]]
    qa: QaSettings
    reports: ReportsConfig
    quizzes: list[tuple[YamlDocument, QuizFile]] = field(default_factory=list)

    def build(self) -> Home:
        bot_doc, bot = self.bot
        groups_doc, groups_file = self.groups
        regions = self._regions()
        industries = self._unique(
            (self.industries[0], ("industries", i, "id"), ind)
            for i, ind in enumerate(self.industries[1].industries)
        )
        accounts = {a.id for a in bot.accounts}
        self._unique((bot_doc, ("accounts", i, "id"), a) for i, a in enumerate(bot.accounts))

        groups = self._unique(
            (groups_doc, ("groups", i, "id"), g) for i, g in enumerate(groups_file.groups)
        )
        topics: dict[str, str] = {}
        for i, group in enumerate(groups_file.groups):
            loc: tuple[str | int, ...] = ("groups", i)
            region = self._ref(groups_doc, (*loc, "region"), group.region, regions, "region")
            if region is not None and region.level != group.tier.level:
                self.loader.add(groups_doc, (*loc, "tier"), msg.TIER_LEVEL.format(
                    tier=group.tier.value, region=group.region, level=region.level.value))
            if group.account not in accounts:
                self.loader.add(groups_doc, (*loc, "account"),
                                msg.NO_ACCOUNT.format(id=group.account))
            # a WeCom chat is bound in the chat itself (@bot #绑定), its id unknown till then
            if group.room_topic is None and group.room_id is None \
                    and bot.transport_of(group.account) != "wecom":
                self.loader.add(groups_doc, loc, msg.ROOM_BINDING)
            if group.room_topic is not None:
                if group.room_topic in topics:
                    self.loader.add(groups_doc, (*loc, "room_topic"), msg.DUPLICATE_ID.format(
                        id=group.room_topic, first=topics[group.room_topic]))
                topics.setdefault(group.room_topic, group.id)

        for i, admin in enumerate(groups_file.admins):
            self._ref(groups_doc, ("admins", i, "region"), admin.region, regions, "region")
        experts = self._unique(
            (groups_doc, ("experts", i, "id"), e) for i, e in enumerate(groups_file.experts)
        )
        for i, expert in enumerate(groups_file.experts):
            loc = ("experts", i)
            region = self._ref(groups_doc, (*loc, "region"), expert.region, regions, "region")
            if region is not None and region.level != expert.tier.level:
                self.loader.add(groups_doc, (*loc, "tier"), msg.EXPERT_TIER_LEVEL.format(
                    tier=expert.tier.value, region=expert.region, level=region.level.value))
            named = [self._industry(groups_doc, (*loc, "industries", j), ref, industries)
                     for j, ref in enumerate(expert.industries)]
            if named != expert.industries and experts.get(expert.id) is expert:
                experts[expert.id] = expert.model_copy(
                    update={"industries": [n for n in named if n is not None]})

        self._wecom_userids(groups_doc, groups_file)
        series, items, episodes = self._catalog(industries)
        quizzes = check_banks(self.quizzes, industries, self._unique, self._ref, self.loader.add)
        if self.loader.problems:
            raise ConfigError(self.loader.problems)
        return Home(
            paths=self.paths, bot=bot, regions=regions, province_id=groups_file.regions.id,
            groups=groups, admins=tuple(groups_file.admins), experts=experts,
            industries=industries, series=series, items=items, episodes=episodes,
            qa=self.qa, reports=self.reports, quizzes=quizzes,
        )

    def _wecom_userids(self, doc: YamlDocument, file: GroupsFile) -> None:
        """One WeCom userid names one person (an admin who is also an expert keeps one id)."""
        owner: dict[str, str] = {}
        people: list[tuple[str, int, Admin | Expert]] = [
            ("admins", i, p) for i, p in enumerate(file.admins)]
        people += [("experts", i, p) for i, p in enumerate(file.experts)]
        for kind, i, person in people:
            userid = person.wecom_userid
            if userid is None:
                continue
            first = owner.setdefault(userid, person.id)
            if first != person.id:
                self.loader.add(doc, (kind, i, "wecom_userid"),
                                msg.WECOM_USERID_TWICE.format(userid=userid, first=first))

    def _regions(self) -> dict[str, Region]:
        doc, file = self.groups
        province = file.regions
        found: list[tuple[Location, Region]] = [(
            ("regions", "id"),
            Region(province.id, province.name, Level.PROVINCE, None,
                   tuple(c.id for c in province.cities)),
        )]
        for i, city in enumerate(province.cities):
            found.append((("regions", "cities", i, "id"), Region(
                city.id, city.name, Level.CITY, province.id, tuple(c.id for c in city.counties))))
            for j, county in enumerate(city.counties):
                found.append((("regions", "cities", i, "counties", j, "id"),
                              Region(county.id, county.name, Level.COUNTY, city.id)))
        return self._unique((doc, loc, region) for loc, region in found)

    def _catalog(
        self, industries: Mapping[str, Industry]
    ) -> tuple[dict[str, Series], dict[str, ContentItem], dict[str, tuple[str, ...]]]:
        series = self._unique(
            (doc, ("series", i, "id"), s)
            for doc, file in self.contents for i, s in enumerate(file.series)
        )
        items = self._unique(
            (doc, ("items", i, "id"), item)
            for doc, file in self.contents for i, item in enumerate(file.items)
        )
        numbered: dict[str, dict[int, str]] = {s: {} for s in series}
        for doc, file in self.contents:
            for i, s in enumerate(file.series):
                if s.industry is not None:
                    named = self._industry(doc, ("series", i, "industry"), s.industry, industries)
                    if named not in (None, s.industry) and series.get(s.id) is s:
                        series[s.id] = s.model_copy(update={"industry": named})
            for i, item in enumerate(file.items):
                loc: tuple[str | int, ...] = ("items", i)
                named = self._industry(doc, (*loc, "industry"), item.industry, industries)
                if named not in (None, item.industry) and items.get(item.id) is item:
                    items[item.id] = item.model_copy(update={"industry": named})
                if item.url is None and item.file is None:
                    self.loader.add(doc, loc, msg.NEEDS_URL_OR_FILE)
                if item.file is not None and not self._media_exists(item.file):
                    self.loader.add(doc, (*loc, "file"), msg.MEDIA_MISSING.format(file=item.file))
                if item.episode is not None and item.series is None:
                    self.loader.add(doc, (*loc, "episode"), msg.EPISODE_WITHOUT_SERIES)
                if item.series is None:
                    continue
                if item.episode is None:
                    self.loader.add(doc, (*loc, "series"), msg.SERIES_WITHOUT_EPISODE)
                elif self._ref(doc, (*loc, "series"), item.series, series, "series"):
                    if item.episode in numbered[item.series]:
                        self.loader.add(doc, (*loc, "episode"), msg.SERIES_DUP_EPISODE.format(
                            series=item.series, episode=item.episode))
                    numbered[item.series][item.episode] = item.id
        episodes: dict[str, tuple[str, ...]] = {}
        for doc, file in self.contents:
            for i, s in enumerate(file.series):
                numbers = numbered.get(s.id, {})
                if not numbers:
                    self.loader.add(doc, ("series", i, "id"), msg.SERIES_EMPTY.format(series=s.id))
                    continue
                missing = [n for n in range(1, max(numbers) + 1) if n not in numbers]
                if missing:
                    self.loader.add(doc, ("series", i, "id"), msg.SERIES_GAP.format(
                        series=s.id, missing=missing[0]))
                episodes[s.id] = tuple(numbers[n] for n in sorted(numbers))
        return series, items, episodes

    def _media_exists(self, name: str) -> bool:
        media = self.paths.media.resolve()
        target = (media / name).resolve()
        return target.is_relative_to(media) and target.is_file()

    def _unique(self, entries: Any) -> dict[str, Any]:
        """Index entries by id, reporting every repeat at its own place."""
        index: dict[str, Any] = {}
        first: dict[str, str] = {}
        for doc, loc, entry in entries:
            if entry.id in index:
                self.loader.add(doc, loc,
                                msg.DUPLICATE_ID.format(id=entry.id, first=first[entry.id]))
                continue
            line, _ = doc.position(loc)
            index[entry.id] = entry
            first[entry.id] = f"{doc.path.name}:{line}"
        return index

    def _industry(self, doc: YamlDocument, loc: Location, ref: str,
                  industries: Mapping[str, Industry]) -> str | None:
        """The id ``ref`` names (an id, or a name no other industry has); else a problem."""
        found = industry_id(industries, ref)
        if found is None:
            self.loader.add(doc, loc, unknown_industry(industries, ref))
        return found

    def _ref(self, doc: YamlDocument, loc: Location, ref: str, index: Mapping[str, Any],
             kind: str) -> Any:
        """Look ``ref`` up in ``index``; report it at ``loc`` when it does not exist."""
        found = index.get(ref)
        if found is None:
            self.loader.add(doc, loc, msg.unknown_ref(kind, ref))
        return found
