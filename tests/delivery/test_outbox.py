"""The outbox's own operations on SQLite and PostgreSQL: idempotent enqueue, claim order, leases,
concurrent claimers, and the end states of an attempt."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from bot.clock import ManualClock, naive_utc
from bot.core.messages import LinkOut, Sent, Target, TextOut, payload_from_json
from bot.db.engine import make_engine, session_factory, upgrade
from bot.db.schema import OutboxRow
from bot.delivery import outbox
from bot.delivery.outbox import Outgoing

from .support import ACCOUNT, T0, push, queue, row, rows


def reply(key: str, contact: str = "wxid_tech_1") -> Outgoing:
    return Outgoing(key, ACCOUNT, Target.contact(contact), TextOut("好的"), "reply")


def claim(engine: Engine, clock: ManualClock, limit: int = 10, worker: str = "w1",
          **kwargs: Any) -> list[str]:
    with session_factory(engine).begin() as session:
        claimed = outbox.claim(session, ACCOUNT, clock.now(), limit, worker, **kwargs)
        return [r.key for r in claimed]


def test_enqueue_same_key_twice_is_a_no_op(engine: Engine) -> None:
    """A key already queued is skipped, whatever the second message says."""
    clock = ManualClock(T0)
    assert queue(engine, clock, push("k1")) == 1
    clock.advance(60)
    assert queue(engine, clock, push("k1", payload=TextOut("别的内容")), push("k2")) == 1
    stored = rows(engine)
    assert [r.key for r in stored] == ["k1", "k2"]
    assert payload_from_json(stored[0].payload) == TextOut("课程 k1")
    assert stored[0].created_at == naive_utc(T0)


def test_claim_takes_due_rows_by_priority_then_age(engine: Engine) -> None:
    """Interactive rows go before bulk ones, older before newer; future and foreign rows stay."""
    clock = ManualClock(T0)
    queue(engine, clock, push("bulk-old"))
    clock.advance(10)
    queue(engine, clock, push("bulk-new"), reply("reply-1"), reply("reply-2"))
    queue(engine, clock, Outgoing("other-account", "someone-else", Target.contact("x"),
                                  TextOut("x"), "reply"))
    with session_factory(engine).begin() as session:
        later = session.get(OutboxRow, row(engine, "bulk-new").id)
        assert later is not None
        later.next_attempt_at = naive_utc(clock.now() + timedelta(seconds=5))
    assert claim(engine, clock, limit=3) == ["reply-1", "reply-2", "bulk-old"]
    claimed = row(engine, "reply-1")
    assert (claimed.status, claimed.claimed_by) == ("sending", "w1")
    assert claimed.claimed_at == naive_utc(clock.now())
    assert claim(engine, clock) == []  # claimed rows are not handed out again; bulk-new not due
    clock.advance(5)
    assert claim(engine, clock) == ["bulk-new"]
    assert row(engine, "other-account").status == "pending"


def test_claim_can_be_limited_to_groups_and_purposes(engine: Engine) -> None:
    """A claim for a robot's groups takes only pushes to those groups."""
    clock = ManualClock(T0)
    queue(engine, clock, reply("r"), push("p-nongan"), push("p-senior", group="jilin-senior"),
          Outgoing("w-senior", ACCOUNT, Target.group("jilin-senior"), TextOut("欢迎"), "welcome"))
    assert claim(engine, clock, groups=["jilin-senior"], purposes=["push"]) == ["p-senior"]


def test_stale_claim_is_taken_again_and_logged(engine: Engine,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """A row left sending by a dead process comes back after the lease, named as maybe sent."""
    clock = ManualClock(T0)
    queue(engine, clock, push("in-flight"), push("waiting"))
    assert claim(engine, clock, limit=1, worker="crashed") == ["in-flight"]
    clock.advance(outbox.CLAIM_LEASE - timedelta(seconds=1))
    assert claim(engine, clock, limit=1, worker="w2") == ["waiting"]
    assert "possibly sent twice" not in caplog.text
    clock.advance(2)
    with caplog.at_level(logging.WARNING, logger="bot.delivery.outbox"):
        assert claim(engine, clock, worker="w2") == ["in-flight"]
    assert "possibly sent twice: in-flight" in caplog.text
    assert row(engine, "in-flight").claimed_by == "w2"


@pytest.mark.postgres
def test_concurrent_claimers_never_share_a_row(pg_url: str) -> None:
    """Two connections claiming at once on PostgreSQL get disjoint rows (SKIP LOCKED)."""
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        clock = ManualClock(T0)
        queue(engine, clock, *(push(f"k{i:02d}") for i in range(10)))
        sessions = session_factory(engine)
        first, second = sessions(), sessions()
        try:
            a = outbox.claim(first, ACCOUNT, clock.now(), 4, "a")
            # without SKIP LOCKED this would wait on the first transaction's locks: fail instead
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            b = outbox.claim(second, ACCOUNT, clock.now(), 4, "b")
            a_keys, b_keys = {r.key for r in a}, {r.key for r in b}
            first.commit()
            second.commit()
        finally:
            first.close()
            second.close()
        assert len(a_keys) == len(b_keys) == 4
        assert not a_keys & b_keys
        assert {r.key: r.claimed_by for r in rows(engine) if r.status == "sending"} == {
            **dict.fromkeys(a_keys, "a"), **dict.fromkeys(b_keys, "b")}
    finally:
        engine.dispose()


def test_backoff_doubles_with_bounded_jitter() -> None:
    """Each failure doubles the wait from the base, give or take a quarter, up to a cap."""
    rng = random.Random(3)
    for attempts in range(1, 8):
        nominal = 30 * 2 ** (attempts - 1)
        waits = [outbox.backoff_seconds(attempts, 30, rng) for _ in range(50)]
        assert all(0.75 * nominal <= w <= 1.25 * nominal for w in waits)
        assert max(waits) - min(waits) > 0.1 * nominal  # the jitter is real
    assert outbox.backoff_seconds(40, 30, rng) <= 1.25 * outbox.MAX_BACKOFF_SECONDS


def test_attempt_end_states(engine: Engine) -> None:
    """complete, retry, fall_back and dead leave each row in the state the sender relies on."""
    clock = ManualClock(T0)
    queue(engine, clock, push("ok"), push("again"), push("link"), push("gone"))
    claim(engine, clock)
    now = clock.now()
    link = LinkOut("课程", "https://example.org/c1")
    with session_factory(engine).begin() as session:
        by_key = {r.key: r for r in session.scalars(select(OutboxRow))}
        outbox.complete(by_key["ok"], now=now, sent=Sent("m-1"))
        delay = outbox.retry(by_key["again"], now=now, error="timeout", base_backoff_seconds=30,
                             rng=random.Random(1))
        outbox.retry(by_key["gone"], now=now, error="x", base_backoff_seconds=30,
                     rng=random.Random(1), count=False)
        outbox.dead(by_key["gone"], now=now, error="refused")
        outbox.fall_back(by_key["link"], now=now, payload=link, error="too big")
    ok, again, fell, gone = (row(engine, k) for k in ("ok", "again", "link", "gone"))
    assert (ok.status, ok.attempts, ok.message_id, ok.sent_at) == ("sent", 1, "m-1",
                                                                    naive_utc(now))
    assert (again.status, again.attempts, again.last_error) == ("pending", 1, "timeout")
    assert 22.5 <= delay <= 37.5
    assert again.next_attempt_at == naive_utc(now + timedelta(seconds=delay))
    assert (fell.status, fell.attempts, payload_from_json(fell.payload)) == ("pending", 0, link)
    assert (gone.status, gone.attempts, gone.last_error) == ("dead", 1, "refused")
    assert claim(engine, clock) == ["link"]  # the fallback is due at once; the retry is not

