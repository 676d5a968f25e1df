"""The keyword dictionary of ``config/industries.yaml``: the admin's lever on routing.

The question is cut into words by jieba with every keyword loaded as a user word, so "香菇绿霉"
becomes 香菇 / 绿霉 and each hits 食用菌. A word that is no keyword but is part of keywords of
one industry only (鸡 in 蛋鸡, 肉鸡, 鸡舍 …) counts for half: technicians write the short word.
jieba's HMM guessing of unknown words is off, so the result depends only on the dictionaries:
the same question always lands in the same industry.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import jieba  # type: ignore[import-untyped]

from bot.chat.parse import clean
from bot.config.models import Industry

# A user word this frequent wins over jieba's own splits of the same characters.
_KEYWORD_FREQ = 200_000
# A partial word counts when this share of the keywords holding it belong to one industry.
_PARTIAL_DOMINANCE = 0.8
_PARTIAL_WEIGHT = 0.5
_MAX_CHARS = 2000  # a question longer than this is classified on its start

_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def _base_tokenizer() -> jieba.Tokenizer:
    """jieba's main dictionary is read once per process (≈0.5 s); classifiers copy from it."""
    global _base
    with _lock:
        if _base is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _base = tokenizer
        return _base


@dataclass(frozen=True)
class KeywordMatch:
    industry: str | None  # None: no keyword matched
    scores: Mapping[str, float]
    words: tuple[str, ...]  # the keywords that decided it, for the record


class KeywordClassifier:
    """Built once at start (and again when an admin edits the dictionary); thread-safe to use."""

    def __init__(self, industries: Mapping[str, Industry]) -> None:
        base = _base_tokenizer()
        self._tokenizer = jieba.Tokenizer()
        # Share the loaded main dictionary instead of reading it again; add_word below only
        # touches this copy's dictionaries.
        self._tokenizer.FREQ = dict(base.FREQ)
        self._tokenizer.total = base.total
        self._tokenizer.initialized = True
        self._order = list(industries)
        self._keyword: dict[str, str] = {}
        holders: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for industry in industries.values():
            for word in industry.keywords:
                key = word.lower()
                # The file says a word belongs to one industry; if written twice, the first wins.
                self._keyword.setdefault(key, industry.id)
                self._tokenizer.add_word(key, _KEYWORD_FREQ)
        for key, industry_id in self._keyword.items():
            for size in range(1, len(key)):
                for start in range(len(key) - size + 1):
                    holders[key[start:start + size]][industry_id] += 1
        self._partial: dict[str, str] = {}
        for part, counts in holders.items():
            if part in self._keyword:
                continue
            best, count = max(counts.items(), key=lambda kv: kv[1])
            if count >= 2 and count / sum(counts.values()) >= _PARTIAL_DOMINANCE:
                self._partial[part] = best

    def keyword_industry(self, word: str) -> str | None:
        """The industry a whole keyword belongs to (``None`` for any other word)."""
        return self._keyword.get(word.lower())

    def words(self, text: str) -> list[str]:
        line = clean(text)[:_MAX_CHARS].lower()
        return [w for w in self._tokenizer.lcut(line, HMM=False) if w.strip()]

    def _keyword_inside(self, word: str) -> str | None:
        """The industry of the longest keyword inside a longer word jieba kept whole
        (商标 in 商标注册)."""
        for size in range(len(word) - 1, 0, -1):
            for start in range(len(word) - size + 1):
                industry = self._keyword.get(word[start:start + size])
                if industry is not None:
                    return industry
        return None

    def classify(self, text: str) -> KeywordMatch:
        scores: dict[str, float] = defaultdict(float)
        decided: list[str] = []
        for word in self.words(text):
            industry = self._keyword.get(word)
            if industry is not None:
                # Longer keywords are more specific: 细菌性角斑病 says more than 大棚.
                scores[industry] += 1.0 + 0.1 * min(len(word), 6)
                decided.append(word)
            elif len(word) > 1 or not word.isascii():
                inside = self._keyword_inside(word)
                partial = inside or self._partial.get(word)
                if partial is not None:
                    scores[partial] += 1.0 if inside else _PARTIAL_WEIGHT
                    decided.append(word)
        if not scores:
            return KeywordMatch(None, {}, ())
        # Ties go to the industry listed first in the file: deterministic, and editable there.
        best = max(self._order, key=lambda i: (scores.get(i, 0.0), -self._order.index(i)))
        return KeywordMatch(best, dict(scores), tuple(decided))
