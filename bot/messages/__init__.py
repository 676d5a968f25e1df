"""Every sentence a person reads, in one package, so wording changes in one place.

Chinese first: county admins, technicians and experts read these. Configuration errors add the
English term in brackets because the keys they point at are English.

The sentences are kept in three modules by who reads them (``config``: whoever edits the YAML;
``chat``: people in the groups; ``commands``: whoever runs agribot); code reads them all as
``from bot import messages as msg``.
"""

from bot.messages.chat import *  # noqa: F403
from bot.messages.commands import *  # noqa: F403
from bot.messages.config import *  # noqa: F403
from bot.messages.console import *  # noqa: F403
