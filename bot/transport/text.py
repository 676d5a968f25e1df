"""WeChat's text conventions, read and written without any chat SDK.

A mention is ``@name`` followed by U+2005 (FOUR-PER-EM SPACE) when typed on a phone, by a plain
space when pasted or typed on some desktop clients, or by nothing at the end of the text. A
quoted reply arrives as ``「name：quote」`` on its own lines, a line of dashes, then the reply;
clients differ in the colon (full-width or ASCII) and the number of dashes, and some drop a
piece. Every function here takes any string and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.messages import Quote

MENTION_SEP = "\u2005"
_SEPARATORS = (MENTION_SEP, " ", "\u3000", "\u00a0")
_MAX_NAME = 64  # WeChat display names are short; a longer "@…" run is not a mention


def format_mentions(names: Iterable[str], text: str) -> str:
    """``@甲\u2005@乙\u2005text``: the form WeChat itself sends, so clients highlight it."""
    prefix = "".join(f"@{name}{MENTION_SEP}" for name in names if name)
    return prefix + text


@dataclass(frozen=True)
class Mentions:
    names: tuple[str, ...]  # in the order they appear, each once
    body: str  # the text with the leading mentions removed


def parse_mentions(text: str, known_names: Iterable[str] = ()) -> Mentions:
    """Find ``@name`` mentions; strip the ones that lead the text.

    ``known_names`` (the room's member names) lets a name with spaces in it be read whole; an
    unknown name runs to the next separator.
    """
    known = sorted({n for n in known_names if n}, key=len, reverse=True)
    names: list[str] = []
    body_start = 0
    leading = True
    i = 0
    n = len(text)
    while i < n:
        if text[i] != "@" or (i > 0 and not text[i - 1].isspace()):
            if leading and not text[i].isspace():
                leading = False
            i += 1
            continue
        name, end = _name_at(text, i + 1, known)
        if not name:
            leading = False
            i += 1
            continue
        if name not in names:
            names.append(name)
        if end < n and text[end] in _SEPARATORS:
            end += 1
        if leading:
            body_start = end
        i = end
    body = text[body_start:].lstrip() if body_start else text
    return Mentions(tuple(names), body)


def _name_at(text: str, start: int, known: list[str]) -> tuple[str, int]:
    """The mentioned name starting at ``start`` and where it ends."""
    for name in known:
        end = start + len(name)
        if text.startswith(name, start) and (end == len(text) or text[end] in _SEPARATORS
                                             or text[end] == "\n"):
            return name, end
    # U+2005 is unambiguous: the name runs up to it, spaces included, within one line.
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    sep = text.find(MENTION_SEP, start, line_end)
    if 0 < sep - start <= _MAX_NAME and "@" not in text[start:sep]:
        return text[start:sep], sep
    end = start
    while end < line_end and not text[end].isspace() and text[end] != "@":
        end += 1
    if end - start > _MAX_NAME:
        return "", start
    return text[start:end], end


# --- quoted replies ----------------------------------------------------------------------------

_DASH_LINE = re.compile(r"^[ \t\u3000]*(?:[-－—─][ \t\u3000]*){3,}$")


@dataclass(frozen=True)
class Reply:
    quote: Quote | None
    text: str  # what the sender wrote, without the quoted block


def parse_quote(text: str) -> Reply:
    """Split ``「name：quote」\\n- - - …\\nreply`` into the quote and the reply.

    Text without the form comes back unchanged with no quote. Missing pieces are tolerated: no
    dash line (the quote block then ends at the closing bracket's line), no closing bracket, no
    name, no reply.
    """
    stripped = text.lstrip()
    if not stripped.startswith("「"):
        return Reply(None, text)
    lines = stripped.split("\n")
    dash = next((k for k, line in enumerate(lines) if k > 0 and _DASH_LINE.match(line)), None)
    if dash is None:
        close = next((k for k, line in enumerate(lines) if line.rstrip().endswith("」")), None)
        if close is None:
            return Reply(None, text)
        block, rest = lines[: close + 1], lines[close + 1:]
    else:
        block, rest = lines[:dash], lines[dash + 1:]
    inner = "\n".join(block).strip()
    inner = inner.removeprefix("「")
    inner = inner.removesuffix("」") if inner.endswith("」") else inner
    name, quoted = _split_name(inner)
    return Reply(Quote(name=name, text=quoted), "\n".join(rest).strip())


def _split_name(inner: str) -> tuple[str, str]:
    colons = [p for p in (inner.find("："), inner.find(":")) if p >= 0]
    if not colons:
        return "", inner.strip()
    cut = min(colons)
    name = inner[:cut].strip()
    if "\n" in name or len(name) > _MAX_NAME:
        return "", inner.strip()
    return name, inner[cut + 1:].strip()
