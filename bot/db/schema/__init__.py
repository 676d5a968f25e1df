"""The bot's tables, as SQLAlchemy 2.0 typed ORM models.

Times are stored as naive UTC everywhere: SQLite keeps no zone, and the event hash must read back
exactly what was written on either database.

One module per feature; this package re-exports them all, so ``Base.metadata`` holds every
table and ``from bot.db.schema import X`` works for any of them.
"""

from bot.db.schema.console import *  # noqa: F403
from bot.db.schema.core import *  # noqa: F403
from bot.db.schema.qa import *  # noqa: F403
from bot.db.schema.quiz import *  # noqa: F403
from bot.db.schema.schedules import *  # noqa: F403
from bot.db.schema.stats import *  # noqa: F403
