"""The demo's compliance checks: realistic posts whose verdicts come from the checker, added
once per organisation."""

from __future__ import annotations

import pytest

from compliance import Post, check_post
from core.settings import Settings
from demo.checks import DEMO_ACTOR, DEMO_POSTS, load_demo_checks
from models import ComplianceCheck, Organization
from storage.database import Database
from storage.repositories.compliance import AuditRepository, ComplianceCheckRepository


def organisation(database: Database, name: str) -> int:
    with database.session() as session:
        org = Organization(name=name)
        session.add(org)
        session.flush()
        return org.id


def checks_of(database: Database, organization_id: int) -> dict[str, ComplianceCheck]:
    with database.session() as session:
        checks = ComplianceCheckRepository(session).list(organization_id, limit=100)
        session.expunge_all()
    return {str(c.external_id): c for c in checks}


def load(database: Database, settings: Settings, organization_id: int) -> int:
    with database.session() as session:
        return load_demo_checks(session, settings, organization_id)


class TestDemoChecks:
    def test_added_once_then_nothing(self, database: Database, settings: Settings) -> None:
        org = organisation(database, "demo")
        assert load(database, settings, org) == len(DEMO_POSTS)
        assert 5 <= len(DEMO_POSTS) <= 6
        first = checks_of(database, org)
        assert load(database, settings, org) == 0
        assert checks_of(database, org).keys() == first.keys()
        assert len(first) == len(DEMO_POSTS)
        with database.session() as session:
            events = AuditRepository(session).list(org, limit=100)
            assert {(e.actor, e.action) for e in events} == {(DEMO_ACTOR, "compliance.checked")}
            assert len(events) == len(DEMO_POSTS)

    def test_each_organisation_gets_its_own(self, database: Database, settings: Settings) -> None:
        first, second = organisation(database, "demo"), organisation(database, "other")
        assert load(database, settings, first) == len(DEMO_POSTS)
        assert load(database, settings, second) == len(DEMO_POSTS)

    def test_stored_verdicts_are_the_checkers(self, database: Database, settings: Settings) -> None:
        org = organisation(database, "demo")
        load(database, settings, org)
        for check in checks_of(database, org).values():
            result = check_post(Post.from_dict(check.post))
            assert check.verdict == result.verdict.value
            assert check.reasons == list(result.reasons)
            assert check.review_status == (
                "not_required" if check.verdict == "compliant" else "pending"
            )

    @pytest.mark.parametrize(
        ("post_id", "code"),
        [
            ("demo-us-buried-ad", "BURIED_IN_HASHTAGS"),
            ("demo-us-undisclosed", "NO_DISCLOSURE"),
            ("demo-us-video", "VIDEO_NOT_SPOKEN"),
            ("demo-uk-sponsored", "UK_NON_AD_LABEL"),
            ("demo-fr-sponso", "FR_MANDATORY_LABEL"),
        ],
    )
    def test_each_post_shows_its_rule(
        self, database: Database, settings: Settings, post_id: str, code: str
    ) -> None:
        org = organisation(database, "demo")
        load(database, settings, org)
        check = checks_of(database, org)[post_id]
        assert code in check.reasons
        # Any hard code makes a post non-compliant; review codes alone need a reviewer
        # (docs/compliance-rules.md section 2).
        severities = {f["severity"] for f in check.result["findings"]}
        expected = "non_compliant" if "hard" in severities else "needs_review"
        assert check.verdict == expected

    def test_the_disclosed_post_is_compliant_and_the_queue_has_both_kinds(
        self, database: Database, settings: Settings
    ) -> None:
        org = organisation(database, "demo")
        load(database, settings, org)
        checks = checks_of(database, org)
        assert checks["demo-us-disclosed"].verdict == "compliant"
        assert checks["demo-us-disclosed"].reasons == []
        assert checks["demo-uk-sponsored"].verdict == "needs_review"
        with database.session() as session:
            queue = ComplianceCheckRepository(session).queue(org, after=None, limit=100)
            assert {c.verdict for c in queue} == {"non_compliant", "needs_review"}
