"""The candidates of a match: dense search with Rocchio feedback, BM25, and z-score fusion.

:func:`retrieve` is what the match service calls with the brief's niche text, its vector,
the hard filters' allowed ids and the number of candidates it wants. Measured against
reciprocal rank fusion of the plain dense and BM25 lists on the YouTube evaluation
(docs/matcher-quality.md, "Retrieval experiments"; settings chosen on the training briefs
only), two changes paid and are kept here:

1. **Rocchio pseudo-relevance feedback on the dense side** (Rocchio 1971, as used for dense
   retrieval by e.g. Li et al. 2023): the query vector plus the mean of its
   :attr:`RetrievalSettings.feedback_docs` best hits (among the allowed ids), normalised,
   re-scores the first search's candidates. A short or noisy brief borrows the vocabulary of
   the creators it already finds. Searching the index again with the moved query was no
   better on the training briefs, so the only extra cost is reading the candidates' stored
   vectors (depth x dim floats) and one small matrix-vector product.
2. **CombSUM of z-scored lists** instead of RRF: each list's scores minus its mean over its
   standard deviation, mixed ``alpha`` dense to ``1 - alpha`` BM25. RRF throws away how far
   ahead a candidate is; z-scores keep it without a calibration per corpus.

The third change is upstream: the dense query should be the brief's *niche text* (the brief
without countries, ages, budgets, objectives and filler), not the whole brief; the service
passes it (``Brief.niche_text``). Ideas that did not pay (BM25F field weights, RM3 on BM25,
min-max normalisation, a learned logistic fusion, RRF weights) are in the experiments table,
not here.

Each :class:`~matcher.fusion.FusedHit` keeps the dense rank after feedback, but its
``dense_score`` is the cosine with the *original* query vector, the quantity the scorer's
niche fit is calibrated on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError
from matcher.fusion import FusedHit
from matcher.lexical import BM25Index, LexicalResult

__all__ = [
    "DEFAULT_SETTINGS",
    "DenseIndex",
    "DenseResult",
    "RetrievalSettings",
    "feedback_query",
    "fuse_zscore",
    "retrieve",
    "retrieve_pooled",
]

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


class DenseResult(Protocol):
    """A dense hit list, best first (``matcher.index.SearchResult``)."""

    @property
    def ids(self) -> IdArray: ...

    @property
    def scores(self) -> FloatArray: ...


class DenseIndex(Protocol):
    """What retrieval needs of the vector index (``matcher.index.VectorIndex``): a filtered
    search and the stored vectors of some ids."""

    def search(
        self, query: FloatArray, k: int, *, allowed_ids: IdArray | None = None
    ) -> DenseResult: ...

    def get_vectors(self, ids: IdArray) -> FloatArray: ...


@dataclass(frozen=True)
class RetrievalSettings:
    """How :func:`retrieve` works; the defaults are the ones chosen on the training briefs.

    Attributes:
        depth: candidates asked of each list (at least the ``k`` of a call). The z-scores
            are taken over these lists, so the depth is part of the setting. 100 (a match's
            usual depth, so the index searches are no larger than before) scored 0.490 on
            the training briefs, 200 and 300 0.493.
        feedback_docs: dense hits averaged into the query (0 turns feedback off).
        feedback_weight: the weight of their mean against the query vector (beta; alpha = 1).
        alpha: the dense share of the fused z-score (the rest is BM25's).
    """

    depth: int = 100
    feedback_docs: int = 5
    feedback_weight: float = 1.0
    alpha: float = 0.7

    def __post_init__(self) -> None:
        if self.depth < 1 or self.feedback_docs < 0 or self.feedback_weight < 0:
            raise InvalidInputError(
                "retrieval settings need depth >= 1, feedback_docs >= 0, feedback_weight >= 0"
            )
        if not 0.0 <= self.alpha <= 1.0:
            raise InvalidInputError.for_field("alpha", f"must be in [0, 1], got {self.alpha}")


DEFAULT_SETTINGS = RetrievalSettings()


def feedback_query(query: FloatArray, feedback: FloatArray, *, weight: float = 1.0) -> FloatArray:
    """Rocchio: ``query + weight * mean(feedback)``, L2-normalised (float32, (dim,)).

    ``feedback`` is (m, dim); with m = 0 the query comes back unchanged.
    """
    if feedback.shape[0] == 0 or weight == 0:
        return query
    moved = query.astype(np.float32) + np.float32(weight) * feedback.mean(axis=0)
    norm = float(np.linalg.norm(moved))
    if norm == 0:
        return query
    return np.ascontiguousarray(moved / norm, dtype=np.float32)


@dataclass(frozen=True)
class _Dense:
    ids: IdArray
    scores: FloatArray


def _vectors(index: DenseIndex, ids: IdArray) -> FloatArray | None:
    try:
        return index.get_vectors(ids)
    except InvalidInputError:
        # A creator was removed between the search and this read (a concurrent sync): skip
        # what needs the vectors rather than fail the match.
        return None


def retrieve(
    query_text: str,
    query_vector: FloatArray,
    *,
    dense: DenseIndex | None,
    lexical: BM25Index | None,
    k: int,
    allowed_ids: IdArray | None = None,
    settings: RetrievalSettings = DEFAULT_SETTINGS,
) -> list[FusedHit]:
    """The fused candidates for a query, best first (at most ``k``).

    Args:
        query_text: what BM25 searches (the brief's niche text).
        query_vector: the embedded niche text, float32 (dim,), L2-normalised.
        dense: the vector index (None: BM25 only). Pass one index object for the whole call
            (``IndexHolder.current``), so the stored vectors come from the index searched.
        lexical: the organisation's BM25 index (None: dense only).
        k: how many candidates to return.
        allowed_ids: the creators the hard filters allow (None: all).
        settings: see :class:`RetrievalSettings`.

    Returns:
        Fused hits with both lists' ranks and scores; ``dense_rank`` is the rank after
        feedback, ``dense_score`` the cosine with ``query_vector`` (not with the feedback
        query), ``score`` the fused z-score.
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidInputError.for_field("k", f"must be an integer >= 1, got {k!r}")
    depth = max(k, settings.depth)
    dense_hits: _Dense | None = None
    original: dict[int, float] = {}
    if dense is not None:
        first = dense.search(query_vector, depth, allowed_ids=allowed_ids)
        ids, scores = np.asarray(first.ids), np.asarray(first.scores)
        original = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        dense_hits = _Dense(ids, scores)
        if settings.feedback_docs and settings.feedback_weight > 0 and ids.size:
            vectors = _vectors(dense, ids)
            if vectors is not None:
                moved = feedback_query(
                    query_vector, vectors[: settings.feedback_docs], weight=settings.feedback_weight
                )
                # Re-score the first list with the moved query rather than search again: as
                # good on the training briefs, and it saves a second index search.
                moved_scores = (vectors @ moved).astype(np.float32)
                order = np.lexsort((ids, -moved_scores))
                dense_hits = _Dense(ids[order], moved_scores[order])
    lexical_hits: LexicalResult | None = None
    if lexical is not None and len(lexical):
        lexical_hits = lexical.search(query_text, depth, allowed_ids=allowed_ids)
    return fuse_zscore(
        dense_hits,
        lexical_hits,
        alpha=settings.alpha,
        k=k,
        cosines=original,
    )


def retrieve_pooled(
    query_text: str,
    query_vector: FloatArray,
    *,
    dense: DenseIndex,
    lexical: BM25Index | None,
    k: int,
    allowed_ids: IdArray | None = None,
    pool_ids: IdArray | None = None,
    settings: RetrievalSettings = DEFAULT_SETTINGS,
) -> tuple[list[FusedHit], bool]:
    """:func:`retrieve`, also searching a *pool*: the allowed creators who meet the brief's
    wishes (its audience, platforms, tiers). A crowded niche then cannot fill the candidates
    with creators the recruiter ruled out.

    Without a pool this is :func:`retrieve`. With one, both searches (dense and BM25, over
    the allowed ids and over the pool) give a union of candidates, which is then scored
    exactly as one list, so a candidate's evidence does not depend on which search found
    it: every candidate's cosine from its stored vector, Rocchio feedback from the best
    ``feedback_docs`` of them, its BM25 within the union, z-score fusion over the union.

    Returns the fused hits (every candidate of the union with a pool, at most ``k``
    without) and whether the dense searches were exhaustive.
    """
    depth = max(k, settings.depth)
    first = dense.search(query_vector, depth, allowed_ids=allowed_ids)
    exact = bool(getattr(first, "exact", True))
    if pool_ids is None:
        return (
            retrieve(
                query_text,
                query_vector,
                dense=_Fixed(dense, first),
                lexical=lexical,
                k=k,
                allowed_ids=allowed_ids,
                settings=settings,
            ),
            exact,
        )
    in_pool = dense.search(query_vector, depth, allowed_ids=pool_ids)
    exact = exact and bool(getattr(in_pool, "exact", True))
    found = [np.asarray(first.ids, dtype=np.int64), np.asarray(in_pool.ids, dtype=np.int64)]
    if lexical is not None and len(lexical):
        found.append(lexical.search(query_text, depth, allowed_ids=allowed_ids).ids)
        found.append(lexical.search(query_text, depth, allowed_ids=pool_ids).ids)
    union = np.unique(np.concatenate(found)).astype(np.int64)
    if not union.size:
        return [], exact
    vectors = _vectors(dense, union)
    if vectors is None:  # a creator went away mid-match: the plain search still answers
        return (
            retrieve(
                query_text,
                query_vector,
                dense=_Fixed(dense, first),
                lexical=lexical,
                k=k,
                allowed_ids=allowed_ids,
                settings=settings,
            ),
            exact,
        )
    cosines = (vectors @ query_vector).astype(np.float32)
    order = np.lexsort((union, -cosines))
    scores = cosines
    if settings.feedback_docs and settings.feedback_weight > 0:
        moved = feedback_query(
            query_vector,
            vectors[order[: settings.feedback_docs]],
            weight=settings.feedback_weight,
        )
        scores = (vectors @ moved).astype(np.float32)
        order = np.lexsort((union, -scores))
    dense_list = _Dense(union[order], scores[order])
    lexical_list = (
        lexical.search(query_text, int(union.size), allowed_ids=union)
        if lexical is not None and len(lexical)
        else None
    )
    original = dict(zip(union.tolist(), cosines.tolist(), strict=True))
    return (
        fuse_zscore(
            dense_list, lexical_list, alpha=settings.alpha, k=int(union.size), cosines=original
        ),
        exact,
    )


@dataclass(frozen=True)
class _Fixed:
    """An index whose first search has been done already (its result is reused)."""

    index: DenseIndex
    result: DenseResult

    def search(
        self, query: FloatArray, k: int, *, allowed_ids: IdArray | None = None
    ) -> DenseResult:
        return self.result

    def get_vectors(self, ids: IdArray) -> FloatArray:
        return self.index.get_vectors(ids)


def _first_occurrences(ids: IdArray) -> IdArray:
    """Positions of the first occurrence of each id, in list order (a list repeating an id
    keeps its best rank, as :func:`matcher.fusion.reciprocal_rank_fusion` does)."""
    _, first = np.unique(ids, return_index=True)
    return np.sort(first)


def _z(scores: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]:
    if scores.size == 0:
        return scores, 0.0
    std = float(scores.std())
    if std == 0:  # one hit, or all equal: one unit above what the list missed
        return np.ones_like(scores), 0.0
    z = (scores - float(scores.mean())) / std
    return z, float(z.min())


def fuse_zscore(
    dense: DenseResult | None,
    lexical: LexicalResult | None,
    *,
    alpha: float,
    k: int,
    cosines: dict[int, float] | None = None,
) -> list[FusedHit]:
    """Z-score CombSUM, vectorised: the same ranking as
    ``matcher.fusion.weighted_score_fusion(dense, lexical, alpha=alpha,
    normalization="zscore", limit=k)``, but only the ``k`` hits returned are built.

    ``cosines`` (id -> cosine with the original query) replace the hits' ``dense_score``
    where given; otherwise it is the dense list's own score.
    """
    parts: list[tuple[IdArray, npt.NDArray[np.float64], IdArray] | None] = []
    for ranked in (dense, lexical):
        if ranked is None or len(ranked.ids) == 0:
            parts.append(None)
            continue
        ids = np.asarray(ranked.ids, dtype=np.int64)
        keep = _first_occurrences(ids)
        parts.append((ids[keep], np.asarray(ranked.scores, dtype=np.float64)[keep], keep))
    present = [p[0] for p in parts if p is not None]
    if not present:
        return []
    merged = np.sort(np.concatenate(present))
    # Sorted distinct ids without np.unique (numpy 2's hash-based unique is slow here).
    union = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
    total = np.zeros(union.size, dtype=np.float64)
    ranks = []
    for part, weight in zip(parts, (alpha, 1.0 - alpha), strict=True):
        rank = np.zeros(union.size, dtype=np.int64)  # 0: not in this list
        if part is not None:
            ids, scores, keep = part
            z, floor = _z(scores)
            values = np.full(union.size, floor)
            pos = np.searchsorted(union, ids)
            values[pos] = z
            rank[pos] = keep + 1
            total += weight * values
        ranks.append(rank)
    big = np.iinfo(np.int64).max
    best = np.minimum(np.where(ranks[0] > 0, ranks[0], big), np.where(ranks[1] > 0, ranks[1], big))
    best = np.where(best == big, 0, best)
    # Best first: fused score, then the better component rank, then id (as fusion._finish).
    order = np.lexsort((union, best, -total))[:k]
    hits = []
    terms = lexical.matched_terms if lexical is not None else ()
    for i in order.tolist():
        cid = int(union[i])
        d_rank, l_rank = int(ranks[0][i]), int(ranks[1][i])
        dense_score = None
        if d_rank:
            dense_score = float(dense.scores[d_rank - 1])  # type: ignore[union-attr]  # d_rank > 0: dense has hits
            if cosines is not None:
                dense_score = cosines.get(cid, dense_score)
        lexical_score = None
        if l_rank and lexical is not None:
            lexical_score = float(lexical.scores[l_rank - 1])
        hits.append(
            FusedHit(
                creator_id=cid,
                score=float(total[i]),
                dense_rank=d_rank or None,
                dense_score=dense_score,
                lexical_rank=l_rank or None,
                lexical_score=lexical_score,
                matched_terms=tuple(terms[l_rank - 1]) if 0 < l_rank <= len(terms) else (),
            )
        )
    return hits
