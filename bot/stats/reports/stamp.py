"""The coverage stamp every report carries: the id and hash of the last event it counts.

The stamp is an anchor of the event log kept outside the database (ids run 1, 2, … so the id is
also the count of events): ``agribot report verify PATH`` reads it back and checks it against
the log, so a report can be shown not to rest on events that were changed, or deleted, after
it was made; the same ``N:HASH`` goes to ``agribot audit verify --anchor``.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot import messages as msg
from bot.stats.rollup import Coverage

_LINE = re.compile(r"agribot-covers event=(\d+) sha256=([0-9a-f]{64})")
PNG_KEY = "agribot-covers"


def line(covers: Coverage) -> str:
    """Machine-readable and human-readable at once."""
    human = msg.REPORT_COVERS.format(event_id=covers.event_id, event_hash=covers.event_hash)
    return f"{human} {machine(covers)}"


def machine(covers: Coverage) -> str:
    """What :func:`read` finds again (a PNG keeps it in a text chunk)."""
    return f"agribot-covers event={covers.event_id} sha256={covers.event_hash}"


def short(covers: Coverage) -> str:
    """For a chart's footer: the count and the start of the hash."""
    return msg.REPORT_COVERS.format(event_id=covers.event_id,
                                    event_hash=covers.event_hash[:16] + "…")


def read(path: Path) -> Coverage | None:
    """The stamp of a report file of any format, or ``None`` when it has none."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        text = "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row if cell)
        book.close()
    elif suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            text = str(getattr(image, "text", {}).get(PNG_KEY, ""))
    else:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    found = _LINE.search(text)
    return Coverage(int(found.group(1)), found.group(2)) if found else None
