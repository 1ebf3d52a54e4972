"""The reviewer's workflow in the service, on both databases: decisions named for what they
do, bulk decisions (all or nothing), assignees, filters, and the suggested fix sent to the
creator through outreach (a dry run, recorded in the outbox and the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

import compliance_reviews.service as review_module
from accounts.service import AccountService
from compliance import Post
from compliance.rules import RULES
from compliance.types import Verdict
from compliance_reviews.service import (
    AssigneeNotAllowedError,
    AssigneeNotFoundError,
    CheckStateError,
    CreatorRef,
    FixCreatorConflictError,
    ReviewService,
)
from core.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from core.settings import Settings
from models import AuditEvent, ComplianceCheck, Creator, Organization, OutboxMessage, utcnow
from outreach.service import (
    CreatorOptedOutError,
    CreatorWithoutEmailError,
    OutreachService,
    SenderProfileMissingError,
)
from storage.database import Database
from storage.repositories.compliance import (
    AuditRepository,
    CheckFilters,
    ComplianceCheckRepository,
)
from storage.repositories.outreach import OutreachRepository
from storage.repositories.users import UserRepository
from tests.outreach.conftest import World, make_world
from tests.web_support import make_user

ACTOR = "user:rob@acme.example"
service = ReviewService()

UNDISCLOSED = "Obsessed with the new Verdant SPF 50! Use my code MAYA15 for 15% off"
BURIED = (
    "Beach day essentials: reapplying @verdantskin SPF 50 every two hours, no sticky feel "
    "at all! #beach #summer #skincare #spf #vegan #cleanbeauty #ad #sunscreen"
)
UK_SPONSORED = "Sponsored by Verdant: my SPF routine on a grey morning"
DISCLOSED = "#ad " + UNDISCLOSED


def post(caption: str, jurisdiction: str = "US", **extra: Any) -> Post:
    return Post.from_dict(
        {
            "caption": caption,
            "platform": "instagram",
            "media": "image",
            "material_connection": {"type": "paid", "brand": "Verdant"},
            "jurisdiction": jurisdiction,
            **extra,
        }
    )


@dataclass
class Org:
    world: World
    checks: dict[str, int]


@pytest.fixture
def org(database: Database, settings: Settings) -> Org:
    """acme (three creators, a sender profile) with its reviewer, a recruiter and four
    checks: non-compliant, buried, needs review (UK), compliant."""
    world = make_world(database, settings)
    with database.session() as session:
        stored = service.check_and_store(
            session,
            world.org,
            [
                post(UNDISCLOSED, id="bad"),
                post(BURIED, id="buried"),
                post(UK_SPONSORED, "UK", id="uk"),
                post(DISCLOSED, id="fine"),
            ],
            actor="api-key:seed",
        )
        checks = {str(s.check.external_id): s.check.id for s in stored}
    make_user(database, "acme", "rob@acme.example", "reviewer")
    make_user(database, "acme", "ada@acme.example", "admin")
    make_user(database, "acme", "rita@acme.example", "recruiter")
    return Org(world, checks)


def load(database: Database, org_id: int) -> dict[str, ComplianceCheck]:
    with database.session() as session:
        rows = ComplianceCheckRepository(session).list(org_id, limit=100)
        session.expunge_all()
    return {str(c.external_id): c for c in rows}


def audit(database: Database, org_id: int) -> list[AuditEvent]:
    with database.session() as session:
        events = AuditRepository(session).list(org_id, limit=1000)
        session.expunge_all()
    return events


class TestDecisions:
    def test_confirming_a_violation_the_checker_found_needs_no_reason(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session:
            service.decide(
                session, org.world.org, org.checks["bad"], decision="confirm_violation", actor=ACTOR
            )
        after = load(database, org.world.org)["bad"]
        assert (after.review_status, after.final_verdict) == ("confirmed", "non_compliant")
        assert after.decision_reason is None

    def test_confirming_what_needed_review_changes_the_verdict_so_it_needs_a_reason(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide(
                session, org.world.org, org.checks["uk"], decision="confirm_violation", actor=ACTOR
            )
        assert raised.value.errors[0].field == "reason"
        assert "needs review to non-compliant" in raised.value.errors[0].message
        assert load(database, org.world.org)["uk"].review_status == "pending"
        with database.session() as session:
            check = service.decide(
                session,
                org.world.org,
                org.checks["uk"],
                decision="confirm_violation",
                reason="'Sponsored by' is not the UK's 'Ad' label",
                actor=ACTOR,
            )
            assert check.verdict == "needs_review"
        after = load(database, org.world.org)["uk"]
        assert (after.review_status, after.final_verdict) == ("confirmed", "non_compliant")
        event = audit(database, org.world.org)[-1]
        assert (event.actor, event.action) == (ACTOR, "compliance.confirmed")
        assert event.changes == {
            "review_status": ["pending", "confirmed"],
            "final_verdict": ["needs_review", "non_compliant"],
            "decision_reason": [None, "'Sponsored by' is not the UK's 'Ad' label"],
        }

    def test_undoing_an_earlier_decision_changes_the_verdict_so_it_needs_a_reason(
        self, database: Database, org: Org
    ) -> None:
        decision = "confirm_violation"
        with database.session() as session:
            service.decide(
                session,
                org.world.org,
                org.checks["bad"],
                decision="clear",
                reason="Label burned into the image",
                actor=ACTOR,
            )
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide(
                session, org.world.org, org.checks["bad"], decision=decision, actor=ACTOR
            )
        assert raised.value.errors[0].field == "reason"
        assert "compliant to non-compliant" in raised.value.errors[0].message
        after = load(database, org.world.org)["bad"]
        assert (after.final_verdict, after.decision_reason) == (
            "compliant",
            "Label burned into the image",
        )
        with database.session() as session:
            service.decide(
                session,
                org.world.org,
                org.checks["bad"],
                decision=decision,
                reason="The label is a sticker added after posting",
                actor=ACTOR,
            )
        assert load(database, org.world.org)["bad"].final_verdict == "non_compliant"

    def test_clearing_needs_a_reason_and_makes_it_compliant(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session, pytest.raises(InvalidInputError) as raised:
            service.decide(session, org.world.org, org.checks["bad"], decision="clear", actor=ACTOR)
        assert raised.value.errors[0].field == "reason"
        with database.session() as session:
            service.decide(
                session,
                org.world.org,
                org.checks["bad"],
                decision="clear",
                reason="  Label burned into the image  ",
                actor=ACTOR,
            )
        after = load(database, org.world.org)["bad"]
        assert (after.review_status, after.final_verdict, after.decision_reason) == (
            "cleared",
            "compliant",
            "Label burned into the image",
        )

    def test_there_is_no_violation_to_confirm_on_a_compliant_post(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide(
                session,
                org.world.org,
                org.checks["fine"],
                decision="confirm_violation",
                actor=ACTOR,
            )
        assert raised.value.errors[0].field == "decision"
        assert "override" in raised.value.errors[0].message

    def test_the_deprecated_decisions_keep_the_checkers_verdict(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session:
            service.decide(
                session, org.world.org, org.checks["uk"], decision="approve", actor=ACTOR
            )
            service.decide(
                session,
                org.world.org,
                org.checks["bad"],
                decision="override",
                verdict=Verdict.COMPLIANT,
                reason="Label burned into the image",
                actor=ACTOR,
            )
            # As they always did: no reason needed, even to undo an override.
            service.decide(
                session, org.world.org, org.checks["bad"], decision="reject", actor=ACTOR
            )
        checks = load(database, org.world.org)
        assert (checks["uk"].review_status, checks["uk"].final_verdict) == (
            "approved",
            "needs_review",
        )
        assert (checks["bad"].review_status, checks["bad"].final_verdict) == (
            "rejected",
            "non_compliant",
        )


class TestBulkDecisions:
    def test_one_decision_for_many_each_audited(self, database: Database, org: Org) -> None:
        ids = [org.checks["bad"], org.checks["buried"]]
        before = len(audit(database, org.world.org))
        with database.session() as session:
            decided = service.decide_many(
                session,
                org.world.org,
                decision="clear",
                reason="Checked each asset",
                actor=ACTOR,
                check_ids=ids,
            )
            assert [c.id for c in decided] == ids
        checks = load(database, org.world.org)
        assert {checks[k].review_status for k in ("bad", "buried")} == {"cleared"}
        assert checks["uk"].review_status == "pending"
        events = audit(database, org.world.org)[before:]
        assert sorted(e.subject_id for e in events) == sorted(ids)
        assert {(e.action, e.reason, e.actor) for e in events} == {
            ("compliance.cleared", "Checked each asset", ACTOR)
        }

    def test_all_or_nothing_when_one_does_not_fit(self, database: Database, org: Org) -> None:
        before = len(audit(database, org.world.org))
        ids = [org.checks["bad"], org.checks["fine"]]  # nothing to confirm on the compliant one
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide_many(
                session,
                org.world.org,
                decision="confirm_violation",
                actor=ACTOR,
                check_ids=ids,
            )
        assert f"check {org.checks['fine']}" in raised.value.errors[0].message
        checks = load(database, org.world.org)
        assert checks["bad"].review_status == "pending"
        assert len(audit(database, org.world.org)) == before

    def test_a_bulk_confirmation_of_what_needed_review_needs_a_reason_for_all(
        self, database: Database, org: Org
    ) -> None:
        before = len(audit(database, org.world.org))
        queue = CheckFilters(review_status="pending")
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide_many(
                session, org.world.org, decision="confirm_violation", actor=ACTOR, filters=queue
            )
        assert raised.value.errors[0].field == "reason"
        assert f"check {org.checks['uk']}" in raised.value.errors[0].message
        assert {c.review_status for c in load(database, org.world.org).values()} == {
            "pending",
            "not_required",
        }
        assert len(audit(database, org.world.org)) == before
        with database.session() as session:
            decided = service.decide_many(
                session,
                org.world.org,
                decision="confirm_violation",
                reason="Checked each with legal",
                actor=ACTOR,
                filters=queue,
            )
            assert sorted(str(c.external_id) for c in decided) == ["bad", "buried", "uk"]

    def test_another_organisations_check_is_404_and_nothing_is_touched(
        self, database: Database, settings: Settings, org: Org
    ) -> None:
        other = make_world(database, settings, "globex")
        with database.session() as session:
            (theirs,) = service.check_and_store(
                session, other.org, [post(UNDISCLOSED, id="theirs")], actor="api-key:g"
            )
            their_id = theirs.check.id
        with database.session() as session, pytest.raises(NotFoundError) as raised:
            service.decide_many(
                session,
                org.world.org,
                decision="confirm_violation",
                actor=ACTOR,
                check_ids=[org.checks["bad"], their_id],
            )
        assert str(their_id) in raised.value.message
        assert load(database, org.world.org)["bad"].review_status == "pending"
        assert load(database, other.org)["theirs"].review_status == "pending"

    def test_a_filter_selects_the_checks(self, database: Database, org: Org) -> None:
        with database.session() as session:
            filters = service.filters(
                session,
                org.world.org,
                actor=ACTOR,
                review_status="pending",
                code="BURIED_IN_HASHTAGS",
            )
            decided = service.decide_many(
                session,
                org.world.org,
                decision="confirm_violation",
                actor=ACTOR,
                filters=filters,
            )
            assert [c.external_id for c in decided] == ["buried"]
        assert load(database, org.world.org)["bad"].review_status == "pending"

    def test_a_filter_matching_more_than_the_bound_is_refused(
        self, database: Database, org: Org, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(review_module, "MAX_BULK", 2)
        with database.session() as session, pytest.raises(CheckStateError) as raised:
            service.decide_many(
                session,
                org.world.org,
                decision="clear",
                reason="fine",
                actor=ACTOR,
                filters=CheckFilters(review_status="pending"),
            )
        assert raised.value.errors[0].field == "filter"
        assert "more than 2 checks match" in raised.value.errors[0].message
        assert {c.review_status for c in load(database, org.world.org).values()} == {
            "pending",
            "not_required",
        }

    @pytest.mark.parametrize(
        ("selection", "field"),
        [
            ({}, "check_ids"),
            ({"check_ids": [1], "filters": CheckFilters()}, "check_ids"),
            ({"check_ids": []}, "check_ids"),
        ],
    )
    def test_ids_or_a_filter(
        self, database: Database, org: Org, selection: dict[str, Any], field: str
    ) -> None:
        with database.session() as session, pytest.raises(InvalidInputError) as raised:
            service.decide_many(
                session, org.world.org, decision="confirm_violation", actor=ACTOR, **selection
            )
        assert raised.value.errors[0].field == field


class TestFilters:
    def test_code_jurisdiction_platform_and_assignee(self, database: Database, org: Org) -> None:
        with database.session() as session:
            service.assign(
                session, org.world.org, assignee="me", actor=ACTOR, check_ids=[org.checks["uk"]]
            )

        def ids(**wanted: Any) -> list[str]:
            with database.session() as session:
                filters = service.filters(session, org.world.org, actor=ACTOR, **wanted)
                rows = ComplianceCheckRepository(session).list(org.world.org, filters)
                return [str(c.external_id) for c in rows]

        assert ids(code="BURIED_IN_HASHTAGS") == ["buried"]
        assert ids(code="NO_DISCLOSURE") == ["bad"]
        assert ids(jurisdiction="UK") == ["uk"]
        assert ids(platform="tiktok") == []
        assert ids(assignee="me") == ["uk"]
        assert ids(assignee=ACTOR) == ["uk"]
        assert ids(assignee="none") == ["bad", "buried", "fine"]
        assert ids(verdict="compliant", review_status="not_required") == ["fine"]

    @pytest.mark.parametrize(
        ("wanted", "field"),
        [
            ({"code": "NOT_A_CODE"}, "filter.code"),
            ({"platform": "myspace"}, "filter.platform"),
            ({"jurisdiction": "MARS"}, "filter.jurisdiction"),
            ({"assignee": "rob"}, "filter.assignee"),
            ({"review_status": "shrugged"}, "filter.review_status"),
        ],
    )
    def test_a_bad_filter_names_its_field(
        self, database: Database, org: Org, wanted: dict[str, str], field: str
    ) -> None:
        with database.session() as session, pytest.raises(InvalidInputError) as raised:
            service.filters(session, org.world.org, actor=ACTOR, prefix="filter.", **wanted)
        assert raised.value.errors[0].field == field

    @pytest.mark.parametrize("assignee", ["user:nobody@acme.example", "api-key:ffffffffff"])
    def test_someone_not_of_the_organisation_is_not_found(
        self, database: Database, org: Org, assignee: str
    ) -> None:
        """Well written, but nobody of the organisation: what is stored decides (404)."""
        with database.session() as session, pytest.raises(AssigneeNotFoundError) as raised:
            service.filters(
                session, org.world.org, actor=ACTOR, prefix="filter.", assignee=assignee
            )
        assert raised.value.errors[0].field == "filter.assignee"

    def test_a_period_that_ends_before_it_starts_finds_nothing(
        self, database: Database, org: Org
    ) -> None:
        since, until = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        with database.session() as session:
            filters = service.filters(session, org.world.org, actor=ACTOR, since=since, until=until)
            assert ComplianceCheckRepository(session).list(org.world.org, filters) == []

    def test_the_checks_of_someone_who_can_no_longer_be_assigned_can_be_found_and_moved(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session:
            service.assign(
                session,
                org.world.org,
                assignee="user:ada@acme.example",
                actor=ACTOR,
                check_ids=[org.checks["bad"], org.checks["uk"]],
            )
            ada = UserRepository(session).get_by_email("ada@acme.example")
            assert ada is not None
            ada.disabled_at = utcnow()  # Ada left; her checks must not be lost
        with database.session() as session:
            filters = service.filters(
                session, org.world.org, actor=ACTOR, assignee="user:ada@acme.example"
            )
            moved = service.assign(
                session, org.world.org, assignee="me", actor=ACTOR, filters=filters
            )
            assert sorted(str(c.external_id) for c in moved) == ["bad", "uk"]
        # Nothing of hers is left to find; she can no longer be given checks.
        with database.session() as session:
            filters = service.filters(
                session, org.world.org, actor=ACTOR, assignee="user:ADA@acme.example"
            )
            assert ComplianceCheckRepository(session).list(org.world.org, filters) == []
        with database.session() as session, pytest.raises(AssigneeNotAllowedError) as raised:
            service.assign(
                session,
                org.world.org,
                assignee="user:ada@acme.example",
                actor=ACTOR,
                check_ids=[org.checks["bad"]],
            )
        assert raised.value.errors[0].field == "assignee"

    def test_every_rule_code_is_a_filter(self, database: Database, org: Org) -> None:
        with database.session() as session:
            for code in RULES:
                assert service.filters(session, org.world.org, actor=ACTOR, code=code).code == code


class TestAssignees:
    def assign(self, database: Database, org: Org, assignee: str | None) -> ComplianceCheck:
        with database.session() as session:
            (check,) = service.assign(
                session,
                org.world.org,
                assignee=assignee,
                actor=ACTOR,
                check_ids=[org.checks["bad"]],
            )
            session.expunge(check)
            return check

    def test_me_a_reviewer_an_admin_a_key_and_nobody(
        self, database: Database, settings: Settings, org: Org
    ) -> None:
        assert self.assign(database, org, "me").assignee == ACTOR
        assert self.assign(database, org, "user:ADA@acme.example").assignee == (
            "user:ada@acme.example"
        )
        accounts = AccountService(settings.api_key_pepper.get_secret_value())
        with database.session() as session:
            organization = session.get(Organization, org.world.org)
            prefix = accounts.create_key(session, organization, ["compliance"]).key.prefix
        assert self.assign(database, org, f"api-key:{prefix}").assignee == f"api-key:{prefix}"
        unassigned = self.assign(database, org, None)
        assert (unassigned.assignee, unassigned.assigned_at) == (None, None)
        actions = [
            (e.action, e.changes["assignee"])
            for e in audit(database, org.world.org)
            if e.action.startswith("compliance.") and "assign" in e.action
        ]
        assert actions == [
            ("compliance.assigned", [None, ACTOR]),
            ("compliance.assigned", [ACTOR, "user:ada@acme.example"]),
            ("compliance.assigned", ["user:ada@acme.example", f"api-key:{prefix}"]),
            ("compliance.unassigned", [f"api-key:{prefix}", None]),
        ]

    @pytest.mark.parametrize(
        ("assignee", "error"),
        [
            ("user:rita@acme.example", AssigneeNotAllowedError),  # a recruiter
            ("user:nobody@acme.example", AssigneeNotFoundError),
            ("user:gil@globex.example", AssigneeNotFoundError),  # another organisation's
            ("api-key:ffffffffff", AssigneeNotFoundError),
            ("rob", InvalidInputError),  # no way to write an assignee
        ],
    )
    def test_only_reviewers_admins_and_compliance_keys_of_the_organisation(
        self,
        database: Database,
        settings: Settings,
        org: Org,
        assignee: str,
        error: type[AppError],
    ) -> None:
        make_user(database, "globex", "gil@globex.example", "reviewer")
        with pytest.raises(error) as raised:
            self.assign(database, org, assignee)
        assert raised.value.errors[0].field == "assignee"
        assert load(database, org.world.org)["bad"].assignee is None

    def test_the_people_to_assign_are_the_active_reviewers_and_admins(
        self, database: Database, org: Org
    ) -> None:
        with database.session() as session:
            assert service.assignees(session, org.world.org) == [
                "user:ada@acme.example",
                "user:rob@acme.example",
            ]


class TestSendingTheFix:
    @pytest.fixture
    def outreach(self, settings: Settings) -> OutreachService:
        assert settings.outreach_dry_run  # the default
        return OutreachService(settings)

    def send(
        self,
        session: Session,
        org: Org,
        outreach: OutreachService,
        key: str = "buried",
        creator: CreatorRef | None = None,
    ) -> Any:
        return service.send_fix(
            session,
            org.world.org,
            org.checks[key],
            outreach=outreach,
            actor=ACTOR,
            creator=creator or CreatorRef(email="ANA.glow@creators.example"),
        )

    def test_a_dry_run_lands_in_the_outbox_and_the_audit_trail(
        self, database: Database, org: Org, outreach: OutreachService
    ) -> None:
        ana = org.world.creators["ana.glow"]
        with database.session() as session:
            sent = self.send(session, org, outreach)
            check = sent.check
            message = sent.message
            assert (message.kind, message.status, message.entry_id) == (
                "compliance_fix",
                "dry_run",
                None,
            )
            assert (message.creator_id, message.compliance_check_id) == (ana, check.id)
            assert message.to_email == "ana.glow@creators.example"
            assert check.result["suggested_fix"] in message.text_body
            for finding in check.result["findings"]:
                assert RULES[finding["code"]].summary in message.text_body
                assert finding["message"] in message.text_body
            assert "/u/" in message.text_body  # the unsubscribe link
        assert load(database, org.world.org)["buried"].creator_id == ana
        event = audit(database, org.world.org)[-1]
        assert (event.action, event.actor) == ("compliance.fix_sent", ACTOR)
        assert event.changes["creator_id"] == [None, ana]
        assert "dry_run to ana.glow@creators.example" in event.changes["fix_email"][1]
        # Next time the check's creator is the default.
        with database.session() as session:
            again = service.send_fix(
                session, org.world.org, org.checks["buried"], outreach=outreach, actor=ACTOR
            )
            assert again.message.creator_id == ana
        assert "creator_id" not in audit(database, org.world.org)[-1].changes  # already linked
        with database.session() as session:
            fixes = service.sent_fixes(session, org.world.org, org.checks["buried"])
            assert [m.status for m in fixes] == ["dry_run", "dry_run"]

    def test_an_opted_out_creator_is_refused_and_nothing_is_written(
        self, database: Database, org: Org, outreach: OutreachService
    ) -> None:
        before = len(audit(database, org.world.org))
        with database.session() as session:
            outreach.opt_out(session, org.world.org, org.world.creators["ana.glow"], source="api")
        with database.session() as session, pytest.raises(CreatorOptedOutError) as raised:
            self.send(session, org, outreach)
        assert "opted out" in raised.value.message
        with database.session() as session:
            assert OutreachRepository(session).messages(org.world.org) == []
        assert load(database, org.world.org)["buried"].creator_id is None
        assert len(audit(database, org.world.org)) == before

    def test_who_to_send_it_to(
        self, database: Database, settings: Settings, org: Org, outreach: OutreachService
    ) -> None:
        other = make_world(database, settings, "globex")
        cases: list[tuple[CreatorRef, type[Exception], str | None]] = [
            (CreatorRef(), FixCreatorConflictError, "creator_id"),  # not linked yet
            (CreatorRef(email="nobody@creators.example"), NotFoundError, "creator_email"),
            (CreatorRef(handle="@nobody"), NotFoundError, "creator"),
            (CreatorRef(creator_id=other.creators["ana.glow"]), NotFoundError, None),
        ]
        for ref, error, field in cases:
            with database.session() as session, pytest.raises(error) as raised:
                self.send(session, org, outreach, creator=ref)
            if field is not None:
                assert raised.value.errors[0].field == field, ref  # type: ignore[attr-defined]
        with database.session() as session:
            by_handle = self.send(session, org, outreach, creator=CreatorRef(handle="@Ben.Skin"))
            assert by_handle.message.to_email == "ben.skin@creators.example"

    def test_a_creator_without_an_address_or_a_check_without_findings(
        self, database: Database, org: Org, outreach: OutreachService
    ) -> None:
        with database.session() as session:
            creator = session.get(Creator, org.world.creators["cleo.clean"])
            assert creator is not None
            creator.email = None
        with database.session() as session, pytest.raises(CreatorWithoutEmailError) as raised:
            self.send(session, org, outreach, creator=CreatorRef(handle="cleo.clean"))
        assert "no e-mail address" in raised.value.errors[0].message
        with database.session() as session, pytest.raises(ConflictError) as conflict:
            self.send(session, org, outreach, key="fine")
        assert "no findings" in conflict.value.message

    def test_without_a_sender_profile_it_says_what_to_set(
        self, database: Database, org: Org, outreach: OutreachService
    ) -> None:
        with database.session() as session:
            profile = OutreachRepository(session).sender(org.world.org)
            assert profile is not None
            OutreachRepository(session).delete(profile)
        with database.session() as session, pytest.raises(SenderProfileMissingError):
            self.send(session, org, outreach)

    def test_with_sending_on_it_is_queued_for_the_next_run(
        self, database: Database, settings: Settings, org: Org
    ) -> None:
        sending = OutreachService(
            settings.model_copy(update={"outreach_dry_run": False}), mailer=_NoMail()
        )
        with database.session() as session:
            message = self.send(session, org, sending).message
            assert (message.status, message.sent_at) == ("queued", None)
            assert message.next_attempt_at is not None
        with database.session() as session:
            due = OutreachRepository(session).due_one_offs(utcnow())
            assert [m.id for m in due] == [message.id]
            assert isinstance(due[0], OutboxMessage)

    def test_a_second_click_while_the_first_waits_to_go_out_sends_nothing_more(
        self, database: Database, settings: Settings, org: Org
    ) -> None:
        sending = OutreachService(
            settings.model_copy(update={"outreach_dry_run": False}), mailer=_NoMail()
        )
        with database.session() as session:
            first = self.send(session, org, sending).message.id
        with database.session() as session, pytest.raises(ConflictError) as raised:
            self.send(session, org, sending)
        assert f"outbox {first}" in raised.value.message
        with database.session() as session:
            fixes = OutreachRepository(session).messages(org.world.org, kind="compliance_fix")
            assert [m.id for m in fixes] == [first]
            # Once it went out, the fix may be sent again (a reminder).
            fixes[0].status = "sent"
        with database.session() as session:
            again = self.send(session, org, sending).message
            assert again.status == "queued" and again.id != first

    def test_two_clicks_at_once_write_one_fix(
        self, database: Database, settings: Settings, org: Org, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Two requests at the same moment: both look before either writes, so the look
        # finds nothing for either (as if the other's row were not committed yet). The
        # database keeps the second one out, and the second click is the same 409.
        sending = OutreachService(
            settings.model_copy(update={"outreach_dry_run": False}), mailer=_NoMail()
        )
        with database.session() as session:
            first = self.send(session, org, sending).message.id
        monkeypatch.setattr(OutreachRepository, "waiting_fix", lambda *_a, **_k: None)
        with database.session() as session, pytest.raises(ConflictError) as raised:
            self.send(session, org, sending)
        assert "already waiting to go out" in raised.value.message
        with database.session() as session:
            fixes = OutreachRepository(session).messages(org.world.org, kind="compliance_fix")
            assert [m.id for m in fixes] == [first]
        assert load(database, org.world.org)["buried"].creator_id is not None


class _NoMail:
    def send(self, message: Any) -> None:
        raise AssertionError("nothing is sent while writing the outbox")
