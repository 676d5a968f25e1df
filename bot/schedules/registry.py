"""The schedule files in force, kept file by file so a broken edit never takes a good one down.

:meth:`ScheduleFiles.refresh` looks at every file's size, mtime and inode (a cheap ``stat``, so
polling 3,000 files every two seconds costs a few milliseconds), reloads the ones that changed,
and keeps the last good version of any file that now has errors. Deleted files drop out.

Polling was chosen over inotify (the ``watchdog`` package): it needs no extra dependency, works on
network shares and container bind mounts where inotify events never arrive, and a few seconds of
latency is what "takes effect within seconds" asks for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ConfigError, Home, Problem
from bot.schedules.loader import (
    HomeIndex,
    LoadedFile,
    ScheduleBook,
    load_schedule_file,
    merge,
    schedule_paths,
)

Signature = tuple[int, int, int]  # mtime_ns, size, inode


@dataclass(frozen=True)
class Rejection:
    path: Path
    problems: tuple[Problem, ...]
    digest: str  # of the rejected content, so the same mistake is reported once
    kept_previous: bool


@dataclass
class Refresh:
    changed: bool = False
    rejected: list[Rejection] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def scan(home: Home) -> dict[Path, Signature]:
    found: dict[Path, Signature] = {}
    for path in schedule_paths(home.paths):
        try:
            st = path.stat()
        except FileNotFoundError:  # deleted between listing and stat
            continue
        found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return found


class ScheduleFiles:
    def __init__(self, home: Home) -> None:
        self.home = home
        self.index = HomeIndex(home)
        self.book = ScheduleBook()
        self._good: dict[Path, LoadedFile] = {}
        self._seen: dict[Path, Signature] = {}
        # each file's last check: its problems, or none when its current content is in force
        self.problems: dict[Path, tuple[Problem, ...]] = {}

    def refresh(self) -> Refresh:
        """Reload what changed on disk; ``book`` is replaced only when something did."""
        now = scan(self.home)
        changed = sorted(p for p, sig in now.items() if self._seen.get(p) != sig)
        removed = sorted(p for p in self._seen if p not in now)
        report = Refresh(removed=removed)
        if not changed and not removed:
            return report
        self._seen = now
        good = {p: f for p, f in self._good.items() if p not in removed}
        fresh: dict[Path, LoadedFile] = {}
        for path in changed:
            try:
                fresh[path] = load_schedule_file(self.home, path, self.index)
            except ConfigError as exc:
                report.rejected.append(self._rejection(path, exc.problems, path in good))
            except OSError as exc:  # unreadable (permissions, vanished)
                problem = Problem(path, 1, 1, str(exc))
                report.rejected.append(self._rejection(path, [problem], path in good))
        # Files that did not change keep their ids; a changed file clashing with them is refused.
        ordered = [f for p, f in good.items() if p not in fresh] + list(fresh.values())
        book, clashes = merge(ordered)
        for path, problems in clashes.items():
            report.rejected.append(self._rejection(path, problems, path in good))
            fresh.pop(path, None)
        checked = {p: found for p, found in self.problems.items()
                    if p not in removed and p not in fresh}
        checked.update((r.path, r.problems) for r in report.rejected)
        self.problems = checked  # replaced whole: readers on the loop never see it half done
        for path in fresh:
            good[path] = fresh[path]
        if clashes:  # rebuild with the previous versions of the refused files
            ordered = [f for p, f in good.items() if p not in fresh] + list(fresh.values())
            book, _ = merge(ordered)
        self._good = good
        self.book = book
        report.changed = True
        return report

    def _rejection(self, path: Path, problems: list[Problem], kept: bool) -> Rejection:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        except OSError:
            digest = "unreadable"
        return Rejection(path, tuple(problems), digest, kept)


def region_of_file(home: Home, path: Path) -> str:
    """The region a schedule file belongs to, from where it sits (its content may not parse)."""
    stem = path.name.removesuffix(".example.yaml").removesuffix(".yaml")
    if stem in home.regions:
        return stem
    for part in reversed(path.relative_to(home.paths.schedules).parts[:-1]):
        if part in home.regions:
            return part
    return home.province_id
