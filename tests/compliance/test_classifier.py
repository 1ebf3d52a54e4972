"""The sponsorship classifier: an estimator, reproducible, better than chance held out."""

from __future__ import annotations

import numpy as np
import pytest

from compliance.classifier import (
    SponsorshipClassifier,
    default_classifier,
    evaluate_heldout,
    load_training_data,
    sponsored_score,
)
from compliance.training_data import build_rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return load_training_data()


def test_training_file_matches_its_generator(rows: list[dict[str, object]]) -> None:
    assert rows == build_rows()


def test_training_data_covers_four_languages_and_both_labels(rows: list[dict[str, object]]) -> None:
    assert {r["lang"] for r in rows} == {"en", "es", "fr", "de"}
    assert {r["label"] for r in rows} == {0, 1}
    train_templates = {r["template"] for r in rows if r["split"] == "train"}
    test_templates = {r["template"] for r in rows if r["split"] == "test"}
    assert test_templates and not train_templates & test_templates


def test_fit_returns_self_and_sets_attributes() -> None:
    clf = SponsorshipClassifier(C=1.0)
    assert clf.get_params()["C"] == 1.0
    assert not hasattr(clf, "model_")
    fitted = clf.fit(
        ["#ad use my code X10", "walk in the park", "sponsored by acme", "my dog"], [1, 0, 1, 0]
    )
    assert fitted is clf
    assert hasattr(clf, "model_")


def test_fit_is_reproducible(rows: list[dict[str, object]]) -> None:
    texts = [str(r["text"]) for r in rows[:120]]
    labels = [int(str(r["label"])) for r in rows[:120]]
    a = SponsorshipClassifier().fit(texts, labels).predict_proba(texts)
    b = SponsorshipClassifier().fit(texts, labels).predict_proba(texts)
    assert np.array_equal(a, b)


def test_fast_score_equals_predict_proba() -> None:
    clf = default_classifier()
    texts = [
        "#ad use my code LUMO20 for 15% off",
        "Rainy day, warm tea and a playlist",
        "Werbung | neu",
    ]
    expected = clf.predict_proba(texts)[:, 1]
    got = [clf.score_one(t) for t in texts]
    assert np.allclose(expected, got, atol=1e-9)


def test_better_than_chance_on_heldout_templates() -> None:
    report = evaluate_heldout()
    assert report.n_test > 20
    assert report.precision > 0.6
    assert report.recall > 0.6


def test_score_orders_obvious_cases() -> None:
    promo = sponsored_score("Use my code SAM20 for 20% off, link in bio to shop! #ad")
    organic = sponsored_score(
        "Cooked my grandmother's recipe tonight and it tasted like childhood."
    )
    assert 0.0 <= organic < promo <= 1.0


def test_score_never_changes_the_verdict() -> None:
    from compliance.checker import check_post
    from tests.compliance._factories import post

    p = post("Use my code SAM20 for 20% off, link in bio to shop!", mc="none", brand=None)
    with_score = check_post(p)
    without = check_post(p, score=False)
    assert with_score.sponsored_score is not None and without.sponsored_score is None
    assert with_score.verdict == without.verdict and with_score.reasons == without.reasons
