"""Expert Q&A: questions tracked from the group to the right expert and back, escalating up the
tiers, with an FAQ learnt from answers. The app builds :class:`QaService` once at start."""

from bot.qa.escalation import escalate_due
from bot.qa.service import QaService, commands, fallbacks

__all__ = ["QaService", "commands", "escalate_due", "fallbacks"]
