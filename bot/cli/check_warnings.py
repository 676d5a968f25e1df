"""Warnings of ``agribot check``: things that load fine but will surprise someone later.

An error stops a file from taking effect; a warning does not. Each is still pinned to
``path:line:col`` so an admin finds it, and ``check`` prints them without failing:

- a series or pick schedule that runs out within 30 days (found by planning the pushes ahead
  exactly as ``schedule preview`` does, from the database's cursors when there is one);
- a message template naming a field (``{speaker}``, ``{duration}``, ``{episode}``) that a course it
  pushes does not have, so the push reads 「主讲 。」;
- a keyword written under two industries, or a keyword of one industry that another industry of
  the same sector uses too, in its courses or inside its own keywords (加温 in a mushroom course,
  根腐病 in 人参根腐病), and that wins the classification next to that industry's own word
  (its first keyword: 香菇加温 → 棚膜瓜菜): its questions go to the wrong experts;
- an industry no expert anywhere in the province covers (its questions go to a general expert);
- ``{名字}`` or ``｛title｝`` in a template: text that looks like a placeholder but is sent as is.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import messages as msg
from bot.config import ConfigError, Home, Problem
from bot.config.models import ContentItem, Industry
from bot.config.yamlio import Location, YamlDocument, load_yaml
from bot.qa.keywords import KeywordClassifier
from bot.schedules.content import PushState, render_message
from bot.schedules.loader import Schedule, ScheduleBook, is_example
from bot.schedules.preview import plan

HORIZON_DAYS = 30
# Template fields a course may leave empty; title, source, group and id always have a value.
_OPTIONAL_FIELDS = ("speaker", "duration", "episode")
_FULL_WIDTH_PLACEHOLDER = re.compile(r"｛([^｛｝{}]{1,20})｝")
_CLAUSE = re.compile(r"[，。；：、！？,.;:!?\s（）()“”\"'【】《》]+")
_WELCOME_FIELDS = ("name", "group")
_SHOWN = 3  # items named in one warning before "等 N 个"


def home_warnings(home: Home, book: ScheduleBook | None, state: PushState,
                  now: datetime) -> list[Problem]:
    """Every warning for ``home``; ``book`` is ``None`` when the schedules did not load (their
    errors are reported instead)."""
    docs = _Docs()
    found: list[Problem] = []
    if book is not None:
        running = ScheduleBook({s.id: s for s in book if not is_example(s.path)})
        found += running_out(home, running, state, now, docs)
        found += template_fields(home, book, docs)
        found += template_lookalikes(book, docs)
    found += welcome_lookalikes(home, docs)
    found += keyword_clashes(home, docs)
    found += uncovered_industries(home, docs)
    return sorted(found)


@dataclass
class _Docs:
    """Each YAML file read once more, for positions: the loaded home keeps values, not places."""

    cache: dict[Path, YamlDocument | None] = field(default_factory=dict)

    def _doc(self, path: Path) -> YamlDocument | None:
        if path not in self.cache:
            try:
                self.cache[path] = load_yaml(path)
            except (ConfigError, OSError):
                self.cache[path] = None  # its errors are reported by the loaders
        return self.cache[path]

    def problem(self, path: Path, loc: Location, message: str) -> Problem:
        doc = self._doc(path)
        line, column = doc.position(loc) if doc is not None else (1, 1)
        return Problem(path, line, column, message)

    def schedule(self, schedule: Schedule, *rest: str | int) -> tuple[Path, Location]:
        """Where an entry of a schedule file is, by its id."""
        doc = self._doc(schedule.path)
        entries = doc.data.get("schedules", []) if doc and isinstance(doc.data, dict) else []
        index = next((i for i, e in enumerate(entries)
                      if isinstance(e, dict) and e.get("id") == schedule.id), 0)
        return schedule.path, ("schedules", index, *rest)


# --- series and picks that run out ------------------------------------------------------------


def running_out(home: Home, book: ScheduleBook, state: PushState, now: datetime,
                docs: _Docs) -> Iterator[Problem]:
    """Schedules whose series or pick has nothing left to send within the horizon."""
    pushes = plan(home, book, _copy(state), now, now + timedelta(days=HORIZON_DAYS))
    zone = ZoneInfo(home.bot.timezone)
    first_empty: dict[str, datetime] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    last_sent: dict[str, datetime] = {}
    for push in pushes:
        if push.schedule.what.item is not None:
            continue  # one fixed course repeats; it never runs out
        sid = push.schedule.id
        if push.note == msg.PREVIEW_EXHAUSTED:
            first_empty.setdefault(sid, push.at)
            if push.group.id not in groups[sid]:
                groups[sid].append(push.group.id)
        elif not push.note and sid not in first_empty:
            last_sent[sid] = push.at
    for sid, at in first_empty.items():
        schedule = book.schedules[sid]
        what = schedule.what
        kind = (msg.WARN_SERIES.format(series=what.series) if what.series is not None
                else msg.WARN_PICK.format(industry=_industry_name(home, what.pick.industry
                                                                  if what.pick else "")))
        sent = last_sent.get(sid)
        path, loc = docs.schedule(schedule, "what")
        text = msg.WARN_RUNS_OUT if sent is not None else msg.WARN_NOTHING_LEFT
        yield docs.problem(path, loc, text.format(
            schedule=sid, kind=kind, days=HORIZON_DAYS,
            last=f"{sent.astimezone(zone):%Y-%m-%d}" if sent else "",
            date=f"{at.astimezone(zone):%Y-%m-%d}", groups=_names(groups[sid])))


def _copy(state: PushState) -> PushState:
    """Planning advances the state it is given; the caller's stays as the database has it."""
    pushed: defaultdict[str, set[str]] = defaultdict(set)
    pushed.update({g: set(items) for g, items in state.pushed.items()})
    return PushState(dict(state.cursors), pushed, set(state.paused))


# --- template fields a course does not have ---------------------------------------------------


def _template_names(template: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f]
    except ValueError:
        return []  # the loader reports a malformed template as an error


def candidates(home: Home, schedule: Schedule) -> list[ContentItem]:
    """The courses a schedule may push."""
    what = schedule.what
    if what.item is not None:
        return [home.items[what.item]] if what.item in home.items else []
    if what.series is not None:
        return [home.items[i] for i in home.episodes.get(what.series, ()) if i in home.items]
    if what.pick is None:
        return []
    tiers = {home.groups[g].tier for g in schedule.groups if g in home.groups}
    return [i for i in home.items.values() if i.industry == what.pick.industry
            and tiers & set(i.tiers) and (what.pick.tier is None or what.pick.tier in i.tiers)]


def _missing(item: ContentItem, name: str, in_series: bool) -> bool:
    if name == "speaker":
        return not item.speaker
    if name == "duration":
        return item.duration is None
    return name == "episode" and not in_series and item.episode is None


def template_fields(home: Home, book: ScheduleBook, docs: _Docs) -> Iterator[Problem]:
    for schedule in book:
        if schedule.message is None or not schedule.groups:
            continue
        used = [n for n in _template_names(schedule.message) if n in _OPTIONAL_FIELDS]
        if not used:
            continue
        group = home.groups[schedule.groups[0]]
        in_series = schedule.what.series is not None
        items = candidates(home, schedule)
        for name in dict.fromkeys(used):
            lacking = [i for i in items if _missing(i, name, in_series)]
            if not lacking:
                continue
            example = render_message(lacking[0], group, schedule.message)
            path, loc = docs.schedule(schedule, "message")
            yield docs.problem(path, loc, msg.WARN_TEMPLATE_FIELD.format(
                field=name, items=_names([i.id for i in lacking]), example=example))


# --- text that looks like a placeholder -------------------------------------------------------


def template_lookalikes(book: ScheduleBook, docs: _Docs) -> Iterator[Problem]:
    for schedule in book:
        if schedule.message is None:
            continue
        for name in _FULL_WIDTH_PLACEHOLDER.findall(schedule.message):
            path, loc = docs.schedule(schedule, "message")
            yield docs.problem(path, loc, msg.WARN_FULL_WIDTH_BRACES.format(name=name))


def welcome_lookalikes(home: Home, docs: _Docs) -> Iterator[Problem]:
    """The welcome text fills {name} and {group}; anything else in braces is sent as written."""
    path = home.paths.config / "bot.yaml"
    welcome = home.bot.welcome
    for name in _FULL_WIDTH_PLACEHOLDER.findall(welcome):
        yield docs.problem(path, ("welcome",), msg.WARN_FULL_WIDTH_BRACES.format(name=name))
    allowed = " ".join("{" + f + "}" for f in _WELCOME_FIELDS)
    for name in dict.fromkeys(_template_names(welcome)):
        if name not in _WELCOME_FIELDS:
            yield docs.problem(path, ("welcome",), msg.WARN_NOT_A_PLACEHOLDER.format(
                name=name, allowed=allowed))


# --- keywords -----------------------------------------------------------------------------------


def _industry_name(home: Home, industry_id: str) -> str:
    industry = home.industries.get(industry_id)
    return industry.name if industry is not None else industry_id


def _names(ids: list[str]) -> str:
    shown = "、".join(f"“{i}”" for i in ids[:_SHOWN])
    return shown if len(ids) <= _SHOWN else msg.WARN_AND_MORE.format(shown=shown, count=len(ids))


def _clauses(item: ContentItem) -> Iterator[str]:
    for text in (item.title, item.description, *item.tags):
        yield from (c for c in _CLAUSE.split(text) if c)


@dataclass(frozen=True)
class _Use:
    """Where another industry uses a keyword: in one of its keywords, or a course's text."""

    industry: Industry
    where: str  # for the message


@dataclass
class _Texts:
    """Each industry's courses, and all their words in one string to search first (a catalog
    of 10,000 courses is searched once per keyword, not once per course)."""

    items: dict[str, list[ContentItem]] = field(default_factory=lambda: defaultdict(list))
    joined: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, home: Home) -> _Texts:
        texts = cls()
        for item in home.items.values():
            texts.items[item.industry].append(item)
        for industry, items in texts.items.items():
            texts.joined[industry] = "\n".join(c.lower() for i in items for c in _clauses(i))
        return texts


def _uses(home: Home, word: str, owner: str, texts: _Texts) -> Iterator[_Use]:
    sector = home.industries[owner].sector
    for other in home.industries.values():
        # Within a sector only: 电商 or 光伏 courses name crops (蓝莓, 食用菌) as their subject,
        # and a crop word winning there is right; 加温 winning over 香菇 is not.
        if other.id == owner or other.sector != sector:
            continue
        holder = next((k for k in other.keywords if word != k.lower() and word in k.lower()),
                      None)
        if holder is not None:
            yield _Use(other, msg.WARN_USED_IN_KEYWORD.format(keyword=holder))
            continue
        if word not in texts.joined.get(other.id, ""):
            continue
        for item in texts.items.get(other.id, ()):
            clause = next((c for c in _clauses(item) if word in c.lower()), None)
            if clause is not None:
                yield _Use(other, msg.WARN_USED_IN_COURSE.format(item=item.id, text=clause))
                break


def keyword_clashes(home: Home, docs: _Docs) -> Iterator[Problem]:
    path = home.paths.config / "industries.yaml"
    first: dict[str, Industry] = {}
    texts = _Texts.of(home)
    # the dictionary's own weights, which this warning is about (the model that also routes
    # questions may well send the probe right: the admin's keyword should not need it to)
    classifier: KeywordClassifier | None = None
    for i, industry in enumerate(home.industries.values()):
        for j, keyword in enumerate(industry.keywords):
            word = keyword.lower()
            loc = ("industries", i, "keywords", j)
            owner = first.setdefault(word, industry)
            if owner.id != industry.id:
                yield docs.problem(path, loc, msg.WARN_KEYWORD_TWICE.format(
                    keyword=keyword, first=owner.name, second=industry.name))
                continue
            for use in _uses(home, word, industry.id, texts):
                crop = _crop_word(use.industry)
                if crop is None:
                    continue
                classifier = classifier or KeywordClassifier(home.industries)
                probe = f"{crop}{keyword}"
                result = classifier.classify(probe).industry
                if result != use.industry.id:
                    yield docs.problem(path, loc, msg.WARN_KEYWORD_GENERIC.format(
                        keyword=keyword, owner=industry.name, other=use.industry.name,
                        where=use.where, probe=probe,
                        result=_industry_name(home, result) if result else msg.QA_GENERAL))
                    break


def _crop_word(industry: Industry) -> str | None:
    """The word that names what an industry is about: its first keyword (the files list the
    crop or animal first), else its name."""
    return industry.keywords[0] if industry.keywords else industry.name or None


# --- industries nobody answers ------------------------------------------------------------------


def uncovered_industries(home: Home, docs: _Docs) -> Iterator[Problem]:
    path = home.paths.config / "industries.yaml"
    covered = {i for e in home.experts.values() for i in e.industries}
    general = any(e.general for e in home.experts.values())
    for i, industry in enumerate(home.industries.values()):
        if industry.id in covered:
            continue
        text = msg.WARN_NO_EXPERT if general else msg.WARN_NO_EXPERT_AT_ALL
        yield docs.problem(path, ("industries", i, "id"),
                           text.format(industry=industry.id, name=industry.name))


def render_warnings(warnings: Iterable[Problem]) -> list[str]:
    return [msg.CHECK_WARNING.format(where=f"{w.path}:{w.line}:{w.column}", message=w.message)
            for w in warnings]
