"""The pieces of eval/retrieval.py that decide the experiments' numbers, checked against the
product code they stand beside (BM25, the fusions) and on small hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from eval.retrieval import (
    EXPERIMENTS,
    VARIANTS,
    Setup,
    _bm25,
    _creator_vectors,
    _fuse,
    _post_scores,
    _rm3,
    _Shared,
    candidate_features,
    creator_fields,
    post_texts,
)
from matcher.documents import MAX_POSTS
from matcher.fusion import reciprocal_rank_fusion, weighted_score_fusion
from matcher.index import SearchResult
from matcher.lexical import BM25Index, LexicalResult

DOCS = [
    "vegan skincare routine #vegan #skincare",
    "gaming keyboard review and gaming mouse",
    "vegan recipes: tofu and lentils",
    "marathon training plan",
]


def test_one_field_bm25f_is_the_product_bm25() -> None:
    ours = _bm25({"text": DOCS}, {"text": 1.0})
    product = BM25Index().fit(np.arange(len(DOCS)), DOCS)
    assert ours.vocabulary == product.vocabulary_
    np.testing.assert_allclose(ours.weights.toarray(), product.weights_.toarray(), rtol=1e-6)


def test_field_weights_scale_a_field() -> None:
    fields = {"hashtags": ["vegan", ""], "posts": ["", "vegan"]}
    index = _bm25(fields, {"hashtags": 3.0, "posts": 1.0})
    cols, qtf = index.query("vegan")
    scores = index.scores(cols, qtf)
    assert scores[0] > scores[1] > 0


def test_rm3_adds_terms_of_the_feedback_documents() -> None:
    index = _bm25({"text": DOCS}, {"text": 1.0})
    cols, qtf = index.query("skincare")
    expanded, weights = _rm3(index, cols, qtf, (1, 3, 0.5))
    terms = {t for t, c in index.vocabulary.items() if c in expanded}
    assert "skincare" in terms and "vegan" in terms
    assert weights.sum() == pytest.approx(1.0, abs=1e-5)


def test_creator_fields_split_tags_from_text() -> None:
    record = {
        "bio": "Plant-based cook",
        "categories": ["food"],
        "display_name": "Kitchen Mia",
        "recent_posts": [{"text": "Tofu bowl #vegan", "hashtags": ["#Recipes"]}],
    }
    fields = creator_fields(record)
    assert fields["hashtags"].split() == ["recipes", "vegan"]
    assert fields["posts"] == "Tofu bowl"
    assert (fields["bio"], fields["categories"], fields["name"]) == (
        "Plant-based cook",
        "food",
        "Kitchen Mia",
    )


D_IDS = np.array([1, 2, 3], dtype=np.int64)
D_SCORES = np.array([0.9, 0.8, 0.7], dtype=np.float32)
L_IDS = np.array([3, 4, 1], dtype=np.int64)
L_SCORES = np.array([12.0, 8.0, 1.0], dtype=np.float32)


def test_the_experiment_fusions_rank_like_the_product_ones() -> None:
    dense = SearchResult(D_IDS, D_SCORES, True)
    lexical = LexicalResult(L_IDS, L_SCORES, tuple((f"t{i}",) for i in L_IDS))
    rrf = [h.creator_id for h in reciprocal_rank_fusion(dense, lexical)]
    assert _fuse(Setup(), D_IDS, D_SCORES, L_IDS, L_SCORES) == rrf
    for how in ("minmax", "zscore"):
        product = weighted_score_fusion(dense, lexical, alpha=0.6, normalization=how)  # type: ignore[arg-type]
        mine = _fuse(Setup(fusion=how, dense_weight=0.6), D_IDS, D_SCORES, L_IDS, L_SCORES)
        assert sorted(mine) == sorted(h.creator_id for h in product)
        scores = {h.creator_id: h.score for h in product}
        assert [scores[c] for c in mine] == sorted(scores.values(), reverse=True)


def test_candidate_features() -> None:
    ids, feats = candidate_features(D_IDS, D_SCORES, L_IDS, L_SCORES)
    assert ids.tolist() == [1, 2, 3, 4]
    assert feats.shape == (4, 7)
    assert feats[1, 6] == 0 and feats[0, 6] == 1  # 2 is not in the lexical list, 1 is
    assert feats[3, 4] == 0  # 4 has no dense rank
    assert feats[2, 3] == pytest.approx(1.0)  # 3 is the best BM25 hit


def test_every_experiment_row_is_a_variant_or_a_registered_ranker() -> None:
    names = set(VARIANTS) | {"x-learned", "x-learned-niche-rocchio", "retrieval"}
    for experiment in EXPERIMENTS:
        assert experiment.baseline in names
        assert {name for name, _ in experiment.variants} <= names


def test_post_texts_keep_each_posts_text_and_its_other_hashtags() -> None:
    posts = [{"text": "Tofu bowl #vegan", "hashtags": ["#vegan", "Recipes"]}, {"text": "  "}]
    posts += [{"caption": f"post {i}"} for i in range(MAX_POSTS + 5)]
    texts = post_texts({"recent_posts": posts})
    assert texts[0] == "Tofu bowl #vegan #Recipes"
    assert len(texts) == MAX_POSTS - 1  # the empty post is one of the MAX_POSTS read


class _Corpus:
    """What the per-post scorers read: documents' vectors and the posts' (set directly)."""

    def __init__(self, documents: np.ndarray, posts: np.ndarray, owners: list[int]) -> None:
        self.records: list[dict[str, object]] = [{} for _ in range(documents.shape[0])]
        self.cache_dir = None
        self._retrieval_shared = _Shared(
            vectors=documents.astype(np.float32),
            encode=None,  # type: ignore[arg-type]
            posts=(posts.astype(np.float32), np.asarray(owners, dtype=np.int64)),
        )


def _unit(*rows: tuple[float, float]) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float64)
    out: np.ndarray = array / np.linalg.norm(array, axis=1, keepdims=True)
    return out


def test_post_scores_max_sim_top2_and_no_posts() -> None:
    documents = _unit((1, 0), (1, 0), (0, 1))
    # creator 0: one post on the query, one off it; creator 1: two half-way posts; 2: none
    posts = _unit((0, 1), (1, 0), (1, 1), (1, 1))
    corpus = _Corpus(documents, posts, [0, 0, 1, 1])
    query = np.array([0, 1], dtype=np.float32)
    best = _post_scores(corpus, query, "maxsim")  # type: ignore[arg-type]
    two = _post_scores(corpus, query, "top2")  # type: ignore[arg-type]
    np.testing.assert_allclose(best, [1.0, 2**-0.5, 1.0], rtol=1e-6)
    np.testing.assert_allclose(two, [0.5, 2**-0.5, 1.0], rtol=1e-6)


def test_one_vector_per_creator_from_its_posts() -> None:
    documents = _unit((1, 0), (1, 0))
    posts = _unit((0, 1), (0, 1))
    corpus = _Corpus(documents, posts, [0, 0])
    mean = _creator_vectors(corpus, "posts-mean")  # type: ignore[arg-type]
    blend = _creator_vectors(corpus, "blend-0.5")  # type: ignore[arg-type]
    np.testing.assert_allclose(mean, [[0, 1], [1, 0]], atol=1e-6)  # no posts: the document
    np.testing.assert_allclose(blend[0], _unit((1, 1))[0], rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(blend, axis=1), 1.0, rtol=1e-6)
