"""Compliance schemas: posts in, stored checks with their review state out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class PostIn(BaseModel):
    """One post, as docs/compliance.md section "input" describes it. Extra fields (such as
    ``id``) are passed through to the result."""

    model_config = ConfigDict(
        extra="allow", strict=True, json_schema_extra={"examples": [EXAMPLE_POST]}
    )

    caption: str
    transcript: str | None = None
    platform: str
    media: str
    material_connection: dict[str, Any]
    platform_label: bool = False
    jurisdiction: str


class BatchCheckRequest(BaseModel):
    posts: list[dict[str, Any]] = Field(
        min_length=1, max_length=1000, json_schema_extra={"examples": [[EXAMPLE_POST]]}
    )


class AuditEventRead(BaseModel):
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
    results: list[ComplianceCheckRead]


class DecisionCreate(BaseModel):
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
    reason: str | None = Field(default=None, max_length=5000)
