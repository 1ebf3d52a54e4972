"""Demo compliance checks (``creatormatch demo``): a handful of realistic posts about the demo
brand (``demo/data/checks.json``), checked and stored so that the reviewer's queue, verdict
pages and audit log have something to show."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from compliance.types import Post
from compliance_reviews.service import ReviewService
from core.settings import Settings
from demo.files import read_json
from storage.repositories.compliance import ComplianceCheckRepository

__all__ = ["DEMO_ACTOR", "DEMO_POSTS", "load_demo_checks"]

DEMO_ACTOR = "cli:demo"
# Posts by creators of the demo campaign, each showing one situation a reviewer meets (its
# "why" in demo/data/checks.json).
DEMO_POSTS: tuple[dict[str, Any], ...] = tuple(entry["post"] for entry in read_json("checks.json"))


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
