"""What the Q&A handlers share, built once at start."""

from __future__ import annotations

from dataclasses import dataclass

from bot.qa.classify import Classifier
from bot.qa.faq import FaqIndex
from bot.qa.settings import QaSettings


@dataclass(frozen=True)
class QaContext:
    settings: QaSettings
    classifier: Classifier
    faq: FaqIndex
