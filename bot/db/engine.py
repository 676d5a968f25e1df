"""Engines and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
READ_ONLY = "agribot_read_only"  # execution option: this transaction only reads


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
    _serialise_sqlite_writers(engine)
    return engine


def make_reader(url: str) -> Engine | None:
    """An engine for commands that only look (``groups``, ``schedule preview``): they must not
    leave a database behind in a home that has none. ``None`` when there is nothing to read yet
    (no SQLite file, or a database never migrated); SQLite is opened read-only (``mode=ro``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None
        path = Path(parsed.database)
        if not path.is_file():
            return None
        engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true",
                               connect_args={"timeout": 30})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if not inspect(engine).has_table("alembic_version"):
        engine.dispose()
        return None
    return engine


def _serialise_sqlite_writers(engine: Engine) -> None:
    """Make every SQLite transaction ``BEGIN IMMEDIATE``.

    The event log reads the last hash and appends after it, and the outbox claims rows: with
    pysqlite's deferred transactions two processes could both read before either writes. Taking
    the write lock at BEGIN serialises them; WAL keeps plain reads from blocking, so a
    transaction marked :data:`READ_ONLY` begins deferred and never waits for a writer.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def dialect_insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for the session's database that can take ``on_conflict_do_nothing`` /
    ``on_conflict_do_update`` (PostgreSQL and SQLite spell them alike; generic SQL cannot)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply the Alembic migrations shipped in the package to ``engine``'s database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
