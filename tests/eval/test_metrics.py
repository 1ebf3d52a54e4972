"""Ranking metrics against hand-computed values and brute-force expectations."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest

from eval.metrics import (
    average_precision,
    expected_random_average_precision,
    expected_random_ndcg,
    expected_random_precision,
    macro_average,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

RANKING = [3, 1, 7, 2, 9]
RELEVANT = {1: 1.0, 2: 1.0, 5: 1.0}  # 5 is never retrieved


@pytest.mark.parametrize(("k", "expected"), [(1, 0.0), (2, 0.5), (5, 0.4), (10, 0.2)])
def test_precision_at_k(k: int, expected: float) -> None:
    assert precision_at_k(RANKING, RELEVANT, k) == pytest.approx(expected)


@pytest.mark.parametrize(("k", "expected"), [(1, 0.0), (2, 1 / 3), (5, 2 / 3), (50, 2 / 3)])
def test_recall_at_k(k: int, expected: float) -> None:
    assert recall_at_k(RANKING, RELEVANT, k) == pytest.approx(expected)


def test_ndcg_binary_by_hand() -> None:
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4)
    dcg = 0.6309297535714575 + 0.43067655807339306
    ideal = 1 + 0.6309297535714575 + 0.5
    assert ndcg_at_k(RANKING, RELEVANT, 5) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(RANKING, RELEVANT, 5) == pytest.approx(0.498189, abs=1e-6)


def test_ndcg_graded_by_hand() -> None:
    gains = {0: 0.5, 2: 1.0}
    # DCG = 0.5 / 1 + 1.0 / log2(4) = 1.0; ideal = 1.0 + 0.5 / log2(3)
    assert ndcg_at_k([0, 1, 2], gains, 3) == pytest.approx(1.0 / (1.0 + 0.5 / math.log2(3)))


def test_ndcg_is_one_for_the_ideal_order_and_counts_a_repeat_once() -> None:
    assert ndcg_at_k([2, 1, 3], {1: 1.0, 2: 1.0}, 10) == pytest.approx(1.0)
    assert ndcg_at_k([1, 1, 1], {1: 1.0, 2: 1.0}, 3) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_average_precision_by_hand() -> None:
    # hits at ranks 2 and 4: (1/2 + 2/4) / 3 relevant
    assert average_precision(RANKING, RELEVANT) == pytest.approx(1 / 3)
    assert average_precision([1, 1, 2], {1: 1.0, 2: 1.0}) == pytest.approx((1 + 2 / 3) / 2)


def test_no_relevant_documents_score_zero() -> None:
    assert ndcg_at_k(RANKING, {}, 10) == 0.0
    assert average_precision(RANKING, {}) == 0.0
    assert recall_at_k(RANKING, {}, 10) == 0.0


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(RANKING, RELEVANT, 0)


def _all_permutations(n: int) -> list[tuple[int, ...]]:
    return list(itertools.permutations(range(n)))


@pytest.mark.parametrize(
    ("n", "gains", "k"), [(5, [1.0, 1.0], 3), (6, [1.0, 0.5, 0.25], 2), (4, [1.0], 10)]
)
def test_expected_random_ndcg_matches_brute_force(n: int, gains: list[float], k: int) -> None:
    relevance = dict(enumerate(gains))
    brute = statistics.fmean(ndcg_at_k(p, relevance, k) for p in _all_permutations(n))
    assert expected_random_ndcg(gains, n, k) == pytest.approx(brute)


@pytest.mark.parametrize(("n", "r"), [(4, 1), (5, 2), (6, 3), (6, 6)])
def test_expected_random_average_precision_matches_brute_force(n: int, r: int) -> None:
    relevance = dict.fromkeys(range(r), 1.0)
    brute = statistics.fmean(average_precision(p, relevance) for p in _all_permutations(n))
    assert expected_random_average_precision(r, n) == pytest.approx(brute)


def test_expected_random_precision_matches_brute_force() -> None:
    relevance = dict.fromkeys(range(2), 1.0)
    brute = statistics.fmean(precision_at_k(p, relevance, 3) for p in _all_permutations(5))
    assert expected_random_precision(2, 5) == pytest.approx(brute)


def test_macro_average() -> None:
    assert macro_average([0.2, 0.4, 0.9]) == pytest.approx(0.5)
    assert math.isnan(macro_average([]))
