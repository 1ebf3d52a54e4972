from __future__ import annotations

import numpy as np
import pytest

from matcher.catalog import Catalog, CatalogRow, HardFilters


def rows() -> list[CatalogRow]:
    return [
        CatalogRow(1, "instagram", 5_000, "US", "en", 0.08, 80.0),
        CatalogRow(2, "instagram", 50_000, "US", "en", 0.05, 500.0),
        CatalogRow(3, "tiktok", 20_000, "FR", "fr", 0.02, 300.0),
        CatalogRow(4, "youtube", 3_000_000, "US", "en", 0.012, 40_000.0),
        CatalogRow(5, "podcast", None, None, None, None, None),
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (HardFilters(platforms=("instagram",)), [1, 2]),
        (HardFilters(platforms=("instagram", "tiktok")), [1, 2, 3]),
        (HardFilters(platforms=("snapchat",)), []),
        (HardFilters(min_followers=10_000, max_followers=99_999), [2, 3]),
        (HardFilters(max_followers=10_000), [1]),
        (HardFilters(follower_ranges=((10_000, 100_000),)), [2, 3]),
        (HardFilters(follower_ranges=((1_000, 10_000), (1_000_000, None))), [1, 4]),
        (HardFilters(countries=("US",)), [1, 2, 4]),
        (HardFilters(languages=("fr",)), [3]),
        (HardFilters(min_engagement=0.05), [1, 2]),
        (HardFilters(max_cost_usd=400.0), [1, 3]),
        (HardFilters(exclude_ids=frozenset({1, 4})), [2, 3, 5]),
        (HardFilters(countries=("US",), min_engagement=0.03, max_cost_usd=1000), [1, 2]),
    ],
)
def test_filters_select_exactly(filters: HardFilters, expected: list[int]) -> None:
    selected = Catalog(rows()).select(filters)
    assert selected is not None
    assert selected.tolist() == expected


def test_no_filter_means_everyone() -> None:
    assert Catalog(rows()).select(HardFilters()) is None


def test_upsert_and_remove_keep_ids_sorted_and_values_current() -> None:
    catalog = Catalog(rows())
    catalog.upsert(
        [
            CatalogRow(3, "tiktok", 20_000, "US", "en", 0.02, 300.0),
            CatalogRow(0, "x", 1_000, "GB", "en", 0.01, 10.0),
        ]
    )
    assert catalog.ids.tolist() == [0, 1, 2, 3, 4, 5]
    selected = catalog.select(HardFilters(countries=("US",)))
    assert selected is not None and selected.tolist() == [1, 2, 3, 4]
    catalog.remove([2, 5])
    assert catalog.ids.tolist() == [0, 1, 3, 4]
    assert len(catalog) == 4


def test_matches_a_brute_force_filter_on_random_data() -> None:
    rng = np.random.default_rng(3)
    platforms = ["instagram", "tiktok", "youtube"]
    data = [
        CatalogRow(
            i,
            platforms[int(rng.integers(3))],
            int(rng.integers(500, 2_000_000)),
            ["US", "DE", "FR"][int(rng.integers(3))],
            "en",
            float(rng.uniform(0, 0.1)),
            float(rng.uniform(10, 50_000)),
        )
        for i in range(2000)
    ]
    filters = HardFilters(
        platforms=("tiktok",),
        min_followers=10_000,
        max_followers=100_000,
        countries=("DE", "FR"),
        min_engagement=0.03,
        max_cost_usd=5_000,
    )
    expected = [
        r.id
        for r in data
        if r.platform == "tiktok"
        and r.followers is not None
        and 10_000 <= r.followers <= 100_000
        and r.country in ("DE", "FR")
        and (r.engagement_rate or 0) >= 0.03
        and (r.cost_per_post_usd or 0) <= 5_000
    ]
    selected = Catalog(data).select(filters)
    assert selected is not None and selected.tolist() == expected
    assert 0 < len(expected) < 200
