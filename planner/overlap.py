"""How much two creators' audiences look alike, from the audience objects of their records.

The overlap of two audiences is the mean, over the parts both audiences describe, of

- countries: the cosine similarity of the country-share vectors (``{"US": 0.6, ...}``);
- interests: the Jaccard index of the interest sets (``["cooking", "travel"]``).

It is a proxy: two creators with the same country and interest profile probably reach many
of the same people, but the records do not say who follows whom. When the two audiences share
no described part the overlap is unknown (None) and the optimiser adds no constraint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInputError

__all__ = ["audience_overlap", "overlap_matrix", "validate_overlap_matrix"]


def _countries(audience: Mapping[str, Any]) -> dict[str, float] | None:
    raw = audience.get("countries")
    if not isinstance(raw, Mapping):
        return None
    shares: dict[str, float] = {}
    for code, share in raw.items():
        if isinstance(share, bool) or not isinstance(share, int | float):
            continue
        if math.isfinite(share) and share > 0:
            key = str(code).strip().upper()
            shares[key] = shares.get(key, 0.0) + float(share)
    return shares or None


def _interests(audience: Mapping[str, Any]) -> frozenset[str] | None:
    raw = audience.get("interests")
    if isinstance(raw, Mapping):
        raw = [k for k, v in raw.items() if not isinstance(v, int | float) or v > 0]
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        return None
    names = frozenset(str(x).strip().casefold() for x in raw if str(x).strip())
    return names or None


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return min(1.0, dot / norm)


def audience_overlap(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> float | None:
    """The overlap in [0, 1] of two audience objects; None when nothing comparable is known."""
    if a is None or b is None:
        return None
    parts: list[float] = []
    ca, cb = _countries(a), _countries(b)
    if ca is not None and cb is not None:
        parts.append(_cosine(ca, cb))
    ia, ib = _interests(a), _interests(b)
    if ia is not None and ib is not None:
        parts.append(len(ia & ib) / len(ia | ib))
    if not parts:
        return None
    return sum(parts) / len(parts)


def overlap_matrix(audiences: Sequence[Mapping[str, Any] | None]) -> npt.NDArray[np.float64]:
    """The symmetric ``(n, n)`` matrix of :func:`audience_overlap`; NaN where unknown.

    The diagonal is 1.
    """
    n = len(audiences)
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for i in range(n):
        for j in range(i + 1, n):
            value = audience_overlap(audiences[i], audiences[j])
            if value is not None:
                matrix[i, j] = matrix[j, i] = value
    return matrix


def validate_overlap_matrix(matrix: object, n: int) -> npt.NDArray[np.float64]:
    """``matrix`` as a float ``(n, n)`` array, checked: values in [0, 1] or NaN, symmetric.

    Raises:
        InvalidInputError: naming the field ``overlap``.
    """
    try:
        array = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError.for_field(
            "overlap", "must be an (n, n) matrix of numbers"
        ) from None
    if array.shape != (n, n):
        raise InvalidInputError.for_field(
            "overlap", f"must be a {n}x{n} matrix (one row per candidate), got {array.shape}"
        )
    known = array[~np.isnan(array)]
    if known.size and (known.min() < 0 or known.max() > 1):
        raise InvalidInputError.for_field("overlap", "values must be in [0, 1] (or NaN)")
    if not np.array_equal(np.isnan(array), np.isnan(array.T)) or not np.allclose(
        np.nan_to_num(array), np.nan_to_num(array.T)
    ):
        raise InvalidInputError.for_field("overlap", "must be symmetric")
    return array
