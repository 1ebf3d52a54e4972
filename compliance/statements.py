"""Plain-language statements: connections (note 10), admissions of non-use, health claims
and denials of a tie.

The rules' example sentences ("X paid me", "haven't tried it yet", "cures anxiety", "no one
paid me") are examples, not a closed list. This module reads the *meaning* of each clause of a
caption or transcript with a small calibrated linear classifier: TF-IDF character n-grams
(within word boundaries, so it copes with four languages, inflection and typos) and word
uni/bigrams, a linear SVM, and sigmoid calibration. It has twelve classes: the eight kinds of
connection of rules note 10, ``non_use``, ``health_claim``, ``denial`` (DISCLOSURE_CONTRADICTED:
"they didn't pay me a cent", "que no nos pagan nada") and ``negative``.

It is trained deterministically from the labelled clauses in ``compliance/data``
(``clauses_train.jsonl``, ``clauses_extra.jsonl`` and ``clauses_weak_codes.jsonl``; see
``TRAINING.md``) on first use, in well under a second, and kept for the life of the process.
Nothing is downloaded; the command line keeps the fitted model in ``<data_dir>/cache``
(core/fitcache.py) so that a new command loads it instead of fitting it. A sentence-embedding
model (all-MiniLM-L6-v2) was measured for this job and rejected: see ``python -m
eval.compliance_models`` and docs/compliance-evaluation.md.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from compliance.lexicon import (
    CONNECTION_FIELD,
    DENIAL_FIELD,
    HEALTH_FIELD,
    NEGATION_FIELD,
    NON_USE_FIELD,
    Field,
    Fields,
    fold,
)
from core.fitcache import cached_fit

__all__ = [
    "CLAUSE_FILES",
    "CONNECTION_KINDS",
    "DENIAL",
    "MEANINGS",
    "THRESHOLDS",
    "Statement",
    "StatementClassifier",
    "clause_label",
    "default_statement_classifier",
    "find_statements",
    "load_clauses",
    "meaning_of",
    "prepare",
    "split_clauses",
]

DATA_DIR = Path(__file__).with_name("data")
CLAUSE_FILES = (
    DATA_DIR / "clauses_train.jsonl",
    DATA_DIR / "clauses_extra.jsonl",
    DATA_DIR / "clauses_weak_codes.jsonl",
    DATA_DIR / "clauses_generalise.jsonl",
)

CONNECTION_KINDS = (
    "payment",
    "free_product",
    "gift",
    "trip_event",
    "employment",
    "family_friend",
    "ownership_investment",
    "affiliate",
)
NON_USE = "non_use"
HEALTH_CLAIM = "health_claim"
DENIAL = "denial"
NEGATIVE = "negative"
# What a clause can mean, besides nothing ("negative"): a connection (any of its eight kinds),
# an admission of non-use, a health claim, or a denial of a tie ("they didn't pay me a cent").
MEANINGS = ("connection", NON_USE, HEALTH_CLAIM, DENIAL)

# Probability a clause needs before it counts, per meaning. Chosen on the dev posts
# (compliance/data/dev_posts.jsonl) and the clause cross-validation, never on an evaluation
# set. A connection statement is a label, and a false label hides NO_DISCLOSURE (a hard
# finding), so it needs more evidence than a claim that is only sent to a reviewer; a denial
# makes DISCLOSURE_CONTRADICTED (hard) fire, so it needs as much.
THRESHOLDS: dict[str, float] = {
    "connection": 0.6,
    NON_USE: 0.5,
    HEALTH_CLAIM: 0.5,
    DENIAL: 0.6,
}
# The model decides what a clause means; a rule keeps it to the field of that meaning: a
# connection names a tie (pay, gift, trip, job, family, stake, commission, ...), an
# admission says "not (yet)" or "still sealed", a claim speaks of a disease, weight or
# certain efficacy, a denial negates and speaks of a tie or an ad (the stems are in
# compliance/lexicon.py).
FIELDS: dict[str, Field | Fields] = {
    "connection": CONNECTION_FIELD,
    NON_USE: NON_USE_FIELD,
    HEALTH_CLAIM: HEALTH_FIELD,
    DENIAL: DENIAL_FIELD,
}
# A meaning read with enough certainty needs less of its field: the fields are word lists and
# miss paraphrases the model still reads. A health claim read with probability 0.8 counts in
# any words ("mein Blutzucker ist seitdem wieder normal"); a denial read with 0.9 needs only
# its negation, not a word for the tie ("I get nothing from X for saying this"). Below these,
# the fields stay the gate. Chosen on the dev sets (dev_posts.jsonl, dev2_posts.jsonl), never
# on an evaluation set; admissions and connections gained nothing from it there.
RELAXED: dict[str, tuple[float, Field | None]] = {
    HEALTH_CLAIM: (0.8, None),
    DENIAL: (0.9, NEGATION_FIELD),
}
# A statement has a subject and a predicate: fragments shorter than this ("Links below",
# "@brand") are not read as statements.
MIN_WORDS = 3
# Clauses with at least this many words are also scored in parts (see find_statements).
MIN_SPLIT_WORDS = 8


def clause_label(row: dict[str, Any]) -> str:
    """The classifier's class for a row of the clause files (the connection kind, or label)."""
    return str(row["kind"]) if row["label"] == "connection" else str(row["label"])


def load_clauses(paths: Iterable[Path] = CLAUSE_FILES) -> list[dict[str, Any]]:
    """The labelled clauses of the training files that exist (text, lang, label, kind)."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


# --------------------------------------------------------------------------- clauses

_EMOJI = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff"
    "\u25a0-\u25ff\ufe0f\u200d\u2705"
)
# Where one clause ends: sentence punctuation before a space, a line break, a bar or bullet,
# emoji, the opening of an on-screen annotation (its text is a clause of its own), any other
# bracketed marker ([00:12], [title]) and a closing bracket.
_SEPARATOR = re.compile(
    r"\[\s*on[- ]?screen(?:\s+persistent)?\s*:"
    r"|\[[^\]\n]*\]"
    r"|\]"
    r"|[.!?…]+(?=[\s\"')\]]|$)"
    r"|\n"
    r"|\s[|•·]\s"
    r"|[" + _EMOJI + r"]+",
    re.IGNORECASE,
)
_TRIM = " \t\r\"'“”«»()-–—,;:*"
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_PART_BREAK = re.compile(
    r"[,;:]\s+|\s+(?:but|so|because|though|although|aber|denn|weil|pero|porque|as[ií]\s+que|mais|"
    r"donc|car|parce\s+que|and|y|et|und|alors|then|dann|entonces)\s+",
    re.IGNORECASE,
)


_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
_MENTION = re.compile(r"(?<![\w@])@[\w.]*\w")


def prepare(text: str) -> str:
    """What the classifier reads: links and @-handles as placeholders, then :func:`fold`.

    Handles and links name a brand or a shop, not the relation to it; replacing them keeps
    the model from learning brand names from the training sentences.
    """
    return fold(_MENTION.sub("@handle", _URL.sub("link", text)))


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Offsets ``(start, end)`` of the clauses of ``text``; each has at least two words."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in [*_SEPARATOR.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        start = pos
        while start < end and text[start] in _TRIM:
            start += 1
        stop = end
        while stop > start and text[stop - 1] in _TRIM:
            stop -= 1
        if stop > start and len(_LETTERS.findall(text, start, stop)) >= 2:
            out.append((start, stop))
        if m is not None:
            pos = m.end()
    return out


# --------------------------------------------------------------------------- classifier

_CACHE_WORDS = 50_000  # words whose character n-gram columns are remembered


@dataclass(frozen=True)
class _Block:
    """One vectoriser as plain tables: its analyzer and vocabulary, and its first column."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    offset: int


class StatementClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """TF-IDF (char_wb n-grams + word n-grams), linear SVM, sigmoid-calibrated probabilities.

    ``predict_proba`` returns one column per class in ``classes_``. The vectorisation is done
    with plain tables at prediction time, so scoring the 30 clauses of a two-minute transcript
    takes about a millisecond.
    """

    def __init__(
        self,
        C: float = 0.5,  # noqa: N803  (scikit-learn name)
        char_ngram_range: tuple[int, int] = (2, 5),
        word_ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        calibration_folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.min_df = min_df
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def fit(self, X: Sequence[str], y: Sequence[str]) -> Self:  # noqa: N803
        """Fit the vectorisers, the SVM and its calibration; sets ``*_`` attributes."""
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.char_ngram_range,
            preprocessor=prepare,
            sublinear_tf=True,
            min_df=self.min_df,
            dtype=np.float64,
        )
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=self.word_ngram_range,
            preprocessor=prepare,
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106  (a regex, not a password)
            sublinear_tf=True,
            min_df=self.min_df,
            dtype=np.float64,
        )
        union = FeatureUnion([("chars", chars), ("words", words)])
        features = union.fit_transform(list(X))
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        folds = StratifiedKFold(
            n_splits=self.calibration_folds, shuffle=True, random_state=self.random_state
        )
        model = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
        model.fit(features, np.asarray(list(y)))
        self.features_ = union
        self.model_ = model
        self.classes_ = model.classes_
        # Plain tables for fast scoring: the SVM's weights and each class's sigmoid.
        calibrated = model.calibrated_classifiers_[0]
        fitted_svm = calibrated.estimator
        self.weights_ = np.ascontiguousarray(fitted_svm.coef_.T, dtype=np.float64)
        self.intercept_ = np.asarray(fitted_svm.intercept_, dtype=np.float64)
        self.sigmoid_a_ = np.asarray([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.sigmoid_b_ = np.asarray([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        n_char = len(chars.vocabulary_)
        self.idf_ = np.concatenate([chars.idf_, words.idf_]).astype(np.float64)
        self.blocks_ = (
            _Block(chars.build_analyzer(), dict(chars.vocabulary_), 0),
            _Block(words.build_analyzer(), dict(words.vocabulary_), n_char),
        )
        return self

    def _word_columns(self, word: str) -> tuple[int, ...]:
        """Columns of the character n-grams of one whitespace-delimited word (cached)."""
        cache = self.__dict__.setdefault("_column_cache", {})
        found: tuple[int, ...] | None = cache.get(word)
        if found is None:
            block = self.blocks_[0]
            found = tuple(
                c for term in block.analyzer(word) if (c := block.vocabulary.get(term)) is not None
            )
            if len(cache) >= _CACHE_WORDS:
                cache.clear()
            cache[word] = found
        return found

    def decision_function(self, X: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:  # noqa: N803
        """The SVM's scores, shape (n, n_classes), computed from plain tables.

        All texts are vectorised together: one gather of weight rows and one segmented sum,
        because a post has a few dozen short clauses and per-clause numpy calls would cost
        more than the arithmetic.
        """
        texts = list(X)
        rows: list[int] = []  # one entry per (text, block, term)
        segments: list[int] = []  # one entry per (text, block): index of its first term
        cols: list[int] = []
        tfs: list[int] = []
        words = self.blocks_[1]
        for i, text in enumerate(texts):
            # Character n-grams stay within a word, so they are looked up once per word.
            counted = [
                Counter(c for word in text.split() for c in self._word_columns(word)),
                Counter(
                    c + words.offset
                    for term in words.analyzer(text)
                    if (c := words.vocabulary.get(term)) is not None
                ),
            ]
            for counts in counted:
                if counts:
                    segments.append(len(cols))
                    rows.append(i)
                    cols += counts.keys()
                    tfs += counts.values()
        decision = np.tile(self.intercept_, (len(texts), 1))
        if not cols:
            return decision
        col_arr = np.asarray(cols, dtype=np.int64)
        tf_arr = np.asarray(tfs, dtype=np.float64)
        values = (1.0 + np.log(tf_arr)) * self.idf_[col_arr]
        starts = np.asarray(segments, dtype=np.int64)
        norms = np.sqrt(np.add.reduceat(values * values, starts))
        values /= np.repeat(norms, np.diff(np.append(starts, len(values))))
        per_segment = np.add.reduceat(values[:, None] * self.weights_[col_arr], starts, axis=0)
        np.add.at(decision, np.asarray(rows, dtype=np.int64), per_segment)
        return decision

    def predict_proba(self, X: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:  # noqa: N803
        """Calibrated class probabilities, shape (n, n_classes); rows sum to 1.

        The same numbers as the fitted ``CalibratedClassifierCV`` gives on the TF-IDF
        features (one sigmoid per class, then normalised), computed from plain tables.
        """
        texts = list(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        p = 1.0 / (1.0 + np.exp(self.sigmoid_a_ * self.decision_function(texts) + self.sigmoid_b_))
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        result: np.ndarray[Any, np.dtype[np.float64]] = np.where(
            total > 0, p / np.where(total > 0, total, 1.0), uniform
        )
        return result

    def predict(self, X: Sequence[str]) -> np.ndarray[Any, np.dtype[Any]]:  # noqa: N803
        """The most probable class of each text."""
        proba = self.predict_proba(X)
        result: np.ndarray[Any, np.dtype[Any]] = self.classes_[proba.argmax(axis=1)]
        return result


_lock = threading.Lock()
_cached: StatementClassifier | None = None


def _fit_default() -> StatementClassifier:
    rows = load_clauses()
    return StatementClassifier().fit([r["text"] for r in rows], [clause_label(r) for r in rows])


def default_statement_classifier() -> StatementClassifier:
    """The process-wide classifier, trained on every clause file at first use (or read from
    the fitted-model cache when a caller turned it on: see core/fitcache.py)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = cached_fit(
                    "compliance-statements",
                    _fit_default,
                    expected=StatementClassifier,
                    # the package's code (the preprocessing, the lexicon) and the clauses
                    inputs=[*Path(__file__).parent.glob("*.py"), *CLAUSE_FILES],
                    packages=("scikit-learn", "numpy", "scipy"),
                )
    return _cached


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Statement:
    """A clause that states a connection, admits non-use, makes a health claim or denies a tie."""

    meaning: str  # "connection" | "non_use" | "health_claim" | "denial"
    kind: str | None  # the connection kind, for connections
    source: str  # "caption" | "transcript"
    start: int
    end: int
    probability: float


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of a long clause, split where a new thought usually starts."""
    if len(_LETTERS.findall(text, start, end)) < MIN_SPLIT_WORDS:
        return []
    parts: list[tuple[int, int]] = []
    pos = start
    for m in [*_PART_BREAK.finditer(text, start, end), None]:
        stop = m.start() if m is not None else end
        a, b = pos, stop
        while a < b and text[a] in _TRIM:
            a += 1
        while b > a and text[b - 1] in _TRIM:
            b -= 1
        if len(_LETTERS.findall(text, a, b)) >= MIN_WORDS:
            parts.append((a, b))
        if m is not None:
            pos = m.end()
    return parts if len(parts) > 1 else []


def meaning_of(
    row: np.ndarray[Any, np.dtype[np.float64]], classes: Sequence[str]
) -> tuple[str, str | None, float] | None:
    """The meaning a row of class probabilities gives a clause, or None (it means nothing).

    A connection's probability is the sum over its eight kinds; the most probable meaning
    counts when it reaches its threshold in ``THRESHOLDS``. Returns the meaning, the
    connection kind (None for the other meanings) and the probability.
    """
    kind_cols = [classes.index(k) for k in CONNECTION_KINDS if k in classes]
    scores = {"connection": float(row[kind_cols].sum())}
    for meaning in MEANINGS[1:]:
        if meaning in classes:
            scores[meaning] = float(row[classes.index(meaning)])
    meaning = max(scores, key=lambda k: scores[k])
    if scores[meaning] < THRESHOLDS[meaning]:
        return None
    kind = classes[kind_cols[int(row[kind_cols].argmax())]] if meaning == "connection" else None
    return meaning, kind, scores[meaning]


def _in_field(meaning: str, probability: float, folded: str) -> bool:
    """Whether a piece read as ``meaning`` lies in its field (or needs less of it: RELAXED)."""
    if FIELDS[meaning].matches(folded):
        return True
    relaxed = RELAXED.get(meaning)
    if relaxed is None or probability < relaxed[0]:
        return False
    return relaxed[1] is None or relaxed[1].matches(folded)


def find_statements(
    texts: Sequence[tuple[str, str]],
    classifier: StatementClassifier | None = None,
) -> list[Statement]:
    """The statements in ``texts`` (pairs of source name and text), in text order.

    Every clause is scored, and so are the parts of a long clause (split at commas and at
    "but", "so", "and", "aber", "und", "pero", "y", "mais", "et", ...), all in one call: a
    sentence can admit non-use in one half and recommend in the other, or bury a connection
    in a run-on transcript sentence. A piece counts for the meaning whose probability is
    highest when it reaches that meaning's threshold in ``THRESHOLDS`` (a connection's
    probability is the sum over its eight kinds) and touches that meaning's field in
    ``FIELDS`` (less of it when the reading is confident: ``RELAXED``); each clause gives at
    most one statement per meaning, from its most probable piece.
    """
    pieces: list[tuple[int, str, int, int]] = []  # clause number, source, start, end
    n = 0
    for source, text in texts:
        for s, e in split_clauses(text):
            pieces += [(n, source, a, b) for a, b in [(s, e), *_parts(text, s, e)]]
            n += 1
    if not pieces:
        return []
    model = classifier or default_statement_classifier()
    by_source = dict(texts)
    proba = model.predict_proba([by_source[src][s:e] for _, src, s, e in pieces])
    classes = list(model.classes_)
    best: dict[tuple[int, str], Statement] = {}
    for (clause, source, start, end), row in zip(pieces, proba, strict=True):
        read = meaning_of(row, classes)
        if read is None:
            continue
        meaning, kind, probability = read
        if len(_LETTERS.findall(by_source[source], start, end)) < MIN_WORDS:
            continue
        if not _in_field(meaning, probability, fold(by_source[source][start:end])):
            continue
        found = Statement(meaning, kind, source, start, end, round(probability, 4))
        key = (clause, meaning)
        if key not in best or found.probability > best[key].probability:
            best[key] = found
    return sorted(best.values(), key=lambda st: (st.source != texts[0][0], st.start))
