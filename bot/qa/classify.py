"""Which industry a question is about: the keyword dictionary and a model learnt from examples.

The dictionary (``config/industries.yaml``, :mod:`bot.qa.keywords`) is the admin's lever; the
model (:mod:`bot.qa.model`) carries what no dictionary lists. They combine as one score per
industry, log P(model) + ``KEYWORD_WEIGHT`` × the dictionary's score, and the best wins. A
specific keyword decides on its own when no other industry's keyword is in the question: one
that no example uses (an admin who adds 小水电 to 光伏 gets what he wrote, though no question
taught it), or one whose examples are nearly all of its own industry. A generic one (补光 is
asked of hens as of tomatoes) only adds its weight, and corrections that use it make it
generic. A question goes to general experts only when no keyword matched and the model is unsure
(its best industry below ``GENERAL_BELOW``) or thinks it is for them.

The model learns from the dictionary's keywords (each one a tiny example), the corpus's train
part and what the database has learnt (:func:`bot.qa.examples.from_database`). Both parts are
deterministic, so the same home and the same examples always route a question the same way.
The constants were chosen by 5-fold cross-validation on the train part, never on the test part:
keyword weight 0.5 and 1.0 within 0.1 point of each other (2.0 worse), a general-expert
threshold of 0.15 over 0.2 and 0.25 (fewer questions left to general experts, no loss), and
the specific-keyword rule over none or "any keyword of three characters" (+0.2 point).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.config.models import Industry
from bot.qa.examples import Example, load_corpus
from bot.qa.keywords import KeywordClassifier
from bot.qa.model import Example as ModelExample
from bot.qa.model import NgramModel

KEYWORD_WEIGHT = 0.5
SPECIFIC_SHARE = 0.9  # of the weight of the examples holding a keyword, for it to be specific
GENERAL_BELOW = 0.15
_GENERAL_LABEL = "-"  # the model's label for examples meant for general experts


@dataclass(frozen=True)
class Classification:
    industry: str | None  # None: the question goes to general experts
    scores: Mapping[str, float]  # the combined score of each industry considered
    words: tuple[str, ...]  # the dictionary's keywords that matched
    confidence: float = 0.0  # the model's probability of the chosen industry
    decided_by: str = "general"  # keyword | model | both | general
    features: tuple[tuple[str, float], ...] = field(default=(), compare=False)


class Classifier:
    """Built at start and at every relearn; read-only afterwards, thread-safe to use.

    ``examples=None`` means the corpus's train part; ``use_keywords``/``use_model`` switch one
    half off (the benchmark compares the halves)."""

    def __init__(self, industries: Mapping[str, Industry],
                 examples: Iterable[Example] | None = None, *, use_keywords: bool = True,
                 use_model: bool = True) -> None:
        self._order = list(industries)
        self.keywords = KeywordClassifier(industries)
        self._use_keywords = use_keywords
        if examples is None:
            examples = load_corpus().for_industries(industries).train
        learnt = [ModelExample(e.text, e.industry or _GENERAL_LABEL, e.weight)
                  for e in examples if e.industry is None or e.industry in industries]
        # each keyword is also a tiny example, so the model knows every word of the dictionary
        taught = [ModelExample(word, industry.id) for industry in industries.values()
                  for word in industry.keywords] + learnt
        self.examples = len(taught)
        self._specific_words = _specific_keywords(industries, learnt)
        labels = {e.label for e in taught}
        self.model = NgramModel.fit(taught) if use_model and len(labels) > 1 else None

    def classify(self, text: str, *, explain: bool = False) -> Classification:
        match = self.keywords.classify(text) if self._use_keywords else None
        kw_scores = match.scores if match else {}
        words = match.words if match else ()
        probabilities = self.model.probabilities(text) if self.model else {}
        if not probabilities:
            if match is None or match.industry is None:
                return Classification(None, {}, ())
            return Classification(match.industry, dict(kw_scores), words, 1.0, "keyword")
        scores = {i: math.log(max(probabilities.get(i, 0.0), 1e-12))
                  + KEYWORD_WEIGHT * kw_scores.get(i, 0.0) for i in self._order}
        best = max(self._order, key=lambda i: (scores[i], -self._order.index(i)))
        specific = self._specific(words, kw_scores)
        if specific is not None:
            best = specific
        confidence = probabilities.get(best, 0.0)
        top_model = max(probabilities.items(), key=lambda kv: kv[1])
        if not kw_scores and (confidence < GENERAL_BELOW or top_model[0] == _GENERAL_LABEL):
            return Classification(None, scores, (), confidence, "general",
                                  self._evidence(text, top_model[0], explain))
        decided = ("both" if kw_scores and best == top_model[0] else
                   "keyword" if kw_scores.get(best) else "model")
        return Classification(best, scores, words, confidence, decided,
                              self._evidence(text, best, explain))

    def _specific(self, words: tuple[str, ...], kw_scores: Mapping[str, float]) -> str | None:
        """The industry of a specific keyword when no other industry's keyword matched."""
        if len(kw_scores) != 1:
            return None
        [industry] = kw_scores
        if any(self._specific_words.get(w) == industry for w in words):
            return industry
        return None

    def _evidence(self, text: str, label: str, explain: bool) -> tuple[tuple[str, float], ...]:
        if not explain or self.model is None or label not in self.model.labels:
            return ()
        return tuple(self.model.evidence(text, label))

    def industry(self, text: str) -> str | None:
        return self.classify(text).industry


def _specific_keywords(industries: Mapping[str, Industry], examples: list[ModelExample]
                       ) -> dict[str, str]:
    """keyword → its industry, for the keywords that are specific given the examples."""
    texts: dict[tuple[str, float], list[str]] = {}
    for example in examples:
        texts.setdefault((example.label, example.weight), []).append(example.text.lower())
    joined = {key: "\n".join(found) for key, found in texts.items()}
    specific: dict[str, str] = {}
    for industry in industries.values():
        for word in industry.keywords:
            key = word.lower()
            if key in specific:
                continue
            own = other = 0.0
            for (label, weight), text in joined.items():
                uses = text.count(key) * weight
                if label == industry.id:
                    own += uses
                else:
                    other += uses
            if own + other == 0 or own >= SPECIFIC_SHARE * (own + other):
                specific[key] = industry.id
    return specific
