"""The programs pages: the organisation's ambassador programs with a new-program form, a
program's month calendar of deliverables (overdue ones flagged), submitting a creator's post
(its disclosure is checked at once) and the monthly reports with charts.

Recruiters and admins manage programs and submit posts; compliance reviewers may look.
Every figure comes from :class:`programs.service.ProgramService`, the same calls the
``/v1/programs`` API makes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep
from api.schemas.common import FORM
from api.schemas.programs import ProgramCreate, SubmissionIn
from api.web.pages import FormUser, WebUser, redirect, render, require_role
from campaigns.service import BrandService
from core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from creators.record import Platform
from creators.service import CreatorService
from models import PROGRAM_STATUSES, Creator, Deliverable, Program, ProgramReport, utcnow
from planner.charts import Series, bar_chart, line_chart, roi_over_time_chart
from programs.report_html import render_program_report
from programs.reports import ROI_FORMULA, report_csv
from programs.schedule import add_months, zone
from programs.service import ProgramService

__all__ = ["CREATOR_SELECT_LIMIT", "is_overdue", "month_key", "router"]

router = APIRouter(include_in_schema=False)
_brands = BrandService()
_creators = CreatorService()

ViewerUser = Annotated[WebUser, Depends(require_role("recruiter", "reviewer"))]

# Up to this many creators the form offers a select; beyond it, a handle to type.
CREATOR_SELECT_LIMIT = 200
CADENCE_ROWS = 2
METRIC_KEYS = ("likes", "comments", "shares", "saves", "views")
MEDIA = ("image", "carousel", "text", "story", "video", "reel", "live", "audio")
PERS = (("week", "per week"), ("month", "per month"), ("quarter", "per quarter"))
JURISDICTIONS = (("US", "US (FTC)"), ("UK", "UK (ASA/CMA)"), ("CA", "Canada"), ("EU", "EU"))
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# The downloadable HTML report is a static page with its own inline styles.
_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _service(request: Request) -> ProgramService:
    service: ProgramService = request.app.state.programs
    return service


def _manager(user: WebUser) -> WebUser:
    """Changing a program or submitting a post is for recruiters (and admins)."""
    return require_role("recruiter")(user)


# ---------------------------------------------------------------------- view helpers


def is_overdue(deliverable: Deliverable, now: datetime) -> bool:
    """The scheduler's rule: flagged overdue already, or still pending past ``overdue_at``
    (the start of the day after the due day, program time); a tick that has not run yet
    does not hide it."""
    if deliverable.status == "overdue":
        return True
    return (
        deliverable.status == "pending"
        and deliverable.overdue_at is not None
        and deliverable.overdue_at <= now
    )


def month_key(report: ProgramReport, tz: ZoneInfo) -> str:
    """A report's address: the month (YYYY-MM, program time) its period starts in."""
    return report.period_start.astimezone(tz).strftime("%Y-%m")


@dataclass(frozen=True)
class DeliverableView:
    id: int
    sequence: int
    platform: str
    kind: str
    due_on: date
    state: str  # submitted | overdue | due
    label: str  # the state in words, never colour only
    verdict: str | None
    on_time: bool | None


def _view(d: Deliverable, now: datetime) -> DeliverableView:
    if d.status == "submitted":
        state, label = "submitted", "submitted" if d.on_time else "submitted late"
    elif is_overdue(d, now):
        state, label = "overdue", "overdue"
    else:
        state, label = "due", "due"
    return DeliverableView(
        id=d.id,
        sequence=d.sequence,
        platform=d.platform,
        kind=d.kind,
        due_on=d.due_on,
        state=state,
        label=label,
        verdict=d.compliance_verdict,
        on_time=d.on_time,
    )


def _last_day(program: Program) -> date:
    """The program's last local day (it ends at local midnight after it)."""
    return program.ends_at.astimezone(zone(program.timezone)).date() - timedelta(days=1)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _percent(rate: object) -> str:
    if rate is None:
        return "n/a"
    return f"{Decimal(str(rate)) * 100:.1f}%"


def _creator(session: SessionDep, program: Program) -> Creator | None:
    return _creators.find(session, program.organization_id, program.creator_id)


def _cadence_text(program: Program) -> list[str]:
    return [
        f"{c['count']} × {c['kind']} on {c['platform']} per {c['per']}" for c in program.cadence
    ]


def _form_name(api_field: str) -> str:
    """The form control of an API field name: ``cadence[0].count`` -> ``cadence_0_count``."""
    return re.sub(r"[\[\].]+", "_", api_field).strip("_")


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        errors.append(FieldError(field=loc or None, message=message))
    return errors


def _by_control(errors: Sequence[FieldError], controls: Sequence[str]) -> dict[str, str]:
    """Errors keyed by form control (the first per control); an API field without a control
    of its own goes to the closest one (``cadence`` to the first cadence row)."""
    found: dict[str, str] = {}
    for error in errors:
        name = _form_name(error.field or "")
        if name not in controls:
            name = next((c for c in controls if c.startswith(name + "_")), "") if name else ""
        found.setdefault(name, error.message)
    return found


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value.strip() for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


# ---------------------------------------------------------------------- the list


def _new_program_form(form: Mapping[str, str] | None = None) -> dict[str, str]:
    values = {
        "name": "",
        "creator_id": "",
        "creator_handle": "",
        "brand_id": "",
        "starts_on": "",
        "months": "12",
        "timezone": "UTC",
        "monthly_retainer": "0",
        "per_deliverable": "0",
        "commission_pct": "0",
        "currency": "USD",
        "discount_code": "",
        "jurisdiction": "US",
    }
    for i in range(CADENCE_ROWS):
        values |= {
            f"cadence_{i}_platform": "",
            f"cadence_{i}_kind": "",
            f"cadence_{i}_count": "",
            f"cadence_{i}_per": "month",
        }
    if form:
        values |= {k: v for k, v in form.items() if k in values}
    return values


def _list_page(
    request: Request,
    session: SessionDep,
    user: WebUser,
    *,
    status: str = "",
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    service = _service(request)
    now = utcnow()
    rows = []
    for program in service.find(session, user.organization_id, status=status or None, limit=500):
        deliverables = service.deliverables(session, user.organization_id, program.id)
        views = [_view(d, now) for d in deliverables]
        upcoming = [
            v
            for v, d in zip(views, deliverables, strict=True)
            if v.state == "due" and d.due_at > now
        ]
        creator = _creator(session, program)
        rows.append(
            {
                "program": program,
                "creator": creator,
                "last_day": _last_day(program),
                "next_due": upcoming[0] if upcoming else None,
                "overdue": sum(1 for v in views if v.state == "overdue"),
            }
        )
    many = _creators.count(session, user.organization_id) > CREATOR_SELECT_LIMIT
    values = _new_program_form(form)
    creator_options: list[tuple[str, str]] = []
    if not many:
        creator_options = [
            (str(c.id), f"@{c.handle} ({c.platform}, {c.followers or 0:,} followers)")
            for c in _creators.list(session, user.organization_id, limit=CREATOR_SELECT_LIMIT)
        ]
    brands = _brands.list(session, user.organization_id, after_id=None, limit=200)
    return render(
        request,
        "programs/list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": PROGRAM_STATUSES,
            "may_manage": user.role in ("recruiter", "admin"),
            "form": values,
            "errors": dict(errors or {}),
            # The form was sent with a handle: keep showing the handle, whatever the count.
            "creator_by_handle": many or bool(values["creator_handle"]),
            "creator_options": [("", "Choose a creator"), *creator_options],
            "brand_options": [("", "No brand"), *((str(b.id), b.name) for b in brands)],
            "platform_options": [("", "—"), *((p.value, p.value) for p in Platform)],
            "per_options": list(PERS),
            "jurisdiction_options": list(JURISDICTIONS),
            "cadence_rows": range(CADENCE_ROWS),
            "labels": _CREATE_LABELS,
        },
        status_code=status_code,
    )


@router.get("/programs")
def programs_page(
    request: Request, user: ViewerUser, session: SessionDep, status: str = ""
) -> HTMLResponse:
    if status and status not in PROGRAM_STATUSES:
        raise InvalidInputError.for_field(
            "status", f"one of {', '.join(PROGRAM_STATUSES)}", value=status
        )
    return _list_page(request, session, user, status=status)


_CREATE_LABELS: dict[str, str] = {
    "name": "Name",
    "creator_id": "Creator",
    "creator_handle": "Creator handle",
    "brand_id": "Brand",
    "starts_on": "Start date",
    "months": "Months",
    "timezone": "Time zone",
    "monthly_retainer": "Monthly retainer",
    "per_deliverable": "Fee per deliverable",
    "commission_pct": "Commission %",
    "currency": "Currency",
    "discount_code": "Discount code",
    "jurisdiction": "Disclosure rules",
    **{
        f"cadence_{i}_{part}": f"Row {i + 1}: {label}"
        for i in range(CADENCE_ROWS)
        for part, label in (
            ("platform", "platform"),
            ("kind", "kind"),
            ("count", "how many"),
            ("per", "per"),
        )
    },
}


def _resolve_creator(
    session: SessionDep, organization_id: int, form: Mapping[str, str]
) -> tuple[int | None, FieldError | None]:
    """The creator the form names, by id (the select) or by handle (``@handle`` or
    ``platform/handle``); else the error for that control."""
    handle = form.get("creator_handle", "")
    if handle:
        platform, _, name = handle.rpartition("/")
        name = name.removeprefix("@")
        platforms = [platform.lower()] if platform else [p.value for p in Platform]
        found = [
            c
            for p in platforms
            if p in {q.value for q in Platform}
            and (c := _creators.find_by_handle(session, organization_id, p, name)) is not None
        ]
        if not found:
            return None, FieldError("creator_handle", f"no creator @{name} in your roster")
        if len(found) > 1:
            return None, FieldError(
                "creator_handle",
                f"@{name} is on {', '.join(c.platform for c in found)}; "
                f"write platform/handle, e.g. {found[0].platform}/{name}",
            )
        return found[0].id, None
    raw = form.get("creator_id", "")
    if not raw:
        field = "creator_handle" if "creator_handle" in form else "creator_id"
        return None, FieldError(field, "choose the creator")
    if not raw.isdigit() or _creators.find(session, organization_id, int(raw)) is None:
        return None, FieldError("creator_id", "this creator is not in your roster")
    return int(raw), None


@router.post("/programs", response_model=None)
def create_program(
    request: Request, user: FormUser, session: SessionDep, form: FormFields
) -> Response:
    _manager(user)
    errors: list[FieldError] = []
    creator_id, creator_error = _resolve_creator(session, user.organization_id, form)
    if creator_error is not None:
        errors.append(creator_error)
    cadence = []
    for i in range(CADENCE_ROWS):
        row = {part: form.get(f"cadence_{i}_{part}", "") for part in ("platform", "kind", "count")}
        # Only the first row is required; an untouched later row is left out.
        if i > 0 and not any(row.values()):
            continue
        cadence.append({**row, "per": form.get(f"cadence_{i}_per", "")})
    body: dict[str, Any] = {
        "name": form.get("name", ""),
        "creator_id": creator_id or 1,  # checked above; a placeholder keeps the rest checked
        "cadence": cadence,
        "jurisdiction": form.get("jurisdiction") or "US",
    }
    for name in (
        "brand_id", "starts_on", "months", "timezone", "monthly_retainer", "per_deliverable",
        "commission_pct", "currency", "discount_code",
    ):  # fmt: skip
        if form.get(name):
            body[name] = form[name]
    if "starts_on" not in body:
        errors.append(FieldError("starts_on", "give the start date"))
    fields: dict[str, Any] = {}
    try:
        fields = ProgramCreate.model_validate(body, context=FORM).model_dump()
    except ValidationError as exc:
        # A missing start date is reported above in words of the form.
        errors += [
            e for e in _pydantic_errors(exc) if e.field != "starts_on" or "starts_on" in body
        ]
    if not errors:
        fields["cadence"] = [{**c, "platform": c["platform"].value} for c in fields["cadence"]]
        try:
            program = _service(request).create(session, user.organization_id, fields)
        except InvalidInputError as exc:
            errors += exc.errors
        except ConflictError:
            errors.append(FieldError("discount_code", "already belongs to another program"))
        except NotFoundError as exc:
            errors.append(FieldError("brand_id" if "brand" in str(exc) else "creator_id", str(exc)))
        else:
            count = len(_service(request).deliverables(session, user.organization_id, program.id))
            return redirect(
                f"/programs/{program.id}",
                flash=f"Program “{program.name}” created with {count} deliverables.",
            )
    session.rollback()
    return _list_page(
        request,
        session,
        user,
        form=form,
        errors=_by_control(errors, list(_CREATE_LABELS)),
        status_code=422,
    )


# ---------------------------------------------------------------------- one program


def _program_facts(session: SessionDep, program: Program) -> dict[str, Any]:
    tz = zone(program.timezone)
    brand = (
        _brands.find(session, program.organization_id, program.brand_id)
        if program.brand_id is not None
        else None
    )
    return {
        "program": program,
        "creator": _creator(session, program),
        "brand": brand,
        "last_day": _last_day(program),
        "cadence": _cadence_text(program),
        "renewal_notice_on": (
            program.renewal_notice_at.astimezone(tz).date()
            if program.renewal_notice_at is not None
            else None
        ),
    }


def _month(value: str) -> tuple[int, int]:
    found = _MONTH.match(value)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInputError.for_field("month", "give a month as YYYY-MM", value=value)
    return int(found.group(1)), int(found.group(2))


def _default_month(program: Program, now: datetime) -> tuple[int, int]:
    """This month in the program's time zone, kept within the program's run."""
    today = now.astimezone(zone(program.timezone)).date()
    day = min(max(today, program.starts_on), _last_day(program))
    return day.year, day.month


@router.get("/programs/{program_id:int}")
def program_page(
    request: Request, program_id: int, user: ViewerUser, session: SessionDep, month: str = ""
) -> HTMLResponse:
    service = _service(request)
    program = service.get(session, user.organization_id, program_id)
    now = utcnow()
    year, mon = _month(month) if month else _default_month(program, now)
    deliverables = [
        _view(d, now) for d in service.deliverables(session, user.organization_id, program_id)
    ]
    shown = date(year, mon, 1)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, mon):
        weeks.append(
            [
                {
                    "day": day,
                    "in_month": day.month == mon,
                    "due": (due := [d for d in deliverables if d.due_on == day]),
                    "overdue": any(d.state == "overdue" for d in due),
                }
                for day in week
            ]
        )
    this_month = [d for d in deliverables if (d.due_on.year, d.due_on.month) == (year, mon)]
    previous, following = add_months(shown, -1), add_months(shown, 1)
    first, last = program.starts_on.replace(day=1), _last_day(program).replace(day=1)
    return render(
        request,
        "programs/detail.html",
        {
            **_program_facts(session, program),
            "tab": "calendar",
            "month_title": shown.strftime("%B %Y"),
            "weekdays": [(calendar.day_name[i], calendar.day_abbr[i]) for i in range(7)],
            "weeks": weeks,
            "month_items": this_month,
            "overdue_total": sum(1 for d in deliverables if d.state == "overdue"),
            "previous": previous.strftime("%Y-%m") if previous >= first else None,
            "next": following.strftime("%Y-%m") if following <= last else None,
            "may_manage": user.role in ("recruiter", "admin"),
        },
    )


@router.post("/programs/{program_id:int}/status")
def set_program_status(
    request: Request, program_id: int, user: FormUser, session: SessionDep, form: FormFields
) -> RedirectResponse:
    _manager(user)
    wanted = form.get("status", "")
    try:
        program = _service(request).set_status(session, user.organization_id, program_id, wanted)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}", flash=f"Not changed: {exc}.")
    word = "paused" if program.status == "paused" else "resumed"
    return redirect(f"/programs/{program_id}", flash=f"Program {word}.")


@router.post("/programs/{program_id:int}/renew")
def renew_program(
    request: Request, program_id: int, user: FormUser, session: SessionDep, form: FormFields
) -> RedirectResponse:
    _manager(user)
    raw = form.get("months", "")
    months = None
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 60:
            raise InvalidInputError.for_field("months", "a whole number 1-60", value=raw)
        months = int(raw)
    try:
        successor = _service(request).renew(
            session, user.organization_id, program_id, months=months
        )
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}", flash=f"Not renewed: {exc}.")
    return redirect(
        f"/programs/{successor.id}",
        flash=f"Renewed: this program continues the one before (#{program_id}).",
    )


# ---------------------------------------------------------------------- submissions


def _deliverable(
    request: Request, session: SessionDep, user: WebUser, program_id: int, deliverable_id: int
) -> tuple[Program, Deliverable]:
    service = _service(request)
    program = service.get(session, user.organization_id, program_id)
    deliverable = service.deliverable(session, user.organization_id, deliverable_id)
    if deliverable.program_id != program.id:
        raise NotFoundError(f"deliverable {deliverable_id} not found")
    return program, deliverable


def _submission_form(d: Deliverable, form: Mapping[str, str] | None) -> dict[str, str]:
    values = {
        "post_url": d.post_url or "",
        "caption": d.caption or "",
        "transcript": d.transcript or "",
        "media": d.media or "image",
        "submitted_at": "",
        **{key: str((d.metrics or {}).get(key, "")) for key in METRIC_KEYS},
    }
    if form:
        values |= {k: v for k, v in form.items() if k in values}
    return values


def _deliverable_page(
    request: Request,
    session: SessionDep,
    user: WebUser,
    program: Program,
    d: Deliverable,
    *,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    tz = zone(program.timezone)
    result = d.compliance_result or {}
    url = d.post_url or ""
    return render(
        request,
        "programs/deliverable.html",
        {
            **_program_facts(session, program),
            "tab": "calendar",
            "d": _view(d, utcnow()),
            "row": d,
            "post_link": url if url.startswith(("https://", "http://")) else None,
            "submitted_local": _local(d.submitted_at, tz),
            "checked_local": _local(d.last_checked_at, tz),
            "due_local": _local(d.due_at - timedelta(minutes=1), tz),
            "result": result,
            "form": _submission_form(d, form),
            "errors": dict(errors or {}),
            "media_options": [(m, m) for m in MEDIA],
            "metric_keys": METRIC_KEYS,
            "may_manage": user.role in ("recruiter", "admin"),
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id:int}/deliverables/{deliverable_id:int}")
def deliverable_page(
    request: Request, program_id: int, deliverable_id: int, user: ViewerUser, session: SessionDep
) -> HTMLResponse:
    program, d = _deliverable(request, session, user, program_id, deliverable_id)
    return _deliverable_page(request, session, user, program, d)


@router.post("/programs/{program_id:int}/deliverables/{deliverable_id:int}", response_model=None)
def submit_post(
    request: Request,
    program_id: int,
    deliverable_id: int,
    user: FormUser,
    session: SessionDep,
    form: FormFields,
) -> Response:
    _manager(user)
    program, d = _deliverable(request, session, user, program_id, deliverable_id)
    tz = zone(program.timezone)
    errors: list[FieldError] = []
    metrics: dict[str, int] = {}
    for key in METRIC_KEYS:
        raw = form.get(key, "").replace(",", "")
        if raw:
            if raw.isdigit():
                metrics[key] = int(raw)
            else:
                errors.append(FieldError(key, "a whole number, 0 or more"))
    posted_at = None
    if form.get("submitted_at"):
        try:
            posted = datetime.fromisoformat(form["submitted_at"])
        except ValueError:
            errors.append(FieldError("submitted_at", "give a date and time, e.g. 2027-01-16T18:30"))
        else:
            posted_at = (posted if posted.tzinfo else posted.replace(tzinfo=tz)).astimezone(UTC)
    body: dict[str, Any] = {
        "caption": form.get("caption", ""),
        "post_url": form.get("post_url") or None,
        "transcript": form.get("transcript") or None,
        "media": form.get("media") or "image",
        "metrics": metrics or None,
    }
    fields: dict[str, Any] = {}
    try:
        fields = SubmissionIn.model_validate(body, context=FORM).model_dump(exclude={"platform"})
    except ValidationError as exc:
        errors += _pydantic_errors(exc)
    if not errors:
        fields["submitted_at"] = posted_at
        try:
            row = _service(request).submit(session, user.organization_id, d.id, fields)
        except InvalidInputError as exc:
            errors += exc.errors
        else:
            verdict = (row.compliance_verdict or "unchecked").replace("_", " ")
            return redirect(
                f"/programs/{program.id}/deliverables/{row.id}",
                flash=f"Post submitted. Disclosure check: {verdict}.",
            )
    session.rollback()
    program, d = _deliverable(request, session, user, program_id, deliverable_id)
    controls = ["post_url", "caption", "transcript", "media", "submitted_at", *METRIC_KEYS]
    renamed = [
        FieldError(e.field.removeprefix("metrics.") if e.field else None, e.message) for e in errors
    ]
    return _deliverable_page(
        request,
        session,
        user,
        program,
        d,
        form=form,
        errors=_by_control(renamed, controls),
        status_code=422,
    )


# ---------------------------------------------------------------------- reports


def _report_rows(reports: Sequence[ProgramReport], tz: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "key": month_key(r, tz),
            "report": r,
            "start": r.period_start.astimezone(tz).date(),
            "end": r.period_end.astimezone(tz).date() - timedelta(days=1),
            "on_time_rate": _percent(r.figures.get("on_time_rate")),
            "pass_rate": _percent(r.figures.get("compliance_pass_rate")),
            "roi": _percent(r.figures.get("roi")),
        }
        for r in reports
    ]


@router.get("/programs/{program_id:int}/reports")
def reports_page(
    request: Request, program_id: int, user: ViewerUser, session: SessionDep
) -> HTMLResponse:
    service = _service(request)
    program = service.get(session, user.organization_id, program_id)
    reports = service.reports(session, user.organization_id, program_id)
    return render(
        request,
        "programs/reports.html",
        {
            **_program_facts(session, program),
            "tab": "reports",
            "rows": _report_rows(reports, zone(program.timezone)),
        },
    )


def _number(value: object) -> float:
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return 0.0


def _charts(program: Program, reports: Sequence[ProgramReport], tz: ZoneInfo) -> list[str]:
    """SVG charts of the months up to the shown one, drawn by :mod:`planner.charts` from
    numbers (presentation attributes only: no style attributes, no scripts)."""
    labels = [month_key(r, tz) for r in reports]
    figures = [r.figures for r in reports]
    charts = [
        bar_chart(
            title="Deliverables per month",
            description="Delivered on time, late and missing, per program month",
            categories=labels,
            series=[
                Series(name, tuple(_number(f.get(key)) for f in figures))
                for name, key in (
                    ("on time", "delivered_on_time"),
                    ("late", "delivered_late"),
                    ("missing", "missing"),
                )
            ],
            x_label="month",
            y_label="deliverables",
            chart_id="chart-deliverables",
        )
    ]
    cpe = [
        (label, f) for label, f in zip(labels, figures, strict=True) if f.get("cost_per_engagement")
    ]
    if cpe:
        charts.append(
            line_chart(
                title="Cost per engagement",
                description=f"Cost per engagement in {program.currency}, per program month",
                x_labels=[label for label, _ in cpe],
                series=[
                    Series(
                        "cost per engagement",
                        tuple(_number(f["cost_per_engagement"]) for _, f in cpe),
                    )
                ],
                x_label="month",
                y_label=program.currency,
                chart_id="chart-cpe",
            )
        )
    rois = [
        (label, _number(f["roi"]))
        for label, f in zip(labels, figures, strict=True)
        if f.get("roi") is not None
    ]
    if rois:
        charts.append(roi_over_time_chart(rois, chart_id="chart-roi"))
    return charts


@router.get("/programs/{program_id:int}/reports/{month}")
def report_page(
    request: Request, program_id: int, month: str, user: ViewerUser, session: SessionDep
) -> HTMLResponse:
    service = _service(request)
    program = service.get(session, user.organization_id, program_id)
    _month(month)
    tz = zone(program.timezone)
    reports = service.reports(session, user.organization_id, program_id)
    index = next((i for i, r in enumerate(reports) if month_key(r, tz) == month), None)
    if index is None:
        raise NotFoundError(f"no report for {month} in program {program_id}")
    report = reports[index]
    figures = report.figures
    due = int(figures["deliverables_due"])
    shares = [
        (name, int(figures[key]) / due if due else 0.0)
        for name, key in (
            ("on time", "delivered_on_time"),
            ("late", "delivered_late"),
            ("missing", "missing"),
        )
    ]
    rows = _report_rows(reports, tz)
    return render(
        request,
        "programs/report.html",
        {
            **_program_facts(session, program),
            "tab": "reports",
            "row": rows[index],
            "f": figures,
            "rates": {
                key: _percent(figures.get(key))
                for key in ("on_time_rate", "compliance_pass_rate", "roi")
            },
            "shares": shares,
            "charts": _charts(program, reports[: index + 1], tz),
            "roi_formula": figures.get("roi_formula") or ROI_FORMULA,
            "previous": rows[index - 1]["key"] if index > 0 else None,
            "next": rows[index + 1]["key"] if index + 1 < len(rows) else None,
        },
    )


@router.get("/programs/{program_id:int}/reports.csv")
def report_csv_download(
    request: Request, program_id: int, user: ViewerUser, session: SessionDep
) -> Response:
    reports = _service(request).reports(session, user.organization_id, program_id)
    return Response(
        report_csv(reports),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="program-{program_id}-reports.csv"'},
    )


@router.get("/programs/{program_id:int}/reports.html")
def report_html_download(
    request: Request, program_id: int, user: ViewerUser, session: SessionDep
) -> HTMLResponse:
    service = _service(request)
    program = service.get(session, user.organization_id, program_id)
    reports = service.reports(session, user.organization_id, program_id)
    creator = _creator(session, program)
    page = render_program_report(
        program,
        reports,
        creator=f"@{creator.handle}" if creator is not None else "",
        generated_at=utcnow(),
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": _REPORT_CSP,
            "Content-Disposition": f'attachment; filename="program-{program_id}-reports.html"',
        },
    )
