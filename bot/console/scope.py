"""What a signed-in admin may see: their region and everything below it, checked on the server.

Every route that takes ``?region=ID`` turns it into a :class:`Scope` through :func:`narrow`,
which refuses a region outside the session's own (403) and one that does not exist (404). The
page only offers what the API allows; it is never what enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from bot import messages as msg
from bot.config import Home
from bot.config.models import Group


class ScopeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Scope:
    home: Home
    region_id: str

    @property
    def name(self) -> str:
        return self.home.regions[self.region_id].name

    @cached_property
    def region_ids(self) -> tuple[str, ...]:
        """The region and every region below it, parents first."""
        return tuple(r.id for r in self.home.subtree(self.region_id))

    @cached_property
    def groups(self) -> dict[str, Group]:
        """The groups of those regions, in configuration order."""
        regions = set(self.region_ids)
        return {g.id: g for g in self.home.groups.values() if g.region in regions}

    def covers_group(self, group_id: str | None) -> bool:
        return group_id is not None and group_id in self.groups


def narrow(home: Home, own_region: str, asked: str | None) -> Scope:
    """The scope a request asks for (its own region when it names none)."""
    if not asked:
        return Scope(home, own_region)
    if asked not in home.regions:
        raise ScopeError(404, msg.CONSOLE_NO_REGION.format(region=asked[:64]))
    if not home.within(asked, own_region):
        raise ScopeError(403, msg.CONSOLE_FORBIDDEN_REGION.format(
            region=home.regions[asked].name, own=home.regions[own_region].name))
    return Scope(home, asked)
