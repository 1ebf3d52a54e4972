"""Fusion of the dense and lexical candidate lists into one ranking that keeps its evidence.

:func:`reciprocal_rank_fusion` (RRF, k = 60) needs no score calibration: each list adds
``weight / (k + rank)``. :func:`weighted_score_fusion` normalises each list's scores (min-max,
or z-scores: CombSUM) and mixes them with ``alpha``; it keeps the score gaps that RRF throws
away, and with z-scores it is what :mod:`matcher.retrieval` uses (docs/matcher-quality.md,
"Retrieval experiments", has the numbers). Both keep each component's
rank and score (and the lexical matched terms) on every :class:`FusedHit`, so an explanation
can say "semantic match #3 (0.62), keyword match #1 on 'vegan', 'skincare'".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError
from matcher.lexical import LexicalResult

__all__ = [
    "RRF_K",
    "FusedHit",
    "Normalization",
    "Ranked",
    "reciprocal_rank_fusion",
    "weighted_score_fusion",
]

RRF_K = 60


class Ranked(Protocol):
    """A ranked candidate list, best first (``SearchResult``, ``LexicalResult``)."""

    @property
    def ids(self) -> npt.NDArray[np.int64]: ...

    @property
    def scores(self) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class FusedHit:
    """One fused candidate. Ranks are 1-based; None where the list did not return it."""

    creator_id: int
    score: float
    dense_rank: int | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None
    matched_terms: tuple[str, ...] = ()

    @property
    def best_rank(self) -> int:
        ranks = [r for r in (self.dense_rank, self.lexical_rank) if r is not None]
        return min(ranks) if ranks else 0


@dataclass
class _Entry:
    dense_rank: int | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None
    matched_terms: tuple[str, ...] = ()


def _collect(dense: Ranked | None, lexical: Ranked | None) -> dict[int, _Entry]:
    entries: dict[int, _Entry] = {}
    if dense is not None:
        for rank, (cid, score) in enumerate(zip(dense.ids, dense.scores, strict=True), 1):
            entry = entries.setdefault(int(cid), _Entry())
            if entry.dense_rank is None:  # a duplicate keeps its best rank
                entry.dense_rank, entry.dense_score = rank, float(score)
    if lexical is not None:
        terms = lexical.matched_terms if isinstance(lexical, LexicalResult) else ()
        for rank, (cid, score) in enumerate(zip(lexical.ids, lexical.scores, strict=True), 1):
            entry = entries.setdefault(int(cid), _Entry())
            if entry.lexical_rank is None:
                entry.lexical_rank, entry.lexical_score = rank, float(score)
                if rank - 1 < len(terms):
                    entry.matched_terms = tuple(terms[rank - 1])
    return entries


def _finish(
    entries: dict[int, _Entry], scores: dict[int, float], limit: int | None
) -> list[FusedHit]:
    hits = [
        FusedHit(
            creator_id=cid,
            score=scores[cid],
            dense_rank=e.dense_rank,
            dense_score=e.dense_score,
            lexical_rank=e.lexical_rank,
            lexical_score=e.lexical_score,
            matched_terms=e.matched_terms,
        )
        for cid, e in entries.items()
    ]
    # Deterministic: fused score, then the better component rank, then id.
    hits.sort(key=lambda h: (-h.score, h.best_rank, h.creator_id))
    return hits if limit is None else hits[:limit]


def reciprocal_rank_fusion(
    dense: Ranked | None,
    lexical: Ranked | None,
    *,
    k: int = RRF_K,
    dense_weight: float = 1.0,
    lexical_weight: float = 1.0,
    limit: int | None = None,
) -> list[FusedHit]:
    """Fuse by ``sum(weight / (k + rank))`` over the lists that returned a creator.

    Returns:
        Hits best first (at most ``limit``), each with both component ranks and scores.
    """
    if k < 1:
        raise InvalidInputError.for_field("k", f"must be >= 1, got {k}")
    if dense_weight < 0 or lexical_weight < 0:
        raise InvalidInputError.for_field("weights", "must be >= 0")
    entries = _collect(dense, lexical)
    scores = {}
    for cid, e in entries.items():
        score = 0.0
        if e.dense_rank is not None:
            score += dense_weight / (k + e.dense_rank)
        if e.lexical_rank is not None:
            score += lexical_weight / (k + e.lexical_rank)
        scores[cid] = score
    return _finish(entries, scores, limit)


Normalization = Literal["minmax", "zscore"]


def _normalised(values: dict[int, float], how: Normalization) -> tuple[dict[int, float], float]:
    """The normalised values and the value of a creator the list missed (its floor)."""
    if not values:
        return {}, 0.0
    array = np.fromiter(values.values(), dtype=np.float64, count=len(values))
    if how == "minmax":
        low, high = float(array.min()), float(array.max())
        if high == low:
            return dict.fromkeys(values, 1.0), 0.0
        return {cid: (v - low) / (high - low) for cid, v in values.items()}, 0.0
    mean, std = float(array.mean()), float(array.std())
    if std == 0:  # one hit, or all equal: one unit above what the list missed
        return dict.fromkeys(values, 1.0), 0.0
    z = {cid: (v - mean) / std for cid, v in values.items()}
    return z, float((array.min() - mean) / std)


def weighted_score_fusion(
    dense: Ranked | None,
    lexical: Ranked | None,
    *,
    alpha: float = 0.7,
    normalization: Normalization = "minmax",
    limit: int | None = None,
) -> list[FusedHit]:
    """Fuse by ``alpha * dense + (1 - alpha) * lexical`` of normalised scores (CombSUM).

    ``minmax`` maps each list to [0, 1] and gives a creator a list missed 0; ``zscore``
    subtracts the list's mean and divides by its standard deviation, and gives a missed
    creator the list's lowest z (it ranked below everything the list returned); a list of one
    hit, or of equal scores, gives its hits 1 and a missed creator 0. Scores are
    normalised within each list, so the fused score ranks candidates of this query only, and
    z-scores depend on how deep the lists are: compare fused scores at one depth only.
    """
    if not 0.0 <= alpha <= 1.0:
        raise InvalidInputError.for_field("alpha", f"must be in [0, 1], got {alpha}")
    if normalization not in ("minmax", "zscore"):
        raise InvalidInputError.for_field(
            "normalization", f"must be 'minmax' or 'zscore', got {normalization!r}"
        )
    entries = _collect(dense, lexical)
    d, d_floor = _normalised(
        {c: e.dense_score for c, e in entries.items() if e.dense_score is not None},
        normalization,
    )
    lx, lx_floor = _normalised(
        {c: e.lexical_score for c, e in entries.items() if e.lexical_score is not None},
        normalization,
    )
    scores = {c: alpha * d.get(c, d_floor) + (1 - alpha) * lx.get(c, lx_floor) for c in entries}
    return _finish(entries, scores, limit)
