"""``/v1/compliance``: check posts, the review queue, decisions, the audit trail, CSV export.
Every route needs the ``compliance`` scope."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.deps import CompliancePrincipal, DatabaseDep, SessionDep
from api.schemas.common import IdPath, Page, Timestamp, decode_cursor, decode_keyset, page_of
from api.schemas.compliance import (
    AuditEventRead,
    BatchCheckRequest,
    BatchCheckResponse,
    ComplianceCheckRead,
    DecisionCreate,
    PostIn,
)
from compliance.types import Post, Verdict
from core.errors import FieldError, InvalidInputError
from reviews.service import ReviewService, StoredResult
from storage.repositories.compliance import AuditRepository, ComplianceCheckRepository
from webhooks.service import emit

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])
service = ReviewService()


# The length of compliance_checks.external_id.
MAX_POST_ID = 200


def _post(data: dict[str, Any], prefix: str = "") -> Post:
    try:
        post = Post.from_dict(data)
    except InvalidInputError as exc:
        errors = [
            FieldError(
                field=f"{prefix}{e.field}" if e.field else prefix.rstrip(".") or None,
                message=e.message,
            )
            for e in exc.errors
        ] or [FieldError(field=prefix.rstrip(".") or None, message=exc.message)]
        raise InvalidInputError(errors[0].describe(), errors) from None
    if post.id is not None and len(post.id) > MAX_POST_ID:
        raise InvalidInputError.for_field(
            f"{prefix}id", f"a post id has at most {MAX_POST_ID} characters"
        )
    return post


def emit_violations(session: Session, organization_id: int, stored: Sequence[StoredResult]) -> None:
    """webhooks: a ``compliance.violation`` event for each stored non-compliant check."""
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


@router.post("/check", response_model=ComplianceCheckRead)
def check_(
    body: PostIn, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """Check one post for sponsorship disclosure; the check is stored for review."""
    post = _post(body.model_dump(exclude_unset=True))
    (stored,) = service.check_and_store(
        session, principal.organization_id, [post], actor=principal.actor
    )
    emit_violations(session, principal.organization_id, [stored])
    return ComplianceCheckRead.from_row(stored.check)


@router.post("/check/batch", response_model=BatchCheckResponse)
def check_batch_(
    body: BatchCheckRequest, principal: CompliancePrincipal, session: SessionDep
) -> BatchCheckResponse:
    """Check up to 1,000 posts; results come back in input order. One malformed post
    rejects the batch with a 422 naming it (``posts.3.jurisdiction``)."""
    posts = [_post(data, f"posts.{i}.") for i, data in enumerate(body.posts)]
    stored = service.check_and_store(
        session, principal.organization_id, posts, actor=principal.actor
    )
    emit_violations(session, principal.organization_id, stored)
    return BatchCheckResponse(results=[ComplianceCheckRead.from_row(s.check) for s in stored])


@router.get("/queue", response_model=Page[ComplianceCheckRead])
def queue_(
    principal: CompliancePrincipal,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ComplianceCheckRead]:
    """Checks waiting for a decision: non-compliant first, then needs-review, oldest first."""
    position = decode_keyset(cursor, ("priority", "after"))
    after = (position["priority"], position["after"]) if position else None
    rows = ComplianceCheckRepository(session).queue(
        principal.organization_id, after=after, limit=limit + 1
    )
    return page_of(
        rows,
        limit,
        lambda c: ComplianceCheckRead.from_row(c, with_post=True),
        lambda c: {"priority": c.priority, "after": c.id},
    )


@router.get("/checks", response_model=Page[ComplianceCheckRead])
def list_checks_(
    principal: CompliancePrincipal,
    session: SessionDep,
    verdict: Literal["compliant", "needs_review", "non_compliant"] | None = None,
    review_status: Literal["pending", "not_required", "approved", "rejected", "overridden"]
    | None = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ComplianceCheckRead]:
    """Stored checks in the order they were made, filtered."""
    rows = ComplianceCheckRepository(session).list(
        principal.organization_id,
        verdict=verdict,
        review_status=review_status,
        since=since,
        until=until,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, ComplianceCheckRead.from_row, lambda c: {"after": c.id})


@router.get("/checks/{check_id}", response_model=ComplianceCheckRead)
def get_check_(
    check_id: IdPath, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """One check with the post, the result, the decision and its audit trail."""
    check = ComplianceCheckRepository(session).get_or_raise(principal.organization_id, check_id)
    audit = AuditRepository(session).for_subject(
        principal.organization_id, "compliance_check", check.id
    )
    return ComplianceCheckRead.from_row(check, with_post=True, audit=audit)


@router.post("/checks/{check_id}/decision", response_model=ComplianceCheckRead)
def decide_(
    check_id: IdPath, body: DecisionCreate, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """Approve, reject, or override the verdict (with a written reason). Audited."""
    check = service.decide(
        session,
        principal.organization_id,
        check_id,
        decision=body.decision,
        actor=principal.actor,
        reason=body.reason,
        verdict=Verdict(body.verdict) if body.verdict else None,
    )
    audit = AuditRepository(session).for_subject(
        principal.organization_id, "compliance_check", check.id
    )
    return ComplianceCheckRead.from_row(check, with_post=True, audit=audit)


@router.get("/audit", response_model=Page[AuditEventRead])
def audit_(
    principal: CompliancePrincipal,
    session: SessionDep,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[AuditEventRead]:
    """The audit trail: who did what, when, and what changed."""
    rows = AuditRepository(session).list(
        principal.organization_id,
        since=since,
        until=until,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, AuditEventRead.from_row, lambda e: {"after": e.id})


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One CSV row per check, with its decision",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_(
    principal: CompliancePrincipal,
    database: DatabaseDep,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
) -> StreamingResponse:
    """A period's checks and decisions as CSV, for legal records (``since`` inclusive,
    ``until`` exclusive)."""
    if since and until and since >= until:
        raise InvalidInputError.for_field("until", "must be after since")

    def body() -> Iterator[bytes]:
        with database.session() as session:
            for chunk in service.export_csv(session, principal.organization_id, since, until):
                yield chunk.encode("utf-8")

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="compliance-checks.csv"'},
    )
