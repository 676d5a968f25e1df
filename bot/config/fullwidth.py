"""Chinese punctuation where YAML needs its ASCII twin: ``tier： junior``, ``[初级，高级]``.

A Chinese input method types ``：，【】“”`` and a full-width space. In text they are fine; where
YAML expects structure they break it, and the parser notices a line or two *later* with a
message about what it expected (``could not find expected ':'``). So after a parser error, and
when a value fails validation, the lines around the place are searched for such a character *in
a position where it would have been structure* (a colon ending a key, a comma or bracket inside
``[ ]``, a quote or bracket opening a value, a full-width space in the indentation), and that
character is reported at its own line and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import messages as msg

# character → (its name, the ASCII character to type instead)
_NAMES: dict[str, tuple[str, str]] = {
    "：": ("冒号", ":"), "，": ("逗号", ","), "、": ("顿号", ","),
    "【": ("方括号", "["), "】": ("方括号", "]"), "［": ("方括号", "["), "］": ("方括号", "]"),
    "｛": ("花括号", "{"), "｝": ("花括号", "}"),
    "“": ("引号", '"'), "”": ("引号", '"'), "‘": ("引号", "'"), "’": ("引号", "'"),
    "－": ("减号", "-"),
}
_OPENERS = "[{"  # YAML's own: a full-width one that is not blamed is only text
_CLOSERS = "]}"
_VALUE_OPENERS = "【［｛“‘"
# ``key:value`` without the space YAML needs after the colon (``url: http://`` keeps its space).
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=[^\s:/])")


@dataclass(frozen=True)
class Culprit:
    line: int  # 1-based
    column: int  # 1-based
    message: str


def explain(char: str, line: int) -> str:
    if char == "\u3000":
        return msg.FULLWIDTH_SPACE.format(line=line)
    if char == "、":
        return msg.FULLWIDTH_ENUMERATION.format(line=line)
    name, ascii_char = _NAMES[char]
    if name == "引号":  # “”‘’ inside “ ” would be unreadable
        return msg.FULLWIDTH_QUOTE.format(line=line, char=char, ascii=ascii_char)
    return msg.FULLWIDTH.format(line=line, name=name, char=char, ascii=ascii_char)


def in_line(text: str, number: int) -> Culprit | None:
    """The first character of ``text`` (line ``number``, 1-based) that stands where YAML
    structure should be, or ``None``."""
    indent = len(text) - len(text.lstrip(" \u3000"))
    if "\u3000" in text[:indent]:
        return Culprit(number, text.index("\u3000") + 1, explain("\u3000", number))
    body = text[indent:]
    if body.startswith("－ "):
        return Culprit(number, indent + 1, explain("－", number))
    if match := _NO_SPACE.match(text):
        column = match.end()
        return Culprit(number, column, msg.COLON_NEEDS_SPACE.format(
            line=number, key=match.group(2)))
    quote: str | None = None
    depth = 0  # open flow brackets
    seen_colon = False  # a key's ": " was seen, so what follows is a value
    value_start = True  # the next non-space character opens a value
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
            continue
        if ch in "'\"" and value_start:
            quote = ch
            value_start = False
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return None  # a comment: anything goes
        if ch == " ":
            continue
        if ch in _NAMES:
            structural = (
                (ch == "：" and not seen_colon)
                or (ch in "，、" and depth > 0)
                or (ch in _VALUE_OPENERS and value_start and _opens_structure(ch, text[i + 1:]))
                or (ch in "】］｝" and depth > 0)
            )
            if structural:
                return Culprit(number, i + 1, explain(ch, number))
        value_start = False
        if ch in _OPENERS:
            depth += 1
            value_start = True
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch == ":" and text[i + 1 : i + 2] in ("", " "):
            seen_colon = True
            value_start = True
        elif ch == "," and depth > 0:
            value_start = True
            seen_colon = False
        elif ch == "-" and text[i + 1 : i + 2] == " " and not text[indent:i].strip(" -"):
            value_start = True
    return None


def _opens_structure(opener: str, rest: str) -> bool:
    """Whether a full-width quote or bracket opening a value was meant as YAML's: a quote that
    protects what YAML would read as structure (``“a: b”``), a bracket closing at the end of
    the value (``【junior, senior】``). ``【重要】水稻防治`` is only text."""
    value = rest.split(" #", 1)[0].rstrip()
    if opener in "“‘":
        return ": " in value or value.endswith(":")
    return value.endswith({"【": "】", "［": "］", "｛": "｝"}[opener])


def near(lines: Sequence[str], line: int, above: int = 2) -> Culprit | None:
    """A culprit on ``line`` (1-based) or on the ``above`` lines before it, nearest first."""
    for number in range(line, max(0, line - above - 1), -1):
        if 1 <= number <= len(lines) and (found := in_line(lines[number - 1], number)):
            return found
    return None


def in_value(lines: Sequence[str], line: int, column: int, value: str,
             suspects: str | None = None) -> Culprit | None:
    """A full-width character (of ``suspects``; default: any) inside a scalar that failed
    validation (``[初级，高级]`` read as one string, ``“九台”`` with its quotes), at its place
    when the scalar is on one line."""
    allowed = suspects if suspects is not None else "".join(_NAMES) + "\u3000"
    for i, ch in enumerate(value):
        if ch in allowed:
            if ch in "：" and ":" in value[:i]:
                continue
            text = lines[line - 1] if 1 <= line <= len(lines) else ""
            found = text.find(ch, max(0, column - 1))
            return Culprit(line, found + 1 if found >= 0 else column, explain(ch, line))
    return None
