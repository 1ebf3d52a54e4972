"""BM25Index and the tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InvalidInputError
from matcher.lexical import BM25Index, tokenize

DOCS = {
    10: "Vegan skincare routine with a cruelty-free serum #vegan #skincare",
    20: "Competitive gaming on Twitch, FPS and keyboards #gaming",
    30: "Vegan recipes: tofu, tempeh and lentils #vegan #recipes",
    40: "Skincare for men: retinol, sunscreen and shaving",
    50: "Marathon training plans and running shoes",
}


@pytest.fixture
def index() -> BM25Index:
    return BM25Index().fit(np.array(list(DOCS), dtype=np.int64), list(DOCS.values()))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("The Vegan skincare", ["vegan", "skincare"]),
        ("#VeganFood #vegan_food", ["veganfood", "vegan", "food"]),
        ("Crème brûlée à Paris", ["creme", "brulee", "paris"]),
        ("El maquillaje y la piel", ["maquillaje", "piel"]),
        ("Der Sport und das Fitnessstudio", ["sport", "fitnessstudio"]),
        ("eco-friendly Eco\u2011Friendly ecofriendly", ["ecofriendly"] * 3),
        ("step-by-step #eco-friendly e-commerce", ["stepbystep", "ecofriendly", "ecommerce"]),
        ("Vegan - cooking", ["vegan", "cooking"]),  # a dash between spaced words is no compound
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_ranking(index: BM25Index) -> None:
    result = index.search("vegan skincare", 5)
    assert result.ids[0] == 10  # both terms
    assert set(result.ids[1:].tolist()) == {30, 40}  # one term each
    assert 20 not in result.ids and 50 not in result.ids  # no shared term, no hit
    assert set(result.matched_terms[0]) == {"skincare", "vegan"}
    assert np.all(np.diff(result.scores) <= 0)


def test_rare_term_outweighs_common(index: BM25Index) -> None:
    assert index.idf("retinol") > index.idf("vegan")
    assert index.search("vegan retinol", 1).ids.tolist() == [40]


def test_length_normalisation() -> None:
    docs = ["yoga", "yoga " + "filler " * 50]
    result = BM25Index().fit(np.array([1, 2]), docs).search("yoga", 2)
    assert result.ids.tolist() == [1, 2]
    assert result.scores[0] > result.scores[1]


def test_filter(index: BM25Index) -> None:
    result = index.search("vegan skincare", 5, allowed_ids=np.array([30, 40, 999]))
    assert result.ids.tolist() in ([30, 40], [40, 30])
    assert len(index.search("vegan", 5, allowed_ids=np.array([20, 50]))) == 0
    assert len(index.search("vegan", 5, allowed_ids=np.array([], dtype=np.int64))) == 0


def test_k_and_no_match(index: BM25Index) -> None:
    assert len(index.search("vegan skincare", 1)) == 1
    assert len(index.search("astronomy", 5)) == 0
    assert len(index.search("the and", 5)) == 0
    with pytest.raises(InvalidInputError):
        index.search("vegan", 0)


def test_scores_match_the_formula() -> None:
    docs = ["a1 b1 b1", "b1 c1", "c1 c1 c1 d1"]
    index = BM25Index(k1=1.2, b=0.75).fit(np.array([1, 2, 3]), docs)
    n, avgdl = 3, 3.0
    idf = np.log1p((n - 2 + 0.5) / (2 + 0.5))  # b1 is in 2 documents
    tf, dl = 2, 3
    expected = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))
    result = index.search("b1", 3)
    assert result.ids[0] == 1
    assert result.scores[0] == pytest.approx(expected, rel=1e-5)


def test_bad_fit() -> None:
    with pytest.raises(InvalidInputError):
        BM25Index().fit(np.array([1, 1]), ["a", "b"])
    with pytest.raises(InvalidInputError):
        BM25Index().fit(np.array([1]), ["a", "b"])


def test_empty_corpus_and_empty_documents() -> None:
    assert len(BM25Index().fit(np.array([], dtype=np.int64), []).search("x", 3)) == 0
    assert len(BM25Index().fit(np.array([1, 2]), ["", "the"]).search("x", 3)) == 0


COMPOUNDS = {
    1: "Dog-friendly cafes and parks",
    2: "Friendly staff, great coffee",
    3: "Eco-friendly packaging for soap",
    4: "Ecofriendly soap bars",
    5: "Eco tips: friendly reminders",
}


@pytest.fixture
def compounds() -> BM25Index:
    return BM25Index().fit(np.array(list(COMPOUNDS)), list(COMPOUNDS.values()))


@pytest.mark.parametrize("query", ["eco-friendly", "ecofriendly", "Eco\u2010friendly"])
def test_a_compound_matches_itself_and_its_joined_form_only(
    compounds: BM25Index, query: str
) -> None:
    result = compounds.search(query, 5)
    assert sorted(result.ids.tolist()) == [3, 4]


def test_words_do_not_match_a_compound_and_terms_read_as_the_query_wrote_them(
    compounds: BM25Index,
) -> None:
    assert sorted(compounds.search("friendly", 5).ids.tolist()) == [2, 5]
    result = compounds.search("eco-friendly soap", 5)
    assert result.ids[0] in (3, 4)
    assert set(result.matched_terms[0]) == {"eco-friendly", "soap"}


def test_matched_terms_per_row_follow_the_rows(index: BM25Index) -> None:
    result = index.search("vegan skincare retinol recipes", 5)
    for cid, terms in zip(result.ids.tolist(), result.matched_terms, strict=True):
        words = set(tokenize(DOCS[cid]))
        assert set(terms) == words & {"vegan", "skincare", "retinol", "recipes"}


def test_matched_terms_of_a_query_with_many_terms() -> None:
    words = [f"w{i}" for i in range(80)]
    docs = [" ".join(words[i::3]) for i in range(3)]
    index = BM25Index().fit(np.array([1, 2, 3]), docs)
    result = index.search(" ".join(words), 3)
    for cid, terms in zip(result.ids.tolist(), result.matched_terms, strict=True):
        assert set(terms) == set(words[cid - 1 :: 3])
