"""Sign-in tokens and sessions in the database: only digests stored, one use, ten minutes; a
session a working day, scoped to the admin's widest region; CSRF tied to the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from bot.config import Home
from bot.console import auth
from bot.console.server import ConsoleServer
from bot.db.engine import session_factory
from bot.db.schema import ConsoleLink, ConsoleSession

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def test_a_link_is_spent_once_and_stored_only_as_a_digest(home: Home, engine: Engine) -> None:
    """The token is not in the database; redeeming it twice opens one session."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        issued = auth.issue_link(session, home, "wxid_jt_fengbo", NOW)
        assert issued is not None and issued.region_id == "jiutai"
        assert auth.issue_link(session, home, "wxid_t_jiutai-junior_1", NOW) is None
    with sessions() as session:
        stored = session.scalars(select(ConsoleLink)).one()
        assert stored.token_hash == auth.digest(issued.token) != issued.token
    with sessions.begin() as session:
        signed = auth.redeem(session, home, issued.token, NOW + timedelta(minutes=9))
        assert isinstance(signed, auth.Signed) and signed.token
    with sessions.begin() as session:
        assert auth.redeem(session, home, issued.token, NOW) is auth.Refused.USED
        assert auth.redeem(session, home, "x" * 500, NOW) is auth.Refused.UNKNOWN
        cookie_hash = session.scalars(select(ConsoleSession.token_hash)).one()
        assert cookie_hash == auth.digest(signed.token)
        found = auth.lookup(session, home, signed.token, NOW + timedelta(hours=9))
        assert found is not None and found.region_id == "jiutai"
        ended = NOW + timedelta(minutes=9) + auth.SESSION_TTL
        assert auth.lookup(session, home, signed.token, ended) is None


def test_expired_and_csrf(home: Home, engine: Engine) -> None:
    """Ten minutes and one second later a link opens nothing; a CSRF token fits its session."""
    with session_factory(engine).begin() as session:
        issued = auth.issue_link(session, home, "wxid_jt_fengbo", NOW)
        assert issued is not None
        late = NOW + auth.LINK_TTL + timedelta(seconds=1)
        assert auth.redeem(session, home, issued.token, late) is auth.Refused.EXPIRED
    assert auth.csrf_ok("a", auth.csrf_token("a"))
    assert not auth.csrf_ok("b", auth.csrf_token("a"))
    assert not auth.csrf_ok("a", "")


def test_a_city_admin_reaches_the_city(home: Home) -> None:
    """The widest region a contact administers is the session's."""
    city = next(a for a in home.admins if a.region == "changchun")
    assert auth.admin_region(home, city.id) == "changchun"
    assert auth.admin_region(home, "nobody") is None


def test_the_console_server_stays_on_loopback() -> None:
    """Another address needs the explicit flag."""
    with pytest.raises(ValueError, match="--console-public"):
        ConsoleServer([], host="0.0.0.0")
    ConsoleServer([], host="0.0.0.0", public=True)
