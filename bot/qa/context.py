"""What the Q&A handlers share, built once at start."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.settings import QaSettings
from bot.qa.faq import FaqIndex
from bot.qa.learning import LiveClassifier


@dataclass(frozen=True)
class QaContext:
    settings: QaSettings
    classifier: LiveClassifier
    faq: FaqIndex
