"""Reading a chat line as a command: ``#问 怎么防治香菇绿霉`` → ``("问", "怎么防治香菇绿霉")``.

Phones add all sorts of characters: full-width ``＃``, zero-width spaces from copy and paste,
non-breaking and ideographic spaces, the U+2005 WeChat puts after an @mention. Parsing never
raises: anything it cannot read is simply not a command.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TEXT = 4000  # longer messages are cut before parsing; nobody types a command that long

_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
     0x2066, 0x2067, 0x2068, 0x2069]
)
_SPACES = re.compile(r"[\s\u2005\u3000\u00a0]+")
_QID = re.compile(r"^[Qq][-－—_]?0*(\d{1,9})$")


def clean(text: str) -> str:
    """Drop invisible and control characters, turn every kind of space into one plain space."""
    text = text[:MAX_TEXT].translate(_INVISIBLE)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Command:
    name: str
    args: str


def parse_command(text: str) -> Command | None:
    """The command in ``text``, or ``None`` when it is ordinary chat."""
    line = clean(text)
    if not line or line[0] not in "#＃":
        return None
    body = line[1:].lstrip()
    if not body:
        return None
    name, _, args = body.partition(" ")
    # "#问怎么办" without a space is common on phones: split at a known command name.
    for known in sorted(KNOWN_NAMES, key=len, reverse=True):
        if name.startswith(known) and name != known:
            return Command(known, (name[len(known):] + " " + args).strip())
    return Command(name, args.strip())


def parse_question_id(word: str) -> int | None:
    """``Q-0042``, ``q42``, ``Q－42`` → 42; anything else → ``None``."""
    match = _QID.match(clean(word))
    return int(match.group(1)) if match else None


def format_question_id(number: int) -> str:
    return f"Q-{number:04d}"


# Every command of DESIGN.md §4, so "#问怎么办" splits even before a feature registers it.
KNOWN_NAMES = frozenset({
    "问", "答", "解决", "课程", "点播", "签到", "开始培训", "开始讲座", "开始义诊", "开始健康咨询",
    "结束", "结束培训", "统计", "帮助",
    "暂停推送", "恢复推送", "收录", "删除收录", "转", "排行", "后台",
})
