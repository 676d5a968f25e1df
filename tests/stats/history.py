"""A known event history for the statistics tests, and its expected figures.

:func:`generate` writes a seeded history through the real producers' event shapes
(bot/core/events.py) and training functions, and keeps its own record of everything it wrote.
:func:`expected` computes the report's figures from those records alone, with plain Python,
never with bot.stats' rollup or report code.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot import eventlog
from bot.activities import sessions as training
from bot.config import Home
from bot.db.engine import session_factory
from bot.eventlog import NewEvent

ZONE = ZoneInfo("Asia/Shanghai")
START = date(2026, 3, 2)  # a Monday


@dataclass
class Rec:
    id: int
    kind: str
    group: str | None
    day: date  # local
    ts: datetime  # aware UTC
    actor: str | None = None
    ref: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class History:
    records: list[Rec] = field(default_factory=list)
    sessions: list[tuple[str, date, int]] = field(default_factory=list)  # group, day, people


def _at(day: date, minutes: int) -> datetime:
    """Local time ``minutes`` after local midnight of ``day`` (may pass midnight), as UTC."""
    return (datetime.combine(day, time(), ZONE) + timedelta(minutes=minutes)).astimezone(UTC)


def generate(engine: Engine, home: Home, *, seed: int = 7, days: int = 10,
             groups: list[str] | None = None) -> History:
    rng = random.Random(seed)
    late = random.Random(seed + 1)  # its own draws: the rest of the history stays as it was
    chosen = groups or sorted(home.groups)
    experts = sorted(home.experts)
    items = sorted(home.items)
    plan: list[tuple[datetime, str, dict[str, Any]]] = []  # (ts, action, args)
    qn = 0
    for g in chosen:
        members = [f"wxid_{g}_{i}" for i in range(rng.randint(6, 14))]
        plan += [(_at(START, 8 * 60 + i), "event", dict(kind="join", group=g, actor=m))
                 for i, m in enumerate(members)]
        for d in range(days):
            day = START + timedelta(days=d)
            for _ in range(rng.randint(0, 2)):
                newcomer = f"wxid_{g}_n{d}_{rng.randint(0, 99)}"
                members.append(newcomer)
                plan.append((_at(day, rng.randint(480, 1200)), "event",
                             dict(kind="join", group=g, actor=newcomer)))
            if rng.random() < 0.3 and len(members) > 3:
                plan.append((_at(day, rng.randint(500, 1300)), "event",
                             dict(kind="leave", group=g, actor=rng.choice(members))))
            for _ in range(rng.randint(0, 6)):
                # spread over the whole local day, midnight edges included
                minute = rng.choice([5, 30, rng.randint(0, 1439), 1430, 1439])
                plan.append((_at(day, minute), "event",
                             dict(kind=rng.choice(["message", "message", "command"]), group=g,
                                  actor=rng.choice(members))))
                if late.random() < 0.1:  # a reply that waited past its use, dropped
                    plan.append((_at(day, min(1439, minute + 20)), "event",
                                 dict(kind="reply_stale", group=g, ref=f"msg:{late.random()}",
                                      detail={"purpose": "reply", "waited_seconds": 1200})))
            for _ in range(rng.randint(0, 2)):
                outcome = rng.choice(["push_sent", "push_sent", "push_failed", "push_skipped"])
                detail: dict[str, Any] = {"key": f"k{rng.random()}", "schedule": "s"}
                if outcome == "push_sent":
                    detail["members"] = rng.randint(5, 40)
                plan.append((_at(day, rng.randint(420, 1000)), "event",
                             dict(kind=outcome, group=g, ref=rng.choice(items[:6]),
                                  detail=detail)))
            for _ in range(rng.randint(0, 2)):
                qn += 1
                ref = f"Q-{qn:04d}"
                asked = _at(day, rng.randint(360, 1430))
                routed = rng.sample(experts, 2)
                deadline = asked + timedelta(hours=2)
                plan.append((asked, "event", dict(
                    kind="question", group=g, actor=rng.choice(members), ref=ref,
                    detail={"industry": "x", "text": "?", "experts": routed,
                            "deadline": deadline.isoformat()})))
                if rng.random() < 0.7:
                    delay = rng.choice([rng.randint(60, 7000), rng.randint(7300, 40000)])
                    answerer = rng.choice(routed)
                    plan.append((asked + timedelta(seconds=delay), "event", dict(
                        kind="answer", group=g, actor=answerer, ref=ref,
                        detail={"text": "a", "first": True, "response_seconds": delay})))
                    if rng.random() < 0.3:
                        other = rng.choice(experts)
                        plan.append((asked + timedelta(seconds=delay + 600), "event", dict(
                            kind="answer", group=g, actor=other, ref=ref,
                            detail={"text": "b", "first": False,
                                    "response_seconds": delay + 600})))
                    if rng.random() < 0.5:
                        plan.append((asked + timedelta(seconds=delay + 900), "event", dict(
                            kind="closed", group=g, actor=members[0], ref=ref)))
                elif rng.random() < 0.6:
                    plan.append((asked + timedelta(hours=3), "event", dict(
                        kind="escalation", group=g, ref=ref,
                        detail={"from_tier": "junior", "to_tier": "intermediate",
                                "experts": [rng.choice(experts)]})))
            if rng.random() < 0.15:
                opened = _at(day, rng.randint(540, 900))
                unique = sorted(set(members))
                people = rng.sample(unique, rng.randint(1, len(unique)))
                plan.append((opened, "training", dict(group=g, topic=f"培训{d}", people=people)))
    plan += _opens_and_quizzes(random.Random(seed + 1), plan)
    plan.sort(key=lambda p: p[0])
    return _write(engine, home, plan)


def _opens_and_quizzes(rng: random.Random, plan: list[tuple[datetime, str, dict[str, Any]]]
                       ) -> list[tuple[datetime, str, dict[str, Any]]]:
    """Opens of pushed links (some the next day, as forwards are), and quiz questions with
    answers, drawn from their own generator so the rest of the history stays as it was."""
    extra: list[tuple[datetime, str, dict[str, Any]]] = []
    rounds = 0
    for ts, action, args in list(plan):
        if action != "event":
            continue
        if args["kind"] == "push_sent":
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                extra.append((ts + timedelta(minutes=rng.randint(1, 2000)), "event", dict(
                    kind="link_open", group=args["group"], ref=args["ref"],
                    detail={"code": f"c{rng.random()}", "key": args["detail"]["key"]})))
        elif args["kind"] == "message" and rng.random() < 0.15:
            rounds += 1
            ref = f"QZ-{rounds:04d}"
            extra.append((ts, "event", dict(kind="quiz_asked", group=args["group"], ref=ref,
                                            detail={"bank": "b", "question": "q", "seq": 1,
                                                    "of": 1})))
            for i in range(rng.randint(0, 4)):
                right = rng.random() < 0.6
                extra.append((ts + timedelta(minutes=1 + i), "event", dict(
                    kind="quiz_right" if right else "quiz_wrong", group=args["group"],
                    actor=f"wxid_quiz_{i}", ref=ref, detail={"choice": "A" if right else "B"})))
    return extra


def _write(engine: Engine, home: Home, plan: list[tuple[datetime, str, dict[str, Any]]]) -> History:
    history = History()
    sessions = session_factory(engine)
    pending: list[tuple[datetime, dict[str, Any]]] = []

    def flush() -> None:
        if not pending:
            return
        with sessions.begin() as s:
            rows = eventlog.append(s, [NewEvent(
                kind=a["kind"], ts=ts, account="jilin-kexie", group_id=a["group"],
                actor=a.get("actor"), ref=a.get("ref"), detail=a.get("detail", {}))
                for ts, a in pending])
            for row, (ts, a) in zip(rows, pending, strict=True):
                history.records.append(Rec(row.id, a["kind"], a["group"],
                                           ts.astimezone(ZONE).date(), ts, a.get("actor"),
                                           a.get("ref"), a.get("detail", {})))
        pending.clear()

    for ts, action, args in plan:
        if action == "event":
            pending.append((ts, args))
            if len(pending) >= 400:
                flush()
            continue
        flush()
        with sessions.begin() as s:
            row = training.open_session(s, home, args["group"], args["topic"], ts, actor="admin",
                                        account="jilin-kexie")
            assert row is not None
            day = ts.astimezone(ZONE).date()
            history.records.append(Rec(row.open_event_id, "training_open", args["group"], day,
                                       ts, "admin", f"T-{row.id:04d}"))
            for i, person in enumerate(args["people"]):
                at = ts + timedelta(minutes=1 + i)
                assert training.check_in(s, row, person, at, account="jilin-kexie")
                assert not training.check_in(s, row, person, at, account="jilin-kexie")
                history.records.append(Rec(0, "checkin", args["group"],
                                           at.astimezone(ZONE).date(), at, person))
            training.close_session(s, home, args["group"], ts + timedelta(hours=2), actor="admin")
        history.sessions.append((args["group"], day, len(args["people"])))
    flush()
    return history


# --- expected figures, from the records alone ------------------------------------------------


def _median_minutes(values: list[float]) -> float | None:
    return round(statistics.median(values) / 60, 1) if values else None


def expected(history: History, home: Home, first: date, last: date) -> dict[str, dict[str, Any]]:
    """Figures keyed like the report's codes: ``{"group:<id>": {...}, "region:<id>": {...},
    "expert:<id>": {...}, "course:<id>": {...}}``."""
    recs = sorted(history.records, key=lambda r: (r.ts, r.id))
    inside = [r for r in recs if first <= r.day <= last]
    out: dict[str, dict[str, Any]] = {}
    members: dict[str, set[str]] = defaultdict(set)
    for r in recs:
        if r.day > last:
            break
        if r.kind == "join":
            members[r.group or ""].add(r.actor or "")
        elif r.kind == "leave":
            members[r.group or ""].discard(r.actor or "")
    questions: dict[str, dict[str, Any]] = {}
    for r in recs:
        if r.kind == "question":
            questions[r.ref or ""] = {"group": r.group, "day": r.day, "ts": r.ts,
                                      "deadline": datetime.fromisoformat(r.detail["deadline"]),
                                      "answer": None, "escalated": False, "closed": False,
                                      "experts": {e: None for e in r.detail["experts"]}}
        elif r.ref in questions:
            q = questions[r.ref or ""]
            if r.kind == "answer":
                if q["answer"] is None:
                    q["answer"] = (r.ts, r.detail["response_seconds"])
                if q["experts"].get(r.actor) is None:
                    q["experts"][r.actor] = r.detail["response_seconds"]
            elif r.kind == "escalation":
                q["escalated"] = True
                for e in r.detail["experts"]:
                    q["experts"].setdefault(e, None)
            elif r.kind == "closed":
                q["closed"] = True
    cohort = {ref: q for ref, q in questions.items() if first <= q["day"] <= last}

    def group_figures(gs: set[str]) -> dict[str, Any]:
        mine = [r for r in inside if r.group in gs]
        count = lambda *kinds: sum(1 for r in mine if r.kind in kinds)  # noqa: E731
        active = {(r.group, r.day, r.actor) for r in mine
                  if r.kind in ("message", "command", "question", "answer", "checkin")}
        qs = [q for q in cohort.values() if q["group"] in gs]
        answered = [q for q in qs if q["answer"]]
        asked = len(qs)
        return {
            "members_end": sum(len(members[g]) for g in gs),
            "joins": count("join"), "leaves": count("leave"),
            "messages": count("message", "command"), "active_members": len(active),
            "pushes_sent": count("push_sent"), "pushes_failed": count("push_failed"),
            "pushes_skipped": count("push_skipped"), "replies_stale": count("reply_stale"),
            "courses": len({r.ref for r in mine if r.kind == "push_sent"}),
            "questions": asked, "answered": len(answered),
            "answered_in_time": sum(1 for q in answered if q["answer"][0] <= q["deadline"]),
            "escalated": sum(1 for q in qs if q["escalated"]),
            "forwarded": count("question_forwarded"),
            "closed": sum(1 for q in qs if q["closed"]),
            "answer_rate": round(100 * len(answered) / asked, 1) if asked else None,
            "misroute_rate": round(100 * count("question_forwarded") / asked, 1)
            if asked else None,
            "median_response": _median_minutes([q["answer"][1] for q in answered]),
            "checkins": count("checkin"), "sessions": count("training_open"),
            "participants": sum(n for g, d, n in history.sessions
                                if g in gs and first <= d <= last),
            "link_opens": count("link_open"), "open_rate": _percent(
                count("link_open"), count("push_sent")),
            "quiz_questions": count("quiz_asked"),
            "quiz_answers": count("quiz_right", "quiz_wrong"), "quiz_correct": count("quiz_right"),
            "quiz_accuracy": _percent(count("quiz_right"), count("quiz_right", "quiz_wrong")),
        }

    for g in home.groups:
        out[f"group:{g}"] = group_figures({g})
    for region in home.regions:
        below = {r.id for r in home.subtree(region)}
        out[f"region:{region}"] = group_figures(
            {g.id for g in home.groups.values() if g.region in below})
    for expert in home.experts:
        got = [q["experts"][expert] for q in cohort.values() if expert in q["experts"]]
        done = [s for s in got if s is not None]
        out[f"expert:{expert}"] = {"received": len(got), "answered": len(done),
                                   "median_response": _median_minutes(done)}
    reach: dict[str, dict[str, int]] = defaultdict(dict)
    pushes: dict[str, int] = defaultdict(int)
    for r in inside:
        if r.kind == "push_sent":
            best = reach[r.ref or ""].get(r.group or "", 0)
            reach[r.ref or ""][r.group or ""] = max(best, r.detail["members"])
            pushes[r.ref or ""] += 1
    opens: dict[tuple[str, str], int] = defaultdict(int)
    pushed: dict[tuple[str, str], int] = defaultdict(int)
    for r in inside:
        if r.kind == "link_open":
            opens[(r.ref or "", r.group or "")] += 1
        elif r.kind == "push_sent":
            pushed[(r.ref or "", r.group or "")] += 1
    for course in set(reach) | {c for c, _ in opens}:
        by_group = reach.get(course, {})
        opened = sum(n for (c, _), n in opens.items() if c == course)
        out[f"course:{course}"] = {"groups": len(by_group), "members": sum(by_group.values()),
                                   "pushes": pushes[course], "opens": opened,
                                   "open_rate": _percent(opened, pushes[course])}
    for course, group in set(opens) | set(pushed):
        out[f"course:{course}@{group}"] = {
            "pushes": pushed[(course, group)], "opens": opens[(course, group)],
            "open_rate": _percent(opens[(course, group)], pushed[(course, group)])}
    return out


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
