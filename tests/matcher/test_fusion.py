"""Reciprocal rank fusion and weighted score fusion."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InvalidInputError
from matcher.fusion import reciprocal_rank_fusion, weighted_score_fusion
from matcher.index import SearchResult
from matcher.lexical import LexicalResult


def dense(ids: list[int], scores: list[float]) -> SearchResult:
    return SearchResult(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float32), True)


def lexical(ids: list[int], scores: list[float]) -> LexicalResult:
    terms = tuple((f"t{i}",) for i in ids)
    return LexicalResult(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float32), terms)


D = dense([1, 2, 3], [0.9, 0.8, 0.7])
L = lexical([3, 4, 1], [12.0, 8.0, 1.0])


def test_rrf_scores_and_order() -> None:
    hits = reciprocal_rank_fusion(D, L)
    by_id = {h.creator_id: h for h in hits}
    assert by_id[1].score == pytest.approx(1 / 61 + 1 / 63)
    assert by_id[3].score == pytest.approx(1 / 63 + 1 / 61)
    assert by_id[2].score == pytest.approx(1 / 62)
    assert by_id[4].score == pytest.approx(1 / 62)
    # 1 and 3 tie on score and best rank (1): id breaks the tie; then 2 and 4 likewise.
    assert [h.creator_id for h in hits] == [1, 3, 2, 4]


def test_rrf_keeps_components() -> None:
    hit = {h.creator_id: h for h in reciprocal_rank_fusion(D, L)}[3]
    assert (hit.dense_rank, hit.lexical_rank) == (3, 1)
    assert hit.dense_score == pytest.approx(0.7)
    assert hit.lexical_score == pytest.approx(12.0)
    assert hit.matched_terms == ("t3",)
    only_dense = {h.creator_id: h for h in reciprocal_rank_fusion(D, L)}[2]
    assert only_dense.lexical_rank is None
    assert only_dense.lexical_score is None


def test_rrf_weights_and_limit() -> None:
    hits = reciprocal_rank_fusion(D, L, lexical_weight=0.0, limit=2)
    assert [h.creator_id for h in hits] == [1, 2]


def test_rrf_one_list_missing() -> None:
    assert [h.creator_id for h in reciprocal_rank_fusion(D, None)] == [1, 2, 3]
    assert reciprocal_rank_fusion(None, None) == []


def test_weighted_fusion() -> None:
    hits = weighted_score_fusion(D, L, alpha=0.5)
    by_id = {h.creator_id: h for h in hits}
    # dense min-max: 1 -> 1, 2 -> 0.5, 3 -> 0; lexical: 3 -> 1, 4 -> 7/11, 1 -> 0
    assert by_id[1].score == pytest.approx(0.5)
    assert by_id[3].score == pytest.approx(0.5)
    assert by_id[4].score == pytest.approx(0.5 * 7 / 11)
    assert by_id[2].score == pytest.approx(0.25)
    assert [h.creator_id for h in weighted_score_fusion(D, L, alpha=1.0)][:1] == [1]
    assert [h.creator_id for h in weighted_score_fusion(D, L, alpha=0.0)][:1] == [3]


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_weighted_bad_alpha(alpha: float) -> None:
    with pytest.raises(InvalidInputError):
        weighted_score_fusion(D, L, alpha=alpha)


def test_rrf_bad_k() -> None:
    with pytest.raises(InvalidInputError):
        reciprocal_rank_fusion(D, L, k=0)


def test_zscore_fusion() -> None:
    hits = weighted_score_fusion(D, L, alpha=0.5, normalization="zscore")
    by_id = {h.creator_id: h for h in hits}
    d = np.array([0.9, 0.8, 0.7])
    dz = (d - d.mean()) / d.std()
    lx = np.array([12.0, 8.0, 1.0])
    lz = (lx - lx.mean()) / lx.std()
    # 2 is missing from the lexical list: it gets that list's lowest z; 4 the dense one's.
    assert by_id[1].score == pytest.approx(0.5 * dz[0] + 0.5 * lz[2], abs=1e-6)
    assert by_id[2].score == pytest.approx(0.5 * dz[1] + 0.5 * lz.min(), abs=1e-6)
    assert by_id[3].score == pytest.approx(0.5 * dz[2] + 0.5 * lz[0], abs=1e-6)
    assert by_id[4].score == pytest.approx(0.5 * dz.min() + 0.5 * lz[1], abs=1e-6)


def test_zscore_of_a_single_hit_is_one_above_the_missed() -> None:
    hits = weighted_score_fusion(D, lexical([2], [5.0]), alpha=0.0, normalization="zscore")
    assert hits[0].creator_id == 2
    assert hits[0].score == pytest.approx(1.0)
    assert {h.score for h in hits[1:]} == {0.0}


def test_unknown_normalization() -> None:
    with pytest.raises(InvalidInputError):
        weighted_score_fusion(D, L, normalization="rank")  # type: ignore[arg-type]
