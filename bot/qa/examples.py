"""Labelled questions the router learns from: the corpus shipped in ``bot/qa/corpus/`` and what
the database has learnt since (experts' ``#转`` corrections and answered questions).

The corpus holds one file per industry id (``edible_fungi.txt``: one question a line, written as
technicians write them) plus ``tuned.tsv``, the questions the keyword dictionary was tuned on.
Each corpus question belongs to the *test* part or the *train* part once and for all, by a hash
of its text, so adding questions never moves old ones between parts. The test part is never
trained on and never used to choose keywords or settings: it is what the accuracy printed by
``bench_qa`` and logged at every rebuild is measured on. ``tuned.tsv`` is train only.

A home whose industries differ from the demo's uses the files whose names are its industry ids
and ignores the others; its own keywords and its database examples still teach the model.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.parse import clean, format_question_id
from bot.core import events
from bot.db.schema import Event, Question

CORPUS = Path(__file__).parent / "corpus"
TUNED = "tuned.tsv"
GENERAL = "-"  # the label of a question for general experts
TEST_SHARE_IN_TEN = 3  # about 30 % of the corpus is the fixed test part
# A correction by an expert says more than one answered question: it outweighs the corpus's
# neighbours of the same words, so the same question routes right after the next rebuild.
CORRECTION_WEIGHT = 4.0
ANSWERED_WEIGHT = 1.0


@dataclass(frozen=True)
class Example:
    text: str
    industry: str | None  # None: general experts
    weight: float = 1.0


def in_test_part(text: str) -> bool:
    """Whether a corpus question is in the fixed test part (a stable hash of its text)."""
    digest = hashlib.sha1(clean(text).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 10 < TEST_SHARE_IN_TEN


@dataclass(frozen=True)
class Corpus:
    train: tuple[Example, ...]
    test: tuple[Example, ...]

    def for_industries(self, industries: Iterable[str]) -> Corpus:
        """Only the examples of these industries (and the general ones)."""
        known = set(industries)

        def keep(example: Example) -> bool:
            return example.industry is None or example.industry in known

        return Corpus(tuple(filter(keep, self.train)), tuple(filter(keep, self.test)))


@functools.lru_cache(maxsize=4)
def load_corpus(folder: Path = CORPUS) -> Corpus:
    """Every labelled question in ``folder``, split into its fixed parts."""
    train: list[Example] = []
    test: list[Example] = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = clean(line)
            if not text or text.startswith("#"):
                continue
            example = Example(text, path.stem)
            (test if in_test_part(text) else train).append(example)
    tuned = folder / TUNED
    tested = {e.text for e in test}
    if tuned.is_file():
        for line in tuned.read_text(encoding="utf-8").splitlines():
            label, tab, text = line.partition("\t")
            if not tab or line.startswith("#") or not clean(text) or clean(text) in tested:
                continue  # a question in both files stays in the test part only
            train.append(Example(clean(text), None if label == GENERAL else label.strip()))
    return Corpus(tuple(train), tuple(test))


def from_database(session: Session, test_texts: Iterable[str] = ()) -> list[Example]:
    """What the bot has learnt: every question an expert moved with ``#转`` to an industry
    (labelled with the industry it was moved to), and every answered question routed to an
    industry (the expert who answered took it as theirs). A question whose text is in the test
    part is left out, so the fixed test figures stay honest. Later labels of the same text win.
    """
    held_out = {clean(t) for t in test_texts}
    corrected: set[str] = set()
    forwarded = select(Event.ref, Event.detail).where(Event.kind == events.QUESTION_FORWARDED)
    for ref, detail in session.execute(forwarded):
        if ref and _names_industry(detail):
            corrected.add(ref)
    found: dict[str, Example] = {}
    query = (select(Question.id, Question.text, Question.industry, Question.first_answer_at)
             .where(Question.industry.is_not(None)).order_by(Question.id))
    for number, text, industry, answered in session.execute(query):
        ref = format_question_id(number)
        if ref in corrected:
            weight = CORRECTION_WEIGHT
        elif answered is not None:
            weight = ANSWERED_WEIGHT
        else:
            continue
        key = clean(text)
        if key and key not in held_out:
            found.pop(key, None)
            found[key] = Example(key, industry, weight)
    return list(found.values())


def _names_industry(detail: str | None) -> bool:
    """Whether a forward said which industry the question is (not only which person)."""
    try:
        found = json.loads(detail or "{}")
    except ValueError:
        return False
    return isinstance(found, dict) and bool(found.get("to_industry"))


@dataclass(frozen=True)
class Score:
    right: int
    general: int  # left to general experts
    total: int

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def general_share(self) -> float:
        return self.general / self.total if self.total else 0.0


def score(classify: Callable[[str], str | None], examples: Iterable[Example]) -> Score:
    """How many of ``examples`` ``classify`` puts in their industry, and how many it leaves to
    general experts."""
    right = general = total = 0
    for example in examples:
        found = classify(example.text)
        right += found == example.industry
        general += found is None
        total += 1
    return Score(right, general, total)
