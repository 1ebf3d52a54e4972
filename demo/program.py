"""The demo organisation's ambassador program (part of ``creatormatch demo``): one micro
creator from the demo roster, started two months ago, so its calendar has delivered, overdue
and upcoming deliverables, a compliant and a non-compliant post, a few attributed sales and
the monthly reports of the months that ended. Its terms and captions are
``demo/data/program.json``."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.settings import Settings
from core.tiers import Tier
from demo.files import read_json
from models import Creator, Deliverable, utcnow
from programs.schedule import add_months, zone
from programs.service import ProgramService
from storage.repositories.campaigns import BrandRepository
from storage.repositories.creators import CreatorFilters, CreatorRepository

__all__ = ["DEMO_PROGRAM", "load_demo_program"]

DEMO_BRAND_NAME: str = read_json("organisation.json")["brand"]["name"]  # demo.load's brand
_PROGRAM: dict[str, Any] = read_json("program.json")
DEMO_PROGRAM: dict[str, Any] = _PROGRAM["program"]
COMPLIANT: str = _PROGRAM["captions"]["compliant"]
STORY: str = _PROGRAM["captions"]["story"]
# No disclosure at all: the checker flags it and suggests a fix.
UNDISCLOSED: str = _PROGRAM["captions"]["undisclosed"]


def _demo_creator(session: Session, organization_id: int) -> Creator | None:
    """A real-looking micro creator: Instagram and beauty first, never a virtual one."""
    repo = CreatorRepository(session)
    for filters in (
        CreatorFilters(platform="instagram", tier=Tier.MICRO, category="beauty"),
        CreatorFilters(platform="instagram", tier=Tier.MICRO),
        CreatorFilters(tier=Tier.MICRO),
        CreatorFilters(),
    ):
        for creator in repo.list(organization_id, filters, limit=50):
            if not creator.is_virtual:
                return creator
    return None


def _metrics(creator: Creator, share: float) -> dict[str, int]:
    likes = int((creator.avg_likes or 800) * share)
    return {
        "likes": likes,
        "comments": int((creator.avg_comments or 30) * share),
        "saves": likes // 12,
        "shares": likes // 40,
        "views": likes * 9,
    }


def load_demo_program(session: Session, settings: Settings, organization_id: int) -> int | None:
    """Create the demo program unless the organisation has a program already.

    Returns:
        The new program's id; None when the organisation already had a program (or has no
        creator to give one to).
    """
    service = ProgramService(settings)
    if service.find(session, organization_id, limit=1):
        return None
    creator = _demo_creator(session, organization_id)
    if creator is None:
        return None
    now = utcnow()
    tz = zone(str(DEMO_PROGRAM["timezone"]))
    # The first of the month two months back: two whole months to report on, the third
    # under way, with deliverables behind and ahead of today.
    starts_on = add_months(now.astimezone(tz).date().replace(day=1), -2)
    brand = BrandRepository(session).get_by_name(organization_id, DEMO_BRAND_NAME)
    program = service.create(
        session,
        organization_id,
        {
            **DEMO_PROGRAM,
            "creator_id": creator.id,
            "brand_id": brand.id if brand is not None else None,
            "starts_on": starts_on,
            "cadence": [
                {"platform": creator.platform, "kind": "feed post", "count": 2, "per": "month"},
                {"platform": creator.platform, "kind": "story", "count": 1, "per": "week"},
            ],
        },
        now=now,
    )
    month_two = add_months(starts_on, 1)
    past = [
        d for d in service.deliverables(session, organization_id, program.id) if d.due_at <= now
    ]
    # The first month went up on time, with disclosures. In the second, the first feed post
    # lacks one and two stories went up; the rest of what is past is overdue.
    submissions: list[tuple[Deliverable, str, str]] = []
    second_posts = second_stories = 0
    for d in past:
        media = "image" if d.kind == "feed post" else "story"
        caption = COMPLIANT if d.kind == "feed post" else STORY
        if d.due_on >= month_two:
            if d.kind == "feed post":
                second_posts += 1
                if second_posts > 1:
                    continue
                caption = UNDISCLOSED
            else:
                second_stories += 1
                if second_stories > 2:
                    continue
        submissions.append((d, caption, media))
    for number, (deliverable, caption, media) in enumerate(submissions, start=1):
        posted_at = deliverable.due_at - timedelta(hours=7)
        service.submit(
            session,
            organization_id,
            deliverable.id,
            {
                "post_url": f"https://www.{creator.platform}.com/p/demo{program.id}x{number}",
                "caption": caption,
                "media": media,
                "metrics": _metrics(creator, 1.4 if media == "image" else 0.3),
                "submitted_at": posted_at,
            },
            now=posted_at,
        )
    start = datetime.combine(starts_on, datetime.min.time(), tzinfo=tz)
    sales = ((9, "38.00"), (17, "52.50"), (24, "41.00"), (36, "45.00"), (44, "61.00"))
    for order, (days, revenue) in enumerate(sales, 1):
        occurred_at = start + timedelta(days=days, hours=20)
        if occurred_at <= now:
            service.record_conversion(
                session,
                organization_id,
                {
                    "order_id": f"DEMO-{program.id}-{order}",
                    "discount_code": DEMO_PROGRAM["discount_code"],
                    "revenue": Decimal(revenue),
                    "occurred_at": occurred_at,
                },
            )
    # What the scheduler would have done by now: flag the overdue deliverables and report
    # each month that ended (the service's own steps, so the figures are the real ones).
    for deliverable in past:
        service.flag_overdue(session, deliverable.id, now)
    service.write_reports(session, program.id, now)
    session.flush()
    return program.id
