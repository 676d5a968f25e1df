"""One Chinese sentence per mistake, for everything the YAML parser and pydantic can say.

County admins read these. PyYAML describes what its grammar expected (``could not find expected
':'``) and pydantic what the type wanted (``Input should be less than or equal to 31`` and,
for the same ``day: 32``, ``Input should be 'last'``). Here each is looked up by PyYAML's
problem or pydantic's error type in one table (``messages.YAML_MISTAKES``) and said as what to
type instead; the errors pydantic gives for the alternatives of one field become one sentence;
and a full-width character near the place (``tier： junior``) is named before anything else,
because it is nearly always the cause.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from bot import messages as msg
from bot.config import fullwidth
from bot.config.problems import Problem
from bot.domain import Tier

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_DATE_SHAPE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
# Problems whose cause is known from the parser's own marks: no full-width search.
_MARKED_CAUSE = ("found unexpected end of stream", "found a tab character")
# An unclosed quote is noticed at the end of the file: report it where it began. (An unclosed
# bracket stays where the parser noticed it, the message names the line it began on.)
_AT_OPENING = ("found unexpected end of stream",)


def yaml_problem(path: Path, exc: yaml.MarkedYAMLError, lines: Sequence[str]) -> Problem:
    """The parser's error as one problem at the place the admin should look."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or ""
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    if "\t" in indent or text[column - 1 : column] == "\t":
        return Problem(path, line, column, msg.TAB_INDENT)  # libyaml: "cannot start any token"
    opened = exc.context_mark
    if not problem.startswith(_MARKED_CAUSE):
        above = 2 if opened is None else min(5, max(2, line - (opened.line + 1)))
        culprit = fullwidth.near(lines, line, above)
        if culprit is not None:
            return Problem(path, culprit.line, culprit.column, culprit.message)
        if (unclosed := _unclosed_quote(lines, line)) is not None:
            line, column = unclosed
            problem = "found unexpected end of stream"
            opened = None
    template = next((m for key, m in msg.YAML_MISTAKES.items() if problem.startswith(key)),
                    msg.YAML_MISTAKE_OTHER)
    open_line = opened.line + 1 if opened is not None else line
    if opened is not None and problem.startswith(_AT_OPENING):
        line, column = opened.line + 1, opened.column + 1
    return Problem(path, line, column,
                   template.format(open_line=open_line, char=text[column - 1 : column]))


def _unclosed_quote(lines: Sequence[str], line: int) -> tuple[int, int] | None:
    """A double quote left open a few lines above: YAML lets a quoted value run on over the
    next lines, so the parser trips only where the quotes pair up wrongly, lines later."""
    for number in range(line, max(0, line - 8), -1):
        text = lines[number - 1] if number <= len(lines) else ""
        code = text.split(" #", 1)[0]
        if code.replace('\\"', "").count('"') % 2 == 1:
            return number, code.index('"') + 1
    return None


def scalar_problem(path: Path, node: yaml.Node) -> Problem:
    """A scalar PyYAML recognised but could not build: an impossible unquoted date."""
    mark = node.start_mark
    value = str(node.value)
    if node.tag == _TIMESTAMP and (why := _date_flaw(value)):
        message = msg.BAD_DATE.format(value=value, why=why)
    else:
        message = msg.BAD_VALUE.format(value=value)
    return Problem(path, mark.line + 1, mark.column + 1, message)


def _date_flaw(text: str) -> str | None:
    match = _DATE_SHAPE.match(text)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return msg.BAD_DATE_MONTH
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return msg.BAD_DATE_DAY.format(year=year, month=month, days=days)
    return None


# Which full-width characters may explain an error of each type: where a list, a mapping, an id
# or one of a few words was expected, any of them; a validator's own complaint (a weekday list
# written [一，四]) only a comma or bracket; free text (a message template) none.
_ANY = "：，、【】［］｛｝“”‘’－\u3000"
_SUSPECTS = {
    **dict.fromkeys(("list_type", "tuple_type", "dict_type", "model_type",
                     "model_attributes_type", "string_pattern_mismatch", "enum",
                     "literal_error"), _ANY),
    "value_error": "，、【】［］｛｝",
}

# --- pydantic ----------------------------------------------------------------------------------


class Located(Protocol):
    """What :func:`validation_problems` needs of a parsed document (``YamlDocument``)."""

    @property
    def path(self) -> Path: ...

    @property
    def lines(self) -> Sequence[str]: ...

    def position(self, loc: Sequence[int | str], *, at_key: bool = False
                 ) -> tuple[int, int]: ...

    def present(self, loc: Sequence[int | str]) -> tuple[int | str, ...]: ...


def validation_problems(doc: Located, errors: Iterable[Any],
                        model: type[BaseModel] | None = None) -> list[Problem]:
    """pydantic's errors, one problem per place: the alternatives of a union (``day: 32`` is
    neither a day 1–31 nor ``last``) are said in one sentence. With the ``model`` validated, a
    misspelt key is told the key it probably meant."""
    grouped: dict[tuple[int | str, ...], list[Any]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] in ("missing", "extra_forbidden") and loc:
            where = (*doc.present(loc[:-1]), loc[-1])
        else:
            where = doc.present(loc)
        grouped.setdefault(where, []).append(error)
    # A misspelt required key is one mistake, not two: "taget" unknown and "targets" missing
    # become the unknown key's problem, which names the key it should be.
    for where, group in list(grouped.items()):
        if group[0]["type"] == "extra_forbidden":
            parent = where[:-1]
            missing = [k for k in _keys_at(model, parent) if (*parent, k) in grouped
                       and grouped[(*parent, k)][0]["type"] == "missing"]
            close = difflib.get_close_matches(str(where[-1]), missing, n=1, cutoff=0.6)
            if close:
                del grouped[(*parent, close[0])]
    return [_problem(doc, where, group, model) for where, group in grouped.items()]


def _problem(doc: Located, where: tuple[int | str, ...], errors: list[Any],
             model: type[BaseModel] | None) -> Problem:
    key = str(where[-1]) if where else ""
    kinds = {e["type"] for e in errors}
    if "extra_forbidden" in kinds:
        line, column = doc.position(where, at_key=True)
        culprit = fullwidth.in_value(doc.lines, line, column, key)
        if culprit is not None:
            return Problem(doc.path, culprit.line, culprit.column, culprit.message)
        close = difflib.get_close_matches(key, _keys_at(model, where[:-1]), n=1, cutoff=0.6)
        meant = msg.UNKNOWN_KEY_MEANT.format(key=close[0]) if close else ""
        return Problem(doc.path, line, column, msg.UNKNOWN_KEY.format(key=key, meant=meant))
    line, column = doc.position(where)
    if "missing" in kinds:
        return Problem(doc.path, line, column, msg.MISSING_KEY.format(key=key))
    for error in errors:
        if isinstance(error.get("input"), str):
            chars = _SUSPECTS.get(error["type"])
            culprit = fullwidth.in_value(doc.lines, line, column, error["input"], chars)
            if chars and culprit is not None:
                return Problem(doc.path, culprit.line, culprit.column, culprit.message)
    said: list[str] = []
    for error in errors:
        sentence = _sentence(error)
        if sentence not in said:
            said.append(sentence)
    text = msg.VALUE_OR.join(said)
    label = ".".join(str(p) for p in where)
    return Problem(doc.path, line, column, f"{label}: {text}" if label else text)


def _keys_at(model: type[BaseModel] | None, where: Sequence[int | str]) -> list[str]:
    """The keys the model allows in the mapping at ``where`` (empty when it cannot tell)."""
    current: Any = model
    for part in where:
        if isinstance(part, str):
            holder = _model_in(current)
            field = holder.model_fields.get(part) if holder is not None else None
            if field is None:
                return []
            current = field.annotation
        else:  # an index: the list's item type
            current = _item_type(current)
    current = _model_in(current)
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds: ``Entry``, ``When | None``, ``Annotated[What, …]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = get_args(annotation)
    if get_origin(annotation) is Annotated:
        return _model_in(args[0])
    if get_origin(annotation) in (Union, UnionType):
        found = [m for a in args if (m := _model_in(a)) is not None]
        return found[0] if len(found) == 1 else None
    return None


def _item_type(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):  # list[...] | None
        lists = [a for a in get_args(annotation) if get_origin(a) in (list, tuple)]
        annotation = lists[0] if len(lists) == 1 else annotation
    args = get_args(annotation)
    return args[0] if get_origin(annotation) in (list, tuple) and args else None


def _sentence(error: Any) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    value = error.get("input")
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        return str(cause) if cause is not None else str(error["msg"]).removeprefix(
            "Value error, ")
    if kind.startswith("date") and isinstance(value, str) and (why := _date_flaw(value)):
        return msg.BAD_DATE.format(value=value, why=why)
    template = msg.YAML_MISTAKES.get(kind)
    if template is None:
        return msg.VALUE_MISTAKE_OTHER
    if kind == "string_pattern_mismatch":
        ctx["pattern"] = msg.PATTERN_WORDS.get(str(ctx.get("pattern")), msg.VALUE_MISTAKE_OTHER)
    if "expected" in ctx:
        ctx["expected"] = _choices(str(ctx["expected"]))
    try:
        return template.format(input=_show(value), **ctx)
    except (KeyError, IndexError, ValueError):
        return msg.VALUE_MISTAKE_OTHER


def _choices(expected: str) -> str:
    """pydantic's ``'senior', 'intermediate' or 'junior'`` as ``junior（初级）、…``."""
    labels = {t.value: t.label for t in Tier}
    values = re.findall(r"'([^']*)'", expected) or [expected]
    shown = [f"{v}（{labels[v]}）" if v in labels else v for v in values]
    return "、".join(shown) if len(shown) < 3 else "、".join(shown[:-1]) + " 或 " + shown[-1]


def _show(value: object) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "一个列表"
    if isinstance(value, dict):
        return "一组“键: 值”"
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
