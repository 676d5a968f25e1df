"""``agribot report verify PATH``: does the log still hold what this report counted?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.stats.reports import stamp


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str


def verify_report(session: Session, path: Path) -> Verdict:
    """The report's stamp is an anchor: the log must still hold that many events ending in the
    stamped hash (deleting the newest events or rewriting the chain fails here, saying how many
    are missing), and the chain up to it must be intact (an edited event breaks it)."""
    covers = stamp.read(path)
    if covers is None:
        return Verdict(False, msg.REPORT_NO_COVERAGE)
    anchored = eventlog.Anchor(covers.event_id, covers.event_hash)
    gone = eventlog.check_anchor(session, anchored)
    if gone is not None:
        if gone.missing == 0 and gone.found_hash is not None:
            return Verdict(False, msg.REPORT_VERIFY_CHANGED.format(
                event_id=covers.event_id, recorded=covers.event_hash[:16],
                actual=gone.found_hash[:16]))
        return Verdict(False, msg.REPORT_VERIFY_FAILED.format(
            why=eventlog.describe_break(anchored, gone)))
    checked, broken = eventlog.verify(session)
    if broken is not None and broken.event_id <= covers.event_id:
        return Verdict(False, msg.REPORT_VERIFY_BROKEN.format(event_id=broken.event_id,
                                                              reason=broken.reason))
    return Verdict(True, msg.REPORT_VERIFY_OK.format(event_id=covers.event_id, checked=checked))
