"""A small scikit-learn classifier scoring how sponsored a post looks (a review signal only).

TF-IDF character n-grams (within word boundaries, so it copes with four languages and with
hashtags) plus word uni/bigrams, then logistic regression. It is trained deterministically
from ``compliance/data/sponsorship_train.jsonl`` at first use (well under two seconds) and
cached in the process. The command line also keeps the fitted model on disk, in
``<data_dir>/cache`` (core/fitcache.py), so a new command loads it instead of fitting it; the
API server does not. The score never changes a verdict.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from core.fitcache import cached_fit

__all__ = [
    "ClassifierReport",
    "SponsorshipClassifier",
    "default_classifier",
    "evaluate_heldout",
    "load_training_data",
    "sponsored_score",
]

DATA_PATH = Path(__file__).with_name("data") / "sponsorship_train.jsonl"


class SponsorshipClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """TF-IDF (char 2-4 + word 1-2 n-grams) and logistic regression; ``predict_proba`` in [0, 1]."""

    def __init__(self, C: float = 4.0, min_df: int = 1, max_features: int = 30000) -> None:  # noqa: N803  (scikit-learn name)
        self.C = C
        self.min_df = min_df
        self.max_features = max_features

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 4),
            lowercase=True,
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            dtype=np.float64,
        )
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            token_pattern=r"(?u)[#@]?\b\w+\b",  # noqa: S106  (a regex, not a password)
            lowercase=True,
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            dtype=np.float64,
        )
        return chars, words

    def fit(self, X: Sequence[str], y: Sequence[int]) -> Self:  # noqa: N803
        """Fit the vectorisers and the logistic regression; sets ``*_`` attributes."""
        chars, words = self._vectorizers()
        union = FeatureUnion([("chars", chars), ("words", words)])
        features = union.fit_transform(list(X))
        model = LogisticRegression(C=self.C, solver="liblinear", max_iter=1000, random_state=0)
        model.fit(features, np.asarray(y))
        self.features_ = union
        self.model_ = model
        self.classes_ = model.classes_
        n_char = len(chars.vocabulary_)
        coef = model.coef_[0]
        # Plain-Python scoring tables: vocabulary -> (idf, weight), for sub-millisecond scores.
        self._fast_ = [
            _FastPart(
                chars.build_analyzer(),
                dict(chars.vocabulary_),
                np.asarray(chars.idf_, dtype=np.float64),
                np.asarray(coef[:n_char], dtype=np.float64),
                per_word=True,
            ),
            _FastPart(
                words.build_analyzer(),
                dict(words.vocabulary_),
                np.asarray(words.idf_, dtype=np.float64),
                np.asarray(coef[n_char:], dtype=np.float64),
                per_word=False,
            ),
        ]
        self.intercept_ = float(model.intercept_[0])
        return self

    def _features(self, X: Sequence[str]) -> Any:  # noqa: N803
        return self.features_.transform(list(X))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:  # noqa: N803
        """Class probabilities, shape (n, 2); column 1 is "sponsored"."""
        result: np.ndarray[Any, np.dtype[np.float64]] = self.model_.predict_proba(self._features(X))
        return result

    def predict(self, X: Sequence[str]) -> np.ndarray[Any, np.dtype[np.int64]]:  # noqa: N803
        """0 = organic, 1 = sponsored."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def score_one(self, text: str) -> float:
        """Probability that one text is sponsored (same value as predict_proba, faster)."""
        z = self.intercept_
        for part in self._fast_:
            z += part.decision(text)
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class _FastPart:
    """One vectoriser as arrays: vocabulary -> column, idf and weight per column.

    ``per_word``: the analyzer's n-grams never cross a space (``char_wb``), so the columns of
    each word are computed once and remembered.
    """

    analyzer: Callable[[str], list[str]]
    index: dict[str, int]
    idf: np.ndarray[Any, np.dtype[np.float64]]
    weight: np.ndarray[Any, np.dtype[np.float64]]
    per_word: bool
    cache: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def _word(self, word: str) -> tuple[int, ...]:
        found = self.cache.get(word)
        if found is None:
            found = tuple(c for t in self.analyzer(word) if (c := self.index.get(t)) is not None)
            if len(self.cache) >= 50_000:
                self.cache.clear()
            self.cache[word] = found
        return found

    def decision(self, text: str) -> float:
        if self.per_word:
            counts = Counter(c for word in text.split() for c in self._word(word))
        else:
            counts = Counter(c for t in self.analyzer(text) if (c := self.index.get(t)) is not None)
        if not counts:
            return 0.0
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tfs = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (1.0 + np.log(tfs)) * self.idf[cols]
        norm = math.sqrt(float(values @ values))
        return float(values @ self.weight[cols]) / norm if norm else 0.0


def load_training_data(path: Path = DATA_PATH) -> list[dict[str, Any]]:
    """Rows of the training file: text, label (1 sponsored), lang, template, split."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass(frozen=True)
class ClassifierReport:
    """Held-out precision / recall (split by template) at threshold 0.5."""

    n_train: int
    n_test: int
    precision: float
    recall: float
    accuracy: float


def _train(rows: list[dict[str, Any]]) -> SponsorshipClassifier:
    return SponsorshipClassifier().fit([r["text"] for r in rows], [int(r["label"]) for r in rows])


def evaluate_heldout(path: Path = DATA_PATH) -> ClassifierReport:
    """Train on the train split and report precision / recall on the held-out templates."""
    rows = load_training_data(path)
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    clf = _train(train)
    predicted = clf.predict([r["text"] for r in test])
    truth = np.asarray([int(r["label"]) for r in test])
    tp = int(((predicted == 1) & (truth == 1)).sum())
    fp = int(((predicted == 1) & (truth == 0)).sum())
    fn = int(((predicted == 0) & (truth == 1)).sum())
    return ClassifierReport(
        n_train=len(train),
        n_test=len(test),
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        accuracy=float((predicted == truth).mean()) if len(test) else 0.0,
    )


_lock = threading.Lock()
_cached: SponsorshipClassifier | None = None


def default_classifier() -> SponsorshipClassifier:
    """The process-wide classifier, trained on all rows at first use (or read from the
    fitted-model cache when a caller turned it on: see core/fitcache.py)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = cached_fit(
                    "compliance-sponsorship",
                    lambda: _train(load_training_data()),
                    expected=SponsorshipClassifier,
                    inputs=[*Path(__file__).parent.glob("*.py"), DATA_PATH],
                    packages=("scikit-learn", "numpy", "scipy"),
                )
    return _cached


def sponsored_score(caption: str, transcript: str | None = None) -> float:
    """How sponsored the post looks, in [0, 1] (a review signal, never a verdict)."""
    text = caption if not transcript else f"{caption}\n{transcript}"
    return default_classifier().score_one(text)
