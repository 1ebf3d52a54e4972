"""What an organisation's ambassador programs achieved, as observations the planner learns from.

:func:`observations_for` turns delivered posts into :class:`planner.learning.Observation`
rows; :func:`planner.learning.fit_outcome_model` decides whether they beat the benchmarks.

One observation per delivered post: a deliverable with status ``submitted`` whose metrics
hold at least one engagement count (likes, comments, shares, saves: the same sum as the
monthly reports), posted on the creator's own platform (the follower count is that
platform's) by a creator with a known follower count. Its engagement rate is the post's
engagements / the creator's current follower count.

Conversions are counted **per program**, not per program month: attributed sales land in a
month that need not be the month of the post that caused them, and a month without a post
would have nothing to divide by. A program's conversion rate is all conversions attributed
to it / the engagements of all its delivered posts (every platform: a sale can come from any
of them), and every post of the program carries it, so a program weighs in by its number of
posts. It is None when the program cannot attribute sales (no discount code and no UTM tag)
or has no engagements yet; a program that tracks sales and has none counts as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from models import Creator, Deliverable, Program
from planner.learning import Observation
from storage.repositories.programs import ProgramRepository

__all__ = ["ENGAGEMENT_KEYS", "observations_for"]

# The metrics that count as engagements (programs.reports sums the same for its reports).
ENGAGEMENT_KEYS: tuple[str, ...] = ("likes", "comments", "shares", "saves")


def _engagements(metrics: Mapping[str, Any] | None) -> int | None:
    """The post's engagements; None when no engagement count was recorded or one is not a
    non-negative number."""
    metrics = metrics or {}
    present = [metrics[k] for k in ENGAGEMENT_KEYS if metrics.get(k) is not None]
    if not present:
        return None
    total = 0.0
    for value in present:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        if not (math.isfinite(number) and number >= 0):
            return None
        total += number
    return round(total)


def observations_for(session: Session, organization_id: int) -> list[Observation]:
    """The organisation's delivered posts as observations, in program then sequence order.

    See the module docstring for what counts and how conversions are attributed.
    """
    repository = ProgramRepository(session)
    rows = repository.delivered_posts(organization_id)
    conversions = repository.conversion_counts(organization_id)

    posts: list[tuple[Deliverable, Program, Creator, int]] = []
    program_engagements: dict[int, int] = {}
    for deliverable, program, creator in rows:
        engagements = _engagements(deliverable.metrics)
        if engagements is None:
            continue
        posts.append((deliverable, program, creator, engagements))
        program_engagements[program.id] = program_engagements.get(program.id, 0) + engagements

    def conversion_rate(program: Program) -> float | None:
        engaged = program_engagements.get(program.id, 0)
        if not (program.discount_code or program.utm_tag) or engaged <= 0:
            return None
        return conversions.get(program.id, 0) / engaged

    observations = []
    for deliverable, program, creator, engagements in posts:
        followers = creator.followers
        if not followers or followers <= 0 or deliverable.platform != creator.platform:
            continue
        stated = creator.engagement_rate
        if stated is not None and not (math.isfinite(stated) and 0 <= stated <= 1):
            stated = None
        observations.append(
            Observation(
                followers=int(followers),
                platform=creator.platform,
                observed_engagement_rate=engagements / followers,
                tier=creator.tier,
                engagement_rate=stated,
                observed_conversion_rate=conversion_rate(program),
                creator_id=creator.id,
            )
        )
    return observations
