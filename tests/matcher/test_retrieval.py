"""matcher.retrieval: Rocchio feedback, z-score fusion, filters, and the returned evidence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from core.errors import InvalidInputError
from matcher.fusion import weighted_score_fusion
from matcher.index import SearchResult, VectorIndex
from matcher.lexical import BM25Index, LexicalResult
from matcher.retrieval import (
    RetrievalSettings,
    feedback_query,
    fuse_zscore,
    retrieve,
    retrieve_pooled,
)
from tests.matcher.synthetic import embedding_like


def _unit(*values: float) -> npt.NDArray[np.float32]:
    v = np.array(values, dtype=np.float32)
    return np.ascontiguousarray(v / np.linalg.norm(v))


# The query is closest to A, then B, then C. A and C share a direction (a niche) that B does
# not: feeding A back into the query lifts C above B.
A = _unit(0.9, 0.436, 0.0)
B = _unit(0.8, 0.0, 0.6)
C = _unit(0.5, 0.866, 0.0)
Q = _unit(1.0, 0.0, 0.0)
IDS = np.array([10, 20, 30], dtype=np.int64)


@pytest.fixture
def index() -> VectorIndex:
    return VectorIndex.build(IDS, np.stack([A, B, C]), model_name="test", kind="flat")


def _ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return [h.creator_id for h in hits]


class TestFeedback:
    def test_feedback_query_is_the_normalised_rocchio_sum(self) -> None:
        moved = feedback_query(Q, np.stack([A, C]), weight=2.0)
        expected = Q + 2.0 * (A + C) / 2
        np.testing.assert_allclose(moved, expected / np.linalg.norm(expected), rtol=1e-6)
        assert moved.dtype == np.float32
        assert feedback_query(Q, np.empty((0, 3), dtype=np.float32)) is Q

    def test_without_feedback_the_dense_order_is_the_cosine_order(self, index: VectorIndex) -> None:
        off = RetrievalSettings(feedback_docs=0, alpha=1.0)
        assert _ids(retrieve("", Q, dense=index, lexical=None, k=3, settings=off)) == [10, 20, 30]

    def test_feedback_pulls_the_niche_of_the_best_hit_up(self, index: VectorIndex) -> None:
        on = RetrievalSettings(feedback_docs=1, feedback_weight=4.0, alpha=1.0)
        hits = retrieve("", Q, dense=index, lexical=None, k=3, settings=on)
        assert _ids(hits) == [10, 30, 20]
        # The evidence keeps the cosine with the brief, not with the moved query.
        by_id = {h.creator_id: h for h in hits}
        assert by_id[30].dense_score == pytest.approx(float(C @ Q), abs=1e-6)
        assert by_id[30].dense_rank == 2

    def test_feedback_and_results_stay_inside_the_filter(self, index: VectorIndex) -> None:
        on = RetrievalSettings(feedback_docs=1, feedback_weight=4.0, alpha=1.0)
        allowed = np.array([20, 30], dtype=np.int64)
        hits = retrieve("", Q, dense=index, lexical=None, k=3, allowed_ids=allowed, settings=on)
        # A is not allowed, so it cannot be fed back: B stays ahead of C.
        assert _ids(hits) == [20, 30]

    def test_a_creator_removed_meanwhile_turns_feedback_off(self, index: VectorIndex) -> None:
        class Racy:
            def search(self, query, k, *, allowed_ids=None):  # type: ignore[no-untyped-def]
                return index.search(query, k, allowed_ids=allowed_ids)

            def get_vectors(self, ids):  # type: ignore[no-untyped-def]
                raise InvalidInputError.for_field("ids", "not in the index: [10]")

        on = RetrievalSettings(feedback_docs=1, feedback_weight=4.0, alpha=1.0)
        hits = retrieve("", Q, dense=Racy(), lexical=None, k=3, settings=on)
        assert _ids(hits) == [10, 20, 30]


class TestFusion:
    DOCS = ("vegan skincare routine", "gaming keyboard review", "vegan recipes at home")

    @pytest.fixture
    def lexical(self) -> BM25Index:
        return BM25Index().fit(IDS, list(self.DOCS))

    def test_a_lexical_only_candidate_is_fused_in(
        self, index: VectorIndex, lexical: BM25Index
    ) -> None:
        allowed = np.array([10, 30], dtype=np.int64)
        hits = retrieve(
            "vegan",
            Q,
            dense=index,
            lexical=lexical,
            k=5,
            allowed_ids=allowed,
            settings=RetrievalSettings(feedback_docs=0),
        )
        assert set(_ids(hits)) == {10, 30}
        assert all(h.matched_terms == ("vegan",) for h in hits)
        assert all(h.lexical_rank is not None and h.dense_rank is not None for h in hits)

    def test_alpha_zero_is_bm25_order(self, index: VectorIndex, lexical: BM25Index) -> None:
        settings = RetrievalSettings(feedback_docs=0, alpha=0.0)
        hits = retrieve("gaming keyboard", Q, dense=index, lexical=lexical, k=3, settings=settings)
        assert hits[0].creator_id == 20
        assert hits[0].lexical_rank == 1 and hits[0].matched_terms == ("gaming", "keyboard")

    def test_k_limits_and_validation(self, index: VectorIndex, lexical: BM25Index) -> None:
        assert len(retrieve("vegan", Q, dense=index, lexical=lexical, k=1)) == 1
        assert retrieve("vegan", Q, dense=None, lexical=None, k=3) == []
        with pytest.raises(InvalidInputError):
            retrieve("vegan", Q, dense=index, lexical=lexical, k=0)
        with pytest.raises(InvalidInputError):
            RetrievalSettings(alpha=1.5)
        with pytest.raises(InvalidInputError):
            RetrievalSettings(depth=0)

    @pytest.mark.parametrize("seed", [0, 1, 2, 3])
    @pytest.mark.parametrize("alpha", [0.0, 0.3, 0.7, 1.0])
    def test_vectorised_fusion_equals_the_reference(self, seed: int, alpha: float) -> None:
        rng = np.random.default_rng(seed)
        dense_ids = rng.choice(60, 40, replace=False).astype(np.int64)
        dense_scores = np.sort(rng.random(40).astype(np.float32))[::-1].copy()
        lex_ids = rng.choice(60, 25, replace=False).astype(np.int64)
        lex_scores = np.sort((rng.random(25) * 9).astype(np.float32))[::-1].copy()
        terms = tuple((f"t{i}",) for i in lex_ids)
        dense = SearchResult(dense_ids, dense_scores, True)
        lexical = LexicalResult(lex_ids, lex_scores, terms)
        expected = weighted_score_fusion(
            dense, lexical, alpha=alpha, normalization="zscore", limit=30
        )
        got = fuse_zscore(dense, lexical, alpha=alpha, k=30)
        assert [h.creator_id for h in got] == [h.creator_id for h in expected]
        for g, e in zip(got, expected, strict=True):
            assert g.score == pytest.approx(e.score, abs=1e-5)
            assert (g.dense_rank, g.lexical_rank, g.matched_terms) == (
                e.dense_rank,
                e.lexical_rank,
                e.matched_terms,
            )
            assert g.dense_score == pytest.approx(e.dense_score) if e.dense_score else True


def test_a_larger_index_with_filters_returns_only_allowed_ids() -> None:
    vectors = embedding_like(2_000, seed=3)
    ids = np.arange(2_000, dtype=np.int64) * 7
    index = VectorIndex.build(ids, vectors, model_name="test", kind="flat")
    documents = [f"topic{i % 50} word{i % 13}" for i in range(2_000)]
    lexical = BM25Index().fit(ids, documents)
    allowed = ids[::10]
    hits = retrieve(
        "topic7 word3", vectors[5], dense=index, lexical=lexical, k=50, allowed_ids=allowed
    )
    assert len(hits) == 50
    assert set(_ids(hits)) <= set(allowed.tolist())
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # Every dense score is the cosine with the query that was passed in.
    for h in hits:
        if h.dense_score is not None:
            row = int(np.flatnonzero(ids == h.creator_id)[0])
            assert h.dense_score == pytest.approx(float(vectors[row] @ vectors[5]), abs=1e-5)


def test_the_docs_state_the_default_settings() -> None:
    from pathlib import Path

    from matcher.retrieval import DEFAULT_SETTINGS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "matcher-retrieval.md").read_text()
    assert f"max(k, {DEFAULT_SETTINGS.depth})" in doc
    assert f"its {DEFAULT_SETTINGS.feedback_docs} best hits" in doc
    assert DEFAULT_SETTINGS.feedback_weight == 1.0
    alpha = DEFAULT_SETTINGS.alpha
    assert f"{alpha:g} x dense z + {1 - alpha:.1f} x BM25 z" in doc


class TestPooled:
    def test_without_a_pool_it_is_retrieve(self, index: VectorIndex) -> None:
        settings = RetrievalSettings(depth=1, feedback_docs=0, alpha=1.0)
        hits, exact = retrieve_pooled("", Q, dense=index, lexical=None, k=1, settings=settings)
        assert _ids(hits) == _ids(
            retrieve("", Q, dense=index, lexical=None, k=1, settings=settings)
        )
        assert exact is True

    def test_the_pool_brings_in_what_the_plain_search_was_too_shallow_to_reach(
        self, index: VectorIndex
    ) -> None:
        settings = RetrievalSettings(depth=1, feedback_docs=0, alpha=1.0)
        pool = np.array([30], dtype=np.int64)
        hits, _ = retrieve_pooled(
            "", Q, dense=index, lexical=None, k=1, pool_ids=pool, settings=settings
        )
        # The union (10 from everyone, 30 from the pool) is scored as one list, by cosine.
        assert _ids(hits) == [10, 30]
        cosines = {h.creator_id: h.dense_score for h in hits}
        assert cosines[30] == pytest.approx(float(C @ Q), rel=1e-5)
