"""A campaign's outreach pipeline: its creators by stage, moving one to another stage, and
starting the intro e-mails' sequence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.schemas.common import IdPath
from api.web.campaign_common import (
    FormDep,
    campaign_of,
    creators_by_id,
    creators_service,
    form_text,
    recruiter,
    tab_context,
)
from api.web.pages import (
    FormUser,
    RecruiterUser,
    outreach_service,
    redirect,
    render,
)
from core.errors import NotFoundError
from models import STAGES, PipelineEntry
from outreach.contexts import STEPS

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _next_email(entry: PipelineEntry) -> str:
    if entry.next_send_at is not None and entry.next_step < len(STEPS):
        step = STEPS[entry.next_step]
        return f"{step} due {entry.next_send_at:%Y-%m-%d %H:%M} UTC"
    if entry.stopped_reason:
        return f"sequence stopped: {entry.stopped_reason.replace('_', ' ')}"
    return "sequence not started" if entry.next_step == 0 else ""


@router.get("/campaigns/{campaign_id}/pipeline", response_class=HTMLResponse)
def get_pipeline(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's creators by outreach stage."""
    campaign = campaign_of(session, user, campaign_id)
    outreach = outreach_service(request)
    entries = outreach.entries(session, user.organization_id, campaign_id=campaign_id)
    creators = creators_by_id(session, user.organization_id, [e.creator_id for e in entries])
    items: list[dict[str, Any]] = [
        {
            "entry": e,
            "creator": creators.get(e.creator_id),
            "next": _next_email(e),
            "messages": outreach.messages(session, user.organization_id, entry_id=e.id),
        }
        for e in entries
    ]
    columns = [(stage, [i for i in items if i["entry"].stage == stage]) for stage in STAGES]
    startable = [
        e for e in entries if e.stage == "prospect" and e.next_step == 0 and e.next_send_at is None
    ]
    return render(
        request,
        "campaigns/pipeline.html",
        {
            **tab_context(session, user, campaign),
            "tab": "Pipeline",
            "columns": columns,
            "total": len(entries),
            "stages": STAGES,
            "startable": len(startable),
            "dry_run": request.app.state.settings.outreach_dry_run,
        },
    )


@router.post("/campaigns/{campaign_id}/pipeline/{entry_id}/stage", response_model=None)
def move_entry(
    campaign_id: IdPath,
    entry_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    form: FormDep,
) -> RedirectResponse:
    """Move a creator to another stage (as ``PATCH /v1/outreach/pipeline/{id}``)."""
    recruiter(user)
    campaign_of(session, user, campaign_id)
    outreach = outreach_service(request)
    entry = outreach.entry(session, user.organization_id, entry_id)
    if entry.campaign_id != campaign_id:
        raise NotFoundError(f"pipeline entry {entry_id} not found")
    stage = form_text(form, "stage")
    note = form_text(form, "note") or None
    moved = outreach.set_stage(session, user.organization_id, entry_id, stage, note=note)
    creator = creators_service.find(session, user.organization_id, moved.creator_id)
    who = f"@{creator.handle}" if creator else f"Creator {moved.creator_id}"
    return redirect(
        f"/campaigns/{campaign_id}/pipeline",
        flash=f"{who} moved to {moved.stage.replace('_', ' ')}.",
    )


@router.post("/campaigns/{campaign_id}/sequence/start", response_model=None)
def start_sequence(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep
) -> RedirectResponse:
    """Make the campaign's prospects due for the intro e-mail (the scheduler sends it)."""
    recruiter(user)
    campaign_of(session, user, campaign_id)
    started = outreach_service(request).start_sequence(session, user.organization_id, campaign_id)
    return redirect(
        f"/campaigns/{campaign_id}/pipeline",
        flash=(
            f"Sequence started for {len(started)} prospects: the intro e-mails go out within a "
            "minute"
            + (
                " (dry run: written to the outbox, not sent)."
                if request.app.state.settings.outreach_dry_run
                else "."
            )
        ),
    )
