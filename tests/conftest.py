"""Fixtures shared by the whole suite.

``db_url`` runs a test once on SQLite and once on PostgreSQL (a fresh schema each time). The
PostgreSQL half is skipped on a machine without the server, except under CI (``CI`` set) or with
``AGRIBOT_REQUIRE_PG=1``, where a missing server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, create_engine, text

from bot.db.engine import make_engine, upgrade

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("AGRIBOT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _pg_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("AGRIBOT_REQUIRE_PG") == "1"


def _pg_available() -> bool:
    try:
        with create_engine(PG_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if _pg_required():
            pytest.fail(f"PostgreSQL is required here but {PG_URL} does not answer")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return PG_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_server}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'agribot.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database, on each backend."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def unpaced(home: Path) -> Path:
    """Lift the WeChat pacing of every account in a home copy (no jitter either): pacing has
    its own tests; elsewhere it only makes tests wait."""
    bot_yaml = home / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    for account in config["accounts"]:
        account["rate"] = {"per_minute": 600, "burst": 20, "jitter_seconds": 0}
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return home


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the demo home in the repository, safe to break."""
    home = tmp_path / "home"
    for part in ("config", "content_library", "schedules"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, home / part)
    return home
