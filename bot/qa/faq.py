"""The FAQ: answered questions kept so a new question that closely matches one gets the earlier
answer at once ("类似问题 Q-0012 的专家解答：…").

Matching works on character bigrams, which need no dictionary and handle Chinese written without
spaces. An in-memory BM25 index, scored with numpy over its posting lists, finds candidates in a
few milliseconds among 100,000 entries; the best are then compared on their bigrams weighted by
rarity (an idf-weighted Dice coefficient), which is a number between 0 and 1 that a threshold in
``config/qa.yaml`` can mean something against. The index is rebuilt from ``faq_entries`` at start
and changed only after the transaction that changed the table commits.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.chat.parse import clean
from bot.db.schema import FaqEntry

_SEGMENT = re.compile(r"[^\W_]+")  # runs of letters, digits and CJK between punctuation
_K1, _B = 1.2, 0.75
_CANDIDATES = 10
# In a large index, grams in more than half the entries say little and cost the most: they are
# left out of the candidate search (still counted in the similarity).
_COMMON, _COMMON_FROM = 0.5, 1000
_MAX_CHARS = 1000


def grams(text: str) -> Counter[str]:
    """Character bigrams within each run of text (a lone character counts as itself)."""
    found: Counter[str] = Counter()
    line = unicodedata.normalize("NFKC", clean(text)[:_MAX_CHARS]).lower()
    for run in _SEGMENT.findall(line):
        if len(run) == 1:
            found[run] += 1
        found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


@dataclass(frozen=True)
class Match:
    question_id: int
    similarity: float  # idf-weighted Dice of the bigrams, 0..1
    question: str
    answer: str


class FaqIndex:
    """BM25 over character bigrams; thread-safe (handlers of several accounts may share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._qid: list[int] = []  # doc number → question id
        self._doc: dict[int, int] = {}  # live question id → doc number
        self._grams: list[Counter[str]] = []
        self._text: list[tuple[str, str]] = []
        self._length = np.zeros(1024, dtype=np.float32)
        self._alive = np.zeros(1024, dtype=bool)
        self._postings: dict[str, tuple[list[int], list[int]]] = {}
        self._arrays: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}
        self._df: Counter[str] = Counter()  # live entries holding each gram
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._doc)

    def __contains__(self, question_id: int) -> bool:
        return question_id in self._doc

    def add(self, question_id: int, question: str, answer: str) -> None:
        """Index an entry; adding a question id again replaces the earlier entry."""
        with self._lock:
            self._remove(question_id)
            counted = grams(question)
            doc = len(self._qid)
            if doc >= len(self._length):
                self._length = np.resize(self._length, doc * 2)
                self._alive = np.resize(self._alive, doc * 2)
            self._qid.append(question_id)
            self._grams.append(counted)
            self._text.append((question, answer))
            size = float(sum(counted.values()))
            self._length[doc] = size
            self._alive[doc] = True
            self._total_length += size
            self._doc[question_id] = doc
            self._df.update(counted.keys())
            for gram, tf in counted.items():
                docs, tfs = self._postings.setdefault(gram, ([], []))
                docs.append(doc)
                tfs.append(tf)
                self._arrays.pop(gram, None)  # rebuilt on its next use

    def remove(self, question_id: int) -> bool:
        with self._lock:
            return self._remove(question_id)

    def _remove(self, question_id: int) -> bool:
        doc = self._doc.pop(question_id, None)
        if doc is None:
            return False
        self._alive[doc] = False
        self._total_length -= float(self._length[doc])
        self._df.subtract(self._grams[doc].keys())
        return True

    def _posting(self, gram: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
        arrays = self._arrays.get(gram)
        if arrays is None:
            lists = self._postings.get(gram)
            if lists is None:
                return None
            arrays = (np.asarray(lists[0], dtype=np.int32), np.asarray(lists[1], dtype=np.float32))
            self._arrays[gram] = arrays
        return arrays

    def search(self, text: str, *, min_similarity: float) -> Match | None:
        """The closest entry whose similarity reaches ``min_similarity``, or ``None``."""
        query = grams(text)
        with self._lock:
            live = len(self._doc)
            if not query or live == 0:
                return None
            docs = len(self._qid)
            average = max(self._total_length / live, 1.0)
            scores = np.zeros(docs, dtype=np.float32)
            idf: dict[str, float] = {}
            for gram in query:
                posting = self._posting(gram)
                df = self._df.get(gram, 0)
                idf[gram] = _idf(live, df)
                if posting is None or df == 0 or (live >= _COMMON_FROM and df > _COMMON * live):
                    continue
                ids, tf = posting
                norm = tf + _K1 * (1.0 - _B + _B * self._length[ids] / average)
                scores[ids] += idf[gram] * tf * (_K1 + 1.0) / norm
            scores[~self._alive[:docs]] = 0.0
            count = min(_CANDIDATES, docs)
            top = np.argpartition(scores, docs - count)[docs - count:]
            best: Match | None = None
            for doc in top.tolist():
                if scores[doc] <= 0.0:
                    continue
                similarity = self._dice(query, self._grams[doc], idf, live)
                if similarity >= min_similarity and (best is None or similarity > best.similarity
                                                     or (similarity == best.similarity
                                                         and self._qid[doc] < best.question_id)):
                    question, answer = self._text[doc]
                    best = Match(self._qid[doc], similarity, question, answer)
            return best

    def _dice(self, query: Counter[str], entry: Counter[str], idf: dict[str, float],
              live: int) -> float:
        def weight(gram: str) -> float:
            known = idf.get(gram)
            if known is None:
                known = idf[gram] = _idf(live, self._df.get(gram, 0))
            return known

        shared = sum(weight(g) for g in query.keys() & entry.keys())
        total = sum(weight(g) for g in query) + sum(weight(g) for g in entry)
        return 2.0 * shared / total if total else 0.0

    def scan(self, text: str, *, min_similarity: float) -> Match | None:
        """The same answer by comparing with every entry: the benchmark's baseline."""
        query = grams(text)
        with self._lock:
            live = len(self._doc)
            best: Match | None = None
            idf: dict[str, float] = {}
            for qid, doc in self._doc.items():
                similarity = self._dice(query, self._grams[doc], idf, live)
                if similarity >= min_similarity and (best is None or similarity > best.similarity):
                    question, answer = self._text[doc]
                    best = Match(qid, similarity, question, answer)
            return best


def _idf(live: int, df: int) -> float:
    return math.log(1.0 + (live - df + 0.5) / (df + 0.5))


# --- the table ------------------------------------------------------------------------------


def load(session: Session, index: FaqIndex) -> int:
    """Fill ``index`` from ``faq_entries``; returns how many entries it holds."""
    query = select(FaqEntry.question_id, FaqEntry.question, FaqEntry.answer).order_by(
        FaqEntry.question_id).execution_options(yield_per=5000)
    for row in session.execute(query):
        index.add(row.question_id, row.question, row.answer)
    return len(index)


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the session's transaction commits (never if it rolls back), so the
    in-memory index never holds what the database does not."""
    def run(_session: Session) -> None:
        action()

    event.listen(session, "after_commit", run, once=True)


def entries(session: Session, question_ids: Iterable[int]) -> set[int]:
    ids = list(question_ids)
    if not ids:
        return set()
    return set(session.scalars(select(FaqEntry.question_id).where(
        FaqEntry.question_id.in_(ids))))
