"""A quiz's rounds as rows: which questions a firing asks, when a round opens and closes, and
what a failed send does — on both databases, with the clock moved by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from bot.core import events as kinds
from bot.core.messages import Sent, TextOut
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow, PushPause, QuizRound
from bot.delivery import outbox as box
from bot.quiz import rounds
from bot.schedules.firing import fire
from bot.schedules.loader import load_schedules
from tests.schedules.conftest import events, home_of, local, outbox, payload, push_log, write

GROUPS = "[nongan-junior, jiutai-junior]"


def quiz_file(home_dir: Path, questions: int = 2) -> None:
    write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\n"
        "schedules:\n"
        "  - id: quiz\n"
        f"    targets: {GROUPS}\n"
        "    when: {weekly: {weekdays: [二], time: \"19:30\"}}\n"
        f"    what: {{quiz: fungi-basics, questions: {questions}, window: \"20m\"}}\n"))


def asked(engine: Engine, group: str) -> list[tuple[str, int, bool]]:
    with session_factory(engine)() as session:
        return [(r.question_id, r.seq, r.asked) for r in session.scalars(
            select(QuizRound).where(QuizRound.group_id == group).order_by(QuizRound.id))]


def mark(engine: Engine, key: str, when: object, *, dead: bool = False) -> None:
    """What the sender does when the row's send ends."""
    with session_factory(engine).begin() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.key == key)).one()
        if dead:
            box.dead(row, now=when, error="gone")  # type: ignore[arg-type]
        else:
            box.complete(row, now=when, sent=Sent("m1"))  # type: ignore[arg-type]


def test_firings_ask_the_next_questions_each_group_has_not_had(home_dir: Path,
                                                               engine: Engine) -> None:
    """The first firing asks questions 1–2 (only the first queued now); the next asks 3–4; the
    bank's junior questions used up, the third firing is skipped as exhausted."""
    quiz_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["quiz"]
    at = local(2026, 12, 1, 19, 30)
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, at, at)
    assert result.queued == {"nongan-junior": "quiz:fungi-basics",
                             "jiutai-junior": "quiz:fungi-basics"}
    rows = outbox(engine)
    assert [(r.purpose, r.target_id) for r in rows] == [("quiz", "nongan-junior"),
                                                        ("quiz", "jiutai-junior")]
    text = payload(rows[0])
    assert isinstance(text, TextOut) and "（第 1/2 题）" in text.text and "20 分钟" in text.text
    assert asked(engine, "jiutai-junior") == [("fg-01", 1, True), ("fg-02", 2, False)]
    assert [p.outcome for p in push_log(engine)] == ["queued", "queued"]

    for week in (1, 2):
        later = at + timedelta(days=7 * week)
        with session_factory(engine).begin() as session:
            result = fire(session, home, schedule, later, later)
    assert [q for q, _, _ in asked(engine, "jiutai-junior")] == ["fg-01", "fg-02", "fg-03",
                                                                 "fg-04"]
    assert result.skipped == {"nongan-junior": "exhausted", "jiutai-junior": "exhausted"}
    skipped = events(engine, kinds.PUSH_SKIPPED)
    assert {e.group_id for e in skipped} == {"nongan-junior", "jiutai-junior"}


def test_a_round_runs_from_its_send_and_a_failed_send_ends_the_quiz(home_dir: Path,
                                                                     engine: Engine) -> None:
    """Queued is not open: the window starts at the send. A question that cannot be sent
    closes its quiz without posting anything; a paused group gets no quiz."""
    quiz_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["quiz"]
    at = local(2026, 12, 1, 19, 30)
    with session_factory(engine).begin() as session:
        session.add(PushPause(group_id="nongan-junior", paused_by="admin", paused_at=at))
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, at, at)
    assert result.skipped == {"nongan-junior": "paused"}
    [key] = [r.key for r in outbox(engine)]
    sent_at = at + timedelta(hours=2)  # a long fan-out: sent two hours later
    with session_factory(engine).begin() as session:
        assert rounds.tick(session, home, at + timedelta(hours=1)) == 0
    mark(engine, key, sent_at)
    with session_factory(engine).begin() as session:
        assert rounds.tick(session, home, sent_at + timedelta(minutes=19)) == 0
        assert rounds.tick(session, home, sent_at + timedelta(minutes=20)) == 1
    [_, close, second] = outbox(engine)
    assert close.key.endswith(":close") and "【答案揭晓】第 1/2 题" in payload(close).text  # type: ignore[union-attr]
    assert "本题无人作答" in payload(close).text  # type: ignore[union-attr]
    assert second.key == f"quiz:{key}:2"
    [opened] = events(engine, kinds.QUIZ_ASKED)
    assert opened.group_id == "jiutai-junior"

    mark(engine, second.key, sent_at + timedelta(minutes=21), dead=True)
    with session_factory(engine).begin() as session:
        assert rounds.tick(session, home, sent_at + timedelta(hours=5)) == 0
    assert len(outbox(engine)) == 3  # nothing posted for a question nobody saw
    with session_factory(engine)() as session:
        assert all(r.closed_at is not None for r in session.scalars(select(QuizRound)))
