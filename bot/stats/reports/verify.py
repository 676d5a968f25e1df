"""``agribot report verify PATH``: does the log still hold what this report counted?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.db.schema import Event
from bot.stats.reports import stamp


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str


def verify_report(session: Session, path: Path) -> Verdict:
    """The report's stamped event must still have the stamped hash, and the chain up to it
    must be intact (a rewritten chain changes the stamped hash; an edited event breaks it)."""
    covers = stamp.read(path)
    if covers is None:
        return Verdict(False, msg.REPORT_NO_COVERAGE)
    if covers.event_id > 0:
        event = session.get(Event, covers.event_id)
        if event is None:
            return Verdict(False, msg.REPORT_VERIFY_MISSING.format(event_id=covers.event_id))
        if event.hash != covers.event_hash:
            return Verdict(False, msg.REPORT_VERIFY_CHANGED.format(
                event_id=covers.event_id, recorded=covers.event_hash[:16],
                actual=event.hash[:16]))
    checked, broken = eventlog.verify(session)
    if broken is not None and broken.event_id <= covers.event_id:
        return Verdict(False, msg.REPORT_VERIFY_BROKEN.format(event_id=broken.event_id,
                                                              reason=broken.reason))
    return Verdict(True, msg.REPORT_VERIFY_OK.format(event_id=covers.event_id, checked=checked))
