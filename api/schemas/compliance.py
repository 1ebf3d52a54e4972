"""Compliance schemas: posts in, stored checks with their review state out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import RequestModel
from core.text import MULTILINE, MultilineStr
from models import AuditEvent, ComplianceCheck

__all__ = [
    "AuditEventRead",
    "BatchCheckRequest",
    "BatchCheckResponse",
    "ComplianceCheckRead",
    "DecisionCreate",
    "PostIn",
]

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


class PostIn(RequestModel):
    """One post, as docs/compliance.md section "input" describes it. Extra fields (such as
    ``id``) are passed through to the result."""

    model_config = ConfigDict(
        extra="allow", strict=True, json_schema_extra={"examples": [EXAMPLE_POST]}
    )

    caption: MultilineStr
    transcript: MultilineStr | None = None
    platform: str
    media: str
    material_connection: dict[str, Any]
    platform_label: bool = False
    jurisdiction: str


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
    "review_status": "pending",
    "final_verdict": "non_compliant",
    "decided_by": None,
    "decided_at": None,
    "decision_reason": None,
    "result": _RESULT_EXAMPLE,
    "post": None,
    "audit": None,
}


class BatchCheckRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"posts": [EXAMPLE_POST]}]})

    # Each post is read by compliance.types.Post, which holds its id and brand to one line.
    posts: Annotated[list[dict[str, Any]], MULTILINE] = Field(
        min_length=1, max_length=1000, json_schema_extra={"examples": [[EXAMPLE_POST]]}
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
    """A stored check: the checker's result plus the review state."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CHECK_EXAMPLE]})

    check_id: int
    checked_at: datetime
    checked_by: str
    review_status: Literal["pending", "not_required", "approved", "rejected", "overridden"]
    final_verdict: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
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
        return cls(
            check_id=check.id,
            checked_at=check.created_at,
            checked_by=check.checked_by,
            review_status=check.review_status,
            final_verdict=check.final_verdict,
            decided_by=check.decided_by,
            decided_at=check.decided_at,
            decision_reason=check.decision_reason,
            result=check.result,
            post=check.post if with_post else None,
            audit=[AuditEventRead.from_row(e) for e in audit] if audit is not None else None,
        )


class BatchCheckResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [_CHECK_EXAMPLE]}]})

    results: list[ComplianceCheckRead]


class DecisionCreate(RequestModel):
    """A reviewer's decision. ``override`` replaces the verdict and needs a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve"},
                {
                    "decision": "override",
                    "verdict": "compliant",
                    "reason": "Disclosure is burned into the image; checked the asset.",
                },
            ]
        },
    )

    decision: Literal["approve", "reject", "override"]
    verdict: Literal["compliant", "needs_review", "non_compliant"] | None = None
    reason: MultilineStr | None = Field(default=None, max_length=5000)
