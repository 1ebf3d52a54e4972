"""A campaign's drafts: make one for a creator in the pipeline, preview it, edit it as a new
version (the compliance gate runs again), send an intro e-mail (a dry run unless SMTP is
configured), download it as DOCX, HTML or Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.deps import DatabaseDep, SessionDep
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
    WebUser,
    field_errors,
    outreach_service,
    redirect,
    render,
)
from core.errors import InvalidInputError, NotFoundError
from models import Campaign, Draft, PipelineEntry
from outreach.service import DRAFT_KINDS, SenderProfileMissingError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

KIND_LABELS: dict[str, str] = {
    "email_intro": "Intro e-mail",
    "email_followup1": "First follow-up e-mail",
    "email_followup2": "Second follow-up e-mail",
    "brief": "Creator brief",
    "contract_sponsored_post": "Contract: sponsored post",
    "contract_gifting": "Contract: gifting",
    "contract_ambassador": "Contract: ambassador",
}
_MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The rendered HTML of a draft carries inline styles (e-mail clients need them), which the
# pages' policy forbids; the preview is its own document with its own, stricter policy.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
# Our charts are drawn from numbers with presentation attributes only; anything that the


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "document"


def _draft(
    session: Session, request: Request, user: WebUser, campaign_id: int, draft_id: int
) -> Draft:
    draft = outreach_service(request).draft(session, user.organization_id, draft_id)
    if draft.campaign_id != campaign_id:
        raise NotFoundError(f"draft {draft_id} not found")
    return draft


@router.get("/campaigns/{campaign_id}/drafts", response_class=HTMLResponse)
def list_drafts(
    campaign_id: IdPath, request: Request, user: RecruiterUser, session: SessionDep
) -> HTMLResponse:
    """The campaign's drafts, and a form to make one for a creator in the pipeline."""
    campaign = campaign_of(session, user, campaign_id)
    return _drafts_page(request, session, user, campaign, {}, {})


def _drafts_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    outreach = outreach_service(request)
    drafts = outreach.drafts(session, user.organization_id, campaign_id=campaign.id)
    entries = outreach.entries(session, user.organization_id, campaign_id=campaign.id)
    creators = creators_by_id(
        session,
        user.organization_id,
        [e.creator_id for e in entries] + [d.creator_id for d in drafts],
    )
    return render(
        request,
        "campaigns/drafts.html",
        {
            **tab_context(session, user, campaign),
            "tab": "Drafts",
            "drafts": list(reversed(drafts)),
            "creators": creators,
            "creator_options": [
                (
                    str(e.creator_id),
                    f"@{creators[e.creator_id].handle} ({e.stage.replace('_', ' ')})",
                )
                for e in entries
                if e.creator_id in creators
            ],
            "kind_options": [(k, KIND_LABELS[k]) for k in DRAFT_KINDS],
            "kind_labels": KIND_LABELS,
            "values": {"creator_id": "", "kind": "email_intro", **values},
            "errors": errors,
        },
        status_code=status_code,
    )


@router.post("/campaigns/{campaign_id}/drafts", response_model=None)
def create_draft(
    campaign_id: IdPath, request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Render a draft for a creator in the pipeline and run the compliance gate."""
    recruiter(user)
    campaign = campaign_of(session, user, campaign_id)
    values = {"creator_id": form_text(form, "creator_id"), "kind": form_text(form, "kind")}
    entry = (
        outreach_service(request).entry_for(
            session, user.organization_id, campaign_id, int(values["creator_id"])
        )
        if values["creator_id"].isdigit()
        else None
    )
    try:
        if entry is None:
            raise InvalidInputError.for_field("creator_id", "choose a creator in the pipeline")
        # No reasons given: the service uses the entry's, the ones its e-mails are sent with.
        draft = outreach_service(request).create_draft(
            session,
            user.organization_id,
            campaign_id=campaign_id,
            creator_id=entry.creator_id,
            kind=values["kind"],
        )
    except InvalidInputError as exc:
        return _drafts_page(request, session, user, campaign, values, field_errors(exc.errors), 422)
    except SenderProfileMissingError:
        errors = {
            "sender": "set your organisation's sender profile first (Settings): every e-mail "
            "must carry the sender's name and postal address"
        }
        return _drafts_page(request, session, user, campaign, values, errors, 409)
    verdict = (
        "passed the compliance gate" if draft.allowed else "was BLOCKED by the compliance gate"
    )
    return redirect(
        f"/campaigns/{campaign_id}/drafts/{draft.id}",
        flash=f"{KIND_LABELS[draft.kind]} drafted; it {verdict}.",
    )


# Editable fields by kind: (form name, label, kind of value, help).
_EMAIL_FIELDS = (("reasons", "Why this creator fits (one reason a line)", "lines"),)
_BRIEF_FIELDS = (
    ("key_messages", "Key messages (one a line)", "lines"),
    ("dos", "Do (one a line)", "lines"),
    ("donts", "Don't (one a line)", "lines"),
    ("hashtags", "Hashtags (one a line)", "lines"),
    ("approval_process", "Approval process (one step a line)", "lines"),
    ("reporting_requirements", "Reporting (one requirement a line)", "lines"),
)
_CONTRACT_FIELDS = (
    ("creator_party.legal_name", "Creator's legal name", "text"),
    ("creator_party.address", "Creator's address", "area"),
    ("governing_law", "Governing law", "text"),
    ("venue", "Venue (courts)", "text"),
)
_GIFTING_FIELDS = (
    ("gifted_products", "Gifted products (one a line)", "lines"),
    ("gift_value", "Retail value of the gift", "text"),
)


def _edit_fields(kind: str) -> tuple[tuple[str, str, str], ...]:
    if kind.startswith("email_"):
        return _EMAIL_FIELDS
    if kind == "brief":
        return _BRIEF_FIELDS
    return _CONTRACT_FIELDS + (_GIFTING_FIELDS if kind == "contract_gifting" else ())


def _edit_values(draft: Draft) -> dict[str, str]:
    """The draft's editable text, from the context it was rendered with."""
    ctx = draft.context
    values: dict[str, str] = {}
    for name, _label, shape in _edit_fields(draft.kind):
        if name.startswith("creator_party."):
            value: Any = (ctx.get("creator") or {}).get(name.split(".", 1)[1], "")
        elif name == "gift_value":
            value = (ctx.get("compensation") or {}).get("amount", "")
        else:
            value = ctx.get(name, "")
        values[name] = "\n".join(str(v) for v in value) if shape == "lines" else str(value or "")
    return values


def _edit_request(kind: str, values: Mapping[str, str]) -> tuple[list[str], dict[str, Any]]:
    """(reasons, extra) for ``create_draft`` from the edit form's values."""
    if kind.startswith("email_"):
        return _lines(values["reasons"]), {}
    extra: dict[str, Any] = {}
    party: dict[str, str] = {}
    for name, _label, shape in _edit_fields(kind):
        value = values.get(name, "")
        if name.startswith("creator_party."):
            party[name.split(".", 1)[1]] = value.strip()
        elif shape == "lines":
            extra[name] = _lines(value)
        elif name == "gift_value":
            try:
                extra[name] = str(Decimal(value.strip()))
            except ArithmeticError:
                raise InvalidInputError.for_field(name, "give an amount, like 150") from None
        else:
            extra[name] = value.strip()
    if party:
        extra["creator_party"] = party
    return [], extra


def _draft_page(
    request: Request,
    session: Session,
    user: WebUser,
    campaign: Campaign,
    draft: Draft,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    outreach = outreach_service(request)
    entry = outreach.entry_for(session, user.organization_id, campaign.id, draft.creator_id)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    versions = outreach.drafts(
        session, user.organization_id, campaign_id=campaign.id, creator_id=draft.creator_id
    )
    messages = outreach.messages(session, user.organization_id, entry_id=entry.id) if entry else []
    formats = ("html", "md") if draft.kind.startswith("email_") else ("docx", "html", "md")
    return render(
        request,
        "campaigns/draft.html",
        {
            **tab_context(session, user, campaign),
            "tab": "Drafts",
            "draft": draft,
            "creator": creator,
            "entry": entry,
            "kind_label": KIND_LABELS[draft.kind],
            "kind_labels": KIND_LABELS,
            "versions": [v for v in versions if v.kind == draft.kind],
            "fields": _edit_fields(draft.kind),
            "values": values or _edit_values(draft),
            "errors": errors or {},
            "formats": formats if draft.allowed else (),
            "send_blocker": _send_blocker(draft, entry, creator),
            "messages": messages,
            "matches": {m.id: m.text_body == draft.markdown for m in messages},
            "dry_run": request.app.state.settings.outreach_dry_run,
        },
        status_code=status_code,
    )


def _send_blocker(draft: Draft, entry: PipelineEntry | None, creator: Any) -> str:
    """Why this draft cannot be sent from here ("" when it can)."""
    if not draft.kind.startswith("email_"):
        return "Documents are downloaded and sent with the conversation, not e-mailed from here."
    if draft.kind != "email_intro":
        return "Follow-ups go out on the sequence's schedule after the intro e-mail."
    if not draft.allowed:
        return "The compliance gate blocked this draft: fix it and save a new version first."
    if entry is None:
        return "The creator is not in this campaign's pipeline."
    if entry.stage != "prospect" or entry.next_step > 0 or entry.next_send_at is not None:
        stage = entry.stage.replace("_", " ")
        return f"The intro e-mail is already under way or done (stage: {stage})."
    if creator is None or not creator.email:
        return "The creator has no e-mail address."
    return ""


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}", response_class=HTMLResponse)
def get_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> HTMLResponse:
    """One draft: the gate's verdict, a preview, its text, an edit form, send and downloads."""
    campaign = campaign_of(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    return _draft_page(request, session, user, campaign, draft)


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}/preview", response_class=HTMLResponse)
def preview_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> HTMLResponse:
    """The draft's rendered HTML, for the page's sandboxed preview frame."""
    campaign_of(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    return HTMLResponse(draft.html, headers={"Content-Security-Policy": PREVIEW_CSP})


@router.post("/campaigns/{campaign_id}/drafts/{draft_id}", response_model=None)
def edit_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    form: FormDep,
) -> HTMLResponse | RedirectResponse:
    """Save the edited text as a new version of the draft (drafts are never changed in
    place); the new version goes through the compliance gate again."""
    recruiter(user)
    campaign = campaign_of(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    values = {name: str(form.get(name) or "") for name, _label, _shape in _edit_fields(draft.kind)}
    try:
        reasons, extra = _edit_request(draft.kind, values)
        new = outreach_service(request).create_draft(
            session,
            user.organization_id,
            campaign_id=campaign_id,
            creator_id=draft.creator_id,
            kind=draft.kind,
            reasons=reasons,
            extra=extra,
        )
    except InvalidInputError as exc:
        return _draft_page(
            request, session, user, campaign, draft, values, field_errors(exc.errors), 422
        )
    verdict = "passed the compliance gate" if new.allowed else "was BLOCKED by the compliance gate"
    return redirect(
        f"/campaigns/{campaign_id}/drafts/{new.id}",
        flash=f"Saved as a new version; it {verdict}.",
    )


@router.post("/campaigns/{campaign_id}/drafts/{draft_id}/send", response_model=None)
def send_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    request: Request,
    user: FormUser,
    session: SessionDep,
    database: DatabaseDep,
) -> RedirectResponse:
    """Send an intro e-mail draft the way the API does: start the creator's sequence, then
    run the due e-mails (dry run by default: the outbox records it, nothing is sent)."""
    recruiter(user)
    campaign_of(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    outreach = outreach_service(request)
    entry = outreach.entry_for(session, user.organization_id, campaign_id, draft.creator_id)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    back = f"/campaigns/{campaign_id}/drafts/{draft_id}"
    blocker = _send_blocker(draft, entry, creator)
    if blocker or entry is None:
        return redirect(back, flash=f"Not sent: {blocker}")
    sent = outreach.send_intro(database, user.organization_id, draft.id)
    message = sent.message
    if message is None:
        detail = "; ".join(sent.summary.errors) or (
            "nothing was due (rate limit or a stopped sequence)"
        )
        return redirect(back, flash=f"Not sent: {detail}")
    label = "Sent (dry run)" if message.status == "dry_run" else f"Sent ({message.status})"
    return redirect(back, flash=f"{label}: “{message.subject}” to {message.to_email}.")


@router.get("/campaigns/{campaign_id}/drafts/{draft_id}/export/{fmt}", response_model=None)
def export_draft(
    campaign_id: IdPath,
    draft_id: IdPath,
    fmt: Literal["docx", "html", "md"],
    request: Request,
    user: RecruiterUser,
    session: SessionDep,
) -> Response:
    """Download the draft as DOCX, HTML or Markdown (refused for a draft the gate blocked)."""
    campaign = campaign_of(session, user, campaign_id)
    draft = _draft(session, request, user, campaign_id, draft_id)
    content = outreach_service(request).export_draft(session, user.organization_id, draft_id, fmt)
    creator = creators_service.find(session, user.organization_id, draft.creator_id)
    name = "-".join(
        [
            _slug(campaign.name),
            draft.kind.replace("_", "-"),
            _slug(creator.handle if creator else ""),
        ]
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}-v{draft.id}.{fmt}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = PREVIEW_CSP
    return Response(content, media_type=_MEDIA[fmt], headers=headers)
