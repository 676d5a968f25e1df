"""The chat side of activities: ``#开始培训 主题``, ``#开始讲座 主题 @主讲专家``,
``#开始义诊 主题`` and ``#结束`` (``#结束培训`` as before) for admins, ``#签到`` for everyone.

Opening announces the activity in every group of its place (a county's overflow groups too).
Closing posts the summary there and sends the region above (county → city, city → province)
the 报送 package privately, all in the closing turn's transaction: the package is written to
disk first, so the outbox row that sends it always finds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot import messages as msg
from bot.activities import archive, package, sessions
from bot.chat.examples import examples_for, fill
from bot.chat.parse import clean
from bot.chat.router import CommandSpec, Fallback
from bot.chat.turn import Turn
from bot.config import Home
from bot.config.settings import ReportsConfig
from bot.core import events as ev
from bot.core.messages import FileOut, Target, TextOut
from bot.db.schema import TrainingSession
from bot.digests import sha256_of
from bot.domain import ActivityKind
from bot.stats.figures import session_ref

Targets = Callable[[], ReportsConfig]
_AT_NAME = re.compile(r"[@＠](\S+)")


def commands(targets: Targets) -> list[CommandSpec]:
    def opener(kind: ActivityKind) -> Callable[[Turn, str], None]:
        return lambda turn, args: handle_open(turn, args, kind)

    def closer(turn: Turn, args: str) -> None:
        handle_close(turn, args, targets())

    return [
        CommandSpec("开始培训", opener(ActivityKind.TRAINING),
                    "#开始培训 <主题>  开始一场培训（管理员）", admin_only=True),
        CommandSpec("开始讲座", opener(ActivityKind.LECTURE),
                    "#开始讲座 <主题> @主讲专家  开始一场专家讲座（管理员）", admin_only=True),
        CommandSpec("开始义诊", opener(ActivityKind.CLINIC),
                    "#开始义诊 <主题>  开始义诊或健康咨询（管理员）", admin_only=True),
        CommandSpec("开始健康咨询", opener(ActivityKind.CLINIC),
                    "#开始健康咨询 <主题>  同 #开始义诊（管理员）", admin_only=True),
        CommandSpec("结束", closer, "#结束  结束本群进行中的培训、讲座或义诊（管理员）",
                    admin_only=True),
        CommandSpec("结束培训", closer, "#结束培训  同 #结束（管理员）", admin_only=True),
        CommandSpec("签到", handle_checkin, "#签到  参加培训、讲座或义诊时签到"),
    ]


def fallbacks() -> list[Fallback]:
    return [archive.archive_fallback]


def _mention(turn: Turn) -> tuple[str, ...]:
    return () if turn.in_private else (turn.sender,)


def _where(home: Home, row: TrainingSession, group_id: str) -> str:
    if row.group_id == group_id or row.group_id not in home.groups:
        return "本群"
    return f"本地区的“{home.groups[row.group_id].name}”"


def _speaker(turn: Turn, args: str) -> tuple[str, str | None, str | None] | str:
    """A lecture's topic and speaker (id, name) from ``主题 @专家``; a reply text when they
    cannot be read. The name is read from the text; the id is the configured expert (or admin)
    of that name, else the one person the platform says was mentioned. A guest expert who is
    not in the group is typed as ``@名字`` and gets no id."""
    names = list(dict.fromkeys(_AT_NAME.findall(args)))
    topic = clean(_AT_NAME.sub(" ", args))
    if len(names) > 1:
        return msg.LECTURE_ONE_SPEAKER.format(count=len(names), names="、".join(names))
    if not names:
        return msg.LECTURE_NEEDS_SPEAKER.format(topic=topic or "主题")
    name = names[0]
    known = {e.id for e in turn.home.experts.values() if e.name == name}
    known |= {a.id for a in turn.home.admins if a.name == name}
    mentioned = list(dict.fromkeys(turn.inbound.mentions))
    if len(known) == 1:
        speaker: str | None = known.pop()
    elif len(mentioned) == 1 and not turn.inbound.mentions_bot:
        speaker = mentioned[0]
    else:
        speaker = None
    return topic, speaker, name


def handle_open(turn: Turn, args: str, kind: ActivityKind) -> None:
    if turn.group is None:
        turn.reply(msg.ACTIVITY_IN_GROUP_ONLY)
        return
    responsible: str | None = turn.sender
    name: str | None = sessions.person_name(turn.home, turn.sender) or turn.inbound.sender_name
    topic = clean(args)
    if kind is ActivityKind.LECTURE and topic:
        found = _speaker(turn, args)
        if isinstance(found, str):
            turn.reply(found, mentions=_mention(turn))
            return
        topic, responsible, name = found
    if not topic:
        example = fill(msg.ACTIVITY_EXAMPLES[kind.value], examples_for(turn.home, turn.group))
        turn.reply(msg.ACTIVITY_NEEDS_TOPIC.format(kind=kind.label, example=example),
                   mentions=_mention(turn))
        return
    if len(topic) > sessions.MAX_TOPIC:
        turn.reply(msg.ACTIVITY_TOPIC_TOO_LONG.format(length=len(topic),
                                                      limit=sessions.MAX_TOPIC),
                   mentions=_mention(turn))
        return
    existing = sessions.current(turn.session, turn.home, turn.group.id)
    if existing is not None:
        turn.reply(msg.ACTIVITY_ALREADY_OPEN.format(
            where=_where(turn.home, existing, turn.group.id),
            kind=sessions.kind_of(existing).label, topic=existing.topic,
            ref=session_ref(existing.id)), mentions=_mention(turn))
        return
    row = sessions.open_session(turn.session, turn.home, turn.group.id, topic, turn.now,
                                kind=kind, actor=turn.sender, responsible=responsible,
                                responsible_name=name, account=turn.account)
    assert row is not None  # checked just above, in the same transaction
    text = msg.ACTIVITY_OPENED.format(kind=kind.label, topic=row.topic, ref=session_ref(row.id),
                                      role=msg.ACTIVITY_ROLE[kind.value],
                                      responsible=row.responsible_name or "")
    groups = sessions.place_groups(turn.home, turn.group.id)
    if len(groups) > 1:
        text += "\n" + msg.ACTIVITY_OPENED_ELSEWHERE.format(
            kind=kind.label, groups="、".join(turn.home.groups[g].name for g in groups))
    _to_place(turn, groups, text, ref=session_ref(row.id))


def _to_place(turn: Turn, groups: list[str], text: str, *, ref: str) -> None:
    """Say ``text`` in every group of the activity's place: here as a reply, elsewhere too."""
    for group_id in groups:
        turn.send(Target.group(group_id), TextOut(text), purpose="reply", ref=ref)


def handle_close(turn: Turn, _args: str, targets: ReportsConfig) -> None:
    if turn.group is None:
        turn.reply(msg.ACTIVITY_IN_GROUP_ONLY)
        return
    closed = sessions.close_session(turn.session, turn.home, turn.group.id, turn.now,
                                    actor=turn.sender, account=turn.account)
    if closed is None:
        turn.reply(msg.ACTIVITY_NONE_OPEN, mentions=_mention(turn))
        return
    row, _count = closed
    facts = package.brief(turn.session, turn.home, row, targets.target(sessions.kind_of(row)))
    summary = msg.ACTIVITY_SUMMARY.format(
        kind=facts.kind, topic=facts.topic, ref=facts.ref, role=facts.role,
        responsible=facts.responsible, participants=len(facts.attendees),
        target=facts.target_text(), images=facts.images, videos=facts.videos)
    summary += "\n" + _send_up(turn, row, facts)
    _to_place(turn, sessions.place_groups(turn.home, row.group_id), summary, ref=facts.ref)


def _send_up(turn: Turn, row: TrainingSession, facts: package.Brief) -> str:
    """Send the 报送 package to the admins of the region above; the line the summary ends
    with, saying to whom it went."""
    home = turn.home
    region = home.regions.get(sessions.region_of(home, row))
    above = region.parent if region is not None and region.parent else home.province_id
    admins = home.responsible_admins(above)
    if not admins:
        return msg.ACTIVITY_NOBODY_ABOVE
    path = package.write_package(facts, package.package_path(home, row, facts))
    row.package_path = path.relative_to(home.paths.data).as_posix()
    note = msg.ACTIVITY_PACKAGE_NOTE.format(
        place=facts.region, kind=facts.kind, topic=facts.topic, ref=facts.ref, role=facts.role,
        responsible=facts.responsible, participants=len(facts.attendees), images=facts.images,
        videos=facts.videos)
    for admin in admins:
        turn.send(Target.contact(admin.id), TextOut(note), purpose="report", ref=facts.ref)
        turn.send(Target.contact(admin.id), FileOut(str(path), path.name), purpose="report",
                  ref=facts.ref)
    turn.record(ev.ACTIVITY_PACKAGE, ref=facts.ref, group_id=row.group_id, detail={
        "file": row.package_path, "size": path.stat().st_size,
        "sha256": sha256_of(path), "to": [a.id for a in admins]})
    return msg.ACTIVITY_SENT_UP.format(region=home.regions[admins[0].region].name,
                                       names="、".join(a.name for a in admins))


def handle_checkin(turn: Turn, _args: str) -> None:
    if turn.group is None:
        turn.reply(msg.ACTIVITY_IN_GROUP_ONLY)
        return
    row = sessions.current(turn.session, turn.home, turn.group.id)
    if row is None:
        turn.reply(msg.ACTIVITY_NONE_OPEN, mentions=_mention(turn))
        return
    if not sessions.check_in(turn.session, row, turn.sender, turn.now, account=turn.account,
                             name=turn.inbound.sender_name, group_id=turn.group.id):
        turn.reply(msg.CHECKIN_AGAIN.format(topic=row.topic), mentions=_mention(turn))
        return
    turn.reply(msg.CHECKIN_DONE.format(topic=row.topic,
                                       number=sessions.participants(turn.session, row.id)),
               mentions=_mention(turn))
