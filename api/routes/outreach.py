"""``/v1/outreach``: the sender profile, template overrides, drafts (create, preview,
export as md/html/docx), the pipeline, sequences, sending, bounces and opt-outs; and the
public one-click unsubscribe page ``/u/{token}``."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from api.deps import DatabaseDep, ReadPrincipal, SessionDep, SettingsDep, WritePrincipal
from api.schemas.common import AfterCursor, IdPath, IdQuery, Page, decode_cursor, page_of
from api.schemas.outreach import (
    BounceIn,
    DraftCreate,
    DraftRead,
    OptOutIn,
    OutboxMessageRead,
    PipelineAdd,
    PipelineEntryRead,
    PipelineEntryUpdate,
    RunSummaryRead,
    SenderProfileIn,
    SenderProfileRead,
    SequenceIn,
    SequenceRead,
    SequenceStart,
    TemplateItemRead,
    TemplateListRead,
    TemplateName,
    TemplateOverrideIn,
    TemplatePreviewRead,
)
from campaigns.service import CampaignService
from core.errors import InvalidInputError, NotFoundError
from outreach.environment import TEMPLATE_NAMES, TemplateOverrideError
from outreach.service import OutreachService, OverrideBrokenError, StoredTextError
from outreach.unsubscribe import read_token

router = APIRouter(prefix="/v1/outreach", tags=["outreach"])
campaign_router = APIRouter(prefix="/v1/campaigns/{campaign_id}", tags=["outreach"])
public_router = APIRouter(tags=["outreach"])
campaigns = CampaignService()
Limit = Annotated[int, Query(ge=1, le=200)]


def _service(request: Request) -> OutreachService:
    service: OutreachService = request.app.state.outreach
    return service


# ------------------------------------------------------------------------- sender, templates


@router.get(
    "/sender",
    response_model=SenderProfileRead,
    responses={409: {"description": "No sender profile yet: set one with PUT"}},
)
def get_sender(
    request: Request, principal: ReadPrincipal, session: SessionDep
) -> SenderProfileRead:
    """Who the organisation's outreach e-mails come from (409 until it is set)."""
    return SenderProfileRead.from_row(_service(request).sender(session, principal.organization_id))


@router.put("/sender", response_model=SenderProfileRead)
def put_sender(
    body: SenderProfileIn, request: Request, principal: WritePrincipal, session: SessionDep
) -> SenderProfileRead:
    """Set the sender: name, company, from and reply-to addresses and the postal address
    every e-mail carries (CAN-SPAM)."""
    row = _service(request).set_sender(session, principal.organization_id, body.model_dump())
    return SenderProfileRead.from_row(row)


@router.get("/templates", response_model=TemplateListRead)
def list_templates(
    request: Request, principal: ReadPrincipal, session: SessionDep
) -> TemplateListRead:
    """Every template, and whether the organisation overrides it."""
    overrides = _service(request).overrides(session, principal.organization_id)
    return TemplateListRead(
        items=[
            TemplateItemRead(name=name, overridden=name in overrides, source=overrides.get(name))
            for name in TEMPLATE_NAMES
        ]
    )


@router.post("/templates/{name}/preview", response_model=TemplatePreviewRead)
def preview_template(
    name: TemplateName, body: TemplateOverrideIn, request: Request, principal: ReadPrincipal
) -> TemplatePreviewRead:
    """Render an override against a sample context in the sandbox, with the gate's verdict;
    nothing is stored."""
    preview = _service(request).preview_override(name, body.source)
    return TemplatePreviewRead(
        name=name, output=preview.output, gate=preview.gate.to_dict(), stored=False
    )


@router.put("/templates/{name}", response_model=TemplatePreviewRead)
def put_template(
    name: TemplateName,
    body: TemplateOverrideIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> TemplatePreviewRead:
    """Store an override (it must compile and render in the sandbox). One that drops a
    mandatory compliance section is stored, but every draft made with it is blocked."""
    _row, preview = _service(request).set_override(
        session, principal.organization_id, name, body.source
    )
    return TemplatePreviewRead(
        name=name, output=preview.output, gate=preview.gate.to_dict(), stored=True
    )


@router.delete("/templates/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_template(
    name: TemplateName, request: Request, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Drop the organisation's override: the built-in template applies again."""
    _service(request).delete_override(session, principal.organization_id, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ----------------------------------------------------------------------------------- drafts


@router.post("/drafts", response_model=DraftRead, status_code=status.HTTP_201_CREATED)
def create_draft(
    body: DraftCreate, request: Request, principal: WritePrincipal, session: SessionDep
) -> DraftRead:
    """Render one document for one creator of a campaign and run the compliance gate. A
    blocked draft is stored with ``allowed: false`` and the findings; it can be previewed
    but not exported or sent. Stored text that cannot go into it (a broken template
    override, a name with a line break) is a 409 naming it."""
    reasons = body.reasons
    if reasons is None:
        reasons = campaigns.match_reasons(
            session,
            principal.organization_id,
            body.campaign_id,
            [body.creator_id],
            matcher=request.app.state.matcher,
        )[body.creator_id]
    try:
        draft = _service(request).create_draft(
            session,
            principal.organization_id,
            campaign_id=body.campaign_id,
            creator_id=body.creator_id,
            kind=body.kind,
            reasons=reasons,
            extra=body.extra.given(),
        )
    except TemplateOverrideError as exc:
        raise OverrideBrokenError(exc) from None
    except InvalidInputError as exc:
        # The body's schema holds every rule of its own fields, so what fails is stored.
        raise StoredTextError(exc) from None
    return DraftRead.from_row(draft)


@router.get("/drafts", response_model=Page[DraftRead])
def list_drafts(
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    campaign_id: IdQuery = None,
    creator_id: IdQuery = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[DraftRead]:
    """The organisation's drafts in id order, optionally of one campaign or creator."""
    rows = _service(request).drafts(
        session,
        principal.organization_id,
        campaign_id=campaign_id,
        creator_id=creator_id,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, DraftRead.from_row, lambda d: {"after": d.id})


@router.get("/drafts/{draft_id}", response_model=DraftRead)
def get_draft(
    draft_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> DraftRead:
    """One draft: its Markdown, the gate's verdict (``allowed``) and findings."""
    return DraftRead.from_row(_service(request).draft(session, principal.organization_id, draft_id))


@router.get("/drafts/{draft_id}/preview", response_class=HTMLResponse)
def preview_draft(
    draft_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> HTMLResponse:
    """The draft as HTML, blocked or not (a reviewer sees what the gate saw)."""
    draft = _service(request).draft(session, principal.organization_id, draft_id)
    return HTMLResponse(draft.html, headers={"Content-Security-Policy": "default-src 'none'"})


_MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@router.get(
    "/drafts/{draft_id}/export",
    response_class=Response,
    responses={
        409: {"description": "The compliance gate blocked the draft (`code: draft_blocked`)"},
        200: {
            "description": "The document, as an attachment",
            "content": {
                media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for media in _MEDIA.values()
            },
        },
    },
)
def export_draft(
    draft_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    fmt: Annotated[Literal["md", "html", "docx"], Query(alias="format")] = "md",
) -> Response:
    """Download the draft as Markdown, HTML or DOCX; 409 with the findings when the gate
    blocked it."""
    content = _service(request).export_draft(session, principal.organization_id, draft_id, fmt)
    return Response(
        content,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="draft-{draft_id}.{fmt}"'},
    )


# --------------------------------------------------------------------- pipeline, sequences


@campaign_router.post(
    "/pipeline", response_model=list[PipelineEntryRead], status_code=status.HTTP_201_CREATED
)
def add_to_pipeline(
    campaign_id: IdPath,
    body: PipelineAdd,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> list[PipelineEntryRead]:
    """Add creators to the campaign as prospects, with the matcher's reasons for the
    e-mails. Opted-out creators enter as ``opted_out`` and are never written to."""
    reasons = campaigns.match_reasons(
        session,
        principal.organization_id,
        campaign_id,
        body.creator_ids,
        matcher=request.app.state.matcher,
    )
    entries = _service(request).add_to_pipeline(
        session, principal.organization_id, campaign_id, reasons
    )
    return [PipelineEntryRead.from_row(e) for e in entries]


@campaign_router.get("/pipeline", response_model=Page[PipelineEntryRead])
def list_pipeline(
    campaign_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    stage: str | None = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[PipelineEntryRead]:
    """The campaign's pipeline in id order, optionally at one ``stage``."""
    campaigns.get(session, principal.organization_id, campaign_id)
    rows = _service(request).entries(
        session,
        principal.organization_id,
        campaign_id=campaign_id,
        stage=stage,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, PipelineEntryRead.from_row, lambda e: {"after": e.id})


@router.patch("/pipeline/{entry_id}", response_model=PipelineEntryRead)
def update_entry(
    entry_id: IdPath,
    body: PipelineEntryUpdate,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> PipelineEntryRead:
    """Record what happened (a CRM posts ``replied`` when the creator answers): a reply,
    negotiation, contract, decline or opt-out stops the sequence."""
    entry = _service(request).set_stage(
        session, principal.organization_id, entry_id, body.stage, note=body.note
    )
    return PipelineEntryRead.from_row(entry)


@campaign_router.put("/sequence", response_model=SequenceRead)
def put_sequence(
    campaign_id: IdPath,
    body: SequenceIn,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> SequenceRead:
    """The follow-up delays in days (default 3 then 7) and whether the sequence runs."""
    config = _service(request).configure_sequence(
        session,
        principal.organization_id,
        campaign_id,
        followup_days=body.followup_days,
        active=body.active,
    )
    return SequenceRead(
        campaign_id=campaign_id, followup_days=config.followup_days, active=config.active
    )


@campaign_router.post("/sequence/start", response_model=list[PipelineEntryRead])
def start_sequence(
    campaign_id: IdPath,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
    body: SequenceStart | None = None,
) -> list[PipelineEntryRead]:
    """Make the campaign's prospects (or the given entries) due for the intro e-mail; the
    scheduler sends within a minute (or ``POST /v1/outreach/run``)."""
    campaigns.get(session, principal.organization_id, campaign_id)  # 404 before anything
    started = _service(request).start_sequence(
        session,
        principal.organization_id,
        campaign_id,
        entry_ids=body.entry_ids if body else None,
    )
    return [PipelineEntryRead.from_row(e) for e in started]


@router.post("/run", response_model=RunSummaryRead)
def run_due(request: Request, principal: WritePrincipal, database: DatabaseDep) -> RunSummaryRead:
    """Send the organisation's due e-mails now (the scheduler does this every minute)."""
    summary = _service(request).run_due(database, organization_id=principal.organization_id)
    return RunSummaryRead.model_validate(vars(summary))


@router.get("/outbox", response_model=Page[OutboxMessageRead])
def list_outbox(
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    status_: Annotated[str | None, Query(alias="status")] = None,
    entry_id: IdQuery = None,
    kind: Literal["sequence", "compliance_fix"] | None = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[OutboxMessageRead]:
    """Every e-mail sent or, in dry-run mode, written instead of sent: the sequences' steps
    and the compliance fixes reviewers sent (``kind``)."""
    rows = _service(request).messages(
        session,
        principal.organization_id,
        entry_id=entry_id,
        status=status_,
        kind=kind,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, OutboxMessageRead.from_row, lambda m: {"after": m.id})


@router.post("/bounces", response_model=OutboxMessageRead)
def record_bounce(
    body: BounceIn, request: Request, principal: WritePrincipal, session: SessionDep
) -> OutboxMessageRead:
    """A bounce for a sent message (by its ``Message-ID``): its sequence stops."""
    message = _service(request).record_bounce(
        session, principal.organization_id, body.message_id, reason=body.reason
    )
    return OutboxMessageRead.from_row(message)


@router.post("/opt-outs", status_code=status.HTTP_204_NO_CONTENT)
def opt_out(
    body: OptOutIn, request: Request, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Record an opt-out (e.g. a reply asking to stop): no e-mail from this organisation
    again, in any campaign."""
    _service(request).opt_out(session, principal.organization_id, body.creator_id, source="api")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ----------------------------------------------------------------------- public unsubscribe

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Unsubscribe</title></head><body><main><h1>{title}</h1><p>{text}</p>{form}</main>
</body></html>"""


@public_router.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(token: str, settings: SettingsDep) -> HTMLResponse:
    """The link in every e-mail: a page with one button (mail clients use the one-click
    POST from the List-Unsubscribe header instead)."""
    read_token(settings.secret_key.get_secret_value(), token)
    form = f'<form method="post" action="/u/{token}"><button>Unsubscribe</button></form>'
    return HTMLResponse(
        _PAGE.format(title="Unsubscribe", text="Stop all e-mail from this sender?", form=form)
    )


@public_router.post("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe(
    token: str, request: Request, settings: SettingsDep, session: SessionDep
) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: no key needed, the signed token says who."""
    organization_id, creator_id = read_token(settings.secret_key.get_secret_value(), token)
    with suppress(NotFoundError):  # a creator deleted since: nothing left to write to
        _service(request).opt_out(session, organization_id, creator_id, source="unsubscribe_link")
    return HTMLResponse(
        _PAGE.format(
            title="You are unsubscribed",
            text="You will not receive further e-mail from this sender.",
            form="",
        )
    )
