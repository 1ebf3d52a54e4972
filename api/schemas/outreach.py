"""Outreach request and response schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models import Draft, OutboxMessage, PipelineEntry, SenderProfile

__all__ = [
    "BounceIn",
    "DraftCreate",
    "DraftRead",
    "OptOutIn",
    "OutboxMessageRead",
    "PipelineAdd",
    "PipelineEntryRead",
    "PipelineEntryUpdate",
    "RunSummaryRead",
    "SenderProfileIn",
    "SenderProfileRead",
    "SequenceIn",
    "SequenceRead",
    "SequenceStart",
    "TemplateOverrideIn",
    "TemplatePreviewRead",
]

_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DraftKind = Literal[
    "email_intro",
    "email_followup1",
    "email_followup2",
    "brief",
    "contract_sponsored_post",
    "contract_gifting",
    "contract_ambassador",
]
Stage = Literal[
    "prospect", "contacted", "replied", "negotiating", "contracted", "declined", "opted_out"
]


class SenderProfileIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "sender_name": "Maya Chen",
                    "company": "Verdant Skin Inc.",
                    "from_email": "maya@verdant.example",
                    "reply_to": "partners@verdant.example",
                    "postal_address": "120 Hudson Street, Suite 4\nNew York, NY 10013\nUSA",
                    "jurisdiction": "US",
                }
            ]
        },
    )

    sender_name: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=200)
    from_email: str = Field(pattern=_EMAIL, max_length=320)
    reply_to: str = Field(pattern=_EMAIL, max_length=320)
    postal_address: str = Field(
        min_length=10, max_length=1000, description="CAN-SPAM: a valid physical postal address"
    )
    jurisdiction: Literal["US", "UK", "CA", "EU"] = "US"


class SenderProfileRead(SenderProfileIn):
    modified_at: datetime

    @classmethod
    def from_row(cls, row: SenderProfile) -> SenderProfileRead:
        return cls.model_validate(row, from_attributes=True)


class TemplateOverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=200_000)


class TemplatePreviewRead(BaseModel):
    name: str
    output: str
    gate: dict[str, Any]
    stored: bool


class DraftCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"campaign_id": 7, "creator_id": 42, "kind": "contract_ambassador"}]
        },
    )

    campaign_id: int = Field(ge=1)
    creator_id: int = Field(ge=1)
    kind: DraftKind
    reasons: list[str] | None = Field(
        default=None, description="Why the creator fits; default: the matcher's reasons"
    )
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Fields the database cannot know: key_messages, dos, donts, hashtags, "
        "approval_process, reporting_requirements, creator_party {legal_name, address}, "
        "brand_party, governing_law, venue, gifted_products, gift_value, niche",
    )


class DraftRead(BaseModel):
    id: int
    campaign_id: int
    creator_id: int
    kind: str
    subject: str | None
    allowed: bool
    findings: list[dict[str, Any]]
    markdown: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Draft) -> DraftRead:
        return cls.model_validate(row, from_attributes=True)


class PipelineAdd(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"creator_ids": [42, 43]}]}
    )

    creator_ids: list[int] = Field(min_length=1, max_length=1000)


class PipelineEntryRead(BaseModel):
    id: int
    campaign_id: int
    creator_id: int
    stage: str
    next_step: int
    next_send_at: datetime | None
    stopped_reason: str | None
    reasons: list[str]
    notes: str | None
    stage_changed_at: datetime

    @classmethod
    def from_row(cls, row: PipelineEntry) -> PipelineEntryRead:
        return cls.model_validate(row, from_attributes=True)


class PipelineEntryUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"stage": "replied", "note": "via HubSpot"}]},
    )

    stage: Stage
    note: str | None = Field(default=None, max_length=2000)


class SequenceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"followup_days": [3, 7]}]}
    )

    followup_days: list[int] = Field(default_factory=lambda: [3, 7], min_length=2, max_length=2)
    active: bool = True


class SequenceRead(BaseModel):
    campaign_id: int
    followup_days: list[int]
    active: bool


class SequenceStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_ids: list[int] | None = None


class RunSummaryRead(BaseModel):
    sent: int
    dry_run: int
    deferred_rate_limit: int
    retry_later: int
    failed: int
    stopped: int
    errors: list[str]


class OutboxMessageRead(BaseModel):
    id: int
    entry_id: int
    step: int
    to_email: str
    subject: str
    message_id: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: OutboxMessage) -> OutboxMessageRead:
        return cls.model_validate(row, from_attributes=True)


class BounceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=3, max_length=200)
    reason: str = Field(default="", max_length=1000)


class OptOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    creator_id: int = Field(ge=1)
