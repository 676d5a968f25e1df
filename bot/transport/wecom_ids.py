"""Who a WeCom ``userid`` is. Admins and experts carry a ``wecom_userid`` in groups.yaml; the
core knows them by their configured id, so the WeCom adapter turns a sender's userid into that
id on the way in and back on the way out. Everyone else (technicians) is their userid.

One mapping, used by the adapter and by ``agribot wecom-fake`` (which puts the same userids on
the wire for the local world's people), never a second copy.
"""

from __future__ import annotations

from bot.config import Home
from bot.config.models import Admin, Expert


class WeComIds:
    def __init__(self, home: Home) -> None:
        self._userid: dict[str, str] = {}
        people: list[Admin | Expert] = [*home.admins, *home.experts.values()]
        for person in people:
            if person.wecom_userid:
                self._userid[person.id] = person.wecom_userid
        self._contact = {userid: contact for contact, userid in self._userid.items()}

    def userid(self, contact_id: str) -> str:
        """The userid to address ``contact_id`` by on WeCom."""
        return self._userid.get(contact_id, contact_id)

    def contact(self, userid: str) -> str:
        """The contact id the core knows the sender ``userid`` by."""
        return self._contact.get(userid, userid)
