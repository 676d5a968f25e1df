"""Benchmark: a one-year report over 10 million events, from the rollup vs. a plain GROUP BY.

Generates a year of events for the demo home's groups straight into SQLite (executemany in large
batches, the hash chain computed in bulk), folds them into the rollup with the real
``rollup.rebuild``, then times the year's report (``bot.stats.figures.collect``) against the
same figures computed by GROUP BY over the event log, in the same run. The figures must be
equal; the rollup report must take under 1 s and be at least 50× faster.

    .venv/bin/python tests/benchmarks/bench_reports.py
    AGRIBOT_BENCH_EVENTS=1000000 .venv/bin/python tests/benchmarks/bench_reports.py  # quick
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bot.config import load_home  # noqa: E402
from bot.db.engine import make_engine, session_factory, upgrade  # noqa: E402
from bot.eventlog import GENESIS  # noqa: E402
from bot.stats import rollup  # noqa: E402
from bot.stats.figures import collect  # noqa: E402

EVENTS = int(os.environ.get("AGRIBOT_BENCH_EVENTS", "10000000"))
YEAR = 2025
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)
MEMBERS = 300
# kind → share of the stream (messages dominate, as in real groups)
MIX = {"message": 0.875, "command": 0.03, "join": 0.004, "leave": 0.003, "push_sent": 0.008,
       "push_failed": 0.001, "push_skipped": 0.001, "question": 0.01, "answer": 0.01,
       "escalation": 0.002, "closed": 0.005, "checkin": 0.025, "training_open": 0.001}
COMPARED = ("joins", "leaves", "messages", "active_members", "pushes_sent", "pushes_failed",
            "pushes_skipped", "courses", "questions", "checkins", "sessions")


def _dumps(value: dict[str, object]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def generate(db: Path, groups: list[str], items: list[str], experts: list[str]) -> int:
    """Write ``EVENTS`` events over the year; returns how many were written."""
    rng = random.Random(2020)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    kinds, weights = list(MIX), list(MIX.values())
    per_day = EVENTS // 365
    prev, event_id, question_no = GENESIS, 0, 0
    open_questions: list[str] = []
    batch: list[tuple[object, ...]] = []
    plain = {"message": _dumps({"kind": "text", "length": 12}),
             "command": _dumps({"kind": "text", "text": "#课程"})}
    insert = ("INSERT INTO events (id, ts, account, group_id, kind, actor, ref, detail, "
              "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)")
    start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # local midnight, Beijing

    def add(ts: datetime, group: str, kind: str, actor: str | None, ref: str | None,
            detail: str) -> None:
        nonlocal prev, event_id
        event_id += 1
        stamp = ts.strftime("%Y-%m-%d %H:%M:%S.%f")
        body = ('{"account":"jilin-kexie","actor":' + json.dumps(actor, ensure_ascii=False)
                + ',"detail":' + json.dumps(detail, ensure_ascii=False)
                + f',"group":"{group}","id":{event_id},"kind":"{kind}","ref":'
                + json.dumps(ref, ensure_ascii=False) + f',"ts":"{stamp.replace(" ", "T")}"' + "}")
        digest = hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()
        batch.append((event_id, stamp, "jilin-kexie", group, kind, actor, ref, detail, prev,
                      digest))
        prev = digest
        if len(batch) >= 100_000:
            conn.executemany(insert, batch)
            conn.commit()
            batch.clear()

    for i, group in enumerate(groups):  # everyone joins on New Year's morning
        for m in range(MEMBERS):
            add(start + timedelta(hours=8, seconds=i * MEMBERS + m), group, "join",
                f"u{group}{m}", None, "{}")
    for day in range(365):
        base = start + timedelta(days=day)
        offsets = sorted(rng.randrange(86_400_000_000) for _ in range(per_day))
        for offset, kind in zip(offsets, rng.choices(kinds, weights, k=per_day), strict=True):
            ts = base + timedelta(microseconds=offset)
            group = groups[rng.randrange(len(groups))]
            actor: str | None = f"u{group}{rng.randrange(MEMBERS + 50)}"
            ref: str | None = None
            detail = plain.get(kind, "{}")
            if kind.startswith("push"):
                ref, actor = items[rng.randrange(len(items))], None
                if kind == "push_sent":
                    detail = _dumps({"key": f"k{event_id}", "members": MEMBERS, "schedule": "s"})
            elif kind == "question":
                question_no += 1
                ref = f"Q-{question_no}"
                open_questions.append(ref)
                deadline = (ts + timedelta(hours=2)).isoformat()
                detail = _dumps({"deadline": deadline, "experts": rng.sample(experts, 2),
                                 "industry": "x", "text": "?"})
            elif kind in ("answer", "escalation", "closed"):
                if not open_questions:
                    continue
                ref = open_questions[-1 - rng.randrange(min(20, len(open_questions)))]
                if kind == "answer":
                    actor = experts[rng.randrange(len(experts))]
                    detail = _dumps({"first": True, "response_seconds": rng.randrange(60, 20000),
                                     "text": "a"})
                elif kind == "escalation":
                    actor, detail = None, _dumps({"experts": [experts[0]]})
            elif kind == "training_open":
                ref = f"T-{event_id}"
            add(ts, group, kind, actor, ref, detail)
    conn.executemany(insert, batch)
    conn.commit()
    conn.close()
    return event_id


def group_by(db: Path, regions: dict[str, set[str]]) -> dict[str, dict[str, int]]:
    """The same figures straight from the event log, by plain GROUP BY queries."""
    start = f"{FIRST - timedelta(days=1)} 16:00:00"  # Beijing midnight in UTC
    end = f"{LAST} 16:00:00"
    conn = sqlite3.connect(db)
    per_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    named = {"join": "joins", "leave": "leaves", "message": "messages", "command": "messages",
             "push_sent": "pushes_sent", "push_failed": "pushes_failed",
             "push_skipped": "pushes_skipped", "question": "questions", "checkin": "checkins",
             "training_open": "sessions"}
    for group, kind, count in conn.execute(
            "SELECT group_id, kind, count(*) FROM events WHERE ts >= ? AND ts < ? "
            "GROUP BY group_id, kind", (start, end)):
        if kind in named:
            per_group[group][named[kind]] += count
    for group, count in conn.execute(
            "SELECT group_id, count(*) FROM (SELECT DISTINCT group_id, date(ts, '+8 hours'), "
            "actor FROM events WHERE ts >= ? AND ts < ? AND kind IN "
            "('message','command','question','answer','checkin')) GROUP BY group_id",
            (start, end)):
        per_group[group]["active_members"] = count
    per_region: dict[str, dict[str, int]] = {}
    pairs = conn.execute("SELECT DISTINCT group_id, ref FROM events WHERE kind = 'push_sent' "
                         "AND ts >= ? AND ts < ?", (start, end)).fetchall()
    for region, groups in regions.items():
        per_region[region] = {k: sum(per_group[g][k] for g in groups) for k in COMPARED}
        per_region[region]["courses"] = len({ref for g, ref in pairs if g in groups})
    conn.close()
    return per_region


def main() -> int:
    home = load_home(REPO)
    groups = sorted(home.groups)
    regions = {r: {g.id for g in home.groups.values()
                   if g.region in {x.id for x in home.subtree(r)}} for r in home.regions}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        engine = make_engine(f"sqlite:///{db}")
        upgrade(engine)
        t0 = time.perf_counter()
        written = generate(db, groups, sorted(home.items), sorted(home.experts))
        print(f"generated {written:,} events in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        folded = rollup.rebuild(session_factory(engine), home)
        print(f"rollup rebuilt from the log: {folded:,} events in {time.perf_counter() - t0:.1f} s")

        timings = []
        for _ in range(3):
            with session_factory(engine)() as session:
                t0 = time.perf_counter()
                report = collect(session, home, FIRST, LAST)
                timings.append(time.perf_counter() - t0)
        from_rollup = min(timings)
        t0 = time.perf_counter()
        baseline = group_by(db, regions)
        from_log = time.perf_counter() - t0
        engine.dispose()

    mismatches = [(row.key, k, row.values[k], baseline[row.key.split(":")[1]][k])
                  for row in report.regions for k in COMPARED
                  if row.values[k] != baseline[row.key.split(":")[1]][k]]
    total = report.total().values
    print(f"year {YEAR}: {total['messages']:,} messages, {total['questions']:,} questions, "
          f"{total['active_members']:,} active person-days over {len(report.regions)} regions")
    print(f"report from the rollup: {from_rollup * 1000:.0f} ms (best of 3)")
    print(f"baseline GROUP BY over the event log: {from_log * 1000:.0f} ms")
    print(f"ratio: {from_log / from_rollup:.0f}x faster; figures equal: {not mismatches}")
    if mismatches:
        print("MISMATCH", mismatches[:10])
        return 1
    if from_rollup >= 1.0 or from_log / from_rollup < 50:
        print("FAIL: the rollup report must take < 1 s and be >= 50x faster")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
