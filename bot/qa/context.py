"""What the Q&A handlers share, built once at start."""

from __future__ import annotations

from dataclasses import dataclass

from bot.qa.faq import FaqIndex
from bot.qa.learning import LiveClassifier
from bot.qa.settings import QaSettings


@dataclass(frozen=True)
class QaContext:
    settings: QaSettings
    classifier: LiveClassifier
    faq: FaqIndex
