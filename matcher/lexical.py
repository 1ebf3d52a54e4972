"""Okapi BM25 over creator documents: the lexical half of hybrid retrieval.

Exact words matter where embeddings blur them: brand names, product terms ("retinol"),
place names, hashtags. :class:`BM25Index` scores the same documents as the dense index
(:func:`matcher.documents.creator_document`) with k1 = 1.2 and b = 0.75 and the Lucene idf
``log(1 + (N - df + 0.5) / (df + 0.5))`` (never negative). Per-document term weights are
precomputed into a sparse CSC matrix, so a query costs one sparse column slice and a
mat-vec: milliseconds at 100k documents. The index is built whole (``fit``): idf and the
average length are corpus statistics, so it is rebuilt beside the live one, like the
dense index.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from core.errors import InvalidInputError

__all__ = ["STOP_WORDS", "BM25Index", "LexicalResult", "tokenize"]

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

# Light lists (accent-folded, lower case): function words of en, es, fr and de that carry no
# topic. Deliberately short: "vegan", "beauty" or "fit" must never be dropped.
_STOP_WORDS_BY_LANGUAGE = {
    "en": """a an and are as at be been but by for from has have i in is it its my of on or
        our so that the their them they this to was we were will with you your me us he she
        his her not no do does did can just about into out up over than then there these
        those what when where which who why how all also more most very""",
    "es": """el la los las un una unos unas y o de del al en con por para es son que se su sus
        lo mi mis tu te nos como mas pero muy ya le les este esta estos estas ese esa hay""",
    "fr": """le la les un une des et ou de du au aux en dans par pour sur avec est sont que qui
        ce cette ces mon ma mes ton ta tes son sa ses nos vos leur leurs je tu il elle nous
        vous ils elles ne pas plus tres se""",
    "de": """der die das den dem des ein eine einer eines einem einen und oder zu im in mit von
        fur auf ist sind ich du er sie es wir ihr mein meine dein deine sein seine nicht auch
        als wie aus bei nach uber noch nur sehr""",
}
STOP_WORDS: frozenset[str] = frozenset(
    word for words in _STOP_WORDS_BY_LANGUAGE.values() for word in words.split()
)

# A word, or hyphenated words ("eco-friendly", "step-by-step"; ASCII, Unicode and
# non-breaking hyphens) taken as one compound.
_HYPHENS = "-\u2010\u2011"
_WORD = re.compile(rf"[^\W_]+(?:[{_HYPHENS}][^\W_]+)*", re.UNICODE)
_HYPHEN = re.compile(rf"[{_HYPHENS}]")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _surface_tokens(text: str) -> list[tuple[str, str]]:
    """(token, the folded words it came from) for every token of ``text``."""
    out = []
    for word in _WORD.findall(_fold(text)):
        token = _HYPHEN.sub("", word)
        if token not in STOP_WORDS:
            out.append((token, word))
    return out


def tokenize(text: str) -> list[str]:
    """Lower-cased, accent-folded word tokens without stop words.

    Hashtags count as words ("#VeganFood" -> "veganfood", "#vegan_food" -> "vegan", "food"),
    so a brief saying "vegan" matches a creator tagging #vegan. A hyphenated compound is one
    token, written joined ("eco-friendly" and "ecofriendly" -> "ecofriendly"): it matches its
    joined form and never "friendly" or "dog-friendly" on their own.
    """
    return [token for token, _ in _surface_tokens(text)]


@dataclass(frozen=True)
class LexicalResult:
    """BM25 hits, best first: ids (n,), scores (n,) and the query terms each hit matched."""

    ids: IdArray
    scores: FloatArray
    matched_terms: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return int(self.ids.shape[0])


class BM25Index:
    """An Okapi BM25 index over (creator id, document) pairs; ``fit`` then ``search``."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise InvalidInputError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.k1 = k1
        self.b = b

    def fit(self, ids: IdArray, documents: Sequence[str]) -> BM25Index:
        """Index ``documents`` under ``ids`` (int64, unique). Returns self.

        Sets ``vocabulary_``, ``idf_`` (V,), ``avgdl_``, ``weights_`` (CSC, n x V) and
        ``ids_`` (n,).
        """
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise InvalidInputError.for_field("ids", "must be a 1-D integer array")
        if ids.shape[0] != len(documents):
            raise InvalidInputError.for_field(
                "ids", f"has {ids.shape[0]} ids for {len(documents)} documents"
            )
        if np.unique(ids).size != ids.size:
            raise InvalidInputError.for_field("ids", "contains duplicates")
        self.ids_: IdArray = ids.astype(np.int64)
        order = np.argsort(self.ids_, kind="stable")
        self._sorted_ids = self.ids_[order]
        self._sorted_rows = order.astype(np.int64)
        n = len(documents)
        if n == 0:
            self.vocabulary_: dict[str, int] = {}
            self.idf_ = np.empty(0, dtype=np.float32)
            self.avgdl_ = 0.0
            self.weights_ = sparse.csc_matrix((0, 0), dtype=np.float32)
            return self
        vectorizer = CountVectorizer(analyzer=tokenize, dtype=np.float32)
        try:
            tf = vectorizer.fit_transform(documents).tocsr()
        except ValueError:  # every document empty: an empty vocabulary
            self.vocabulary_ = {}
            self.idf_ = np.empty(0, dtype=np.float32)
            self.avgdl_ = 0.0
            self.weights_ = sparse.csc_matrix((n, 0), dtype=np.float32)
            return self
        self.vocabulary_ = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        self.avgdl_ = float(lengths.mean()) or 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        self.idf_ = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        # tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)), times idf, per stored entry.
        row_of_entry = np.repeat(np.arange(n), np.diff(tf.indptr))
        norm = self.k1 * (1 - self.b + self.b * lengths[row_of_entry] / self.avgdl_)
        data = tf.data * (self.k1 + 1) / (tf.data + norm) * self.idf_[tf.indices]
        weighted = sparse.csr_matrix((data.astype(np.float32), tf.indices, tf.indptr), tf.shape)
        self.weights_ = weighted.tocsc()
        self.weights_.sort_indices()  # posting lists in row order: _matched_terms searches them
        return self

    def __len__(self) -> int:
        return int(self.ids_.shape[0]) if hasattr(self, "ids_") else 0

    def _query_columns(self, query: str) -> tuple[list[int], FloatArray, dict[int, str]]:
        """The query's vocabulary columns (sorted), their counts, and how the query wrote
        each ("eco-friendly" for the column of "ecofriendly"), for the matched terms."""
        counts: dict[int, int] = {}
        surface: dict[int, str] = {}
        for token, word in _surface_tokens(query):
            col = self.vocabulary_.get(token)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
                surface.setdefault(col, word)
        cols = sorted(counts)
        return cols, np.array([counts[c] for c in cols], dtype=np.float32), surface

    def search(self, query: str, k: int, *, allowed_ids: IdArray | None = None) -> LexicalResult:
        """The ``k`` best documents for ``query`` among ``allowed_ids`` (all when None).

        Only documents sharing at least one term with the query are returned. Unknown allowed
        ids are ignored.
        """
        if not hasattr(self, "ids_"):
            raise InvalidInputError("BM25Index.search called before fit")
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise InvalidInputError.for_field("k", f"must be an integer >= 1, got {k!r}")
        cols, qtf, surface = self._query_columns(query)
        if not cols:
            return _empty()
        # Straight from the CSC arrays (no scipy slicing: its checks cost more than the
        # arithmetic): each query term's posting list, weighted by its count in the query.
        w = self.weights_
        postings = [w.indices[w.indptr[c] : w.indptr[c + 1]] for c in cols]
        rows_all = np.concatenate(postings)
        weights = np.concatenate(
            [w.data[w.indptr[c] : w.indptr[c + 1]] * q for c, q in zip(cols, qtf, strict=True)]
        )
        scores = np.bincount(rows_all, weights=weights, minlength=w.shape[0]).astype(np.float32)
        candidates = np.flatnonzero(scores > 0)
        if allowed_ids is not None:
            # No np.unique: a repeated id only sets its row twice, and numpy 2's hash-based
            # unique costs milliseconds for 10k ids.
            allowed = np.asarray(allowed_ids, dtype=np.int64).ravel()
            pos = np.searchsorted(self._sorted_ids, allowed)
            n = self._sorted_ids.shape[0]
            ok = (pos < n) & (self._sorted_ids[np.minimum(pos, max(n - 1, 0))] == allowed)
            mask = np.zeros(scores.shape[0], dtype=bool)
            mask[self._sorted_rows[pos[ok]]] = True
            candidates = candidates[mask[candidates]]
        if candidates.size == 0:
            return _empty()
        if candidates.size > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        # Best first; ties by creator id so results are deterministic.
        order = np.lexsort((self.ids_[candidates], -scores[candidates]))
        rows = candidates[order]
        matched = _matched_terms(postings, rows, [surface[c] for c in cols])
        return LexicalResult(
            ids=self.ids_[rows].copy(), scores=scores[rows].copy(), matched_terms=matched
        )

    def idf(self, term: str) -> float:
        """The idf of ``term`` (after tokenisation); nan when it is not in the vocabulary."""
        tokens = tokenize(term)
        col = self.vocabulary_.get(tokens[0]) if tokens else None
        return math.nan if col is None else float(self.idf_[col])


def _matched_terms(
    postings: list[IdArray], rows: IdArray, names: list[str]
) -> tuple[tuple[str, ...], ...]:
    """The query terms (``names``, one per posting list) each of ``rows`` holds.

    One binary search per query term over its posting list (row indices, sorted), then rows
    are grouped by the set of terms they hold, so a tuple is built once per distinct set, not
    once per row.
    """
    present = np.zeros((rows.size, len(names)), dtype=bool)
    for j, posting in enumerate(postings):
        if posting.size:
            pos = np.minimum(np.searchsorted(posting, rows), posting.size - 1)
            present[:, j] = posting[pos] == rows
    if len(names) <= 62:  # one int64 bit mask per row
        keys = present @ (np.int64(1) << np.arange(len(names), dtype=np.int64))
        distinct, inverse = np.unique(keys, return_inverse=True)
        groups = [[bool(int(m) >> j & 1) for j in range(len(names))] for m in distinct]
    else:
        packed, inverse = np.unique(np.packbits(present, axis=1), axis=0, return_inverse=True)
        groups = np.unpackbits(packed, axis=1, count=len(names)).astype(bool).tolist()
    tuples = [tuple(n for n, hit in zip(names, group, strict=True) if hit) for group in groups]
    return tuple(tuples[i] for i in inverse.ravel().tolist())


def _empty() -> LexicalResult:
    return LexicalResult(
        ids=np.empty(0, dtype=np.int64), scores=np.empty(0, dtype=np.float32), matched_terms=()
    )
