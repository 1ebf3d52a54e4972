"""Audience overlap from audience objects, against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.errors import InvalidInputError
from planner.overlap import audience_overlap, overlap_matrix, validate_overlap_matrix

A = {"countries": {"DE": 0.6, "AT": 0.4}, "interests": ["cooking", "vegan"]}
B = {"countries": {"de": 0.8, "CH": 0.2}, "interests": ["Cooking ", "travel"]}
C = {"countries": {"DE": 1.0}}
D = {"age": {"18-24": 1.0}}


def test_mean_of_country_cosine_and_interest_jaccard() -> None:
    cosine = 0.48 / (math.sqrt(0.52) * math.sqrt(0.68))
    jaccard = 1 / 3
    assert audience_overlap(A, B) == pytest.approx((cosine + jaccard) / 2)


def test_only_the_parts_both_describe_count() -> None:
    assert audience_overlap(A, C) == pytest.approx(0.6 / math.sqrt(0.52))


@pytest.mark.parametrize(("a", "b"), [(A, D), (A, None), (None, None), (C, {"interests": ["x"]})])
def test_unknown_overlap_is_none(a: dict[str, object] | None, b: dict[str, object] | None) -> None:
    assert audience_overlap(a, b) is None


def test_identical_and_disjoint_audiences() -> None:
    assert audience_overlap(A, A) == pytest.approx(1.0)
    other = {"countries": {"US": 1.0}, "interests": ["golf"]}
    assert audience_overlap(A, other) == 0.0


def test_interest_shares_are_accepted_as_a_mapping() -> None:
    a = {"interests": {"cooking": 0.7, "vegan": 0.3}}
    assert audience_overlap(a, {"interests": ["vegan"]}) == pytest.approx(0.5)


def test_matrix_is_symmetric_with_unknowns_as_nan() -> None:
    m = overlap_matrix([A, B, D])
    assert m.shape == (3, 3)
    assert np.allclose(np.diag(m), 1.0)
    assert m[0, 1] == m[1, 0] == pytest.approx(audience_overlap(A, B))
    assert np.isnan(m[0, 2]) and np.isnan(m[2, 1])


@pytest.mark.parametrize(
    ("matrix", "needle"),
    [
        ([[1.0, 0.5]], "2x2"),
        ([[1.0, 1.5], [1.5, 1.0]], "[0, 1]"),
        ([[1.0, 0.2], [0.3, 1.0]], "symmetric"),
        ([[1.0, "a"], ["a", 1.0]], "numbers"),
    ],
)
def test_bad_matrix_names_the_field(matrix: object, needle: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        validate_overlap_matrix(matrix, 2)
    assert info.value.errors[0].field == "overlap"
    assert needle in str(info.value)
