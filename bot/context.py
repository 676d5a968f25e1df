"""What every command shares: the home it works on and the database it opens."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.config import Home, HomePaths, load_home
from bot.db.engine import make_engine, make_reader, upgrade


@dataclass
class Context:
    paths: HomePaths
    db_url: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        return cls(HomePaths.resolve(getattr(args, "home", None)), getattr(args, "db", None))

    @cached_property
    def home(self) -> Home:
        return load_home(self.paths)

    def engine(self, *, migrate: bool = True) -> Engine:
        engine = make_engine(self.db_url or self.home.database_url())
        if migrate:
            upgrade(engine)
        return engine

    def database_label(self) -> str:
        """The database's URL with any password hidden, for messages."""
        return make_url(self.db_url or self.home.database_url()).render_as_string(
            hide_password=True)

    def reader(self) -> Engine | None:
        """The database opened only to read, or ``None`` when the home has none yet: what a
        command that shows things uses, so looking never creates ``data/agribot.db``."""
        return make_reader(self.db_url or self.home.database_url())
