"""Shared fixtures: the demo home and a generated history in a migrated database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Home, load_home
from bot.db.engine import session_factory
from bot.stats import rollup
from tests.stats.history import START, History, generate

FIRST = START + timedelta(days=1)
LAST = START + timedelta(days=7)


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(demo_copy)


@pytest.fixture
def history(engine: Engine, home: Home) -> History:
    """Nine days of seeded activity in every demo group, folded into the rollup."""
    made = generate(engine, home, seed=11, days=9)
    with session_factory(engine).begin() as session:
        rollup.catch_up(session, home, batch=700)
    return made


def period() -> tuple[date, date]:
    return FIRST, LAST
