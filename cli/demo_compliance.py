"""Demo compliance checks (``creatormatch demo``): a handful of realistic posts about the demo
brand, checked and stored so that the reviewer's queue, verdict pages and audit log have
something to show."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from compliance.types import Post
from core.settings import Settings
from reviews.service import ReviewService
from storage.repositories.compliance import ComplianceCheckRepository

__all__ = ["DEMO_ACTOR", "DEMO_POSTS", "load_demo_checks"]

DEMO_ACTOR = "cli:demo"
_PAID = {"type": "paid", "brand": "Verdant Skin"}

# Posts by creators of the demo campaign, each showing one situation a reviewer meets.
DEMO_POSTS: tuple[dict[str, Any], ...] = (
    {
        # Disclosed up front, in the words the FTC asks for.
        "id": "demo-us-disclosed",
        "caption": "#ad My morning routine with @verdantskin's new vegan SPF 50: light, no "
        "white cast, and it sits well under makeup. #skincare #spf",
        "platform": "instagram",
        "media": "image",
        "material_connection": _PAID,
        "jurisdiction": "US",
    },
    {
        # The label is there, but hidden in the hashtags past the fold.
        "id": "demo-us-buried-ad",
        "caption": "Beach day essentials: reapplying @verdantskin SPF 50 every two hours, no "
        "sticky feel at all! #beach #summer #skincare #spf #vegan #cleanbeauty #ad #sunscreen",
        "platform": "instagram",
        "media": "image",
        "material_connection": _PAID,
        "jurisdiction": "US",
    },
    {
        # A paid post with a discount code and no label at all.
        "id": "demo-us-undisclosed",
        "caption": "Obsessed with the new Verdant Skin SPF 50! Use my code MAYA15 for 15% off, "
        "link in bio to shop",
        "platform": "tiktok",
        "media": "image",
        "material_connection": _PAID,
        "jurisdiction": "US",
    },
    {
        # Shown on screen and in the caption, but never said out loud.
        "id": "demo-us-video",
        "caption": "#ad Three ways I use @verdantskin SPF 50 before a run",
        "transcript": "[00:02] Hey everyone, today I'm showing you the sunscreen I use before "
        "every run. [00:15] It's the Verdant Skin vegan SPF 50 and it never stings my eyes. "
        "[on-screen: #ad Verdant Skin]",
        "platform": "tiktok",
        "media": "video",
        "material_connection": _PAID,
        "jurisdiction": "US",
    },
    {
        # UK: "Sponsored" is clear, but the ASA asks for "Ad".
        "id": "demo-uk-sponsored",
        "caption": "Sponsored by Verdant Skin: trying their vegan SPF on a grey London "
        "morning. Still wearing it every day.",
        "platform": "instagram",
        "media": "image",
        "material_connection": _PAID,
        "jurisdiction": "UK",
    },
    {
        # France: only "Publicité" or "Collaboration commerciale" will do.
        "id": "demo-fr-sponso",
        "caption": "Ma routine du matin avec le nouvel écran solaire vegan de @verdantskin, "
        "léger et sans traces blanches. Je l'adore ! #sponso #skincare",
        "platform": "instagram",
        "media": "image",
        "material_connection": _PAID,
        "jurisdiction": "EU",
    },
)


def load_demo_checks(session: Session, settings: Settings, organization_id: int) -> int:
    """Check and store :data:`DEMO_POSTS` for the organisation when it has no checks yet;
    returns how many were added (0 on a second run: the demo is idempotent).

    ``settings`` is unused today; the demo loaders share one signature.
    """
    del settings
    if ComplianceCheckRepository(session).list(organization_id, limit=1):
        return 0
    posts = [Post.from_dict(data) for data in DEMO_POSTS]
    stored = ReviewService().check_and_store(session, organization_id, posts, actor=DEMO_ACTOR)
    return len(stored)
