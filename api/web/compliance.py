"""The compliance pages, for reviewers: check a pasted post or a JSONL file of posts, read
the verdict with its evidence highlighted, decide on it, work through the review queue, read
the audit log and download a period's checks as CSV.

Every page makes the same service calls as ``/v1/compliance`` (see
``api/routes/compliance.py``), scoped to the signed-in user's organisation; decisions and
checks name the person (``user:<email>``) in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.routes.compliance import emit_violations
from api.web.pages import FormUser, WebUser, field_errors, redirect, render, require_role
from compliance.cli_support import read_jsonl
from compliance.rules import RULES
from compliance.types import ConnectionType, Media, Platform, Post, Verdict
from core.errors import InvalidInputError
from models import REVIEW_STATUSES
from reviews.service import ReviewService
from storage.database import Database
from storage.repositories.compliance import AuditRepository, ComplianceCheckRepository

__all__ = ["Segment", "highlight", "router"]

router = APIRouter(include_in_schema=False)
service = ReviewService()

ReviewerUser = Annotated[WebUser, Depends(require_role("reviewer"))]

# The API's batch limit (BatchCheckRequest.posts): one upload is one batch.
MAX_UPLOAD_POSTS = 1000
# DecisionCreate.reason's limit.
MAX_REASON = 5000
# The column that keeps a post's own id (compliance_checks.external_id).
MAX_POST_ID = 200
PAGE_SIZE = 50

VERDICT_LABELS: dict[str, str] = {
    "compliant": "Compliant",
    "needs_review": "Needs review",
    "non_compliant": "Non-compliant",
}
STATUS_LABELS: dict[str, str] = {
    "pending": "Waiting for review",
    "not_required": "No review needed",
    "approved": "Approved",
    "rejected": "Rejected",
    "overridden": "Overridden",
}
CONNECTION_LABELS: dict[str, str] = {
    "paid": "Paid",
    "free_product": "Free product (gift)",
    "affiliate": "Affiliate commission",
    "employee": "Employee",
    "family": "Family or friend",
    "other": "Other (trip, event, ownership, ...)",
    "none": "None declared",
}
PLATFORM_OPTIONS = [(p.value, "X" if p is Platform.X else p.value.capitalize()) for p in Platform]
MEDIA_OPTIONS = [(m.value, m.value.capitalize()) for m in Media]
JURISDICTION_OPTIONS = [
    ("US", "US (FTC)"),
    ("UK", "UK (ASA/CMA)"),
    ("CA", "Canada (Ad Standards)"),
    ("EU", "EU (France, Germany, Spain by language)"),
]
CONNECTION_OPTIONS = [(c.value, CONNECTION_LABELS[c.value]) for c in ConnectionType]
# Form field names for the checker's dotted field names.
_FORM_FIELD = {
    "material_connection": "connection_type",
    "material_connection.type": "connection_type",
    "material_connection.brand": "brand",
    "id": "post_id",
}
_URL = re.compile(r"https?://[^\s,;()]+[^\s,;().]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

VerdictFilter = Literal["", "compliant", "needs_review", "non_compliant"]
StatusFilter = Literal["", "all", "pending", "not_required", "approved", "rejected", "overridden"]


# --------------------------------------------------------------------------- queries


# --------------------------------------------------------------------------- highlighting


@dataclass(frozen=True)
class Segment:
    """A piece of a caption or transcript; ``codes`` are the findings whose evidence covers
    it (none: plain text)."""

    text: str
    codes: tuple[str, ...] = ()
    hard: bool = False


def highlight(text: str, findings: Sequence[dict[str, Any]], source: str) -> list[Segment]:
    """``text`` cut at every evidence offset of ``source`` ("caption" or "transcript").

    Overlapping evidence gives consecutive segments (never nested marks), so the page stays
    well-formed; evidence whose offsets do not match the text is left out rather than
    marking the wrong characters.
    """
    spans: list[tuple[int, int, str, bool]] = []
    for finding in findings:
        for evidence in finding.get("evidence") or []:
            start, end = evidence.get("start"), evidence.get("end")
            if (
                evidence.get("source") != source
                or not isinstance(start, int)
                or not isinstance(end, int)
                or not 0 <= start < end <= len(text)
                or text[start:end] != evidence.get("text")
            ):
                continue
            spans.append((start, end, str(finding["code"]), finding.get("severity") == "hard"))
    cuts = sorted({0, len(text)} | {s for s, _, _, _ in spans} | {e for _, e, _, _ in spans})
    segments: list[Segment] = []
    for a, b in pairwise(cuts):
        covering = [span for span in spans if span[0] <= a and b <= span[1]]
        segments.append(
            Segment(
                text[a:b],
                tuple(dict.fromkeys(code for _, _, code, _ in covering)),
                any(hard for _, _, _, hard in covering),
            )
        )
    return segments


def _source_parts(source: str) -> list[tuple[str, str | None]]:
    """A finding's source text as (text, link or None) pieces: its URLs become links."""
    parts: list[tuple[str, str | None]] = []
    position = 0
    for found in _URL.finditer(source):
        if found.start() > position:
            parts.append((source[position : found.start()], None))
        parts.append((found.group(), found.group()))
        position = found.end()
    if position < len(source):
        parts.append((source[position:], None))
    return parts


def _findings(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for finding in result.get("findings") or []:
        rule = RULES.get(str(finding.get("code")))
        out.append(
            {
                "code": finding.get("code", ""),
                "severity": finding.get("severity", ""),
                "message": finding.get("message", ""),
                "why": rule.summary if rule else "",
                "source": _source_parts(str(finding.get("source") or "")),
                "evidence": [e.get("text", "") for e in finding.get("evidence") or []],
            }
        )
    return out


# --------------------------------------------------------------------------- check a post


def _check_form(values: dict[str, str] | None = None) -> dict[str, str]:
    form = {
        "caption": "",
        "transcript": "",
        "platform": "instagram",
        "media": "image",
        "jurisdiction": "US",
        "connection_type": "paid",
        "brand": "",
        "platform_label": "",
        "post_id": "",
    }
    form.update(values or {})
    return form


def _start(
    request: Request,
    session: Session,
    user: WebUser,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    upload_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    counts = ComplianceCheckRepository(session).pending_counts(user.organization_id)
    return render(
        request,
        "compliance/index.html",
        {
            "form": _check_form(form),
            "errors": errors or {},
            "upload_errors": upload_errors or {},
            "counts": counts,
            "waiting": sum(counts.values()),
            "platforms": PLATFORM_OPTIONS,
            "media": MEDIA_OPTIONS,
            "jurisdictions": JURISDICTION_OPTIONS,
            "connections": CONNECTION_OPTIONS,
            "max_posts": MAX_UPLOAD_POSTS,
        },
        status_code=status_code,
    )


@router.get("/compliance")
def compliance_home(request: Request, user: ReviewerUser, session: SessionDep) -> HTMLResponse:
    return _start(request, session, user)


@router.post("/compliance/check", response_model=None)
def check_post_form(
    request: Request,
    user: FormUser,
    session: SessionDep,
    caption: Annotated[str, Form()] = "",
    transcript: Annotated[str, Form()] = "",
    platform: Annotated[str, Form()] = "",
    media: Annotated[str, Form()] = "",
    jurisdiction: Annotated[str, Form()] = "",
    connection_type: Annotated[str, Form()] = "",
    brand: Annotated[str, Form()] = "",
    platform_label: Annotated[str, Form()] = "",
    post_id: Annotated[str, Form()] = "",
) -> Response:
    require_role("reviewer")(user)
    form = {
        "caption": caption,
        "transcript": transcript,
        "platform": platform,
        "media": media,
        "jurisdiction": jurisdiction,
        "connection_type": connection_type,
        "brand": brand,
        "platform_label": "on" if platform_label else "",
        "post_id": post_id,
    }
    if not caption.strip() and not transcript.strip():
        return _start(
            request,
            session,
            user,
            form=form,
            errors={"caption": "paste the post's caption (or its transcript)"},
            status_code=422,
        )
    data: dict[str, Any] = {
        "caption": caption,
        "transcript": transcript if transcript.strip() else None,
        "platform": platform,
        "media": media,
        "jurisdiction": jurisdiction,
        "material_connection": {"type": connection_type, "brand": brand.strip() or None},
        "platform_label": bool(platform_label),
    }
    if len(post_id.strip()) > MAX_POST_ID:
        return _start(
            request,
            session,
            user,
            form=form,
            errors={"post_id": f"at most {MAX_POST_ID} characters"},
            status_code=422,
        )
    if post_id.strip():
        data["id"] = post_id.strip()
    try:
        post = Post.from_dict(data)
    except InvalidInputError as exc:
        errors = {
            _FORM_FIELD.get(name, name): message
            for name, message in field_errors(exc.errors).items()
        }
        return _start(request, session, user, form=form, errors=errors, status_code=422)
    (stored,) = service.check_and_store(session, user.organization_id, [post], actor=user.actor)
    emit_violations(session, user.organization_id, [stored])
    verdict = VERDICT_LABELS[stored.check.verdict].lower()
    return redirect(f"/compliance/checks/{stored.check.id}", flash=f"Checked the post: {verdict}.")


# --------------------------------------------------------------------------- upload


def _line_error(error: InvalidInputError, line: int) -> str:
    first = error.errors[0] if error.errors else None
    if first is None:
        return f"line {line}: {error.message}"
    if first.field:
        return f"line {line}, {first.field}: {first.message}"
    return f"line {line}: {first.message}"


@router.post("/compliance/upload", response_model=None)
def upload(
    request: Request,
    user: FormUser,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    require_role("reviewer")(user)

    def refuse(message: str) -> HTMLResponse:
        return _start(request, session, user, upload_errors={"file": message}, status_code=422)

    if file is None or not file.filename:
        return refuse("choose a JSONL file to upload")
    try:
        text = file.file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return refuse(f"{file.filename} is not UTF-8 text")
    posts: list[Post] = []
    for line, parsed in read_jsonl(text.splitlines()):
        if isinstance(parsed, InvalidInputError):
            return refuse(_line_error(parsed, line))
        if parsed.id is not None and len(parsed.id) > MAX_POST_ID:
            return refuse(f"line {line}, id: at most {MAX_POST_ID} characters")
        posts.append(parsed)
        if len(posts) > MAX_UPLOAD_POSTS:
            return refuse(f"at most {MAX_UPLOAD_POSTS} posts per file; split the file")
    if not posts:
        return refuse(f"{file.filename} has no posts (one JSON object per line)")
    stored = service.check_and_store(session, user.organization_id, posts, actor=user.actor)
    emit_violations(session, user.organization_id, stored)
    tally = {verdict.value: 0 for verdict in Verdict}
    for item in stored:
        tally[item.check.verdict] += 1
    noun = "post" if len(stored) == 1 else "posts"
    return redirect(
        "/compliance/queue",
        flash=(
            f"Checked {len(stored)} {noun}: {tally['compliant']} compliant, "
            f"{tally['needs_review']} need review, {tally['non_compliant']} non-compliant"
        ),
    )


# --------------------------------------------------------------------------- one check


def _check_page(
    request: Request,
    session: Session,
    user: WebUser,
    check_id: int,
    *,
    decision: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    check = ComplianceCheckRepository(session).get_or_raise(user.organization_id, check_id)
    audit = AuditRepository(session).for_subject(user.organization_id, "compliance_check", check.id)
    result = check.result
    findings = result.get("findings") or []
    caption = str(check.post.get("caption") or "")
    transcript = check.post.get("transcript")
    connection = check.post.get("material_connection") or {}
    return render(
        request,
        "compliance/check.html",
        {
            "check": check,
            "result": result,
            "post": check.post,
            "connection": connection,
            "connection_label": CONNECTION_LABELS.get(
                str(connection.get("type")), str(connection.get("type"))
            ),
            "findings": _findings(result),
            "caption_segments": highlight(caption, findings, "caption"),
            "transcript_segments": (
                highlight(str(transcript), findings, "transcript") if transcript else None
            ),
            "audit": audit,
            "decision": decision or {"decision": "", "verdict": "", "reason": ""},
            "errors": errors or {},
            "verdict_labels": VERDICT_LABELS,
            "status_labels": STATUS_LABELS,
        },
        status_code=status_code,
    )


@router.get("/compliance/checks/{check_id}")
def check_page(
    request: Request, check_id: int, user: ReviewerUser, session: SessionDep
) -> HTMLResponse:
    return _check_page(request, session, user, check_id)


@router.post("/compliance/checks/{check_id}/decision", response_model=None)
def decide(
    request: Request,
    check_id: int,
    user: FormUser,
    session: SessionDep,
    decision: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    require_role("reviewer")(user)
    typed = {"decision": decision, "verdict": verdict, "reason": reason}

    def refuse(errors: dict[str, str]) -> HTMLResponse:
        return _check_page(
            request, session, user, check_id, decision=typed, errors=errors, status_code=422
        )

    if decision not in ("approve", "reject", "override"):
        return refuse({"decision": "choose approve, reject or override"})
    if verdict and verdict not in VERDICT_LABELS:
        return refuse({"verdict": f"unknown verdict {verdict!r}"})
    if len(reason) > MAX_REASON:
        return refuse({"reason": f"at most {MAX_REASON} characters"})
    try:
        check = service.decide(
            session,
            user.organization_id,
            check_id,
            decision=decision,  # type: ignore[arg-type]  # checked against the three above
            actor=user.actor,
            reason=reason,
            verdict=Verdict(verdict) if verdict else None,
        )
    except InvalidInputError as exc:
        return refuse(field_errors(exc.errors))
    status = STATUS_LABELS[check.review_status].lower()
    final = VERDICT_LABELS[check.final_verdict].lower()
    return redirect(
        f"/compliance/checks/{check.id}", flash=f"Decision recorded: {status} ({final})."
    )


# --------------------------------------------------------------------------- queue


@router.get("/compliance/queue")
def queue_page(
    request: Request,
    user: ReviewerUser,
    session: SessionDep,
    verdict: VerdictFilter = "",
    status: StatusFilter = "pending",
    after: Annotated[int | None, Query(ge=0)] = None,
    after_priority: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    repo = ComplianceCheckRepository(session)
    review_status = "" if status == "all" else status
    next_query: dict[str, Any] | None = None
    if review_status == "pending" and not verdict:
        # The queue itself: non-compliant first, then needs-review, oldest first.
        position = (
            (after_priority, after) if after_priority is not None and after is not None else None
        )
        rows = repo.queue(user.organization_id, after=position, limit=PAGE_SIZE + 1)
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_query = {"after_priority": rows[-1].priority, "after": rows[-1].id}
    else:
        # One verdict has one priority, so id order is the queue's order here too.
        rows = repo.list(
            user.organization_id,
            verdict=verdict or None,
            review_status=review_status or None,
            after_id=after,
            limit=PAGE_SIZE + 1,
        )
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_query = {"after": rows[-1].id}
    next_url = None
    if next_query is not None:
        query = {"verdict": verdict, "status": status, **next_query}
        next_url = "/compliance/queue?" + urlencode(query)
    return render(
        request,
        "compliance/queue.html",
        {
            "rows": rows,
            "filters": {"verdict": verdict, "status": status},
            "verdict_options": [("", "Any verdict"), *VERDICT_LABELS.items()],
            "status_options": [
                *((s, STATUS_LABELS[s]) for s in REVIEW_STATUSES),
                ("all", "Any status"),
            ],
            "verdict_labels": VERDICT_LABELS,
            "status_labels": STATUS_LABELS,
            "next_url": next_url,
            "first_page": after is None,
        },
    )


# --------------------------------------------------------------------------- audit, export


def _audit_page(
    request: Request,
    session: Session,
    user: WebUser,
    *,
    before: int | None = None,
    export: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    events = AuditRepository(session).newest_first(
        user.organization_id, before_id=before, limit=PAGE_SIZE + 1
    )
    older = None
    if len(events) > PAGE_SIZE:
        events = events[:PAGE_SIZE]
        older = f"/compliance/audit?before={events[-1].id}"
    return render(
        request,
        "compliance/audit.html",
        {
            "events": events,
            "older_url": older,
            "first_page": before is None,
            "export": export or {"since": "", "until": ""},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/compliance/audit")
def audit_page(
    request: Request,
    user: ReviewerUser,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    return _audit_page(request, session, user, before=before)


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = f"{value!r} is not a date; use YYYY-MM-DD"
        return None


@router.get("/compliance/export.csv", response_model=None)
def export_csv(
    request: Request,
    user: ReviewerUser,
    session: SessionDep,
    since: str = "",
    until: str = "",
) -> Response:
    errors: dict[str, str] = {}
    first = _day(since, "since", errors)
    last = _day(until, "until", errors)
    if first and last and last < first:
        errors["until"] = "must be on or after the start date"
    if errors:
        return _audit_page(
            request,
            session,
            user,
            export={"since": since, "until": until},
            errors=errors,
            status_code=422,
        )
    # Whole days in UTC: ``until`` is the last day included.
    start = datetime.combine(first, time(), tzinfo=UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC) if last else None
    database: Database = request.app.state.database
    organization_id = user.organization_id

    def body() -> Iterator[bytes]:
        with database.session() as stream_session:
            for chunk in service.export_csv(stream_session, organization_id, start, end):
                yield chunk.encode("utf-8")

    name = "compliance-checks"
    if first:
        name += f"-from-{first.isoformat()}"
    if last:
        name += f"-to-{last.isoformat()}"
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
