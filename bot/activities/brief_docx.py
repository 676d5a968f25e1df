"""The 活动简报 as a Word file (python-docx): one page that opens in Word or WPS on a county
office PC and can be edited there before it is passed on.

Word picks a Latin font for every run unless told an East Asian one, and then shows Chinese in
whatever fallback it has; naming 宋体 (SimSun, on every Chinese Windows) for East Asian text
keeps the page as it was drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

EAST_ASIAN_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def _fonts(document: object) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = document.styles[name]  # type: ignore[attr-defined]
        except KeyError:
            continue
        style.font.name = LATIN_FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"),
                                                              EAST_ASIAN_FONT)


def brief_docx(title: str, facts: Sequence[tuple[str, str]],
               media: Sequence[tuple[str, str, str, str, str]], attendees: Sequence[str],
               note: str) -> bytes:
    """The 简报: a title, the facts as a two-column table, the pictures with their SHA-256,
    the names of those who checked in, and how to verify it."""
    document = Document()
    _fonts(document)
    document.styles["Normal"].font.size = Pt(10.5)  # 五号, the size of an office document
    document.add_heading(f"活动简报：{title}", level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    if media:
        document.add_heading("影像资料", level=2)
        grid = document.add_table(rows=1, cols=5)
        grid.style = "Table Grid"
        for cell, head in zip(grid.rows[0].cells, ("文件", "发送人", "时间", "大小", "SHA-256"),
                              strict=True):
            cell.text = head
        for line in media:
            for cell, value in zip(grid.add_row().cells, line, strict=True):
                cell.text = value
        for row in grid.rows:  # a hash is 64 characters: small, so the table fits the page
            for run in row.cells[4].paragraphs[0].runs:
                run.font.size = Pt(7)
    document.add_heading("签到名单", level=2)
    document.add_paragraph("、".join(attendees) or "（无人签到）")
    document.add_paragraph(note).runs[0].font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
