"""Campaign objectives, the outcome each one optimises, and the budget split across tiers.

A :class:`TierMix` gives each :class:`~core.tiers.Tier` a share of the budget; shares are
non-negative and sum to 1 (within :data:`SHARE_TOLERANCE`). :data:`DEFAULT_MIXES` holds one
mix per :class:`Objective`; an organisation may replace any of them with
:func:`apply_overrides`. The table is in ``docs/planner.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.errors import FieldError, InvalidInputError
from core.tiers import Tier

__all__ = [
    "DEFAULT_MIXES",
    "OUTCOME_FOR",
    "SHARE_TOLERANCE",
    "Objective",
    "Outcome",
    "TierMix",
    "apply_overrides",
    "mix_for",
    "parse_objective",
]

SHARE_TOLERANCE = 1e-6


class Objective(StrEnum):
    """What a campaign is for; the same names as ``models.campaign.OBJECTIVES``."""

    AWARENESS = "awareness"
    LAUNCH = "launch"
    PR = "pr"
    CONSIDERATION = "consideration"
    CONVERSIONS = "conversions"
    COMMUNITY = "community"
    NICHE_PRODUCT = "niche_product"
    TRUSTED_REVIEWS = "trusted_reviews"


class Outcome(StrEnum):
    """The expected quantity the optimiser maximises."""

    ENGAGEMENTS = "engagements"
    CONVERSIONS = "conversions"


# Visibility goals count engagements; goals that rely on trust and action count conversions
# (community is measured by people who act, not by likes: see docs/planner.md).
OUTCOME_FOR: dict[Objective, Outcome] = {
    Objective.AWARENESS: Outcome.ENGAGEMENTS,
    Objective.LAUNCH: Outcome.ENGAGEMENTS,
    Objective.PR: Outcome.ENGAGEMENTS,
    Objective.CONSIDERATION: Outcome.ENGAGEMENTS,
    Objective.CONVERSIONS: Outcome.CONVERSIONS,
    Objective.COMMUNITY: Outcome.CONVERSIONS,
    Objective.NICHE_PRODUCT: Outcome.CONVERSIONS,
    Objective.TRUSTED_REVIEWS: Outcome.CONVERSIONS,
}


def parse_objective(value: str | Objective) -> Objective:
    """The :class:`Objective` named ``value``.

    Raises:
        InvalidInputError: naming the field ``objective`` for an unknown name.
    """
    try:
        return Objective(value)
    except ValueError:
        valid = ", ".join(o.value for o in Objective)
        raise InvalidInputError.for_field(
            "objective", f"unknown objective {value!r}; expected one of {valid}", value=value
        ) from None


@dataclass(frozen=True)
class TierMix:
    """A share of the budget per tier, in :class:`Tier` order; absent tiers get 0.

    Build one with :meth:`of`, which validates; the constructor trusts its input.
    """

    shares: tuple[tuple[Tier, float], ...]

    @classmethod
    def of(cls, shares: Mapping[Tier | str, float], *, field_prefix: str = "mix") -> TierMix:
        """A validated mix from ``{tier: share}``; tiers may be given by name (``"micro"``).

        Raises:
            InvalidInputError: one :class:`~core.errors.FieldError` per problem, each naming
                its field (``mix.micro``; ``mix`` when the shares do not sum to 1).
        """
        errors: list[FieldError] = []
        parsed: dict[Tier, float] = {}
        for key, raw in shares.items():
            try:
                tier = Tier(key)
            except ValueError:
                valid = ", ".join(t.value for t in Tier)
                errors.append(
                    FieldError(
                        f"{field_prefix}.{key}",
                        f"unknown tier {key!r}; expected one of {valid}",
                        value=key,
                    )
                )
                continue
            name = f"{field_prefix}.{tier.value}"
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                errors.append(FieldError(name, "share must be a number", value=raw))
                continue
            share = float(raw)
            if not math.isfinite(share) or share < 0 or share > 1:
                errors.append(FieldError(name, f"share must be in [0, 1], got {raw}", value=raw))
                continue
            parsed[tier] = share
        if not errors:
            total = math.fsum(parsed.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                errors.append(
                    FieldError(
                        field_prefix, f"shares sum to {total:.6f}; they must sum to 1", value=total
                    )
                )
        if errors:
            message = "; ".join(e.describe() for e in errors)
            raise InvalidInputError(message, errors)
        return cls(tuple((t, parsed.get(t, 0.0)) for t in Tier))

    def share(self, tier: Tier) -> float:
        """The share of ``tier`` (0 when the mix does not mention it)."""
        for t, s in self.shares:
            if t is tier:
                return s
        return 0.0

    def as_dict(self) -> dict[str, float]:
        """``{tier name: share}`` for every tier, in tier order."""
        return {t.value: s for t, s in self.shares}


DEFAULT_MIXES: dict[Objective, TierMix] = {
    # Reach first: most of the money on mega and macro, some mid and micro for conversation.
    Objective.AWARENESS: TierMix.of({"micro": 0.10, "mid": 0.15, "macro": 0.30, "mega": 0.45}),
    # "Mega launches the campaign and builds buzz, micro drives conversations and reviews."
    Objective.LAUNCH: TierMix.of({"micro": 0.20, "mid": 0.10, "macro": 0.20, "mega": 0.50}),
    # PR-worthy collaborations: press picks up the biggest names.
    Objective.PR: TierMix.of({"micro": 0.05, "mid": 0.10, "macro": 0.25, "mega": 0.60}),
    # The middle of the funnel: creators with an audience that listens and enough reach.
    Objective.CONSIDERATION: TierMix.of({"micro": 0.40, "mid": 0.35, "macro": 0.25}),
    # The 70-20-10 rule of the background articles.
    Objective.CONVERSIONS: TierMix.of({"micro": 0.70, "mid": 0.20, "mega": 0.10}),
    Objective.COMMUNITY: TierMix.of({"nano": 0.30, "micro": 0.60, "mid": 0.10}),
    Objective.NICHE_PRODUCT: TierMix.of({"nano": 0.25, "micro": 0.60, "mid": 0.15}),
    Objective.TRUSTED_REVIEWS: TierMix.of({"nano": 0.20, "micro": 0.65, "mid": 0.15}),
}


def apply_overrides(
    overrides: Mapping[str, Mapping[str, float]] | None,
    base: Mapping[Objective, TierMix] | None = None,
) -> dict[Objective, TierMix]:
    """The mixes of an organisation: ``base`` (the defaults) with ``overrides`` applied.

    An override replaces the whole mix of its objective (tiers it leaves out get 0), so
    ``{"conversions": {"micro": 0.8, "mid": 0.2}}`` spends nothing on mega.

    Raises:
        InvalidInputError: listing every problem; fields are named
            ``mix.<objective>.<tier>`` (or ``mix.<objective>`` for an unknown objective or
            shares that do not sum to 1).
    """
    mixes = dict(DEFAULT_MIXES if base is None else base)
    errors: list[FieldError] = []
    for key, shares in (overrides or {}).items():
        prefix = f"mix.{key}"
        try:
            objective = Objective(key)
        except ValueError:
            valid = ", ".join(o.value for o in Objective)
            errors.append(
                FieldError(prefix, f"unknown objective {key!r}; expected one of {valid}", value=key)
            )
            continue
        if not isinstance(shares, Mapping):
            errors.append(FieldError(prefix, "must be an object {tier: share}", value=shares))
            continue
        try:
            mixes[objective] = TierMix.of(shares, field_prefix=prefix)
        except InvalidInputError as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInputError("; ".join(e.describe() for e in errors), errors)
    return mixes


def mix_for(
    objective: Objective | str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> TierMix:
    """The mix for ``objective``: the organisation's override when it has one, else the default.

    Every override is validated, not only the one for ``objective``, so a bad organisation
    setting is reported the first time any plan is made.
    """
    return apply_overrides(overrides)[parse_objective(objective)]
