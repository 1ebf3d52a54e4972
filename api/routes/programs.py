"""``/v1/programs``: ambassador programs, their deliverables and submissions, notices,
attributed conversions and reports (JSON and CSV)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from api.deps import ReadPrincipal, SessionDep, WritePrincipal
from api.schemas.common import AfterCursor, IdPath, IdQuery, Page, decode_cursor, page_of
from api.schemas.programs import (
    ConversionIn,
    ConversionRead,
    DeliverableRead,
    MetricsIn,
    NoticeRead,
    ProgramCreate,
    ProgramRead,
    ProgramRenew,
    ProgramStatusIn,
    ReportRead,
    SubmissionIn,
    ToDateRead,
)
from models import Creator, utcnow
from programs.report_html import render_program_report
from programs.reports import report_csv
from programs.service import ProgramService

router = APIRouter(tags=["programs"])
Limit = Annotated[int, Query(ge=1, le=200)]
# Reports are static pages: inline styles, no scripts, nothing fetched.
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _service(request: Request) -> ProgramService:
    service: ProgramService = request.app.state.programs
    return service


@router.post("/v1/programs", response_model=ProgramRead, status_code=status.HTTP_201_CREATED)
def create_program(
    body: ProgramCreate, request: Request, principal: WritePrincipal, session: SessionDep
) -> ProgramRead:
    """Create a program; its deliverables are generated from the cadence with due dates in
    the program's time zone."""
    fields = body.model_dump()
    fields["cadence"] = [{**c, "platform": c["platform"].value} for c in fields["cadence"]]
    program = _service(request).create(session, principal.organization_id, fields)
    return ProgramRead.from_row(program)


@router.get("/v1/programs", response_model=Page[ProgramRead])
def list_programs(
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    status_: Annotated[
        Literal["draft", "active", "paused", "ended", "renewed"] | None, Query(alias="status")
    ] = None,
    creator_id: IdQuery = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[ProgramRead]:
    """The organisation's programs in id order, optionally by status or creator."""
    rows = _service(request).find(
        session,
        principal.organization_id,
        status=status_,
        creator_id=creator_id,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, ProgramRead.from_row, lambda p: {"after": p.id})


@router.get("/v1/programs/{program_id}", response_model=ProgramRead)
def get_program(
    program_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> ProgramRead:
    """One program with its terms, status and reporting schedule."""
    return ProgramRead.from_row(
        _service(request).get(session, principal.organization_id, program_id)
    )


@router.patch("/v1/programs/{program_id}", response_model=ProgramRead)
def update_program(
    program_id: IdPath,
    body: ProgramStatusIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> ProgramRead:
    """Pause (no reminders or overdue flags while paused) or resume."""
    program = _service(request).set_status(
        session, principal.organization_id, program_id, body.status
    )
    return ProgramRead.from_row(program)


@router.post(
    "/v1/programs/{program_id}/renew",
    response_model=ProgramRead,
    status_code=status.HTTP_201_CREATED,
)
def renew_program(
    program_id: IdPath,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
    body: ProgramRenew | None = None,
) -> ProgramRead:
    """A successor program from this one's end, same terms (``months`` may change); the
    discount code and UTM tag move to it."""
    successor = _service(request).renew(
        session, principal.organization_id, program_id, months=body.months if body else None
    )
    return ProgramRead.from_row(successor)


@router.get("/v1/programs/{program_id}/deliverables", response_model=list[DeliverableRead])
def list_deliverables(
    program_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    status_: Annotated[
        Literal["pending", "overdue", "submitted"] | None, Query(alias="status")
    ] = None,
) -> list[DeliverableRead]:
    """The program's deliverables in due order, optionally by status."""
    rows = _service(request).deliverables(
        session, principal.organization_id, program_id, status=status_
    )
    return [DeliverableRead.from_row(d) for d in rows]


@router.post("/v1/deliverables/{deliverable_id}/submission", response_model=DeliverableRead)
def submit_deliverable(
    deliverable_id: IdPath,
    body: SubmissionIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> DeliverableRead:
    """The creator's post for a deliverable: its disclosure is checked at once (the result
    is stored; a non-compliant post raises a ``compliance.violation`` notice)."""
    fields = body.model_dump()
    if body.platform is not None:
        fields["platform"] = body.platform.value
    row = _service(request).submit(session, principal.organization_id, deliverable_id, fields)
    return DeliverableRead.from_row(row)


@router.patch("/v1/deliverables/{deliverable_id}/metrics", response_model=DeliverableRead)
def update_metrics(
    deliverable_id: IdPath,
    body: MetricsIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> DeliverableRead:
    """Update a delivered post's metrics (they grow after posting); reports read them."""
    row = _service(request).update_metrics(
        session, principal.organization_id, deliverable_id, body.metrics
    )
    return DeliverableRead.from_row(row)


@router.get("/v1/programs/{program_id}/notices", response_model=Page[NoticeRead])
def list_notices(
    program_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    cursor: AfterCursor = None,
    limit: Limit = 100,
) -> Page[NoticeRead]:
    """What the scheduler emitted: reminders (with their e-mails), overdue flags, renewal
    notices, reports, compliance violations."""
    rows = _service(request).notices(
        session,
        principal.organization_id,
        program_id,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, NoticeRead.from_row, lambda n: {"after": n.id})


@router.post(
    "/v1/conversions",
    response_model=ConversionRead,
    responses={201: {"model": ConversionRead, "description": "Recorded"}},
)
def record_conversion(
    body: ConversionIn,
    request: Request,
    response: Response,
    principal: WritePrincipal,
    session: SessionDep,
) -> ConversionRead:
    """A sale attributed by ``discount_code`` or ``utm_tag``: 201 when new, 200 when this
    ``order_id`` was already recorded with the same values, 409 with other values."""
    conversion, created = _service(request).record_conversion(
        session, principal.organization_id, body.model_dump()
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return ConversionRead.from_row(conversion)


@router.get("/v1/programs/{program_id}/conversions", response_model=list[ConversionRead])
def list_conversions(
    program_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> list[ConversionRead]:
    """The sales attributed to the program, oldest first."""
    rows = _service(request).conversions(session, principal.organization_id, program_id)
    return [ConversionRead.from_row(c) for c in rows]


@router.get(
    "/v1/programs/{program_id}/reports",
    response_model=list[ReportRead],
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        }
    },
)
def list_reports(
    program_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    fmt: Annotated[Literal["json", "csv", "html"], Query(alias="format")] = "json",
) -> list[ReportRead] | Response:
    """The monthly reports made so far: deliverables on time, compliance pass rate,
    engagements, cost, cost per engagement, attributed conversions and revenue, ROI; as JSON,
    CSV, or an HTML page with charts."""
    rows = _service(request).reports(session, principal.organization_id, program_id)
    if fmt == "html":
        program = _service(request).get(session, principal.organization_id, program_id)
        creator = session.get(Creator, program.creator_id)
        page = render_program_report(
            program,
            rows,
            creator=f"@{creator.handle}" if creator is not None else "",
            generated_at=utcnow(),
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": _CSP})
    if fmt == "csv":
        return Response(
            report_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="program-{program_id}-reports.csv"'
            },
        )
    return [ReportRead.from_row(r) for r in rows]


@router.get("/v1/programs/{program_id}/report", response_model=ToDateRead)
def program_to_date(
    program_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> ToDateRead:
    """The same figures from the program's start until now."""
    return ToDateRead.model_validate(
        _service(request).to_date(session, principal.organization_id, program_id)
    )
