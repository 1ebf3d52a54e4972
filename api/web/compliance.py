"""The compliance pages, for reviewers: check a pasted post or a JSONL file of posts, read
the verdict with its evidence highlighted, decide on it (confirm the violation, clear the
post, override the verdict), assign it, e-mail the suggested fix to the creator, work
through the review queue (filters, "assigned to me", bulk actions on the ticked checks or on
every check matching the filters), read the audit log and download a period's checks as CSV.

Every page makes the same service calls as ``/v1/compliance`` (see
``api/routes/compliance.py``), scoped to the signed-in user's organisation; decisions and
checks name the person (``user:<email>``) in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.schemas.common import MAX_ID, Id, IdPath
from api.schemas.compliance import MAX_BATCH_POSTS, MAX_REASON
from api.web.pages import (
    FormUser,
    WebUser,
    field_errors,
    outreach_service,
    redirect,
    render,
    require_role,
)
from compliance.cli_support import read_jsonl
from compliance.rules import RULES
from compliance.types import ConnectionType, Media, Platform, Post, Verdict
from compliance_reviews.service import (
    DECISIONS,
    MAX_BULK,
    AssigneeNotAllowedError,
    AssigneeNotFoundError,
    CheckFilters,
    CheckStateError,
    CreatorRef,
    FixCreatorNotFoundError,
    ReviewService,
)
from core.errors import ConflictError, InvalidInputError
from creators.service import CreatorNotFoundError, CreatorService
from models import MAX_POST_ID, REVIEW_STATUSES
from storage.database import Database

__all__ = ["Segment", "highlight", "router"]

router = APIRouter(include_in_schema=False)
service = ReviewService()
_creators = CreatorService()

ReviewerUser = Annotated[WebUser, Depends(require_role("reviewer"))]

PAGE_SIZE = 50

VERDICT_LABELS: dict[str, str] = {
    "compliant": "Compliant",
    "needs_review": "Needs review",
    "non_compliant": "Non-compliant",
}
STATUS_LABELS: dict[str, str] = {
    "pending": "Waiting for review",
    "not_required": "No review needed",
    "confirmed": "Violation confirmed",
    "cleared": "Cleared",
    "overridden": "Overridden",
    "approved": "Approved (old decision)",
    "rejected": "Rejected (old decision)",
}
# The decisions a reviewer makes, each a button named for what it does.
DECISION_BUTTONS: tuple[tuple[str, str, str], ...] = (
    (
        "confirm_violation",
        "Confirm the violation",
        "The checker is right: the post breaks the rules. "
        "Say why if the checker only said it needs review.",
    ),
    (
        "clear",
        "Clear the post",
        "The post is fine after all: its verdict becomes compliant. Say why.",
    ),
    (
        "override",
        "Override the verdict",
        "Set another verdict (choose it above). Say why.",
    ),
)
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
StatusFilter = Literal[
    "",
    "all",
    "pending",
    "not_required",
    "confirmed",
    "cleared",
    "overridden",
    "approved",
    "rejected",
]
JurisdictionFilter = Literal["", "US", "UK", "CA", "EU"]


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
    counts = service.pending_counts(session, user.organization_id)
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
            "max_posts": MAX_BATCH_POSTS,
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
        if len(posts) > MAX_BATCH_POSTS:
            return refuse(f"at most {MAX_BATCH_POSTS} posts per file; split the file")
    if not posts:
        return refuse(f"{file.filename} has no posts (one JSON object per line)")
    stored = service.check_and_store(session, user.organization_id, posts, actor=user.actor)
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


def _who(user: WebUser) -> Callable[[str | None], str]:
    """How the pages name an assignee or actor: "you", an e-mail address, "API key …"."""

    def name(actor: str | None) -> str:
        if not actor:
            return "nobody"
        if actor == user.actor:
            return "you"
        kind, _, rest = actor.partition(":")
        if kind == "user":
            return rest
        if kind == "api-key":
            return f"API key {rest}"
        return actor

    return name


def _assign_options(session: Session, user: WebUser) -> list[tuple[str, str]]:
    """The reviewers and admins a check may be assigned to, "me" first."""
    others = [a for a in service.assignees(session, user.organization_id) if a != user.actor]
    return [("me", f"Me ({user.email})"), *((a, a.removeprefix("user:")) for a in others)]


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
    check = service.get(session, user.organization_id, check_id)
    audit = service.audit_trail(session, user.organization_id, check.id)
    result = check.result
    findings = result.get("findings") or []
    caption = str(check.post.get("caption") or "")
    transcript = check.post.get("transcript")
    connection = check.post.get("material_connection") or {}
    linked = (
        _creators.find(session, user.organization_id, check.creator_id)
        if check.creator_id is not None
        else None
    )
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
            "decision_buttons": DECISION_BUTTONS,
            "assign_options": _assign_options(session, user),
            "who": _who(user),
            "linked": linked,
            "fix_creator": (linked.email or f"@{linked.handle}") if linked else "",
            "sent_fixes": service.sent_fixes(session, user.organization_id, check.id),
        },
        status_code=status_code,
    )


@router.get("/compliance/checks/{check_id}")
def check_page(
    request: Request, check_id: IdPath, user: ReviewerUser, session: SessionDep
) -> HTMLResponse:
    return _check_page(request, session, user, check_id)


@router.post("/compliance/checks/{check_id}/decision", response_model=None)
def decide(
    request: Request,
    check_id: IdPath,
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

    if decision not in DECISIONS:
        return refuse({"decision": "choose: confirm the violation, clear the post or override"})
    if verdict and verdict not in VERDICT_LABELS:
        return refuse({"verdict": f"unknown verdict {verdict!r}"})
    if len(reason) > MAX_REASON:
        return refuse({"reason": f"at most {MAX_REASON} characters"})
    try:
        check = service.decide(
            session,
            user.organization_id,
            check_id,
            decision=decision,
            actor=user.actor,
            reason=reason,
            verdict=Verdict(verdict) if verdict else None,
        )
    except (InvalidInputError, CheckStateError) as exc:
        return refuse(field_errors(exc.errors))
    status = STATUS_LABELS[check.review_status].lower()
    final = VERDICT_LABELS[check.final_verdict].lower()
    return redirect(
        f"/compliance/checks/{check.id}", flash=f"Decision recorded: {status} ({final})."
    )


@router.post("/compliance/checks/{check_id}/assignee", response_model=None)
def assign(
    request: Request,
    check_id: IdPath,
    user: FormUser,
    session: SessionDep,
    assign_to: Annotated[str, Form()] = "",
) -> Response:
    require_role("reviewer")(user)
    try:
        (check,) = service.assign(
            session,
            user.organization_id,
            assignee=assign_to or None,
            actor=user.actor,
            check_ids=[check_id],
        )
    except (InvalidInputError, AssigneeNotFoundError, AssigneeNotAllowedError) as exc:
        errors = {"assign_to": exc.errors[0].message if exc.errors else exc.message}
        return _check_page(request, session, user, check_id, errors=errors, status_code=422)
    flash = f"Assigned to {_who(user)(check.assignee)}." if check.assignee else "Unassigned."
    return redirect(f"/compliance/checks/{check.id}", flash=flash)


# --------------------------------------------------------------------------- send the fix


def _creator_ref(text: str) -> CreatorRef:
    """What a reviewer typed to name a creator: an id, an e-mail address or a handle."""
    text = text.strip()
    if text.isdigit() and len(text) <= 18:
        return CreatorRef(creator_id=int(text))
    if "@" in text.removeprefix("@"):
        return CreatorRef(email=text)
    return CreatorRef(handle=text)


def _fix_page(
    request: Request,
    session: Session,
    user: WebUser,
    check_id: int,
    creator: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    check = service.get(session, user.organization_id, check_id)
    errors = dict(errors or {})
    outreach = outreach_service(request)
    preview = None
    if not errors and (creator.strip() or check.creator_id is not None):
        try:
            _check, preview = service.preview_fix(
                session,
                user.organization_id,
                check_id,
                outreach=outreach,
                creator=_creator_ref(creator),
            )
        except (
            InvalidInputError,
            ConflictError,
            CreatorNotFoundError,
            FixCreatorNotFoundError,
        ) as exc:
            errors["creator"] = exc.message
            status_code = 409 if isinstance(exc, ConflictError) else 422
    return render(
        request,
        "compliance/fix.html",
        {
            "check": check,
            "creator": creator,
            "preview": preview,
            "errors": errors,
            "dry_run": outreach.settings.outreach_dry_run,
            "who": _who(user),
        },
        status_code=status_code,
    )


@router.get("/compliance/checks/{check_id}/fix")
def fix_page(
    request: Request,
    check_id: IdPath,
    user: ReviewerUser,
    session: SessionDep,
    creator: Annotated[str, Query(max_length=320)] = "",
) -> HTMLResponse:
    """The e-mail with the check's suggested fix, previewed for the creator named (or the
    one the check is linked to), with the button that sends it."""
    return _fix_page(request, session, user, check_id, creator)


@router.post("/compliance/checks/{check_id}/fix", response_model=None)
def send_fix(
    request: Request,
    check_id: IdPath,
    user: FormUser,
    session: SessionDep,
    creator_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    require_role("reviewer")(user)
    try:
        sent = service.send_fix(
            session,
            user.organization_id,
            check_id,
            outreach=outreach_service(request),
            actor=user.actor,
            creator=CreatorRef(creator_id=creator_id),
        )
    except (InvalidInputError, ConflictError, CreatorNotFoundError, FixCreatorNotFoundError) as exc:
        return _fix_page(
            request,
            session,
            user,
            check_id,
            str(creator_id),
            errors={"creator": exc.message},
            status_code=409 if isinstance(exc, ConflictError) else 422,
        )
    message = sent.message
    if message.status == "dry_run":
        flash = f"Dry run: the fix e-mail to {message.to_email} is in the outbox; nothing was sent."
    else:
        flash = (
            f"The fix e-mail to {message.to_email} is queued: it goes out with the next "
            "outreach run (within a minute)."
        )
    return redirect(f"/compliance/checks/{check_id}", flash=flash)


# --------------------------------------------------------------------------- queue


def _queue_filters(
    session: Session, user: WebUser, query: dict[str, str]
) -> tuple[CheckFilters, str]:
    """The queue page's filters (its query, or a bulk form's hidden copy) and the review
    status they ask for ("" for any)."""
    review_status = "" if query["status"] == "all" else query["status"]
    filters = service.filters(
        session,
        user.organization_id,
        actor=user.actor,
        verdict=query["verdict"] or None,
        review_status=review_status or None,
        code=query["code"] or None,
        jurisdiction=query["jurisdiction"] or None,
        platform=query["platform"] or None,
        assignee=query["assigned"] or None,
    )
    return filters, review_status


def _queue_page(
    request: Request,
    session: Session,
    user: WebUser,
    query: dict[str, str],
    *,
    after: int | None = None,
    after_priority: int | None = None,
    bulk: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    filters, review_status = _queue_filters(session, user, query)
    next_query: dict[str, Any] | None = None
    if review_status == "pending":
        # The queue itself: non-compliant first, then needs-review, oldest first.
        position = (
            (after_priority, after) if after_priority is not None and after is not None else None
        )
        rows = service.queue(
            session, user.organization_id, filters, after=position, limit=PAGE_SIZE + 1
        )
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_query = {"after_priority": rows[-1].priority, "after": rows[-1].id}
    else:
        rows = service.checks(
            session, user.organization_id, filters, after_id=after, limit=PAGE_SIZE + 1
        )
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_query = {"after": rows[-1].id}
    kept = {name: value for name, value in query.items() if value}
    next_url = None
    if next_query is not None:
        next_url = "/compliance/queue?" + urlencode({**kept, **next_query})
    assign_options = _assign_options(session, user)
    who = _who(user)
    listed = {user.actor, *(value for value, _ in assign_options)}
    # Someone who is no longer a reviewer keeps their checks until they are moved: the
    # filter still finds them.
    former = [
        (value, f"{who(value)} (no longer a reviewer)" if value.startswith("user:") else who(value))
        for value in service.assigned_to(session, user.organization_id)
        if value not in listed
    ]
    return render(
        request,
        "compliance/queue.html",
        {
            "rows": rows,
            "filters": query,
            "filter_query": urlencode(kept),
            "matching": service.count(session, user.organization_id, filters),
            "max_bulk": MAX_BULK,
            "verdict_options": [("", "Any verdict"), *VERDICT_LABELS.items()],
            "status_options": [
                *((s, STATUS_LABELS[s]) for s in REVIEW_STATUSES),
                ("all", "Any status"),
            ],
            "code_options": [("", "Any reason"), *((c, c) for c in sorted(RULES))],
            "jurisdiction_options": [("", "Any jurisdiction"), *JURISDICTION_OPTIONS],
            "platform_options": [("", "Any platform"), *PLATFORM_OPTIONS],
            "assigned_options": [
                ("", "Anyone or nobody"),
                ("me", "Assigned to me"),
                ("none", "Unassigned"),
                *((value, label) for value, label in assign_options if value != "me"),
                *former,
            ],
            "assign_options": assign_options,
            "verdict_labels": VERDICT_LABELS,
            "status_labels": STATUS_LABELS,
            "decision_buttons": DECISION_BUTTONS,
            "who": who,
            "next_url": next_url,
            "first_page": after is None,
            "bulk": bulk or {"scope": "selected", "check_ids": [], "reason": "", "verdict": ""},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/compliance/queue")
def queue_page(
    request: Request,
    user: ReviewerUser,
    session: SessionDep,
    verdict: VerdictFilter = "",
    status: StatusFilter = "pending",
    code: Annotated[str, Query(max_length=60)] = "",
    jurisdiction: JurisdictionFilter = "",
    platform: Annotated[str, Query(max_length=20)] = "",
    assigned: Annotated[str, Query(max_length=200)] = "",
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    after_priority: Annotated[int | None, Query(ge=0, le=9)] = None,
) -> HTMLResponse:
    query = {
        "verdict": verdict,
        "status": status,
        "code": code,
        "jurisdiction": jurisdiction,
        "platform": platform,
        "assigned": assigned,
    }
    return _queue_page(request, session, user, query, after=after, after_priority=after_priority)


_BULK_DONE = {
    "assign_me": "Assigned {n} to you.",
    "assign": "Assigned {n} to {who}.",
    "unassign": "Unassigned {n}.",
    "confirm_violation": "Confirmed the violation of {n}.",
    "clear": "Cleared {n}.",
    "override": "Overrode the verdict of {n}.",
}


@router.post("/compliance/queue/bulk", response_model=None)
def bulk(
    request: Request,
    user: FormUser,
    session: SessionDep,
    action: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "selected",
    check_id: Annotated[list[Id] | None, Form()] = None,
    assign_to: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    filter_verdict: Annotated[VerdictFilter, Form()] = "",
    filter_status: Annotated[StatusFilter, Form()] = "pending",
    filter_code: Annotated[str, Form(max_length=60)] = "",
    filter_jurisdiction: Annotated[JurisdictionFilter, Form()] = "",
    filter_platform: Annotated[str, Form(max_length=20)] = "",
    filter_assigned: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One action for the checks ticked on the queue, or for every check matching its
    filters (at most MAX_BULK): assign, unassign, or one decision and reason for all."""
    require_role("reviewer")(user)
    query = {
        "verdict": filter_verdict,
        "status": filter_status,
        "code": filter_code,
        "jurisdiction": filter_jurisdiction,
        "platform": filter_platform,
        "assigned": filter_assigned,
    }
    ids = list(check_id or [])
    typed = {"scope": scope, "check_ids": ids, "reason": reason, "verdict": verdict}

    def refuse(errors: dict[str, str]) -> HTMLResponse:
        return _queue_page(
            request, session, user, query, bulk=typed, errors=errors, status_code=422
        )

    if action not in _BULK_DONE:
        return refuse({"action": "choose what to do with the checks"})
    if scope not in ("selected", "filter"):
        return refuse({"scope": "choose the selected checks or all matching the filter"})
    if scope == "selected" and not ids:
        return refuse({"check_id": "tick at least one check, or choose all matching the filter"})
    if verdict and verdict not in VERDICT_LABELS:
        return refuse({"verdict": f"unknown verdict {verdict!r}"})
    if len(reason) > MAX_REASON:
        return refuse({"reason": f"at most {MAX_REASON} characters"})
    try:
        filters = _queue_filters(session, user, query)[0] if scope == "filter" else None
        selection: dict[str, Any] = {
            "check_ids": ids if scope == "selected" else None,
            "filters": filters,
        }
        if action in ("assign_me", "assign", "unassign"):
            target = {"assign_me": "me", "assign": assign_to, "unassign": None}[action]
            if action == "assign" and not assign_to:
                return refuse({"assign_to": "choose whom to assign the checks to"})
            checks = service.assign(
                session,
                user.organization_id,
                assignee=target,
                actor=user.actor,
                **selection,
            )
        else:
            checks = service.decide_many(
                session,
                user.organization_id,
                decision=action,
                actor=user.actor,
                reason=reason,
                verdict=Verdict(verdict) if verdict else None,
                **selection,
            )
    except (
        InvalidInputError,
        CheckStateError,
        AssigneeNotFoundError,
        AssigneeNotAllowedError,
    ) as exc:
        found = field_errors(exc.errors)
        return refuse({"filter" if k.startswith("filter") else k: v for k, v in found.items()})
    count = f"{len(checks)} check{'' if len(checks) == 1 else 's'}"
    who = _who(user)(checks[0].assignee) if checks else ""
    flash = _BULK_DONE[action].format(n=count, who=who) if checks else "No check matched."
    kept = {name: value for name, value in query.items() if value}
    return redirect("/compliance/queue?" + urlencode(kept), flash=flash)


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
    events = service.audit_events(
        session, user.organization_id, before_id=before, limit=PAGE_SIZE + 1
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
