"""A model that learns industries from example questions: logistic regression on character
n-grams (1–3) of the question.

Character n-grams need no word list, so they carry what a dictionary misses: dialect (咋整,
嘎哈), typos and homophones share most of their n-grams with the right spelling, and words nobody
put in industries.yaml (蜱虫, 大鲵, 腰疼) are learnt from the examples that use them. It is fitted
with scikit-learn (Newton-CG, which has no randomness: the same examples give the same weights);
it is applied here with a dictionary look-up and one small matrix product, well under a
millisecond a question, since scikit-learn's own per-call checks cost several.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from bot.chat.parse import clean

NGRAMS = (1, 2, 3)
# The inverse of the regularisation strength, and the solver's tolerance: chosen by 5-fold
# cross-validation on the train part of the corpus (C 3, 10, 30: 30 best, 10 within 0.3 point,
# 3 two points worse). Newton-CG reaches L-BFGS's accuracy in a tenth of the time (under a
# second for the demo's 2,000 examples), with no randomness.
C = 30.0
TOLERANCE = 1e-3
_MAX_CHARS = 2000
_NOT_TEXT = re.compile(r"[\W_]+")  # punctuation and spaces: neither words nor n-grams


def ngrams(text: str) -> Counter[str]:
    """The character n-grams of each run of letters, digits and Chinese characters."""
    found: Counter[str] = Counter()
    for run in _NOT_TEXT.split(clean(text)[:_MAX_CHARS].lower()):
        for size in NGRAMS:
            for start in range(len(run) - size + 1):
                found[run[start:start + size]] += 1
    return found


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    weight: float = 1.0


class NgramModel:
    """Fitted once from examples; read-only afterwards, so it may be shared between threads."""

    def __init__(self, labels: tuple[str, ...], vocabulary: dict[str, int],
                 idf: NDArray[np.float64], weights: NDArray[np.float64],
                 bias: NDArray[np.float64]) -> None:
        self.labels = labels
        self._vocabulary = vocabulary
        self._idf = idf
        self._weights = weights  # features × labels
        self._bias = bias

    @classmethod
    def fit(cls, examples: Sequence[Example]) -> NgramModel:
        """Learn from ``examples`` (at least two labels); equal input, equal model."""
        return _fit(tuple(sorted(examples, key=lambda e: (e.label, e.text, e.weight))))

    def _vector(self, text: str) -> tuple[NDArray[np.intp], NDArray[np.float64], list[str]]:
        vocabulary = self._vocabulary
        grams = [g for g in ngrams(text).items() if g[0] in vocabulary]
        if not grams:
            return np.zeros(0, np.intp), np.zeros(0), []
        index = np.array([vocabulary[g] for g, _ in grams], np.intp)
        values = 1.0 + np.log(np.array([n for _, n in grams], np.float64))
        values *= self._idf[index]
        values /= np.sqrt(values @ values)
        return index, values, [g for g, _ in grams]

    def probabilities(self, text: str) -> dict[str, float]:
        """The model's probability of each label for ``text``."""
        index, values, _ = self._vector(text)
        scores = values @ self._weights[index] + self._bias
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return dict(zip(self.labels, scores.tolist(), strict=True))

    def evidence(self, text: str, label: str, top: int = 5) -> list[tuple[str, float]]:
        """The n-grams of ``text`` that pushed most towards ``label``, strongest first."""
        index, values, grams = self._vector(text)
        if not grams:
            return []
        column = self.labels.index(label)
        weights = self._weights[index]
        # what each n-gram gives this label beyond the average label
        push = values * (weights[:, column] - weights.mean(axis=1))
        ranked = sorted(zip(grams, push.tolist(), strict=True), key=lambda g: (-g[1], g[0]))
        return [(gram, round(value, 3)) for gram, value in ranked[:top] if value > 0]


@dataclass(frozen=True)
class Features:
    """Which n-grams count and how rare each is: learnt from the training texts."""

    vocabulary: dict[str, int]
    idf: NDArray[np.float64]

    @classmethod
    def learn(cls, texts: Sequence[str]) -> tuple[Features, csr_matrix]:
        """The features of ``texts`` and their matrix (one row a text)."""
        vocabulary: dict[str, int] = {}
        for text in texts:
            for gram in sorted(ngrams(text)):
                vocabulary.setdefault(gram, len(vocabulary))
        counts = _counts(texts, vocabulary)
        documents = np.bincount(counts.indices, minlength=len(vocabulary))
        # smoothed, as scikit-learn's TF-IDF does
        idf = np.log((1 + len(texts)) / (1 + documents)) + 1.0
        features = cls(vocabulary, idf)
        return features, features._weigh(counts)

    def matrix(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of ``texts`` (n-grams never seen in training are left out)."""
        return self._weigh(_counts(texts, self.vocabulary))

    def _weigh(self, counts: csr_matrix) -> csr_matrix:
        counts = counts.copy()
        counts.data = 1.0 + np.log(counts.data)  # sublinear: the tenth 菇 says little more
        weighted = csr_matrix(counts.multiply(self.idf[np.newaxis, :]))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return csr_matrix(weighted.multiply(1.0 / norms[:, np.newaxis]))


def _counts(texts: Sequence[str], vocabulary: Mapping[str, int]) -> csr_matrix:
    rows: list[int] = []
    columns: list[int] = []
    counts: list[int] = []
    for row, text in enumerate(texts):
        for gram, n in ngrams(text).items():
            column = vocabulary.get(gram)
            if column is not None:
                rows.append(row)
                columns.append(column)
                counts.append(n)
    return csr_matrix((np.asarray(counts, np.float64), (rows, columns)),
                      shape=(len(texts), len(vocabulary)))


@functools.lru_cache(maxsize=8)
def _fit(examples: tuple[Example, ...]) -> NgramModel:
    """Cached: every router of a process (and every test) built from the same examples shares
    one fit instead of spending a second on each."""
    labels = tuple(sorted({e.label for e in examples}))
    if len(labels) < 2:
        raise ValueError("a model needs examples of at least two industries")
    # scikit-learn (with the half of scipy it pulls in) takes seconds to import: only a fit needs
    # it, and a restarting bot must not wait for it before sending again
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    features, matrix = Features.learn([e.text for e in examples])
    target = np.asarray([labels.index(e.label) for e in examples])
    weight = np.asarray([e.weight for e in examples])
    fitted = LogisticRegression(C=C, solver="newton-cg", tol=TOLERANCE, max_iter=500).fit(
        matrix, target, sample_weight=weight)
    coef = np.asarray(fitted.coef_, np.float64)
    intercept = np.asarray(fitted.intercept_, np.float64)
    if len(labels) == 2:  # scikit-learn keeps one column for two classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-intercept[0] / 2, intercept[0] / 2])
    return NgramModel(labels, features.vocabulary, features.idf, coef.T.copy(), intercept)
