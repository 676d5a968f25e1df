"""Loading schedule files: each file on its own, checked against the home, then ids across files.

A file is checked as a whole and either accepted or rejected with every problem at its
``path:line:col``; the runner keeps a rejected file's last good version running. Rules beyond the
file's shape: the file sits where its region sits in the tree (``schedules/jilin/changchun/
jiutai.yaml`` for 九台区), it targets only groups inside its region (一级抓一级: a county cannot
push to a neighbour, the province can reach everyone), and what it pushes suits each group's tier.

Files named ``*.example.yaml`` are documentation: ``agribot check`` validates them, nothing runs
them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot import messages as msg
from bot.config import ConfigError, Home, HomePaths, Problem
from bot.config.home import ModelLoader, industry_id, unknown_industry
from bot.config.models import Group
from bot.config.yamlio import Location, YamlDocument
from bot.schedules.models import Entry, ScheduleFile, Selector, What
from bot.schedules.timing import Timing, cron_of

EXAMPLE_SUFFIX = ".example.yaml"


@dataclass(frozen=True)
class Schedule:
    """One validated entry, its targets resolved to group ids."""

    id: str
    name: str | None
    path: Path
    region: str
    groups: tuple[str, ...]
    timing: Timing
    what: What
    message: str | None
    grace: timedelta


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    region: str
    schedules: tuple[Schedule, ...]
    positions: Mapping[str, tuple[int, int]]  # schedule id → line, column of its ``id``


@dataclass(frozen=True)
class ScheduleBook:
    """The schedules in force, by id."""

    schedules: Mapping[str, Schedule] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Schedule]:
        return iter(self.schedules.values())

    def __len__(self) -> int:
        return len(self.schedules)

    def get(self, schedule_id: str) -> Schedule | None:
        return self.schedules.get(schedule_id)

    def for_group(self, group_id: str) -> list[Schedule]:
        return [s for s in self.schedules.values() if group_id in s.groups]


class HomeIndex:
    """Groups by region subtree, computed once per home: selectors over 3,000 files stay cheap."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self._by_region: dict[str, list[Group]] = defaultdict(list)
        for group in home.groups.values():
            self._by_region[group.region].append(group)
        self._under: dict[str, list[Group]] = {}

    def groups_under(self, region: str) -> list[Group]:
        if region not in self._under:
            self._under[region] = [g for r in self.home.subtree(region)
                                   for g in self._by_region.get(r.id, [])]
        return self._under[region]

    def expected_path(self, region: str) -> Path:
        chain = [r.id for r in self.home.ancestors(region)]
        return self.home.paths.schedules.joinpath(*reversed(chain)).with_suffix(".yaml")


def schedule_paths(paths: HomePaths, *, examples: bool = False) -> list[Path]:
    root = paths.schedules
    if not root.is_dir():
        return []
    # Province first, then cities, then counties: a repeated id is reported at the lower level.
    found = sorted((p for p in root.rglob("*.yaml") if p.is_file()),
                   key=lambda p: (len(p.relative_to(root).parts), p))
    return [p for p in found if examples or not is_example(p)]


def is_example(path: Path) -> bool:
    return path.name.endswith(EXAMPLE_SUFFIX)


def load_schedules(home: Home, *, examples: bool = False) -> ScheduleBook:
    """Every schedule file of ``home``; raise :class:`ConfigError` listing every problem."""
    index = HomeIndex(home)
    problems: list[Problem] = []
    files: list[LoadedFile] = []
    for path in schedule_paths(home.paths, examples=examples):
        try:
            files.append(load_schedule_file(home, path, index))
        except ConfigError as exc:
            problems.extend(exc.problems)
    book, duplicates = merge(files)
    problems.extend(p for ps in duplicates.values() for p in ps)
    if problems:
        raise ConfigError(problems)
    return book


def merge(files: Iterable[LoadedFile]) -> tuple[ScheduleBook, dict[Path, list[Problem]]]:
    """Combine files in order; a file repeating an id already taken is left out, with problems."""
    schedules: dict[str, Schedule] = {}
    first: dict[str, str] = {}
    rejected: dict[Path, list[Problem]] = {}
    for file in files:
        clashes = [
            Problem(file.path, *file.positions[s.id], msg.DUPLICATE_ID.format(
                id=s.id, first=first[s.id]))
            for s in file.schedules if s.id in schedules
        ]
        if clashes:
            rejected[file.path] = clashes
            continue
        for s in file.schedules:
            schedules[s.id] = s
            first[s.id] = f"{file.path.name}:{file.positions[s.id][0]}"
    return ScheduleBook(schedules), rejected


def load_schedule_file(home: Home, path: Path, index: HomeIndex | None = None) -> LoadedFile:
    """One file, validated against ``home``; raise :class:`ConfigError` with every problem."""
    loader = ModelLoader()
    loaded = loader.model(path, ScheduleFile)
    if loaded is None:
        raise ConfigError(loader.problems)
    doc, model = loaded
    return _FileCheck(home, index or HomeIndex(home), doc, model, loader.problems).run()


@dataclass
class _FileCheck:
    home: Home
    index: HomeIndex
    doc: YamlDocument
    model: ScheduleFile
    problems: list[Problem]

    def run(self) -> LoadedFile:
        region = self.model.region
        if region not in self.home.regions:
            self._add(("region",), msg.unknown_ref("region", region))
            raise ConfigError(self.problems)
        self._check_place(region)
        schedules: list[Schedule] = []
        positions: dict[str, tuple[int, int]] = {}
        for i, entry in enumerate(self.model.schedules):
            loc: tuple[str | int, ...] = ("schedules", i)
            if entry.id in positions:
                line, _ = positions[entry.id]
                self._add((*loc, "id"), msg.DUPLICATE_ID.format(
                    id=entry.id, first=f"{self.doc.path.name}:{line}"))
                continue
            positions[entry.id] = self.doc.position((*loc, "id"))
            schedule = self._entry(loc, region, entry)
            if schedule is not None:
                schedules.append(schedule)
        if self.problems:
            raise ConfigError(self.problems)
        return LoadedFile(self.doc.path, region, tuple(schedules), positions)

    def _add(self, loc: Location, message: str) -> None:
        self.problems.append(self.doc.problem(loc, message))

    def _check_place(self, region: str) -> None:
        expected = self.index.expected_path(region)
        actual = self.doc.path
        plain = actual.with_name(actual.name.removesuffix(EXAMPLE_SUFFIX) + ".yaml") \
            if is_example(actual) else actual
        if plain != expected and plain.resolve() != expected.resolve():  # resolve is slow: last
            root = self.home.paths.schedules
            self._add(("region",), msg.SCHED_WRONG_FOLDER.format(
                region=region, expected=_relative(expected, root), actual=_relative(actual, root)))

    def _entry(self, loc: tuple[str | int, ...], region: str, entry: Entry) -> Schedule | None:
        before = len(self.problems)
        try:
            cron = cron_of(entry.when)
        except ValueError as exc:
            self._add((*loc, "when", "cron"), str(exc))
            cron = None
        groups = self._targets((*loc, "targets"), region, entry.targets)
        what = self._what((*loc, "what"), entry.what, groups)
        if len(self.problems) > before:
            return None
        once = entry.when.once.at if entry.when.once else None
        timing = Timing(cron, once, entry.timezone or self.home.bot.timezone, entry.start,
                        entry.end, entry.quiet_hours)
        return Schedule(entry.id, entry.name, self.doc.path, region,
                        tuple(g.id for g in groups), timing, what, entry.message,
                        entry.on_missed.grace)

    def _targets(self, loc: tuple[str | int, ...], region: str,
                 targets: list[str] | Selector) -> list[Group]:
        home = self.home
        if isinstance(targets, Selector):
            scope = targets.region or region
            if scope not in home.regions:
                self._add((*loc, "region"), msg.unknown_ref("region", scope))
                return []
            if not home.within(scope, region):
                self._add((*loc, "region"), msg.SCHED_REGION_OUTSIDE.format(
                    target=scope, region=self._region_label(region)))
                return []
            found = [g for g in self.index.groups_under(scope)
                     if targets.tier is None or g.tier == targets.tier]
            if not found:
                self._add(loc, msg.SCHED_NO_GROUPS)
            return found
        chosen: dict[str, Group] = {}
        for j, group_id in enumerate(targets):
            group = home.groups.get(group_id)
            if group is None:
                self._add((*loc, j), msg.unknown_ref("group", group_id))
            elif not home.within(group.region, region):
                self._add((*loc, j), msg.SCHED_GROUP_OUTSIDE.format(
                    group=group_id, group_region=self._region_label(group.region),
                    region=self._region_label(region)))
            else:
                chosen[group_id] = group
        if not targets:
            self._add(loc, msg.SCHED_NO_GROUPS)
        return list(chosen.values())

    def _region_label(self, region: str) -> str:
        return f"{self.home.regions[region].name}（{region}）"

    def _what(self, loc: tuple[str | int, ...], what: What, groups: list[Group]) -> What:
        """``what``, checked against the home; a pick's industry name becomes its id."""
        home = self.home
        tiers = {g.tier: g for g in groups}
        if what.item is not None:
            item = home.items.get(what.item)
            if item is None:
                self._add((*loc, "item"), msg.unknown_ref("item", what.item))
                return what
            for tier, group in tiers.items():
                if tier not in item.tiers:
                    self._add((*loc, "item"), msg.SCHED_ITEM_TIER.format(
                        item=item.id, tiers=_labels(item.tiers), tier=tier.label, group=group.id))
                    return what
        elif what.series is not None:
            if what.series not in home.series:
                self._add((*loc, "series"), msg.unknown_ref("series", what.series))
                return what
            for number, item_id in enumerate(home.episodes.get(what.series, ()), start=1):
                item = home.items[item_id]
                for tier, group in tiers.items():
                    if tier not in item.tiers:
                        self._add((*loc, "series"), msg.SCHED_SERIES_TIER.format(
                            series=what.series, episode=number, item=item.id,
                            tiers=_labels(item.tiers), tier=tier.label, group=group.id))
                        return what
        elif what.pick is not None:
            named = industry_id(home.industries, what.pick.industry)
            if named is None:
                self._add((*loc, "pick", "industry"),
                          unknown_industry(home.industries, what.pick.industry))
            elif named != what.pick.industry:
                return what.model_copy(
                    update={"pick": what.pick.model_copy(update={"industry": named})})
        elif what.quiz is not None:
            bank = home.quizzes.get(what.quiz)
            if bank is None:
                self._add((*loc, "quiz"), msg.unknown_ref("quiz", what.quiz))
                return what
            for tier, group in tiers.items():
                if not bank.for_tier(tier):
                    self._add((*loc, "quiz"), msg.SCHED_QUIZ_TIER.format(
                        bank=bank.id, tier=tier.label, group=group.id))
                    return what
        return what


def _labels(tiers: Iterable[object]) -> str:
    return "、".join(getattr(t, "label", str(t)) for t in tiers)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path("schedules") / path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
