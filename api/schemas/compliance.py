"""Compliance schemas: posts in, stored checks with their review state out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, WithJsonSchema

from api.schemas.common import Id, RequestModel, Timestamp
from api.schemas.outreach import OutboxMessageRead
from compliance.rules import RULES
from compliance.types import ConnectionType, Jurisdiction, Media, Platform
from compliance_reviews.service import ASSIGNEE_PATTERN, DECISION_OF_STATUS, MAX_BULK
from core.patterns import LINES_NOT_BLANK
from core.text import MultilineStr
from models import MAX_POST_ID, AuditEvent, ComplianceCheck

__all__ = [
    "CODES",
    "PLATFORMS",
    "AssigneeUpdate",
    "AuditEventRead",
    "BatchCheckRequest",
    "BatchCheckResponse",
    "BulkAssignmentCreate",
    "BulkDecisionCreate",
    "BulkResultRead",
    "CheckFilterIn",
    "ComplianceCheckRead",
    "DecisionCreate",
    "FixPreviewRead",
    "FixSendCreate",
    "FixSentRead",
    "PostIn",
]

ReviewStatus = Literal[
    "pending", "not_required", "confirmed", "cleared", "overridden", "approved", "rejected"
]
VerdictName = Literal["compliant", "needs_review", "non_compliant"]
DecisionName = Literal["confirm_violation", "clear", "override", "approve", "reject"]
# The names the reviews service checks (ReviewService.filters) as the document's enums;
# empty is no filter.
CODES: list[str] = ["", *sorted(RULES)]
PLATFORMS: list[str] = ["", *(platform.value for platform in Platform)]
JurisdictionName = Literal["US", "UK", "CA", "EU"]
_DECISION_HELP = (
    "confirm_violation: the checker is right, the post breaks the rules (final verdict "
    "non_compliant; a reason is required when that changes the verdict, e.g. of a check "
    "that needed review). clear: the post is fine after all (final verdict compliant; "
    "reason required). override: set another verdict (verdict and reason required). "
    "approve, reject: deprecated; they record that the checker's verdict stands without "
    "changing it, reason optional as before (see docs/api-guide.md)."
)

EXAMPLE_POST: dict[str, Any] = {
    "id": "post-123",
    "caption": "Loving my new serum from @glowlab! Use code GLOW20 #skincare #glow",
    "transcript": None,
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "platform_label": False,
    "jurisdiction": "US",
}


def _one_of(values: type[StrEnum]) -> WithJsonSchema:
    # The checker reads these case-insensitively (compliance.types.Post.from_dict); the
    # document gives the names as the results spell them.
    return WithJsonSchema({"type": "string", "enum": [v.value for v in values]})


def _post_id(value: Any) -> Any:
    # One validator, not a union: a union's errors would name the branch (id.int).
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and len(value) <= MAX_POST_ID:
        return value
    raise ValueError(f"give a string of at most {MAX_POST_ID} characters or an integer")


# The most posts one batch checks (an upload on the pages is one batch), and the longest
# reason a decision keeps.
MAX_BATCH_POSTS = 1000
MAX_REASON = 5000
PostId = Annotated[
    str | int | None,
    BeforeValidator(_post_id),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": MAX_POST_ID},
                {"type": "integer"},
                {"type": "null"},
            ],
            "description": "Your id of the post, passed through to the result",
        }
    ),
]


class MaterialConnectionIn(RequestModel):
    """The declared tie between creator and brand (``type`` none: no tie)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: Annotated[str, _one_of(ConnectionType)]
    brand: str | None = None


class PostIn(RequestModel):
    """One post, as docs/compliance.md section "input" describes it. Extra fields (such as
    ``id``) are passed through to the result."""

    model_config = ConfigDict(
        extra="allow", strict=True, json_schema_extra={"examples": [EXAMPLE_POST]}
    )

    caption: MultilineStr
    transcript: MultilineStr | None = None
    platform: Annotated[str, _one_of(Platform)]
    media: Annotated[str, _one_of(Media)]
    material_connection: MaterialConnectionIn
    platform_label: bool = False
    jurisdiction: Annotated[str, _one_of(Jurisdiction)]
    id: PostId = None


_RESULT_EXAMPLE: dict[str, Any] = {
    "id": "post-123",
    "verdict": "non_compliant",
    "reasons": ["NO_DISCLOSURE"],
    "findings": [
        {
            "code": "NO_DISCLOSURE",
            "severity": "hard",
            "message": "The post has a material connection (paid) but no disclosure label.",
            "evidence": [],
            "source": "FTC 16 CFR 255.5; FTC Disclosures 101",
        }
    ],
    "language": "en",
    "assumptions": ["fold taken as the first 125 characters"],
    "suggested_fix": "Ad: Loving my new serum from @glowlab! Use code GLOW20 #skincare #glow",
    "sponsored_score": 0.91,
}
_AUDIT_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "actor": "api-key:5c509cea3f",
    "action": "compliance.overridden",
    "subject_type": "compliance_check",
    "subject_id": 2,
    "changes": {
        "review_status": ["pending", "overridden"],
        "final_verdict": ["non_compliant", "compliant"],
    },
    "reason": "Disclosure is burned into the image; checked the asset.",
    "created_at": "2026-11-23T09:40:00Z",
}
_CHECK_EXAMPLE: dict[str, Any] = {
    "check_id": 2,
    "checked_at": "2026-11-23T09:31:00Z",
    "checked_by": "api-key:5c509cea3f",
    "post_id": "post-123",
    "platform": "instagram",
    "jurisdiction": "US",
    "brand": "GlowLab",
    "connection_type": "paid",
    "verdict": "non_compliant",
    "reasons": ["NO_DISCLOSURE"],
    "suggested_fix": _RESULT_EXAMPLE["suggested_fix"],
    "review_status": "pending",
    "decision": None,
    "final_verdict": "non_compliant",
    "decided_by": None,
    "decided_at": None,
    "decision_reason": None,
    "assignee": "user:rob@acme.example",
    "assigned_at": "2026-11-23T09:35:00Z",
    "creator_id": None,
    "result": _RESULT_EXAMPLE,
    "post": None,
    "audit": None,
}


class BatchCheckRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"posts": [EXAMPLE_POST]}]})

    posts: list[PostIn] = Field(
        min_length=1, max_length=MAX_BATCH_POSTS, json_schema_extra={"examples": [[EXAMPLE_POST]]}
    )


class AuditEventRead(BaseModel):
    """One entry of the audit trail: who did what to which object, and what changed
    (``field: [before, after]``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_AUDIT_EXAMPLE]})

    id: int
    actor: str
    action: str
    subject_type: str
    subject_id: int
    changes: dict[str, Any]
    reason: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, event: AuditEvent) -> AuditEventRead:
        return cls.model_validate(event, from_attributes=True)


class ComplianceCheckRead(BaseModel):
    """A stored check: the post's facts, the checker's verdict, codes and suggested fix, and
    the review state (decision, reviewer, assignee)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CHECK_EXAMPLE]})

    check_id: int
    checked_at: datetime
    checked_by: str
    post_id: str | None = Field(default=None, description="the post's own id, if it had one")
    platform: str
    jurisdiction: str
    brand: str | None = Field(default=None, description="the material connection's brand")
    connection_type: str | None = Field(default=None, description="the material connection")
    verdict: VerdictName = Field(description="the checker's verdict")
    reasons: list[str] = Field(description="the checker's reason codes")
    suggested_fix: str | None = Field(default=None, description="the checker's rewrite")
    review_status: ReviewStatus
    decision: DecisionName | None = Field(
        default=None, description="the decision behind review_status, if a reviewer decided"
    )
    final_verdict: str
    decided_by: str | None = Field(default=None, description="the reviewer who decided")
    decided_at: datetime | None = None
    decision_reason: str | None = None
    assignee: str | None = Field(
        default=None, description="who works on it: user:<e-mail> or api-key:<prefix>"
    )
    assigned_at: datetime | None = None
    creator_id: int | None = Field(
        default=None, description="the creator the suggested fix was sent to"
    )
    result: dict[str, Any] = Field(
        description="id and other pass-through fields, verdict, reasons, findings (code, "
        "severity, message, evidence with offsets, source), language, assumptions, "
        "suggested_fix, sponsored_score"
    )
    post: dict[str, Any] | None = None
    audit: list[AuditEventRead] | None = None

    @classmethod
    def from_row(
        cls,
        check: ComplianceCheck,
        *,
        with_post: bool = False,
        audit: list[AuditEvent] | None = None,
    ) -> ComplianceCheckRead:
        connection = check.post.get("material_connection") or {}
        fix = check.result.get("suggested_fix")
        return cls(
            check_id=check.id,
            checked_at=check.created_at,
            checked_by=check.checked_by,
            post_id=check.external_id,
            platform=check.platform,
            jurisdiction=check.jurisdiction,
            brand=connection.get("brand") or None,
            connection_type=connection.get("type") or None,
            verdict=check.verdict,
            reasons=list(check.reasons),
            suggested_fix=str(fix) if fix else None,
            review_status=check.review_status,
            decision=DECISION_OF_STATUS.get(check.review_status),
            final_verdict=check.final_verdict,
            decided_by=check.decided_by,
            decided_at=check.decided_at,
            decision_reason=check.decision_reason,
            assignee=check.assignee,
            assigned_at=check.assigned_at,
            creator_id=check.creator_id,
            result=check.result,
            post=check.post if with_post else None,
            audit=[AuditEventRead.from_row(e) for e in audit] if audit is not None else None,
        )


class BatchCheckResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [_CHECK_EXAMPLE]}]})

    results: list[ComplianceCheckRead]


# Only an override sets a verdict; clear and override need a reason (some text besides
# spaces). Whether confirm_violation needs one depends on the check: a 409 when it does and
# none is given (compliance_reviews.service.CheckStateError).
_DECISION_RULES: list[JsonValue] = [
    {
        "properties": {
            "decision": {"enum": ["confirm_violation", "approve", "reject"]},
            "verdict": {"type": "null"},
        }
    },
    {
        "properties": {
            "decision": {"const": "clear"},
            "verdict": {"type": "null"},
            "reason": {"type": "string", "pattern": LINES_NOT_BLANK},
        },
        "required": ["reason"],
    },
    {
        "properties": {
            "decision": {"const": "override"},
            "verdict": {"type": "string"},
            "reason": {"type": "string", "pattern": LINES_NOT_BLANK},
        },
        "required": ["verdict", "reason"],
    },
]


class DecisionCreate(RequestModel):
    """A reviewer's decision, named for what it does. A decision that changes the verdict
    needs a written reason: always ``clear`` and ``override`` (which also needs the new
    ``verdict``), and ``confirm_violation`` of a check that needed review or that an earlier
    decision cleared."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": _DECISION_RULES,
            "examples": [
                {"decision": "confirm_violation", "reason": "No label anywhere."},
                {
                    "decision": "clear",
                    "reason": "Disclosure is burned into the image; checked the asset.",
                },
                {
                    "decision": "override",
                    "verdict": "needs_review",
                    "reason": "Label is on screen only; asking legal.",
                },
            ],
        },
    )

    decision: DecisionName = Field(description=_DECISION_HELP)
    verdict: VerdictName | None = Field(default=None, description="override only")
    reason: MultilineStr | None = Field(default=None, max_length=MAX_REASON)


class CheckFilterIn(RequestModel):
    """Which checks a bulk change applies to: every check matching all the fields given (at
    most 500). ``review_status`` defaults to ``pending``: the queue."""

    model_config = ConfigDict(extra="forbid")

    verdict: VerdictName | None = Field(
        default=None, description="the checker's or the final verdict"
    )
    review_status: ReviewStatus | None = "pending"
    code: str | None = Field(
        default=None,
        max_length=60,
        description="a reason code, e.g. BURIED_IN_HASHTAGS",
        json_schema_extra={"enum": [*CODES, None]},
    )
    jurisdiction: JurisdictionName | None = None
    platform: str | None = Field(
        default=None, max_length=20, json_schema_extra={"enum": [*PLATFORMS, None]}
    )
    assignee: str | None = Field(
        default=None,
        max_length=200,
        description="me, none (unassigned), user:<e-mail> or api-key:<prefix>",
        json_schema_extra={"pattern": ASSIGNEE_PATTERN},
    )
    since: Timestamp | None = None
    until: Timestamp | None = None


# A bulk change names its checks one way: check_ids or a filter (null is left out).
_ONE_SELECTION: list[JsonValue] = [
    {
        "required": ["check_ids"],
        "properties": {"check_ids": {"type": "array"}, "filter": {"type": "null"}},
    },
    {
        "required": ["filter"],
        "properties": {"filter": {"type": "object"}, "check_ids": {"type": "null"}},
    },
]


class BulkDecisionCreate(DecisionCreate):
    """One decision and reason for many checks: ``check_ids`` or every check matching
    ``filter`` (at most 500). All of them are decided, or none (a 404 for a check that is
    not yours, a 422 for one the decision does not fit). Each is audited."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [{"anyOf": _DECISION_RULES}, {"anyOf": _ONE_SELECTION}],
            "examples": [
                {
                    "decision": "clear",
                    "reason": "Platform label and spoken disclosure checked on each video.",
                    "check_ids": [2],
                },
                {
                    "decision": "confirm_violation",
                    "filter": {"verdict": "non_compliant", "code": "NO_DISCLOSURE"},
                },
            ],
        },
    )

    check_ids: list[Id] | None = Field(default=None, min_length=1, max_length=MAX_BULK)
    filter: CheckFilterIn | None = None


class AssigneeUpdate(RequestModel):
    """Who works on a check: ``me`` (the caller), ``user:<e-mail>`` of a reviewer or admin of
    the organisation, ``api-key:<prefix>`` of a key with the compliance scope, or null (or
    ``none``) to unassign."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"assignee": "me"}]})

    assignee: str | None = Field(max_length=200, json_schema_extra={"pattern": ASSIGNEE_PATTERN})


class BulkAssignmentCreate(AssigneeUpdate):
    """Assign ``check_ids`` or every check matching ``filter`` (at most 500); all or none."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": _ONE_SELECTION,
            "examples": [
                {"assignee": "me", "check_ids": [2]},
                {"assignee": "user:rob@acme.example", "filter": {"jurisdiction": "UK"}},
            ],
        },
    )

    check_ids: list[Id] | None = Field(default=None, min_length=1, max_length=MAX_BULK)
    filter: CheckFilterIn | None = None


class BulkResultRead(BaseModel):
    """What a bulk change did: how many checks, and each of them as it is now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count": 1,
                    "items": [
                        {
                            **_CHECK_EXAMPLE,
                            "review_status": "cleared",
                            "decision": "clear",
                            "final_verdict": "compliant",
                            "decided_by": "api-key:5c509cea3f",
                            "decided_at": "2026-11-23T09:40:00Z",
                            "decision_reason": "Platform label and spoken disclosure checked.",
                        }
                    ],
                }
            ]
        }
    )

    count: int
    items: list[ComplianceCheckRead]


class FixSendCreate(RequestModel):
    """Whom to send the check's suggested fix to: a creator of the organisation by id or by
    e-mail address. Leave both out to use the creator the check is linked to (the one a fix
    was sent to before)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"creator_id": 42}, {"creator_email": "maya@example.com"}]},
    )

    creator_id: Id | None = None
    creator_email: str | None = Field(default=None, max_length=320)


_FIX_TEXT = (
    "Hi Maya,\n\nThank you for your Instagram post for GlowLab (post-123). We check every "
    "sponsored post against the advertising rules of the United States, and this one needs a "
    "change so that your audience can tell it is an ad:\n\n- A material connection must be "
    "disclosed. The post has a material connection (paid) but no disclosure label.\n\n..."
)


class FixPreviewRead(BaseModel):
    """The fix e-mail as it would be sent (nothing is stored), with the gate's verdict."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "check_id": 2,
                    "creator_id": 42,
                    "to_email": "maya@plantglow.example",
                    "subject": "Please update the ad disclosure on your Instagram post for GlowLab",
                    "text": _FIX_TEXT,
                    "html": '<!DOCTYPE html>\n<html lang="en">...</html>',
                    "gate": {
                        "kind": "email",
                        "allowed": True,
                        "verdict": "compliant",
                        "findings": [],
                    },
                    "dry_run": True,
                }
            ]
        }
    )

    check_id: int
    creator_id: int
    to_email: str
    subject: str
    text: str
    html: str
    gate: dict[str, Any]
    dry_run: bool = Field(description="true: sending only writes it to the outbox")


class FixSentRead(BaseModel):
    """The fix written to the outbox (``dry_run`` unless sending is on, then ``queued`` for
    the next run) and the check, now linked to the creator."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    "message": {
                        "id": 12,
                        "kind": "compliance_fix",
                        "entry_id": None,
                        "step": 0,
                        "creator_id": 42,
                        "compliance_check_id": 2,
                        "to_email": "maya@plantglow.example",
                        "subject": "Please update the ad disclosure on your Instagram post for "
                        "GlowLab",
                        "message_id": "<0f6c1d2e9b8a4c7d@verdant.example>",
                        "status": "dry_run",
                        "attempts": 1,
                        "error": None,
                        "created_at": "2026-11-23T09:45:00Z",
                        "sent_at": "2026-11-23T09:45:00Z",
                    },
                    "check": {**_CHECK_EXAMPLE, "creator_id": 42},
                }
            ]
        }
    )

    dry_run: bool
    message: OutboxMessageRead
    check: ComplianceCheckRead
