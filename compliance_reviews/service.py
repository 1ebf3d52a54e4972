"""Storing compliance checks and what reviewers do with them: decisions (one at a time or in
bulk), assignees, the suggested fix e-mailed to the creator, and the export; every change
is written to the audit trail (who, what, when, before and after).

Decisions are named for what they do:

* ``confirm_violation``: the checker is right, the post breaks the rules (final verdict
  non-compliant). Not for a check the checker found compliant.
* ``clear``: the post is fine after all (final verdict compliant; a reason is required).
* ``override``: set another verdict (the new ``verdict`` and a reason are required).
* ``approve`` and ``reject`` (deprecated): record that the checker's verdict stands without
  saying whether the post is fine; kept as they were for existing API clients.

A decision that changes the verdict needs a written reason: one whose final verdict differs
from the checker's (confirming a violation on a check that only needed review) or from the
check's current one (undoing an earlier decision). So every final verdict that is not the
checker's carries the reviewer's reason in the record and the export. (The deprecated
decisions keep their old rule, reason optional, so that old integrations keep working.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from compliance.checker import check_post
from compliance.rules import RULES
from compliance.types import CheckResult, Jurisdiction, Platform, Post, Verdict
from core import csvsafe
from core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from core.patterns import SPACE
from models import (
    REVIEW_STATUSES,
    VERDICT_PRIORITY,
    AuditEvent,
    ComplianceCheck,
    Creator,
    OutboxMessage,
    reason_key_of,
    utcnow,
)
from outreach.service import FixEmail, OutreachService
from storage.repositories.api_keys import ApiKeyRepository
from storage.repositories.compliance import (
    AuditRepository,
    CheckFilters,
    ComplianceCheckNotFoundError,
    ComplianceCheckRepository,
)
from storage.repositories.creators import CreatorRepository
from storage.repositories.outreach import OutreachRepository
from storage.repositories.users import UserRepository
from webhooks.service import emit

__all__ = [
    "ASSIGNEE_PATTERN",
    "DECISIONS",
    "DECISION_OF_STATUS",
    "EXPORT_COLUMNS",
    "LEGACY_DECISIONS",
    "MAX_BULK",
    "REVIEWER_ROLES",
    "AssigneeNotAllowedError",
    "AssigneeNotFoundError",
    "CheckFilters",
    "CheckStateError",
    "CreatorRef",
    "Decision",
    "FixCreatorConflictError",
    "FixCreatorNotFoundError",
    "FixSent",
    "ReviewService",
    "StoredResult",
]

Decision = Literal["confirm_violation", "clear", "override", "approve", "reject"]
# What reviewers choose from; the deprecated two still work in the API.
DECISIONS: tuple[Decision, ...] = ("confirm_violation", "clear", "override")
LEGACY_DECISIONS: tuple[Decision, ...] = ("approve", "reject")
_STATUS_FOR: dict[str, str] = {
    "confirm_violation": "confirmed",
    "clear": "cleared",
    "override": "overridden",
    "approve": "approved",
    "reject": "rejected",
}
DECISION_OF_STATUS: dict[str, str] = {status: d for d, status in _STATUS_FOR.items()}
_VERDICT_WORDS: dict[str, str] = {
    "compliant": "compliant",
    "needs_review": "needs review",
    "non_compliant": "non-compliant",
}
# Bulk decisions and assignments change at most this many checks in one go.
MAX_BULK = 500
# Who may be assigned a check (and who sees the compliance pages).
REVIEWER_ROLES: tuple[str, ...] = ("reviewer", "admin")
_ASSIGNEE_HELP = (
    "give 'me', 'user:<e-mail>' of a reviewer or admin of your organisation, "
    "'api-key:<prefix>' of a key with the compliance scope, or null to unassign"
)
# What an assignee may be written as (the API document's pattern; _assignee reads it): empty
# (nobody, or no filter), me, none, user:<e-mail> or api-key:<prefix>, spaces around.
ASSIGNEE_PATTERN = rf"^[{SPACE}]*((me|none|(user|api-key):[^\x00-\x1f]+)[{SPACE}]*)?$"


class CheckStateError(ConflictError):
    """A decision or a bulk change that the checks, as they stand, refuse (409, naming the
    field): confirming a violation the checker did not find, changing a verdict without a
    reason, a filter that matches more than :data:`MAX_BULK` checks. The request itself is
    well formed (the API document says so); the state of the checks is at odds with it."""

    code = "check_state_conflict"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = [FieldError(field, message)]


class FixCreatorNotFoundError(NotFoundError):
    """No creator of the organisation has the e-mail address (or handle) a fix names (404,
    naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = [FieldError(field, message)]


class FixCreatorConflictError(ConflictError):
    """Whom to send a fix to is not settled by the request and the check: it names nobody
    and the check is linked to no creator, or several creators match (409, naming the
    field: name one by id)."""

    code = "fix_creator_unclear"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = [FieldError(field, message)]


class AssigneeNotFoundError(NotFoundError):
    """No such user or key in the organisation (404, naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = [FieldError(field, message)]


class AssigneeNotAllowedError(ConflictError):
    """The user or key exists but may not be given checks: not a reviewer or admin, disabled,
    a key without the compliance scope or revoked (409, naming the field)."""

    code = "assignee_not_allowed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.errors = [FieldError(field, message)]


EXPORT_COLUMNS: tuple[str, ...] = (
    "check_id",
    "checked_at",
    "checked_by",
    "post_id",
    "platform",
    "jurisdiction",
    "verdict",
    "reasons",
    "review_status",
    "final_verdict",
    "decided_by",
    "decided_at",
    "decision_reason",
    "caption",
    "brand",
    "connection_type",
    "suggested_fix",
    "decision",
    "assignee",
)


@dataclass(frozen=True)
class StoredResult:
    check: ComplianceCheck
    result: CheckResult


@dataclass(frozen=True)
class CreatorRef:
    """Whom to send a check's fix to: a creator id, an e-mail address or a handle of one of
    the organisation's creators. With none, the creator the check is linked to."""

    creator_id: int | None = None
    email: str | None = None
    handle: str | None = None


@dataclass(frozen=True)
class FixSent:
    """The fix written to the outbox, and the check it belongs to."""

    check: ComplianceCheck
    message: OutboxMessage


def _audit(
    session: Session,
    check: ComplianceCheck,
    actor: str,
    action: str,
    changes: dict[str, list[Any]],
    reason: str | None = None,
) -> None:
    AuditRepository(session).add(
        AuditEvent(
            organization_id=check.organization_id,
            actor=actor,
            action=action,
            subject_type="compliance_check",
            subject_id=check.id,
            changes=changes,
            reason=reason,
        )
    )


class ReviewService:
    """Compliance checks as an organisation's records, and what reviewers do with them."""

    # ------------------------------------------------------------------------- checking

    def check_and_store(
        self, session: Session, organization_id: int, posts: Sequence[Post], *, actor: str
    ) -> list[StoredResult]:
        """Check every post, store each check (with an audit event), in input order, and
        emit a ``compliance.violation`` webhook for each non-compliant one (in the same
        transaction: the event exists if and only if the check does)."""
        stored: list[StoredResult] = []
        for post in posts:
            result = check_post(post)
            verdict = result.verdict.value
            check = ComplianceCheck(
                organization_id=organization_id,
                external_id=post.id,
                platform=post.platform.value,
                jurisdiction=post.jurisdiction.value,
                verdict=verdict,
                priority=VERDICT_PRIORITY[verdict],
                reasons=list(result.reasons),
                reason_key=reason_key_of(result.reasons),
                post=post.to_dict(),
                result=result.to_dict(),
                checked_by=actor,
                review_status="not_required" if verdict == "compliant" else "pending",
                final_verdict=verdict,
            )
            stored.append(StoredResult(check=check, result=result))
        repo = ComplianceCheckRepository(session)
        repo.add_many([s.check for s in stored])
        for item in stored:
            _audit(
                session,
                item.check,
                actor,
                "compliance.checked",
                {"verdict": [None, item.check.verdict]},
            )
        session.flush()
        for item in stored:
            if item.check.verdict == "non_compliant":
                emit(
                    session,
                    organization_id,
                    "compliance.violation",
                    {
                        "check_id": item.check.id,
                        "post_id": item.check.external_id,
                        "platform": item.check.platform,
                        "jurisdiction": item.check.jurisdiction,
                        "verdict": item.check.verdict,
                        "reasons": item.check.reasons,
                    },
                )
        return stored

    # ---------------------------------------------------------------------------- reading

    def get(self, session: Session, organization_id: int, check_id: int) -> ComplianceCheck:
        return ComplianceCheckRepository(session).get_or_raise(organization_id, check_id)

    def audit_trail(
        self, session: Session, organization_id: int, check_id: int
    ) -> list[AuditEvent]:
        """What happened to one check, oldest first."""
        return AuditRepository(session).for_subject(organization_id, "compliance_check", check_id)

    def audit_events(
        self, session: Session, organization_id: int, *, before_id: int | None, limit: int
    ) -> list[AuditEvent]:
        """The organisation's audit events, newest first; ``before_id`` is the id of the
        last one seen."""
        return AuditRepository(session).newest_first(
            organization_id, before_id=before_id, limit=limit
        )

    def audit_log(
        self,
        session: Session,
        organization_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        """The organisation's audit events in id order, made in [``since``, ``until``)."""
        return AuditRepository(session).list(
            organization_id, since=since, until=until, after_id=after_id, limit=limit
        )

    def pending_counts(self, session: Session, organization_id: int) -> dict[str, int]:
        """Checks waiting for a reviewer, by verdict."""
        return ComplianceCheckRepository(session).pending_counts(organization_id)

    def queue(
        self,
        session: Session,
        organization_id: int,
        filters: CheckFilters,
        *,
        after: tuple[int, int] | None,
        limit: int,
    ) -> list[ComplianceCheck]:
        """The review queue: non-compliant first, then needs-review, oldest first; ``after``
        is the (priority, id) of the last one seen."""
        return ComplianceCheckRepository(session).queue(
            organization_id, filters, after=after, limit=limit
        )

    def checks(
        self,
        session: Session,
        organization_id: int,
        filters: CheckFilters,
        *,
        after_id: int | None,
        limit: int,
    ) -> list[ComplianceCheck]:
        """Checks in id order, after ``after_id``."""
        return ComplianceCheckRepository(session).list(
            organization_id, filters, after_id=after_id, limit=limit
        )

    def count(self, session: Session, organization_id: int, filters: CheckFilters) -> int:
        """How many checks match ``filters``."""
        return ComplianceCheckRepository(session).count(organization_id, filters)

    def assigned_to(self, session: Session, organization_id: int) -> list[str]:
        """Everyone the organisation's checks are assigned to, in order (reviewers or not)."""
        return ComplianceCheckRepository(session).assignees(organization_id)

    # -------------------------------------------------------------------------- filters

    def filters(
        self,
        session: Session,
        organization_id: int,
        *,
        actor: str,
        verdict: str | None = None,
        review_status: str | None = None,
        code: str | None = None,
        jurisdiction: str | None = None,
        platform: str | None = None,
        assignee: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        prefix: str = "",
    ) -> CheckFilters:
        """The filters of a queue, a list or a bulk change, checked (422 naming the field,
        after ``prefix``). ``assignee`` is ``me`` (``actor``), ``none`` (nobody) or an
        actor (``user:<e-mail>``, ``api-key:<prefix>``)."""

        def refuse(name: str, message: str) -> InvalidInputError:
            return InvalidInputError.for_field(f"{prefix}{name}", message)

        if verdict and verdict not in VERDICT_PRIORITY:
            raise refuse("verdict", f"unknown verdict {verdict!r}; use {sorted(VERDICT_PRIORITY)}")
        if review_status and review_status not in REVIEW_STATUSES:
            raise refuse(
                "review_status", f"unknown status {review_status!r}; use {list(REVIEW_STATUSES)}"
            )
        if code and code not in RULES:
            raise refuse("code", f"unknown reason code {code!r}; see docs/compliance.md")
        if jurisdiction and jurisdiction not in {j.value for j in Jurisdiction}:
            raise refuse("jurisdiction", f"unknown jurisdiction {jurisdiction!r}")
        if platform and platform not in {p.value for p in Platform}:
            raise refuse("platform", f"unknown platform {platform!r}")
        # A period that ends before it starts is empty, no error (the document cannot say
        # "until after since", so the server takes what it allows and finds nothing).
        assignee = assignee.strip() if assignee else None
        unassigned = assignee == "none"
        who: str | None = None
        if assignee == "me":
            who = actor
        elif assignee and not unassigned:
            who = self._assignee(
                session,
                organization_id,
                assignee,
                actor,
                field=f"{prefix}assignee",
                to_find=True,
            )
        return CheckFilters(
            verdict=verdict or None,
            review_status=review_status or None,
            code=code or None,
            jurisdiction=jurisdiction or None,
            platform=platform or None,
            assignee=who,
            unassigned=unassigned,
            since=since,
            until=until,
        )

    def _selected(
        self,
        session: Session,
        organization_id: int,
        check_ids: Sequence[int] | None,
        filters: CheckFilters | None,
    ) -> list[ComplianceCheck]:
        """The checks a bulk change applies to: ``check_ids`` (every one must be the
        organisation's: a missing one is a 404 and nothing changes) or every check matching
        ``filters``, at most :data:`MAX_BULK`."""
        repo = ComplianceCheckRepository(session)
        if (check_ids is None) == (filters is None):
            raise InvalidInputError.for_field(
                "check_ids", "give either check_ids or filter (all checks matching it)"
            )
        if check_ids is not None:
            wanted = list(dict.fromkeys(check_ids))
            if not wanted:
                raise InvalidInputError.for_field("check_ids", "select at least one check")
            if len(wanted) > MAX_BULK:
                raise InvalidInputError.for_field(
                    "check_ids", f"at most {MAX_BULK} checks at a time"
                )
            found = {c.id: c for c in repo.get_many(organization_id, wanted)}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise ComplianceCheckNotFoundError(missing[0])
            return [found[i] for i in wanted]
        assert filters is not None
        checks = repo.matching(organization_id, filters, limit=MAX_BULK + 1)
        if len(checks) > MAX_BULK:
            raise CheckStateError(
                "filter",
                f"more than {MAX_BULK} checks match this filter; a bulk change takes at most "
                f"{MAX_BULK}: narrow the filter (verdict, code, jurisdiction, platform, "
                "assignee) or work in steps",
            )
        return checks

    # ------------------------------------------------------------------------ decisions

    @staticmethod
    def _checked_decision(
        decision: str, reason: str | None, verdict: Verdict | None
    ) -> tuple[Decision, str | None, Verdict | None]:
        reason = (reason or "").strip() or None
        if decision not in _STATUS_FOR:
            raise InvalidInputError.for_field(
                "decision", f"unknown decision {decision!r}; use {', '.join(DECISIONS)}"
            )
        if decision == "override":
            if verdict is None:
                raise InvalidInputError.for_field("verdict", "an override needs the new verdict")
            if reason is None:
                raise InvalidInputError.for_field("reason", "an override needs a written reason")
        elif verdict is not None:
            raise InvalidInputError.for_field("verdict", "only an override sets a verdict")
        if decision == "clear" and reason is None:
            raise InvalidInputError.for_field(
                "reason", "clearing a post changes its verdict to compliant: say why"
            )
        return decision, reason, verdict  # type: ignore[return-value]  # checked above

    @staticmethod
    def _final_verdict(
        check: ComplianceCheck, decision: Decision, reason: str | None, verdict: Verdict | None
    ) -> str:
        """The final verdict ``decision`` gives ``check``; refused (CheckStateError, 409) when
        the decision does not fit the check or changes its verdict without a reason."""
        if decision == "confirm_violation":
            if check.verdict == Verdict.COMPLIANT:
                raise CheckStateError(
                    "decision",
                    f"check {check.id}: the checker found no violation to confirm (it is "
                    "compliant); override the verdict, with a reason, instead",
                )
            final = Verdict.NON_COMPLIANT.value
        elif decision == "clear":
            final = Verdict.COMPLIANT.value
        elif decision == "override":
            assert verdict is not None
            final = verdict.value
        else:
            final = check.verdict  # approve, reject: the checker's verdict stands
        if decision in LEGACY_DECISIONS:
            return final  # as they always worked, so that old integrations keep working
        if reason is None and final != check.final_verdict:
            raise CheckStateError(
                "reason",
                f"check {check.id}: this decision changes its verdict from "
                f"{_VERDICT_WORDS[check.final_verdict]} to {_VERDICT_WORDS[final]}: say why",
            )
        if reason is None and final != check.verdict:
            raise CheckStateError(
                "reason",
                f"check {check.id}: this decision sets a verdict ({_VERDICT_WORDS[final]}) "
                f"other than the checker's ({_VERDICT_WORDS[check.verdict]}): say why",
            )
        return final

    def _decide(
        self,
        session: Session,
        checks: Sequence[ComplianceCheck],
        decision: Decision,
        reason: str | None,
        verdict: Verdict | None,
        actor: str,
    ) -> None:
        # Every check is validated before any changes: one refusal leaves all untouched.
        finals = [self._final_verdict(check, decision, reason, verdict) for check in checks]
        now = utcnow()
        status = _STATUS_FOR[decision]
        for check, final in zip(checks, finals, strict=True):
            before = {
                "review_status": check.review_status,
                "final_verdict": check.final_verdict,
                "decision_reason": check.decision_reason,
            }
            check.review_status = status
            check.final_verdict = final
            check.decided_by = actor
            check.decided_at = now
            check.decision_reason = reason
            after = {
                "review_status": check.review_status,
                "final_verdict": check.final_verdict,
                "decision_reason": check.decision_reason,
            }
            changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            _audit(session, check, actor, f"compliance.{status}", changes, reason)
        session.flush()

    def decide(
        self,
        session: Session,
        organization_id: int,
        check_id: int,
        *,
        decision: str,
        actor: str,
        reason: str | None = None,
        verdict: Verdict | None = None,
    ) -> ComplianceCheck:
        """Record a reviewer's decision (see the module docstring for what each one needs).

        A later decision replaces an earlier one; both stay in the audit trail.
        """
        checked, reason, verdict = self._checked_decision(decision, reason, verdict)
        check = ComplianceCheckRepository(session).get_or_raise(organization_id, check_id)
        self._decide(session, [check], checked, reason, verdict, actor)
        return check

    def decide_many(
        self,
        session: Session,
        organization_id: int,
        *,
        decision: str,
        actor: str,
        check_ids: Sequence[int] | None = None,
        filters: CheckFilters | None = None,
        reason: str | None = None,
        verdict: Verdict | None = None,
    ) -> list[ComplianceCheck]:
        """One decision and reason for the given checks or every check matching ``filters``
        (at most :data:`MAX_BULK`): all of them or, on any refusal, none. Each is audited."""
        checked, reason, verdict = self._checked_decision(decision, reason, verdict)
        checks = self._selected(session, organization_id, check_ids, filters)
        self._decide(session, checks, checked, reason, verdict, actor)
        return checks

    # ------------------------------------------------------------------------ assignees

    def _assignee(
        self,
        session: Session,
        organization_id: int,
        value: str,
        actor: str,
        *,
        field: str,
        to_find: bool = False,
    ) -> str:
        """``value`` as an actor of the organisation. To be assigned checks it must be an
        active reviewer or admin, or a key with the compliance scope; ``to_find`` (a filter)
        takes any user or key of the organisation, so that the checks of someone who was
        disabled, changed role or lost the key can still be found and moved."""
        value = value.strip()
        if value == "me":
            return actor
        kind, _, name = value.partition(":")
        if kind == "user" and name:
            user = UserRepository(session).get_by_email(name.strip().lower())
            if (
                user is not None
                and user.organization_id == organization_id
                and (to_find or (user.role in REVIEWER_ROLES and user.disabled_at is None))
            ):
                return f"user:{user.email}"
            if user is None or user.organization_id != organization_id:
                raise AssigneeNotFoundError(field, f"{value!r} is no user of your organisation")
            raise AssigneeNotAllowedError(
                field, f"{value!r} is not an active reviewer or admin: {_ASSIGNEE_HELP}"
            )
        if kind == "api-key" and name:
            key = ApiKeyRepository(session).get_by_prefix(name.strip())
            if (
                key is not None
                and key.organization_id == organization_id
                and (
                    to_find
                    or (key.revoked_at is None and bool({"compliance", "admin"} & set(key.scopes)))
                )
            ):
                return f"api-key:{key.prefix}"
            if key is None or key.organization_id != organization_id:
                raise AssigneeNotFoundError(field, f"{value!r} is no key of your organisation")
            raise AssigneeNotAllowedError(
                field, f"{value!r} is revoked or lacks the compliance scope: {_ASSIGNEE_HELP}"
            )
        raise InvalidInputError.for_field(field, f"unknown assignee {value!r}: {_ASSIGNEE_HELP}")

    def assignees(self, session: Session, organization_id: int) -> list[str]:
        """Who may be assigned checks on the pages: the organisation's reviewers and admins."""
        users = UserRepository(session).active_with_roles(organization_id, REVIEWER_ROLES)
        return [f"user:{user.email}" for user in users]

    def assign(
        self,
        session: Session,
        organization_id: int,
        *,
        assignee: str | None,
        actor: str,
        check_ids: Sequence[int] | None = None,
        filters: CheckFilters | None = None,
    ) -> list[ComplianceCheck]:
        """Assign the given checks (or every check matching ``filters``, at most
        :data:`MAX_BULK`) to ``assignee`` (``me``, an actor, or None to unassign); all or
        none. Each change is audited (``compliance.assigned`` / ``compliance.unassigned``)."""
        who = (
            self._assignee(session, organization_id, assignee, actor, field="assignee")
            if assignee and assignee.strip() and assignee.strip() != "none"
            else None
        )
        checks = self._selected(session, organization_id, check_ids, filters)
        now = utcnow()
        for check in checks:
            if check.assignee == who:
                continue
            before = check.assignee
            check.assignee = who
            check.assigned_at = now if who else None
            action = "compliance.assigned" if who else "compliance.unassigned"
            _audit(session, check, actor, action, {"assignee": [before, who]})
        session.flush()
        return checks

    # ------------------------------------------------------------------ sending the fix

    def _creator(
        self, session: Session, organization_id: int, check: ComplianceCheck, ref: CreatorRef
    ) -> Creator:
        repo = CreatorRepository(session)
        if ref.creator_id is not None:
            return repo.get_or_raise(organization_id, ref.creator_id)
        if ref.email is not None and ref.email.strip():
            found = repo.with_email(organization_id, ref.email)
            field = "creator_email"
            if not found:
                raise FixCreatorNotFoundError(
                    field, f"no creator of your organisation has the address {ref.email.strip()!r}"
                )
        elif ref.handle is not None and ref.handle.strip():
            handle = ref.handle.strip().removeprefix("@").lower()
            found = repo.with_handle(organization_id, handle)
            same_platform = [c for c in found if c.platform == check.platform]
            found = same_platform or found
            field = "creator"
            if not found:
                raise FixCreatorNotFoundError(
                    field, f"no creator of your organisation has the handle @{handle}"
                )
        elif check.creator_id is not None:
            return repo.get_or_raise(organization_id, check.creator_id)
        else:
            raise FixCreatorConflictError(
                "creator_id",
                f"check {check.id} is not linked to a creator yet: name the creator "
                "(creator_id or creator_email)",
            )
        if len(found) > 1:
            listed = ", ".join(f"{c.id} (@{c.handle} on {c.platform})" for c in found[:5])
            raise FixCreatorConflictError(
                field, f"several creators match ({listed}): choose one by id"
            )
        return found[0]

    def preview_fix(
        self,
        session: Session,
        organization_id: int,
        check_id: int,
        *,
        outreach: OutreachService,
        creator: CreatorRef = CreatorRef(),
    ) -> tuple[ComplianceCheck, FixEmail]:
        """The e-mail that would send the check's suggested fix to the creator, with the
        gate's verdict on it; nothing is stored."""
        check = ComplianceCheckRepository(session).get_or_raise(organization_id, check_id)
        found = self._creator(session, organization_id, check, creator)
        return check, outreach.compliance_fix_email(session, organization_id, check, found)

    def send_fix(
        self,
        session: Session,
        organization_id: int,
        check_id: int,
        *,
        outreach: OutreachService,
        actor: str,
        creator: CreatorRef = CreatorRef(),
        now: datetime | None = None,
    ) -> FixSent:
        """E-mail the check's suggested fix and the plain explanation of each finding to
        the creator through outreach (the gate, the outbox; a dry run unless sending is on),
        link the check to that creator and audit it (``compliance.fix_sent``).

        Raises:
            NotFoundError: no such check or creator in the organisation (a named address
                or handle that no creator has: FixCreatorNotFoundError).
            CreatorOptedOutError: the creator opted out (409); nothing is written.
            FixCreatorConflictError: no creator named or linked, or several match (409).
            ConflictError: the check has no findings, no sender profile is set, or the
                creator has no e-mail address.
            DraftBlockedError: the gate blocked the e-mail.
        """
        check = ComplianceCheckRepository(session).get_or_raise(organization_id, check_id)
        found = self._creator(session, organization_id, check, creator)
        message = outreach.send_compliance_fix(session, organization_id, check, found, now=now)
        changes: dict[str, list[Any]] = {
            "fix_email": [None, f"{message.status} to {message.to_email} (outbox {message.id})"]
        }
        if check.creator_id != found.id:
            changes["creator_id"] = [check.creator_id, found.id]
            check.creator_id = found.id
        _audit(session, check, actor, "compliance.fix_sent", changes)
        session.flush()
        return FixSent(check=check, message=message)

    def sent_fixes(
        self, session: Session, organization_id: int, check_id: int
    ) -> list[OutboxMessage]:
        """The fix e-mails written for a check, oldest first."""
        return OutreachRepository(session).messages(
            organization_id, kind="compliance_fix", compliance_check_id=check_id, limit=100
        )

    # --------------------------------------------------------------------------- export

    def export_rows(
        self,
        session: Session,
        organization_id: int,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[dict[str, Any]]:
        """One row per check of the period, with its decision, for legal records."""
        for check in ComplianceCheckRepository(session).iterate_period(
            organization_id, since, until
        ):
            connection = check.post.get("material_connection") or {}
            yield {
                "check_id": check.id,
                "checked_at": check.created_at.isoformat(),
                "checked_by": check.checked_by,
                "post_id": check.external_id or "",
                "platform": check.platform,
                "jurisdiction": check.jurisdiction,
                "verdict": check.verdict,
                "reasons": " ".join(check.reasons),
                "review_status": check.review_status,
                "final_verdict": check.final_verdict,
                "decided_by": check.decided_by or "",
                "decided_at": check.decided_at.isoformat() if check.decided_at else "",
                "decision_reason": check.decision_reason or "",
                "caption": str(check.post.get("caption", "")),
                "brand": str(connection.get("brand") or ""),
                "connection_type": str(connection.get("type") or ""),
                "suggested_fix": str(check.result.get("suggested_fix") or ""),
                "decision": DECISION_OF_STATUS.get(check.review_status, ""),
                "assignee": check.assignee or "",
            }

    def export_csv(
        self,
        session: Session,
        organization_id: int,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[str]:
        """The period's checks and decisions as CSV text chunks (header first); a cell that a
        spreadsheet would run as a formula gets a leading quote (core/csvsafe.py)."""

        class _Line:
            text = ""

            def write(self, value: str) -> int:
                self.text += value
                return len(value)

        line = _Line()
        writer = csvsafe.DictWriter(line, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        yield line.text
        for row in self.export_rows(session, organization_id, since, until):
            line.text = ""
            writer.writerow(row)
            yield line.text
