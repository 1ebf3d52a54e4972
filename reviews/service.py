"""Storing compliance checks and recording reviewer decisions, with a full audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from compliance.checker import check_post
from compliance.types import CheckResult, Post, Verdict
from core import csvsafe
from core.errors import InvalidInputError
from models import VERDICT_PRIORITY, AuditEvent, ComplianceCheck, utcnow
from storage.repositories.compliance import AuditRepository, ComplianceCheckRepository

__all__ = ["EXPORT_COLUMNS", "Decision", "ReviewService"]

Decision = Literal["approve", "reject", "override"]

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
)

_STATUS_FOR: dict[str, str] = {
    "approve": "approved",
    "reject": "rejected",
    "override": "overridden",
}


@dataclass(frozen=True)
class StoredResult:
    check: ComplianceCheck
    result: CheckResult


class ReviewService:
    """Compliance checks as an organisation's records, and what reviewers decide on them."""

    def check_and_store(
        self, session: Session, organization_id: int, posts: Sequence[Post], *, actor: str
    ) -> list[StoredResult]:
        """Check every post, store each check (with an audit event), in input order."""
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
                post=post.to_dict(),
                result=result.to_dict(),
                checked_by=actor,
                review_status="not_required" if verdict == "compliant" else "pending",
                final_verdict=verdict,
            )
            stored.append(StoredResult(check=check, result=result))
        repo = ComplianceCheckRepository(session)
        repo.add_many([s.check for s in stored])
        audit = AuditRepository(session)
        for item in stored:
            audit.add(
                AuditEvent(
                    organization_id=organization_id,
                    actor=actor,
                    action="compliance.checked",
                    subject_type="compliance_check",
                    subject_id=item.check.id,
                    changes={"verdict": [None, item.check.verdict]},
                )
            )
        session.flush()
        return stored

    def decide(
        self,
        session: Session,
        organization_id: int,
        check_id: int,
        *,
        decision: Decision,
        actor: str,
        reason: str | None = None,
        verdict: Verdict | None = None,
    ) -> ComplianceCheck:
        """Record a reviewer's decision; an override needs a verdict and a written reason.

        A later decision replaces an earlier one; both stay in the audit trail.
        """
        reason = (reason or "").strip() or None
        if decision == "override":
            if verdict is None:
                raise InvalidInputError.for_field("verdict", "an override needs the new verdict")
            if reason is None:
                raise InvalidInputError.for_field("reason", "an override needs a written reason")
        elif verdict is not None:
            raise InvalidInputError.for_field("verdict", "only an override sets a verdict")
        check = ComplianceCheckRepository(session).get_or_raise(organization_id, check_id)
        before = {
            "review_status": check.review_status,
            "final_verdict": check.final_verdict,
            "decision_reason": check.decision_reason,
        }
        check.review_status = _STATUS_FOR[decision]
        check.final_verdict = verdict.value if verdict is not None else check.verdict
        check.decided_by = actor
        check.decided_at = utcnow()
        check.decision_reason = reason
        after = {
            "review_status": check.review_status,
            "final_verdict": check.final_verdict,
            "decision_reason": check.decision_reason,
        }
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        AuditRepository(session).add(
            AuditEvent(
                organization_id=organization_id,
                actor=actor,
                action=f"compliance.{_STATUS_FOR[decision]}",
                subject_type="compliance_check",
                subject_id=check.id,
                changes=changes,
                reason=reason,
            )
        )
        session.flush()
        return check

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
