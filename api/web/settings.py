"""The settings page for recruiters and admins: the organisation's outreach sender profile
(who e-mails come from, the postal address every e-mail carries, the default disclosure
jurisdiction) and, read-only, how this server sends e-mail (dry run or SMTP, and the rate
limit).

Saving makes the call ``PUT /v1/outreach/sender`` makes (``api/routes/outreach.py``): the
body is validated by the same schema and stored with ``OutreachService.set_sender``, scoped
to the signed-in user's organisation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.schemas.common import FORM
from api.schemas.outreach import SenderProfileIn
from api.web.pages import (
    FormUser,
    RecruiterUser,
    WebUser,
    field_errors,
    outreach_service,
    redirect,
    render,
    require_role,
    safe_next,
)
from compliance.types import Jurisdiction
from core.errors import FieldError, InvalidInputError
from outreach.disclosure import JURISDICTION_NAMES
from outreach.service import SenderProfileMissingError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_recruiter = require_role("recruiter")

FIELDS = ("sender_name", "company", "from_email", "reply_to", "postal_address", "jurisdiction")
_EMAILS = ("from_email", "reply_to")
JURISDICTION_OPTIONS = [(j.value, f"{name} ({j.value})") for j, name in JURISDICTION_NAMES.items()]


async def _form(request: Request) -> FormData:
    return await request.form()  # parsed once: FormUser has read it already


FormDep = Annotated[FormData, Depends(_form)]


def _message(field: str, err: Any) -> str:
    """pydantic's message, in the words of the form (its pattern for an e-mail address
    means nothing to a recruiter)."""
    kind = err.get("type")
    if field in _EMAILS and kind == "string_pattern_mismatch":
        return "give an e-mail address, like maya@verdant.example"
    if kind == "string_too_short" and field == "postal_address":
        return "give the full postal address (street, city, postcode, country)"
    if kind == "string_too_short":
        return "this field is required"
    if kind == "literal_error":
        return f"choose one of {', '.join(j.value for j in Jurisdiction)}"
    return str(err.get("msg", "invalid")).removeprefix("Value error, ")


def _validated(values: dict[str, str]) -> dict[str, Any]:
    """The API's sender body from the form's values, validated by the API's schema."""
    try:
        return SenderProfileIn.model_validate(values, context=FORM).model_dump()
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err.get("loc", ())) or None
            errors.append(FieldError(field=field, message=_message(field or "", err)))
        raise InvalidInputError("; ".join(e.describe() for e in errors), errors) from None


def _values_from(form: FormData) -> dict[str, str]:
    values = {}
    for name in FIELDS:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    # Browsers send a textarea's lines with CRLF; e-mail footers are built with LF.
    values["postal_address"] = "\n".join(
        line.rstrip() for line in values["postal_address"].splitlines()
    )
    return values


def _stored_values(session: Session, request: Request, user: WebUser) -> dict[str, str] | None:
    try:
        profile = outreach_service(request).sender(session, user.organization_id)
    except SenderProfileMissingError:
        return None
    return {name: str(getattr(profile, name)) for name in FIELDS}


def _delivery(request: Request) -> dict[str, Any]:
    """How this server sends outreach e-mail: the same test the sender makes."""
    service = outreach_service(request)
    settings = service.settings
    return {
        "dry_run": settings.outreach_dry_run or service.mailer is None,
        "smtp_host": settings.smtp_host,
        "smtp_port": settings.smtp_port,
        "smtp_security": settings.smtp_security,
        "rate_per_minute": settings.outreach_rate_per_minute,
    }


def _page(
    request: Request,
    session: Session,
    user: WebUser,
    values: dict[str, str],
    errors: dict[str, str],
    next_path: str,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "settings/settings.html",
        {
            "values": values,
            "errors": errors,
            "saved": _stored_values(session, request, user) is not None,
            "jurisdiction_options": JURISDICTION_OPTIONS,
            "next_path": next_path,
            **_delivery(request),
        },
        status_code=status_code,
    )


@router.get("/settings", response_class=HTMLResponse)
def get_settings(
    request: Request, user: RecruiterUser, session: SessionDep, next: str = ""
) -> HTMLResponse:
    """The sender profile form, prefilled, and how this server sends e-mail."""
    values = _stored_values(session, request, user)
    if values is None:
        values = {**dict.fromkeys(FIELDS, ""), "jurisdiction": Jurisdiction.US.value}
    return _page(request, session, user, values, {}, safe_next(next, ""))


@router.post("/settings/sender", response_model=None)
def save_sender(
    request: Request, user: FormUser, session: SessionDep, form: FormDep
) -> HTMLResponse | RedirectResponse:
    """Save the sender profile (the whole profile, like ``PUT /v1/outreach/sender``)."""
    _recruiter(user)
    values = _values_from(form)
    raw_next = form.get("next")
    next_path = safe_next(raw_next if isinstance(raw_next, str) else "", "")
    try:
        fields = _validated(values)
    except InvalidInputError as exc:
        return _page(request, session, user, values, field_errors(exc.errors), next_path, 422)
    outreach_service(request).set_sender(session, user.organization_id, fields)
    return redirect(next_path or "/settings", flash="Sender profile saved.")
