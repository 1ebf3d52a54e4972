"""Ranking metrics for one query: P@k, nDCG@k, average precision, Recall@k; and macro means.

A ranking is a list of document ids, best first (it may be shorter than the collection). The
truth is a mapping id -> gain: binary relevance uses 1.0 for relevant documents; graded
relevance uses any gain in [0, 1] (the share of a channel's videos in the query's category).
Ids absent from the mapping, or with gain 0, are not relevant. Every function is pure and
returns 0.0 for a query without relevant documents, so such queries must be left out by the
caller rather than silently averaged in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "average_precision",
    "expected_random_average_precision",
    "expected_random_ndcg",
    "expected_random_precision",
    "macro_average",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
]


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def _discount(rank: int) -> float:
    """The DCG discount of a 1-based rank: 1 / log2(rank + 1)."""
    return 1.0 / math.log2(rank + 1)


def precision_at_k(ranking: Sequence[int], relevance: Mapping[int, float], k: int) -> float:
    """The fraction of the first ``k`` slots holding a relevant id (a short list counts its
    empty slots as misses, so returning fewer results is never rewarded)."""
    _check_k(k)
    return sum(1 for doc in ranking[:k] if relevance.get(doc, 0.0) > 0) / k


def recall_at_k(ranking: Sequence[int], relevance: Mapping[int, float], k: int) -> float:
    """The fraction of all relevant ids found in the first ``k`` slots."""
    _check_k(k)
    total = sum(1 for gain in relevance.values() if gain > 0)
    if total == 0:
        return 0.0
    return sum(1 for doc in ranking[:k] if relevance.get(doc, 0.0) > 0) / total


def ndcg_at_k(ranking: Sequence[int], relevance: Mapping[int, float], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with linear gains.

    DCG = sum over ranks r <= k of gain / log2(r + 1); the ideal DCG sorts all gains
    descending. A repeated id only counts at its first rank.
    """
    _check_k(k)
    seen: set[int] = set()
    dcg = 0.0
    for rank, doc in enumerate(ranking[:k], start=1):
        if doc in seen:
            continue
        seen.add(doc)
        dcg += relevance.get(doc, 0.0) * _discount(rank)
    ideal_gains = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    ideal = sum(g * _discount(r) for r, g in enumerate(ideal_gains, start=1))
    return dcg / ideal if ideal > 0 else 0.0


def average_precision(ranking: Sequence[int], relevance: Mapping[int, float]) -> float:
    """Average precision of the whole list: the mean over all relevant ids of the precision
    at the rank where each is found (0 for those never returned)."""
    total = sum(1 for gain in relevance.values() if gain > 0)
    if total == 0:
        return 0.0
    seen: set[int] = set()
    hits = 0
    summed = 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in seen:
            continue
        seen.add(doc)
        if relevance.get(doc, 0.0) > 0:
            hits += 1
            summed += hits / rank
    return summed / total


def expected_random_precision(n_relevant: int, n_total: int) -> float:
    """E[P@k] of a uniformly random permutation of ``n_total`` ids: each slot is relevant
    with probability R / N (for k <= N)."""
    _check_counts(n_relevant, n_total)
    return n_relevant / n_total


def expected_random_ndcg(gains: Iterable[float], n_total: int, k: int) -> float:
    """E[nDCG@k] of a uniformly random permutation of ``n_total`` ids.

    ``gains`` are the positive gains of the relevant ids (``[1.0] * R`` for binary
    relevance). Each rank holds a given id with probability 1 / N and the ideal DCG does not
    depend on the permutation, so E[nDCG@k] = (sum(gains) / N) * sum_{r <= min(k, N)} d(r) /
    IDCG@k, with d(r) = 1 / log2(r + 1).
    """
    _check_k(k)
    positive = sorted((g for g in gains if g > 0), reverse=True)
    _check_counts(len(positive), n_total)
    if not positive:
        return 0.0
    expected_dcg = (
        sum(positive) / n_total * sum(_discount(r) for r in range(1, min(k, n_total) + 1))
    )
    ideal = sum(g * _discount(r) for r, g in enumerate(positive[:k], start=1))
    return expected_dcg / ideal


def expected_random_average_precision(n_relevant: int, n_total: int) -> float:
    """E[AP] of a uniformly random permutation: (H_N + (R - 1) / (N - 1) * (N - H_N)) / N,
    H_N the N-th harmonic number (the rank r holds a relevant id with probability R / N, and
    then each of the r - 1 ids above it is relevant with probability (R - 1) / (N - 1))."""
    _check_counts(n_relevant, n_total)
    if n_relevant == 0:
        return 0.0
    harmonic = sum(1.0 / r for r in range(1, n_total + 1))
    other = (n_relevant - 1) / (n_total - 1) if n_total > 1 else 0.0
    return (harmonic + other * (n_total - harmonic)) / n_total


def _check_counts(n_relevant: int, n_total: int) -> None:
    if n_total < 1 or not 0 <= n_relevant <= n_total:
        raise ValueError(
            f"need n_total >= 1 and 0 <= n_relevant <= n_total, got {n_relevant}, {n_total}"
        )


def macro_average(values: Iterable[float]) -> float:
    """The unweighted mean over queries (nan for no queries, so a gap is visible)."""
    items = list(values)
    return sum(items) / len(items) if items else math.nan
