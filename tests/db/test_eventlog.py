"""The event log's hash chain, on SQLite and PostgreSQL: appends chain, tampering is found."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, update

from bot import eventlog
from bot.cli.main import main
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.eventlog import NewEvent

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def fill(engine: Engine, count: int) -> None:
    Session = session_factory(engine)
    for i in range(count):
        with Session.begin() as session:
            eventlog.append(session, [NewEvent(
                kind="message", ts=T0 + timedelta(minutes=i), account="acct",
                group_id="nongan-junior", actor=f"wxid_{i}", detail={"len": i, "文字": "香菇"},
            )])


def test_appends_chain_and_verify(engine: Engine) -> None:
    """Consecutive appends link each event to the hash of the one before."""
    fill(engine, 5)
    with session_factory(engine)() as session:
        events = session.query(Event).order_by(Event.id).all()
        assert [e.id for e in events] == [1, 2, 3, 4, 5]
        assert events[0].prev_hash == eventlog.GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert eventlog.verify(session) == (5, None)
        assert eventlog.head(session) == (5, events[-1].hash)
        # the stored time reads back exactly, so the hash is reproducible on either database
        assert events[2].ts == datetime(2026, 3, 1, 8, 2)


def test_batch_append_in_one_transaction(engine: Engine) -> None:
    """Several events appended at once still form one chain."""
    with session_factory(engine).begin() as session:
        eventlog.append(session, [NewEvent(kind="join", ts=T0, actor=str(i)) for i in range(3)])
    fill(engine, 2)
    with session_factory(engine)() as session:
        assert eventlog.verify(session) == (5, None)


@pytest.mark.parametrize("change", ["detail", "kind", "ts"])
def test_tampered_event_is_named(engine: Engine, change: str) -> None:
    """Editing any field of event 3 is caught at event 3."""
    fill(engine, 5)
    value = {"detail": '{"len":99}', "kind": "answer", "ts": datetime(2026, 3, 2)}[change]
    with session_factory(engine).begin() as session:
        session.execute(update(Event).where(Event.id == 3).values({change: value}))
    with session_factory(engine)() as session:
        checked, broken = eventlog.verify(session)
    assert checked == 2 and broken is not None and broken.event_id == 3


def test_rehashed_tamper_breaks_the_next_link(engine: Engine) -> None:
    """Recomputing the edited event's own hash does not help: the next event no longer links."""
    fill(engine, 5)
    with session_factory(engine).begin() as session:
        event = session.get(Event, 3)
        assert event is not None
        event.actor = "someone_else"
        event.hash = eventlog.event_hash(event)
    with session_factory(engine)() as session:
        _, broken = eventlog.verify(session)
    assert broken is not None and broken.event_id == 4


def test_deleted_event_is_named(engine: Engine) -> None:
    """A removed event leaves a hole that verify names."""
    fill(engine, 4)
    with session_factory(engine).begin() as session:
        session.execute(delete(Event).where(Event.id == 2))
    with session_factory(engine)() as session:
        _, broken = eventlog.verify(session)
    assert broken is not None and broken.event_id == 2


def test_audit_verify_command(
    engine: Engine, db_url: str, demo_copy: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """``agribot audit verify`` exits 0 on an intact log and 1 naming the first broken event."""
    fill(engine, 3)
    args = ["audit", "verify", "--home", str(demo_copy), "--db", db_url]
    assert main(args) == 0
    assert "3 条事件" in capsys.readouterr().out
    with session_factory(engine).begin() as session:
        session.execute(update(Event).where(Event.id == 2).values(actor="mallory"))
    assert main(args) == 1
    assert "#2" in capsys.readouterr().err


def test_appends_in_one_transaction_reuse_the_head(engine: Engine) -> None:
    """Separate appends in one transaction continue each other's chain."""
    with session_factory(engine).begin() as session:
        for i in range(4):
            eventlog.append(session, [NewEvent(kind="message", ts=T0, actor=str(i))])
    fill(engine, 1)
    with session_factory(engine)() as session:
        assert eventlog.verify(session) == (5, None)


def test_bulk_append_continues_the_same_chain(engine: Engine) -> None:
    """Thousands of events appended in bulk, between ORM appends in one transaction, chain as
    if appended one by one."""
    fill(engine, 2)
    with session_factory(engine).begin() as session:
        eventlog.append(session, [NewEvent(kind="message", ts=T0, actor="before")])
        assert eventlog.append_bulk(session, [
            NewEvent(kind="join", ts=T0, group_id="g", actor=f"m{i}", detail={"initial": True})
            for i in range(12_000)], chunk=5000) == 12_000
        eventlog.append(session, [NewEvent(kind="message", ts=T0, actor="after")])
    with session_factory(engine)() as session:
        assert eventlog.verify(session) == (12_004, None)
        assert eventlog.head(session)[0] == 12_004
