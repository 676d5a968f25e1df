"""A corpus of broken homes (tests/config/broken_homes/): every mistake an admin makes, through
``agribot check``, ``agribot schedule preview`` and a hot reload of a running bot.

Each case file says which file of the demo home it breaks (``# file:``), either as the whole
file or by replacing one line (``# replace:``), where the problem must be reported (``# at:``,
``+N`` counting from the replaced line) and what the message must say (``# says:``). Every
case must come out as exactly one ``path:line:col`` problem, in Chinese, exit 1, no traceback;
a schedule file broken under a running bot is rejected, its last good version keeps running and
the county's admin is told privately.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.main import main
from bot.clock import ManualClock
from bot.config import models as config_models
from bot.config import settings as config_settings
from bot.config.models import Model
from bot.core.messages import TextOut
from bot.db.engine import make_engine, upgrade
from bot.schedules import models as schedule_models
from tests.conftest import REPO
from tests.schedules.conftest import MONDAY_NOON, outbox, payload
from tests.schedules.test_runner import runner_for

CASES = Path(__file__).parent / "broken_homes"
SCHEDULE = "schedules/jilin/changchun/jiutai.yaml"
JIUTAI_ADMIN = "wxid_jt_fengbo"


@dataclass(frozen=True)
class Case:
    name: str
    target: str  # path inside the home
    line: int
    column: int
    says: str
    replace: str | None
    body: bytes

    def apply(self, home: Path) -> Path:
        """Break ``home`` as the case says; return the broken file."""
        path = home / self.target
        if self.replace is None:
            path.write_bytes(self.body)
            return path
        lines = path.read_text(encoding="utf-8").split("\n")
        old = self.replace.split("\n")
        at = _find(lines, old)
        lines[at : at + len(old)] = self.body.decode("utf-8").rstrip("\n").split("\n")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def where(self, home: Path) -> tuple[int, int]:
        if self.replace is None:
            return self.line, self.column
        original = (REPO / self.target).read_text(encoding="utf-8").split("\n")
        return _find(original, self.replace.split("\n")) + 1 + self.line, self.column


def _find(lines: list[str], old: list[str]) -> int:
    """Where the lines ``old`` first appear in ``lines``, in a row."""
    return next(i for i in range(len(lines)) if lines[i : i + len(old)] == old)


def read_case(path: Path) -> Case:
    raw = path.read_bytes()
    header: dict[str, str] = {}
    body: list[bytes] = []
    for line in raw.splitlines(keepends=True):
        text = line.decode("utf-8", "replace")
        if match := re.match(r"# (file|at|says|replace): (.*)$", text.rstrip("\n")):
            header[match.group(1)] = match.group(2)
        body.append(line)
    replace = header.get("replace")
    if replace is not None:  # only the lines after the header replace the demo's line
        body = [b for b in body if not b.startswith(b"# ")]
        replace = json.loads(replace)  # a JSON string: "\n" joins several lines
    position = header["at"].lstrip("+")
    line, column = (int(p) for p in position.split(":"))
    return Case(path.stem, header["file"], line, column, header["says"], replace, b"".join(body))


ALL = sorted(CASES.glob("*.yaml"))
SCHEDULE_CASES = [p for p in ALL if read_case(p).target == SCHEDULE]


def expect_one_problem(case: Case, home: Path, text: str) -> str:
    """``text`` (stderr or an alert) names the case's file at its line:col with its sentence."""
    line, column = case.where(home)
    assert "Traceback" not in text
    found = [ln for ln in text.splitlines() if re.search(r":\d+:\d+: ", ln)]
    assert len(found) == 1, text
    [problem] = found
    assert f"{case.target}:{line}:{column}: " in problem, problem
    assert case.says.format(line=line) in problem, problem
    assert not english_jargon(problem.split(": ", 1)[1]), problem
    return problem


def english_jargon(message: str) -> list[str]:
    """ASCII words of four letters or more in ``message`` that are not what the admin wrote
    (keys, ids, values of the home's files) nor the short English gloss a message ends with."""
    message = re.sub(r"\s*\([A-Za-z][A-Za-z '\"-]*\)$", "", message)  # "(unknown key)"
    message = re.sub(r"“[^”]*”|\"[^\"]*\"", "", message)  # quoted user text
    allowed = written_words() | {"yaml", "utf", "readme", "true", "false", "last",
                                     "http", "https", "cron", "weekly", "daily", "monthly",
                                     "once", "senior", "intermediate", "junior"}
    return [w for w in re.findall(r"[A-Za-z]{4,}", message) if w.lower() not in allowed]


@functools.cache
def written_words() -> frozenset[str]:
    words: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", value))

    for part in ("config", "content_library", "schedules"):
        for path in (REPO / part).rglob("*.yaml"):
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    for module in (config_models, config_settings, schedule_models):  # every key there is
        for model in vars(module).values():
            if isinstance(model, type) and issubclass(model, Model):
                walk(list(model.model_fields))
    return frozenset(words)


def test_the_jargon_check_can_fail() -> None:
    """Parser and pydantic English is caught; keys, ids and the closing gloss are not."""
    assert english_jargon("YAML 格式错误：could not find expected ':'") == [
        "could", "find", "expected"]
    assert english_jargon("schedules.0.id: String should match pattern")
    assert english_jargon("Input should be less than or equal to 31")
    assert english_jargon("schedules.0.targets: 未知的键 “taget” (unknown key)") == []


@pytest.mark.parametrize("case_path", ALL, ids=lambda p: p.stem)
def test_check_and_preview_name_the_place_in_chinese(
    case_path: Path, demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``agribot check`` and ``agribot schedule preview``: one problem, at its place, exit 1."""
    case = read_case(case_path)
    case.apply(demo_copy)
    assert main(["check", "--home", str(demo_copy)]) == 1
    expect_one_problem(case, demo_copy, capsys.readouterr().err)
    db = f"sqlite:///{tmp_path / 'preview.db'}"
    assert main(["schedule", "preview", "--home", str(demo_copy), "--db", db]) == 1
    expect_one_problem(case, demo_copy, capsys.readouterr().err)


@pytest.mark.parametrize("name", ["date_month", "fullwidth_colon", "groups_fullwidth_colon"])
def test_a_real_process_exits_1_without_a_traceback(name: str, demo_copy: Path,
                                                    tmp_path: Path) -> None:
    """The same through ``python -m bot``, and ``run`` refuses a broken config/ the same way."""
    case = read_case(CASES / f"{name}.yaml")
    case.apply(demo_copy)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    commands = [["check"], ["schedule", "preview", "--db", db]]
    if case.target.startswith("config/"):
        commands.append(["run", "--db", db])
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "bot", *command, "--home", str(demo_copy)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        expect_one_problem(case, demo_copy, done.stderr)


async def test_hot_reload_rejects_each_case_and_tells_the_admin(demo_copy: Path,
                                                                tmp_path: Path) -> None:
    """Under a running bot each broken schedule file is rejected, the good version keeps its
    schedule, and the county's admin gets the problem privately, path:line:col and all."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reload.db'}")
    upgrade(engine)
    path = demo_copy / SCHEDULE
    good = path.read_bytes()
    try:
        # the process's watcher and runner, composed as the app composes them; the test
        # reloads by hand instead of waiting for the poll
        async with runner_for(demo_copy, engine, ManualClock(MONDAY_NOON),
                              poll_seconds=3600) as running:
            watcher = running.watcher
            assert watcher.book.get("jiutai-xianggu-lvmei") is not None
            for case_path in SCHEDULE_CASES:
                case = read_case(case_path)
                alerts_before = len(alerts(engine))
                case.apply(demo_copy)
                await watcher.reload()
                assert watcher.book.get("jiutai-xianggu-lvmei") is not None, case.name
                new = alerts(engine)[alerts_before:]
                assert [a.target_id for a in new] == [JIUTAI_ADMIN], case.name
                message = payload(new[0])
                assert isinstance(message, TextOut)
                expect_one_problem(case, demo_copy, message.text)
                path.write_bytes(good)
                await watcher.reload()
    finally:
        engine.dispose()


def alerts(engine: Any) -> list[Any]:
    return [row for row in outbox(engine) if row.purpose == "alert"]
