"""Money: the fixed exchange rates the product assumes, and what a campaign can pay one
creator. The matcher (scoring and the over-budget filter) and the planner read the same
figures, so a search and a plan never disagree about who is affordable."""

from __future__ import annotations

__all__ = ["FX_TO_USD", "affordable_cap_usd", "per_creator_budget_usd", "to_usd"]

# Fixed conversion rates to USD, an assumption stated wherever they are used (no live FX
# lookups: the service works offline).
FX_TO_USD: dict[str, float] = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73}

# Without a stated number of creators, one creator should take at most this share of the
# budget: a campaign with a budget works with several creators.
DEFAULT_SHARE_PER_CREATOR = 0.5


def to_usd(amount: float, currency: str | None) -> float | None:
    """``amount`` of ``currency`` in USD at :data:`FX_TO_USD` (None for another currency)."""
    rate = FX_TO_USD.get((currency or "USD").upper())
    return None if rate is None else amount * rate


def per_creator_budget_usd(budget_usd: float, creators_wanted: int | None = None) -> float:
    """What a campaign can comfortably pay one creator: the budget split over the creators
    it asks for, else half of it."""
    if creators_wanted is not None and creators_wanted >= 1:
        return budget_usd / creators_wanted
    return budget_usd * DEFAULT_SHARE_PER_CREATOR


def affordable_cap_usd(budget_usd: float) -> float:
    """The most one creator may cost at all: the whole budget. A creator above it is never
    planned and never appears in a search with this budget unless the request asks for it."""
    return budget_usd
