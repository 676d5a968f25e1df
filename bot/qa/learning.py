"""The classifier the bot routes with, rebuilt from everything it knows: the home's keywords, the
corpus's train part and the database's labelled questions (corrections and answered questions).

It is built at start and again every night (:meth:`LiveClassifier.rebuild_due`); each rebuild is
logged with its accuracy on the corpus's fixed test part, so a dictionary edit or a run of odd
corrections that makes routing worse shows in the log the next morning. A rebuild swaps in the
new classifier in one assignment: a question being classified meanwhile uses the old one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Home
from bot.qa.classify import Classification, Classifier
from bot.qa.examples import Example, Score, from_database, load_corpus, score

log = logging.getLogger(__name__)

REBUILD_AT_HOUR = 3  # local time: nightly, when nobody asks


@dataclass(frozen=True)
class Rebuilt:
    classifier: Classifier
    learnt: int  # labelled questions taken from the database
    test: Score  # on the corpus's fixed test part
    seconds: float


def build(home: Home, session: Session | None) -> Rebuilt:
    """A classifier from the keywords, the corpus's train part and (with ``session``) the
    database's labelled questions; scored on the fixed test part."""
    return build_from(home, learnt_examples(home, session) if session else [])


def learnt_examples(home: Home, session: Session) -> list[Example]:
    """What the database has learnt, less the corpus's test part (a short read)."""
    corpus = load_corpus().for_industries(home.industries)
    return from_database(session, (e.text for e in corpus.test))


def build_from(home: Home, learnt: Sequence[Example]) -> Rebuilt:
    """The fit itself: CPU only, seconds; no database."""
    started = time.perf_counter()
    corpus = load_corpus().for_industries(home.industries)
    classifier = Classifier(home.industries, [*corpus.train, *learnt])
    tested = score(classifier.industry, (e for e in corpus.test if e.industry))
    return Rebuilt(classifier, len(learnt), tested, time.perf_counter() - started)


class LiveClassifier:
    """The current classifier of a running bot; thread-safe to use while it is rebuilt."""

    def __init__(self, home: Home, sessions: sessionmaker[Session] | None,
                 learnt: Sequence[Example] | None = None) -> None:
        self._home = home
        self._sessions = sessions
        self._lock = threading.Lock()
        self.built_on: date | None = None
        self.current = self.rebuild(learnt).classifier  # learnt None: read from the database

    def classify(self, text: str) -> Classification:
        return self.current.classify(text)

    def rebuild(self, learnt: Sequence[Example] | None = None) -> Rebuilt:
        """Build anew (from ``learnt``, or what the database has learnt) and swap it in."""
        if learnt is None and self._sessions is not None:
            with self._sessions() as session:
                learnt = learnt_examples(self._home, session)
        with self._lock:
            rebuilt = build_from(self._home, learnt or [])
            self.current = rebuilt.classifier
        log.info("question classifier rebuilt in %.1f s from %d examples (%d learnt from the "
                 "database): %.1f %% right on the fixed test split of %d, %.1f %% left to "
                 "general experts", rebuilt.seconds, rebuilt.classifier.examples, rebuilt.learnt,
                 100 * rebuilt.test.accuracy, rebuilt.test.total,
                 100 * rebuilt.test.general_share)
        return rebuilt

    def due(self, now: datetime) -> bool:
        """Whether tonight's rebuild (at ``REBUILD_AT_HOUR`` local time) is due; it is then
        counted as done. The first call (the app's job runs at start, right after the
        start-up build) only notes the night that build belongs to."""
        night = self._night(now)
        if self.built_on is None or night <= self.built_on:
            self.built_on = max(night, self.built_on or night)
            return False
        self.built_on = night
        return True

    def rebuild_due(self, now: datetime) -> bool:
        """Rebuild if tonight's rebuild is due; whether it did (reads the database itself)."""
        if not self.due(now):
            return False
        self.rebuild()
        return True

    def _night(self, now: datetime) -> date:
        """The date of the last nightly rebuild time at or before ``now``."""
        local = now.astimezone(ZoneInfo(self._home.bot.timezone))
        return (local - timedelta(hours=REBUILD_AT_HOUR)).date()
