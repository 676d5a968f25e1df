"""The 报送 package of an activity: what goes up to the region above when it closes.

A zip with the photos and videos (``照片视频/``), the attendance list (``签到表.csv``, UTF-8 with a
BOM so Excel on a county office PC reads the Chinese), and a one-page 活动简报 in Markdown and in
Word (:mod:`bot.activities.brief_docx`). :func:`brief` gathers the facts once; every file is a
rendering of them. ``agribot activity export`` writes the same package from the command line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import messages as msg
from bot.activities import sessions
from bot.activities.archive import folder
from bot.activities.brief_docx import brief_docx
from bot.config import Home
from bot.config.settings import TrainingTarget
from bot.db.schema import TrainingSession
from bot.stats.figures import session_ref

MEDIA_DIR = "照片视频"
CSV_NAME = "签到表.csv"
BRIEF_MD = "活动简报.md"
BRIEF_DOCX = "活动简报.docx"
CSV_HEADER = ("序号", "姓名", "微信号", "签到的群", "签到时间")
# photos and videos are compressed already: storing them keeps a 200 MB video a plain copy
_STORED = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".mov", ".m4v",
                     ".avi", ".3gp", ".mkv"})


@dataclass(frozen=True)
class MediaLine:
    name: str
    kind: str
    sender: str
    at: str
    size: int
    sha256: str
    event_id: int
    path: Path


@dataclass(frozen=True)
class Attendee:
    name: str
    member: str
    group: str
    at: str


@dataclass
class Brief:
    """Everything the 简报, the CSV and the summary say about one activity."""

    ref: str
    kind: str  # 培训 / 讲座 / 义诊
    kind_id: str
    topic: str
    role: str  # 主讲 / 负责人
    responsible: str
    region: str
    groups: list[str]
    opened: str
    closed: str
    target: TrainingTarget | None
    attendees: list[Attendee] = field(default_factory=list)
    media: list[MediaLine] = field(default_factory=list)

    @property
    def images(self) -> int:
        return sum(1 for m in self.media if m.kind == "image")

    @property
    def videos(self) -> int:
        return sum(1 for m in self.media if m.kind == "video")

    def target_text(self) -> str:
        if self.target is None or self.target.min_participants <= 0:
            return ""
        need, have = self.target.min_participants, len(self.attendees)
        if have >= need:
            return msg.ACTIVITY_TARGET_MET.format(target=need)
        return msg.ACTIVITY_TARGET_SHORT.format(target=need, missing=need - have)


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    return f"{value.replace(tzinfo=ZoneInfo('UTC')).astimezone(zone):%Y-%m-%d %H:%M:%S}"


def brief(session: Session, home: Home, row: TrainingSession,
          target: TrainingTarget | None) -> Brief:
    zone = ZoneInfo(home.bot.timezone)
    kind = sessions.kind_of(row)
    region = home.regions.get(sessions.region_of(home, row))
    groups = [home.groups[g].name for g in sessions.place_groups(home, row.group_id)
              if g in home.groups]
    result = Brief(
        ref=session_ref(row.id), kind=kind.label, kind_id=kind.value, topic=row.topic,
        role=msg.ACTIVITY_ROLE[kind.value],
        responsible=row.responsible_name or row.responsible or "",
        region=region.name if region else "", groups=groups or [row.group_id],
        opened=_local(row.opened_at, zone), closed=_local(row.closed_at, zone), target=target)

    def group_name(group_id: str | None) -> str:
        group = home.groups.get(group_id or row.group_id)
        return group.name if group else (group_id or "")

    result.attendees = [Attendee(c.name or c.member, c.member, group_name(c.group_id),
                                 _local(c.ts, zone)) for c in sessions.checkins(session, row.id)]
    data = home.paths.data
    result.media = [MediaLine(m.name, m.kind, m.sender_name or m.sender, _local(m.ts, zone),
                              m.size, m.sha256, m.event_id, data / m.path)
                    for m in sessions.media(session, row.id)]
    return result


def attendance_csv(facts: Brief) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF: what Excel on Windows writes
    writer.writerow(CSV_HEADER)
    for number, a in enumerate(facts.attendees, 1):
        writer.writerow((number, a.name, a.member, a.group, a.at))
    return out.getvalue().encode("utf-8-sig")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def brief_markdown(facts: Brief) -> str:
    lines = [f"# {msg.ACTIVITY_BRIEF_TITLE.format(topic=facts.topic)}", "",
             *(f"- {label}：{value}" for label, value in summary_lines(facts)), ""]
    if facts.media:
        lines += ["## 影像资料", "", "| 文件 | 发送人 | 时间 | 大小 | SHA-256 | 事件 |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {m.name} | {m.sender} | {m.at} | {_size(m.size)} | `{m.sha256}` | "
                  f"#{m.event_id} |" for m in facts.media]
        lines.append("")
    lines += ["## 签到名单", "", "、".join(a.name for a in facts.attendees) or "（无人签到）", "",
              NOTE, ""]
    return "\n".join(lines)


NOTE = ("本简报由 agribot 根据事件日志生成。每个影像文件的 SHA-256 与它的事件一致，"
        "可用 agribot audit verify 核验事件日志未被改动。")


def summary_lines(facts: Brief) -> list[tuple[str, str]]:
    """The label–value lines the 简报 opens with (Markdown and Word alike)."""
    attendance = f"{len(facts.attendees)} 人{facts.target_text()}"
    return [("活动类型", facts.kind), ("活动编号", facts.ref), ("主题", facts.topic),
            (facts.role, facts.responsible), ("地区", facts.region),
            ("所在群", "、".join(facts.groups)),
            ("时间", f"{facts.opened} 至 {facts.closed or '进行中'}"), ("签到", attendance),
            ("影像资料", f"照片 {facts.images} 张、视频 {facts.videos} 个")]


def write_package(facts: Brief, out: Path) -> Path:
    """Write the zip to ``out`` (via a temporary name, so a half-written file is never sent)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for m in facts.media:
            if not m.path.is_file():  # removed from the archive by hand: the 简报 still lists it
                continue
            stored = m.path.suffix.lower() in _STORED
            zf.write(m.path, f"{MEDIA_DIR}/{m.name}",
                     compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        zf.writestr(CSV_NAME, attendance_csv(facts))
        zf.writestr(BRIEF_MD, brief_markdown(facts).encode("utf-8"))
        zf.writestr(BRIEF_DOCX, brief_docx(facts.topic, summary_lines(facts),
                                           [(m.name, m.sender, m.at, _size(m.size), m.sha256)
                                            for m in facts.media],
                                           [a.name for a in facts.attendees], NOTE))
    partial.replace(out)
    return out


def missing(facts: Brief) -> list[str]:
    """Archived files no longer on disk (the package is written without them)."""
    return [m.name for m in facts.media if not m.path.is_file()]


def package_name(facts: Brief) -> str:
    return f"活动报送-{facts.ref}-{facts.region}-{facts.kind}.zip"


def package_path(home: Home, row: TrainingSession, facts: Brief) -> Path:
    return folder(home.paths.data, row.id) / "报送" / package_name(facts)

