"""The catalog of figures: every figure of a group or region row, declared once.

A figure is one column of the reports' group and region tables. Its :class:`Figure` says
everything the rest of the code needs, and nothing else declares it again:

- ``code``: the name in CSV lines and ``report explain`` codes (``region:nongan.questions``),
  and, for a stored figure, the column of ``daily_group_stats`` (``bot.db.schema`` builds the
  table's figure columns from this catalog);
- ``header``: the Chinese column header (CSV 指标名称, XLSX); ``summary``: its shorter header in
  the Markdown summary, or ``None`` to leave it out there;
- ``counted``: how the rollup (``bot.stats.fold``) counts it and how a period reads it
  (``bot.stats.figures``) — see :class:`Counted`;
- ``kinds``: the event kinds that count (from ``bot.core.events``); ``outcome``: for a question
  figure, the ``stats_questions`` event column (and flag) that must hold; ``ratio``: for a rate,
  the two figures it divides;
- how ``report explain`` traces it follows from those (``Figure.trace``), with ``note`` beside
  the event ids; ``old_codes``: earlier spellings that explain still accepts.

Adding a figure (the common case: count the events of some kinds per group per day)
-----------------------------------------------------------------------------------
1. Add one line to ``FIGURES`` below, where its column should appear in the reports::

       Figure("pushes_retried", "推送重试", Counted.EVENTS, kinds=frozenset({ev.PUSH_RETRIED})),

   (``summary="重试"`` also shows it in the Markdown summary; a question figure is
   ``Counted.QUESTIONS`` with ``outcome=Outcome("<event id column of stats_questions>")``.)
   A percentage of two figures needs no column and no migration, only its line:
   ``Figure("retry_rate", "重试率(%)", Counted.RATE, ratio=("pushes_retried", "pushes_sent"))``.
2. Add a migration in ``bot/db/migrations/versions/`` that adds its column, after the newest
   migration of the ``stats`` branch (see ``0006_stats_figures.py``)::

       op.add_column("daily_group_stats",
                     sa.Column("pushes_retried", sa.Integer, nullable=False, server_default="0"))

3. Nothing else: the rollup counts it, every report format shows it, ``explain`` traces it, and
   ``tests/stats/test_catalog.py`` checks the table and the catalog agree. Days folded before the
   migration read 0 until ``agribot stats rebuild`` folds the log again.

A figure computed from a side table rather than the rollup (``Counted.COMPUTED``) also needs its
computation in ``bot.stats.figures``; a report without a value for it fails loudly.

This module imports nothing above ``bot.core``: the database schema reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from bot.core import events as ev


class Counted(Enum):
    """How a figure is counted. EVENTS, ACTORS, QUESTIONS and MEMBERS are columns of the daily
    rollup; the others are worked out when a report is made."""

    EVENTS = "events"  # +1 per event of `kinds`; a period sums its days
    ACTORS = "actors"  # +1 per distinct actor of `kinds` per day (person-days); summed
    QUESTIONS = "questions"  # +1 when `outcome` first holds, on the day asked (a cohort); summed
    MEMBERS = "members"  # members at the end of the day; a period shows its last day's
    COMPUTED = "computed"  # not in the rollup: bot.stats.figures computes it from side tables
    TRAINING = "training"  # computed from training sessions and their check-ins
    RATE = "rate"  # 100 × `ratio`'s first figure / its second, one decimal; "—" when 0 / 0


SUMMED = frozenset({Counted.EVENTS, Counted.ACTORS, Counted.QUESTIONS})


@dataclass(frozen=True)
class Outcome:
    """A question's outcome: ``column`` (an event id of ``stats_questions``) is set, and
    ``flag`` (a boolean column of it), if given, is true."""

    column: str
    flag: str | None = None

    def holds(self, row: dict[str, object]) -> bool:
        return row.get(self.column) is not None and (self.flag is None or bool(row[self.flag]))


class Trace(Enum):
    """Which events ``report explain`` lists for a figure."""

    EVENTS = "events"  # the group's events of `kinds` in the period
    QUESTIONS = "questions"  # the `outcome` event of each question asked in the period
    MEMBERSHIP = "membership"  # every join/leave/present up to the period's end
    CHECKINS = "checkins"  # the check-ins of sessions opened in the period


@dataclass(frozen=True)
class Figure:
    """One figure of a group or region row (the module docstring says what each field is)."""

    code: str
    header: str
    counted: Counted
    kinds: frozenset[str] = field(default_factory=frozenset)
    outcome: Outcome | None = None
    ratio: tuple[str, str] | None = None  # RATE: (numerator, denominator), codes of this row
    summary: str | None = None
    note: str = ""
    old_codes: tuple[str, ...] = ()  # spellings printed by earlier reports, still explained

    @property
    def stored(self) -> bool:
        """Whether the daily rollup keeps it in a column named ``code``."""
        return self.counted not in (Counted.COMPUTED, Counted.TRAINING, Counted.RATE)

    @property
    def summed(self) -> bool:
        return self.counted in SUMMED

    @property
    def traced_as(self) -> Figure:
        """The figure whose events explain lists for this one: a rate shows its numerator's."""
        return BY_CODE[self.ratio[0]] if self.ratio is not None else self

    @property
    def trace(self) -> Trace:
        if self.outcome is not None:
            return Trace.QUESTIONS
        if self.counted is Counted.MEMBERS:
            return Trace.MEMBERSHIP
        if self.counted is Counted.TRAINING:
            return Trace.CHECKINS
        return Trace.EVENTS


_ANSWERED = Outcome("answer_event_id")

# In report order. "messages" counts every chat line the router saw, commands included;
# "active_members" is anyone who spoke, asked, answered or checked in that day.
FIGURES: tuple[Figure, ...] = (
    Figure("members_end", "期末成员数", Counted.MEMBERS, ev.MEMBERSHIP, summary="成员",
           note="截至期末的全部入群、退群事件（含首次绑定时已在群里的成员）"),
    Figure("joins", "入群", Counted.EVENTS, frozenset({ev.JOIN})),
    Figure("leaves", "退群", Counted.EVENTS, frozenset({ev.LEAVE})),
    Figure("messages", "消息数", Counted.EVENTS, frozenset({ev.MESSAGE, ev.COMMAND}),
           summary="消息"),
    Figure("active_members", "活跃人次", Counted.ACTORS,
           frozenset({ev.MESSAGE, ev.COMMAND, ev.QUESTION, ev.ANSWER, ev.CHECKIN}),
           summary="活跃人次", old_codes=("active",)),
    Figure("pushes_sent", "推送成功", Counted.EVENTS, frozenset({ev.PUSH_SENT}), summary="推送"),
    Figure("pushes_failed", "推送失败", Counted.EVENTS, frozenset({ev.PUSH_FAILED})),
    Figure("pushes_skipped", "推送跳过", Counted.EVENTS, frozenset({ev.PUSH_SKIPPED})),
    Figure("courses", "推送课程数", Counted.COMPUTED, frozenset({ev.PUSH_SENT})),
    Figure("questions", "提问数", Counted.QUESTIONS, outcome=Outcome("question_event_id"),
           summary="提问"),
    Figure("answered", "已回答", Counted.QUESTIONS, outcome=_ANSWERED, summary="已答"),
    Figure("answered_in_time", "按时回答", Counted.QUESTIONS,
           outcome=Outcome("answer_event_id", "in_time")),
    Figure("escalated", "升级转办", Counted.QUESTIONS, outcome=Outcome("escalation_event_id")),
    # a question an expert passed on with #转 because it reached the wrong industry or person:
    # counted on the day of the #转, in the group the question was asked in
    Figure("forwarded", "专家转走(#转)", Counted.EVENTS, frozenset({ev.QUESTION_FORWARDED}),
           note="专家用 #转 把分错的问题转给别的产业或专家"),
    Figure("closed", "已解决", Counted.QUESTIONS, outcome=Outcome("closed_event_id")),
    Figure("answer_rate", "回答率(%)", Counted.RATE, ratio=("answered", "questions"),
           summary="回答率%",
           note="回答率 = 已回答 / 提问数；此处列出已回答问题的首次回答事件"),
    Figure("misroute_rate", "分错率(%)", Counted.RATE, ratio=("forwarded", "questions"),
           summary="分错率%",
           note="分错率 = 专家转走(#转) / 提问数；此处列出 #转 事件"),
    Figure("median_response", "首次响应中位数(分钟)", Counted.COMPUTED, outcome=_ANSWERED,
           summary="响应中位(分)"),
    Figure("checkins", "签到人次", Counted.EVENTS, frozenset({ev.CHECKIN})),
    Figure("sessions", "培训场次", Counted.EVENTS, frozenset({ev.TRAINING_OPEN}), summary="培训"),
    Figure("participants", "培训人数", Counted.TRAINING, summary="培训人数"),
    # tracked links (bot/links): an open counts for the group the link was pushed to
    Figure("link_opens", "链接打开次数", Counted.EVENTS, frozenset({ev.LINK_OPEN}), summary="打开",
           note="推送链接的打开事件（不记打开人；转发到群外的打开算作原推送群）"),
    Figure("open_rate", "打开率(打开/推送,%)", Counted.RATE, ratio=("link_opens", "pushes_sent"),
           summary="打开率%", note="打开率 = 链接打开次数 / 推送成功次数；此处列出打开事件"),
    # knowledge quizzes (bot/quiz): a question counts when its message went out; an answer is
    # a member's first one to a question
    Figure("quiz_questions", "竞赛题数", Counted.EVENTS, frozenset({ev.QUIZ_ASKED})),
    Figure("quiz_answers", "答题人次", Counted.EVENTS, ev.QUIZ_ANSWERS, summary="答题人次"),
    Figure("quiz_correct", "答对人次", Counted.EVENTS, frozenset({ev.QUIZ_RIGHT})),
    Figure("quiz_accuracy", "答题正确率(%)", Counted.RATE, ratio=("quiz_correct", "quiz_answers"),
           summary="正确率%", note="正确率 = 答对人次 / 答题人次；此处列出答对的答题事件"),
    # the send budget (bot/delivery/fairness.py): replies that waited past their use, dropped
    Figure("replies_stale", "过时未发的回复", Counted.EVENTS, frozenset({ev.REPLY_STALE}),
           summary="过时回复"),
)

BY_CODE: dict[str, Figure] = {f.code: f for f in FIGURES}
HEADERS: dict[str, str] = {f.code: f.header for f in FIGURES}  # every figure, in report order
STORED: tuple[Figure, ...] = tuple(f for f in FIGURES if f.stored)  # daily_group_stats columns
SUMMED_FIGURES: tuple[Figure, ...] = tuple(f for f in FIGURES if f.summed)
# kind -> the EVENTS figures it adds one to
COUNTED_BY_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(f.code for f in FIGURES if f.counted is Counted.EVENTS and kind in f.kinds)
    for kind in sorted({k for f in FIGURES if f.counted is Counted.EVENTS for k in f.kinds})}
RATES: tuple[Figure, ...] = tuple(f for f in FIGURES if f.counted is Counted.RATE)
# (code, outcome) of each QUESTIONS figure
QUESTION_OUTCOMES: tuple[tuple[str, Outcome], ...] = tuple(
    (f.code, f.outcome) for f in FIGURES if f.counted is Counted.QUESTIONS and f.outcome)


def _check() -> None:
    """A catalog line that could not be counted or traced fails at import, not in a report."""
    problems = []
    if len(BY_CODE) != len(FIGURES):
        problems.append("two figures share a code")
    for f in FIGURES:
        if f.counted in (Counted.EVENTS, Counted.ACTORS, Counted.MEMBERS) and not f.kinds:
            problems.append(f"{f.code}: {f.counted.name} needs the event kinds that count")
        if f.counted is Counted.QUESTIONS and f.outcome is None:
            problems.append(f"{f.code}: QUESTIONS needs an outcome")
        if f.counted is Counted.RATE and not (
                f.ratio and all(c in BY_CODE and BY_CODE[c].counted is not Counted.RATE
                                for c in f.ratio)):
            problems.append(f"{f.code}: RATE needs a ratio of two other figures that are not rates")
        elif f.ratio is None and f.trace is Trace.EVENTS and not f.kinds:
            problems.append(f"{f.code}: explain needs kinds or an outcome to trace it by")
    if problems:
        raise ValueError("bot.stats.catalog: " + "; ".join(problems))


_check()


def _the_one(counted: Counted) -> Figure:
    # The rollup's side tables remember one set of members per group and one set of active
    # people per group and day; a second such figure needs its own side table first.
    found = [f for f in FIGURES if f.counted is counted]
    if len(found) != 1:
        raise ValueError(f"the catalog needs exactly one {counted.name} figure, has {len(found)}")
    return found[0]


MEMBERS: Figure = _the_one(Counted.MEMBERS)
ACTIVE: Figure = _the_one(Counted.ACTORS)


def lookup(code: str) -> Figure | None:
    """The figure a code names, old spellings included (reports already handed out)."""
    found = BY_CODE.get(code)
    if found is None:
        found = next((f for f in FIGURES if code in f.old_codes), None)
    return found
