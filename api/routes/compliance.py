"""``/v1/compliance``: check posts, the review queue and its filters, assignees, decisions
(one or in bulk), the suggested fix e-mailed to the creator, the audit trail, CSV export.
Every route needs the ``compliance`` scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from api.deps import CompliancePrincipal, DatabaseDep, Principal, SessionDep
from api.schemas.common import (
    QUEUE,
    AfterCursor,
    IdPath,
    Page,
    QueueCursor,
    Timestamp,
    decode_cursor,
    page_of,
)
from api.schemas.compliance import (
    CODES,
    PLATFORMS,
    AssigneeUpdate,
    AuditEventRead,
    BatchCheckRequest,
    BatchCheckResponse,
    BulkAssignmentCreate,
    BulkDecisionCreate,
    BulkResultRead,
    CheckFilterIn,
    ComplianceCheckRead,
    DecisionCreate,
    FixPreviewRead,
    FixSendCreate,
    FixSentRead,
    PostIn,
    ReviewStatus,
    VerdictName,
)
from api.schemas.outreach import OutboxMessageRead
from compliance.types import Post, Verdict
from compliance_reviews.service import (
    ASSIGNEE_PATTERN,
    LEGACY_DECISIONS,
    CheckFilters,
    CreatorRef,
    ReviewService,
)
from core.errors import FieldError, InvalidInputError
from models import MAX_POST_ID
from outreach.service import OutreachService

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])
service = ReviewService()


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


@router.post("/check", response_model=ComplianceCheckRead)
def check_(
    body: PostIn, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """Check one post for sponsorship disclosure; the check is stored for review."""
    post = _post(body.model_dump(exclude_unset=True))
    (stored,) = service.check_and_store(
        session, principal.organization_id, [post], actor=principal.actor
    )
    return ComplianceCheckRead.from_row(stored.check)


@router.post("/check/batch", response_model=BatchCheckResponse)
def check_batch_(
    body: BatchCheckRequest, principal: CompliancePrincipal, session: SessionDep
) -> BatchCheckResponse:
    """Check up to 1,000 posts; results come back in input order. One malformed post
    rejects the batch with a 422 naming it (``posts.3.jurisdiction``)."""
    posts = [
        _post(data.model_dump(exclude_unset=True), f"posts.{i}.")
        for i, data in enumerate(body.posts)
    ]
    stored = service.check_and_store(
        session, principal.organization_id, posts, actor=principal.actor
    )
    return BatchCheckResponse(results=[ComplianceCheckRead.from_row(s.check) for s in stored])


Code = Annotated[
    str | None,
    Query(
        max_length=60,
        description="a reason code, e.g. BURIED_IN_HASHTAGS",
        json_schema_extra={"enum": CODES},
    ),
]
Jurisdiction = Literal["US", "UK", "CA", "EU"]
PlatformName = Annotated[str | None, Query(max_length=20, json_schema_extra={"enum": PLATFORMS})]
Assignee = Annotated[
    str | None,
    Query(
        max_length=200,
        description="me (the calling key), none (unassigned), user:<e-mail> or api-key:<prefix>",
        json_schema_extra={"pattern": ASSIGNEE_PATTERN},
    ),
]


def _outreach(request: Request) -> OutreachService:
    outreach: OutreachService = request.app.state.outreach
    return outreach


def _bulk_filters(
    session: Session, principal: Principal, body: CheckFilterIn | None
) -> CheckFilters | None:
    if body is None:
        return None
    return service.filters(
        session,
        principal.organization_id,
        actor=principal.actor,
        prefix="filter.",
        **body.model_dump(),
    )


# A filter's assignee who is no one of the organisation (compliance_reviews.service).
_NO_SUCH_ASSIGNEE: dict[int | str, dict[str, Any]] = {
    404: {"description": "The assignee filter names no user or key of the organisation"}
}


@router.get("/queue", response_model=Page[ComplianceCheckRead], responses=_NO_SUCH_ASSIGNEE)
def queue_(
    principal: CompliancePrincipal,
    session: SessionDep,
    verdict: VerdictName | None = None,
    code: Code = None,
    jurisdiction: Jurisdiction | None = None,
    platform: PlatformName = None,
    assignee: Assignee = None,
    cursor: QueueCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ComplianceCheckRead]:
    """Checks waiting for a decision: non-compliant first, then needs-review, oldest first;
    narrowed by verdict, reason code, jurisdiction, platform and assignee."""
    filters = service.filters(
        session,
        principal.organization_id,
        actor=principal.actor,
        verdict=verdict,
        code=code,
        jurisdiction=jurisdiction,
        platform=platform,
        assignee=assignee,
    )
    position = QUEUE.decode(cursor)
    after = (position["priority"], position["after"]) if position else None
    rows = service.queue(session, principal.organization_id, filters, after=after, limit=limit + 1)
    return page_of(
        rows,
        limit,
        lambda c: ComplianceCheckRead.from_row(c, with_post=True),
        lambda c: {"priority": c.priority, "after": c.id},
        QUEUE,
    )


@router.get("/checks", response_model=Page[ComplianceCheckRead], responses=_NO_SUCH_ASSIGNEE)
def list_checks_(
    principal: CompliancePrincipal,
    session: SessionDep,
    verdict: VerdictName | None = None,
    review_status: ReviewStatus | None = None,
    code: Code = None,
    jurisdiction: Jurisdiction | None = None,
    platform: PlatformName = None,
    assignee: Assignee = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: AfterCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ComplianceCheckRead]:
    """Stored checks in the order they were made, filtered."""
    filters = service.filters(
        session,
        principal.organization_id,
        actor=principal.actor,
        verdict=verdict,
        review_status=review_status,
        code=code,
        jurisdiction=jurisdiction,
        platform=platform,
        assignee=assignee,
        since=since,
        until=until,
    )
    rows = service.checks(
        session, principal.organization_id, filters, after_id=decode_cursor(cursor), limit=limit + 1
    )
    return page_of(rows, limit, ComplianceCheckRead.from_row, lambda c: {"after": c.id})


@router.get("/checks/{check_id:int}", response_model=ComplianceCheckRead)
def get_check_(
    check_id: IdPath, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """One check with the post, the result, the decision and its audit trail."""
    check = service.get(session, principal.organization_id, check_id)
    audit = service.audit_trail(session, principal.organization_id, check.id)
    return ComplianceCheckRead.from_row(check, with_post=True, audit=audit)


def _with_audit(session: Session, principal: Principal, check_id: int) -> ComplianceCheckRead:
    check = service.get(session, principal.organization_id, check_id)
    audit = service.audit_trail(session, principal.organization_id, check.id)
    return ComplianceCheckRead.from_row(check, with_post=True, audit=audit)


@router.post("/checks/decisions", response_model=BulkResultRead)
def decide_many_(
    body: BulkDecisionCreate, principal: CompliancePrincipal, session: SessionDep
) -> BulkResultRead:
    """One decision and reason for many checks (``check_ids``, or every check matching
    ``filter``; at most 500): all or none. Each decision is audited."""
    checks = service.decide_many(
        session,
        principal.organization_id,
        decision=body.decision,
        actor=principal.actor,
        check_ids=body.check_ids,
        filters=_bulk_filters(session, principal, body.filter),
        reason=body.reason,
        verdict=Verdict(body.verdict) if body.verdict else None,
    )
    return BulkResultRead(
        count=len(checks), items=[ComplianceCheckRead.from_row(c) for c in checks]
    )


@router.post("/checks/assignments", response_model=BulkResultRead)
def assign_many_(
    body: BulkAssignmentCreate, principal: CompliancePrincipal, session: SessionDep
) -> BulkResultRead:
    """Assign (or unassign) many checks: ``check_ids``, or every check matching ``filter``
    (at most 500); all or none. Audited."""
    checks = service.assign(
        session,
        principal.organization_id,
        assignee=body.assignee,
        actor=principal.actor,
        check_ids=body.check_ids,
        filters=_bulk_filters(session, principal, body.filter),
    )
    return BulkResultRead(
        count=len(checks), items=[ComplianceCheckRead.from_row(c) for c in checks]
    )


@router.put("/checks/{check_id:int}/assignee", response_model=ComplianceCheckRead)
def assign_(
    check_id: IdPath, body: AssigneeUpdate, principal: CompliancePrincipal, session: SessionDep
) -> ComplianceCheckRead:
    """Assign the check to ``me``, a reviewer (``user:<e-mail>``) or a key
    (``api-key:<prefix>``); null unassigns. Audited."""
    service.assign(
        session,
        principal.organization_id,
        assignee=body.assignee,
        actor=principal.actor,
        check_ids=[check_id],
    )
    return _with_audit(session, principal, check_id)


@router.post("/checks/{check_id:int}/fix/preview", response_model=FixPreviewRead)
def preview_fix_(
    check_id: IdPath,
    body: FixSendCreate,
    request: Request,
    principal: CompliancePrincipal,
    session: SessionDep,
) -> FixPreviewRead:
    """The e-mail that would send the check's suggested fix to the creator, with the gate's
    verdict; nothing is stored or sent."""
    outreach = _outreach(request)
    check, fix = service.preview_fix(
        session,
        principal.organization_id,
        check_id,
        outreach=outreach,
        creator=CreatorRef(creator_id=body.creator_id, email=body.creator_email),
    )
    return FixPreviewRead(
        check_id=check.id,
        creator_id=fix.creator.id,
        to_email=fix.to_email,
        subject=fix.email.subject,
        text=fix.email.text,
        html=fix.email.html,
        gate=fix.gate.to_dict(),
        dry_run=outreach.settings.outreach_dry_run,
    )


@router.post("/checks/{check_id:int}/fix", response_model=FixSentRead)
def send_fix_(
    check_id: IdPath,
    body: FixSendCreate,
    request: Request,
    principal: CompliancePrincipal,
    session: SessionDep,
) -> FixSentRead:
    """E-mail the suggested fix and the plain explanation of each finding to the creator,
    through outreach: the gate, then the outbox (a dry run by default:
    ``CREATORMATCH_OUTREACH_DRY_RUN``). An opted-out creator is refused (409). Audited."""
    outreach = _outreach(request)
    sent = service.send_fix(
        session,
        principal.organization_id,
        check_id,
        outreach=outreach,
        actor=principal.actor,
        creator=CreatorRef(creator_id=body.creator_id, email=body.creator_email),
    )
    return FixSentRead(
        dry_run=sent.message.status == "dry_run",
        message=OutboxMessageRead.from_row(sent.message),
        check=_with_audit(session, principal, check_id),
    )


@router.post("/checks/{check_id:int}/decision", response_model=ComplianceCheckRead)
def decide_(
    check_id: IdPath,
    body: DecisionCreate,
    response: Response,
    principal: CompliancePrincipal,
    session: SessionDep,
) -> ComplianceCheckRead:
    """Decide: ``confirm_violation`` (the post breaks the rules), ``clear`` (the post is fine;
    a reason is required) or ``override`` (another verdict; verdict and reason required).
    ``approve`` and ``reject`` still work but are deprecated (``Deprecation: true``). Audited."""
    if body.decision in LEGACY_DECISIONS:
        response.headers["Deprecation"] = "true"
    check = service.decide(
        session,
        principal.organization_id,
        check_id,
        decision=body.decision,
        actor=principal.actor,
        reason=body.reason,
        verdict=Verdict(body.verdict) if body.verdict else None,
    )
    audit = service.audit_trail(session, principal.organization_id, check.id)
    return ComplianceCheckRead.from_row(check, with_post=True, audit=audit)


@router.get("/audit", response_model=Page[AuditEventRead])
def audit_(
    principal: CompliancePrincipal,
    session: SessionDep,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: AfterCursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[AuditEventRead]:
    """The audit trail: who did what, when, and what changed."""
    rows = service.audit_log(
        session,
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
    ``until`` exclusive; an empty period, ``until`` not after ``since``, gives the header)."""

    def body() -> Iterator[bytes]:
        with database.session() as session:
            for chunk in service.export_csv(session, principal.organization_id, since, until):
                yield chunk.encode("utf-8")

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="compliance-checks.csv"'},
    )
