"""The creator catalog: each creator's filter and scoring inputs as numpy columns aligned
with ids (sorted).

Hard filters are evaluated here, vectorised, in well under a millisecond per 100k creators,
and the resulting id set goes *into* the vector search as a FAISS ID selector (see
:mod:`matcher.index`), never as a post-filter. A creator whose value is unknown does not pass
a filter on that attribute (no followers count, no tier match).

The same columns feed the scorer (:mod:`matcher.scorer`): follower counts and tiers,
engagement and its score against the tier benchmark, the cost of a post in USD (own rates,
or the tier's benchmark as a flagged estimate), authenticity, the audience as matrices (age
bands, gender, the top countries as codes and shares), brand-safety keyword hits per
category and past collaborations as sparse brand sets. A match gathers the candidates' rows
with one ``searchsorted`` and scores them in one numpy pass: no database reads and no
per-candidate Python objects. Unknown values are NaN (or -1 / all-NaN rows) and stay
unknown; the scorer says so rather than guessing well.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers

__all__ = [
    "AGE_BAND_NAMES",
    "GENDER_NAMES",
    "TIER_ORDER",
    "TOP_COUNTRIES",
    "Catalog",
    "CatalogRow",
    "Columns",
    "HardFilters",
]

IdArray = npt.NDArray[np.int64]

# The record's audience age bands, in order (matcher.brief.AGE_BANDS names the same).
AGE_BAND_NAMES: tuple[str, ...] = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
GENDER_NAMES: tuple[str, ...] = ("female", "male")
# Tier codes are positions here; -1 is unknown.
TIER_ORDER: tuple[Tier, ...] = tuple(Tier)
# How many of an audience's countries are kept (largest first): enough for any share that
# matters to a target; the rest counts as "elsewhere".
TOP_COUNTRIES = 8


@dataclass(frozen=True)
class CatalogRow:
    """The filter and scoring facts of one creator (None = unknown).

    Only the first seven are needed for filtering; the rest feed the scorer.
    ``countries`` are (ISO code, share) pairs; ``safety_hits`` counts brand-safety keyword
    hits per category (the categories of :data:`matcher.scoring.BRAND_SAFETY_KEYWORDS`, in
    order); ``brands`` are the needles (:func:`matcher.scoring.brand_needle`) of the brands
    the creator has worked with.
    """

    id: int
    platform: str
    followers: int | None = None
    country: str | None = None
    language: str | None = None
    engagement_rate: float | None = None
    cost_per_post_usd: float | None = None
    cost_estimated: bool = False
    engagement_score: float | None = None
    engagements_per_post: float | None = None
    age: tuple[float, ...] | None = None
    gender: tuple[float, float] | None = None
    countries: tuple[tuple[str, float], ...] | None = None
    safety_hits: tuple[int, ...] | None = None
    brands: tuple[str, ...] = ()
    authenticity: float | None = None
    flagged: bool = False


@dataclass(frozen=True)
class HardFilters:
    """Filters that every result must pass. Empty tuples and None mean "any"."""

    platforms: tuple[str, ...] = ()
    # Follower ranges [low, high) of which one must hold (a tier filter); high None = no cap.
    follower_ranges: tuple[tuple[int, int | None], ...] = ()
    min_followers: int | None = None
    max_followers: int | None = None
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_engagement: float | None = None
    max_cost_usd: float | None = None
    # The budget's cap: creators whose cost, or its estimate from the tier, is above it are
    # out; an unknown cost passes (the scorer marks it).
    budget_cap_usd: float | None = None
    exclude_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (
            self.platforms
            or self.follower_ranges
            or self.min_followers is not None
            or self.max_followers is not None
            or self.countries
            or self.languages
            or self.min_engagement is not None
            or self.max_cost_usd is not None
            or self.budget_cap_usd is not None
            or self.exclude_ids
        )


class _Vocab:
    """String -> small integer codes; code 0 means unknown. Codes are never reused, so a
    snapshot of the columns stays readable while new values are added."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.names: list[str] = [""]

    def code(self, value: str | None) -> int:
        if value is None:
            return 0
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.names)
            self.names.append(value)
        return found

    def lookup(self, values: Iterable[str]) -> list[int]:
        # A value never seen matches nothing: -1 is no code.
        return [self.codes.get(v, -1) for v in values]

    def name(self, code: int) -> str | None:
        return self.names[code] if 0 < code < len(self.names) else None


def _f(value: float | None) -> float:
    return math.nan if value is None else float(value)


@dataclass(frozen=True)
class Columns:
    """One consistent version of the catalog's columns (a match reads one snapshot while a
    sync may replace the catalog's). Row ``i`` of every array is creator ``ids[i]``."""

    data: Mapping[str, Any]
    platforms: _Vocab
    countries: _Vocab
    languages: _Vocab
    brands: _Vocab

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    @property
    def ids(self) -> IdArray:
        ids: IdArray = self.data["id"]
        return ids

    def positions(self, ids: IdArray) -> npt.NDArray[np.intp]:
        """Row positions of ``ids``; every id must be in the catalog."""
        pos = np.searchsorted(self.ids, ids)
        if pos.size and (pos.max() >= self.ids.shape[0] or (self.ids[pos] != ids).any()):
            raise KeyError("an id is not in the catalog")
        return pos

    def contains(self, ids: IdArray) -> npt.NDArray[np.bool_]:
        pos = np.searchsorted(self.ids, ids)
        inside = pos < self.ids.shape[0]
        found = np.zeros(ids.shape[0], dtype=bool)
        found[inside] = self.ids[pos[inside]] == ids[inside]
        return found


class Catalog:
    """Filter and scoring columns for one organisation's creators, kept sorted by id.

    Reads (``select``, ``snapshot``) may run concurrently; changes take a lock and replace the
    columns whole, so a reader always sees one consistent version.
    """

    def __init__(self, rows: Sequence[CatalogRow] = (), *, safety_categories: int = 0) -> None:
        self._lock = threading.Lock()
        self._platforms = _Vocab()
        self._countries = _Vocab()
        self._languages = _Vocab()
        self._brands = _Vocab()
        self._n_safety = safety_categories or max(
            (len(r.safety_hits) for r in rows if r.safety_hits is not None), default=0
        )
        self._columns = self._build(sorted(rows, key=lambda r: r.id))

    def _build(self, rows: Sequence[CatalogRow]) -> dict[str, Any]:
        n = len(rows)
        nan = math.nan
        age = np.full((n, len(AGE_BAND_NAMES)), nan, dtype=np.float32)
        gender = np.full((n, len(GENDER_NAMES)), nan, dtype=np.float32)
        country_codes = np.zeros((n, TOP_COUNTRIES), dtype=np.int16)
        country_shares = np.zeros((n, TOP_COUNTRIES), dtype=np.float32)
        countries_known = np.zeros(n, dtype=bool)
        safety = np.zeros((n, self._n_safety), dtype=np.uint16)
        safety_known = np.zeros(n, dtype=bool)
        brand_rows: list[int] = []
        brand_cols: list[int] = []
        tiers = np.full(n, -1, dtype=np.int8)
        for i, r in enumerate(rows):
            if r.followers is not None:
                tier = tier_for_followers(int(r.followers))
                tiers[i] = TIER_ORDER.index(tier) if tier is not None else -1
            if r.age is not None:
                age[i, : len(r.age)] = r.age
            if r.gender is not None:
                gender[i] = r.gender
            if r.countries is not None:
                countries_known[i] = True
                top = sorted(r.countries, key=lambda cs: -cs[1])[:TOP_COUNTRIES]
                for j, (code, share) in enumerate(top):
                    country_codes[i, j] = self._countries.code(code)
                    country_shares[i, j] = share
            if r.safety_hits is not None:
                safety_known[i] = True
                safety[i, : len(r.safety_hits)] = r.safety_hits
            for brand in dict.fromkeys(r.brands):
                brand_rows.append(i)
                brand_cols.append(self._brands.code(brand))
        brands = sparse.csr_matrix(
            (np.ones(len(brand_rows), dtype=np.bool_), (brand_rows, brand_cols)),
            shape=(n, max(len(self._brands.names), 1)),
        )
        return {
            "id": np.fromiter((r.id for r in rows), dtype=np.int64, count=n),
            "platform": np.fromiter(
                (self._platforms.code(r.platform) for r in rows), dtype=np.int16, count=n
            ),
            "country": np.fromiter(
                (self._countries.code(r.country) for r in rows), dtype=np.int16, count=n
            ),
            "language": np.fromiter(
                (self._languages.code(r.language) for r in rows), dtype=np.int16, count=n
            ),
            "followers": np.fromiter(
                (-1 if r.followers is None else r.followers for r in rows), dtype=np.int64, count=n
            ),
            "tier": tiers,
            "engagement": np.fromiter(
                (_f(r.engagement_rate) for r in rows), dtype=np.float32, count=n
            ),
            "engagement_score": np.fromiter(
                (_f(r.engagement_score) for r in rows), dtype=np.float32, count=n
            ),
            "engagements_per_post": np.fromiter(
                (_f(r.engagements_per_post) for r in rows), dtype=np.float32, count=n
            ),
            "cost": np.fromiter((_f(r.cost_per_post_usd) for r in rows), dtype=np.float32, count=n),
            "cost_estimated": np.fromiter(
                (r.cost_estimated for r in rows), dtype=np.bool_, count=n
            ),
            "cost_estimate": np.fromiter(
                (_cost_estimate(r) for r in rows), dtype=np.float32, count=n
            ),
            "authenticity": np.fromiter(
                (_f(r.authenticity) for r in rows), dtype=np.float32, count=n
            ),
            "flagged": np.fromiter((r.flagged for r in rows), dtype=np.bool_, count=n),
            "age": age,
            "gender": gender,
            "country_codes": country_codes,
            "country_shares": country_shares,
            "countries_known": countries_known,
            "safety": safety,
            "safety_known": safety_known,
            "brands": brands,
        }

    def __len__(self) -> int:
        return int(self._columns["id"].shape[0])

    @property
    def ids(self) -> IdArray:
        ids: IdArray = self._columns["id"].astype(np.int64, copy=False)
        return ids

    def snapshot(self) -> Columns:
        """The current columns (replaced whole by changes, never mutated)."""
        return Columns(
            self._columns, self._platforms, self._countries, self._languages, self._brands
        )

    def upsert(self, rows: Sequence[CatalogRow]) -> None:
        """Add new creators and replace known ones."""
        if not rows:
            return
        with self._lock:
            changed = {r.id for r in rows}
            keep = ~np.isin(self._columns["id"], np.fromiter(changed, dtype=np.int64))
            fresh = self._build(sorted(rows, key=lambda r: r.id))
            merged = {k: _concat(v, keep, fresh[k]) for k, v in self._columns.items()}
            order = np.argsort(merged["id"], kind="stable")
            self._columns = {k: v[order] for k, v in merged.items()}

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            drop = np.isin(self._columns["id"], np.fromiter(ids, dtype=np.int64))
            self._columns = {k: v[~drop] for k, v in self._columns.items()}

    def set_authenticity(self, scores: Mapping[int, tuple[float | None, bool]]) -> None:
        """Set creators' authenticity (score, flagged), e.g. once the model is fitted."""
        if not scores:
            return
        with self._lock:
            columns = dict(self._columns)
            ids = np.fromiter(scores, dtype=np.int64)
            pos = np.searchsorted(columns["id"], ids)
            ok = pos < columns["id"].shape[0]
            ok[ok] = columns["id"][pos[ok]] == ids[ok]
            values = np.array([_f(scores[int(i)][0]) for i in ids], dtype=np.float32)
            flags = np.array([scores[int(i)][1] for i in ids], dtype=np.bool_)
            authenticity = columns["authenticity"].copy()
            flagged = columns["flagged"].copy()
            authenticity[pos[ok]] = values[ok]
            flagged[pos[ok]] = flags[ok]
            columns["authenticity"], columns["flagged"] = authenticity, flagged
            self._columns = columns

    def select(self, filters: HardFilters) -> IdArray | None:
        """The ids that pass every filter, sorted; None when there is no filter at all."""
        if filters.is_empty:
            return None
        cols = self._columns
        mask = np.ones(cols["id"].shape[0], dtype=bool)
        if filters.platforms:
            mask &= np.isin(cols["platform"], self._platforms.lookup(filters.platforms))
        if filters.countries:
            mask &= np.isin(cols["country"], self._countries.lookup(filters.countries))
        if filters.languages:
            mask &= np.isin(cols["language"], self._languages.lookup(filters.languages))
        followers = cols["followers"]
        if filters.follower_ranges:
            in_any = np.zeros_like(mask)
            for low, high in filters.follower_ranges:
                in_range = followers >= low
                if high is not None:
                    in_range &= followers < high
                in_any |= in_range
            mask &= in_any
        if filters.min_followers is not None:
            mask &= followers >= filters.min_followers
        if filters.max_followers is not None:
            mask &= (followers >= 0) & (followers <= filters.max_followers)
        if filters.min_engagement is not None:
            with np.errstate(invalid="ignore"):
                mask &= cols["engagement"] >= filters.min_engagement
        if filters.max_cost_usd is not None:
            # own rates, else the tier benchmark's midpoint; unknown does not pass
            with np.errstate(invalid="ignore"):
                mask &= cols["cost_estimate"] <= filters.max_cost_usd
        if filters.budget_cap_usd is not None:
            with np.errstate(invalid="ignore"):
                mask &= ~(cols["cost_estimate"] > filters.budget_cap_usd)
        if filters.exclude_ids:
            mask &= ~np.isin(cols["id"], np.fromiter(filters.exclude_ids, dtype=np.int64))
        selected: IdArray = cols["id"][mask].astype(np.int64, copy=False)
        return selected


def _cost_estimate(row: CatalogRow) -> float:
    """The creator's cost of a post in USD, or the midpoint of its tier's benchmark."""
    if row.cost_per_post_usd is not None:
        return float(row.cost_per_post_usd)
    if row.followers is None:
        return math.nan
    tier = tier_for_followers(int(row.followers))
    if tier is None:
        return math.nan
    return sum(TIER_BENCHMARKS[tier].cost_per_post_usd) / 2


def _concat(old: Any, keep: npt.NDArray[np.bool_], fresh: Any) -> Any:
    if sparse.issparse(old):
        width = max(old.shape[1], fresh.shape[1])
        old = sparse.csr_matrix(old[keep], shape=(int(keep.sum()), width))
        fresh = sparse.csr_matrix(fresh, shape=(fresh.shape[0], width))
        return sparse.vstack([old, fresh], format="csr")
    return np.concatenate([old[keep], fresh])


def audience_row(
    audience: Mapping[str, Any] | None,
) -> tuple[
    tuple[float, ...] | None, tuple[float, float] | None, tuple[tuple[str, float], ...] | None
]:
    """A record's audience as (age shares by :data:`AGE_BAND_NAMES`, (female, male) shares,
    (country, share) pairs); None for each part the record does not give."""
    if not isinstance(audience, Mapping):
        return None, None, None

    def shares(value: object) -> dict[str, float]:
        if not isinstance(value, Mapping):
            return {}
        return {
            str(k): float(v)
            for k, v in value.items()
            if isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and v >= 0
        }

    age = shares(audience.get("age"))
    total = sum(age.values())
    age_row = tuple(age.get(band, 0.0) / total for band in AGE_BAND_NAMES) if total > 0 else None
    gender = shares(audience.get("gender"))
    g_total = sum(gender.values())
    gender_row = (
        (gender.get("female", 0.0) / g_total, gender.get("male", 0.0) / g_total)
        if g_total > 0
        else None
    )
    countries = shares(audience.get("countries"))
    country_rows = (
        tuple((k.upper(), v) for k, v in countries.items() if v > 0) if countries else None
    )
    return age_row, gender_row, country_rows
