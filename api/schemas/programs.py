"""Ambassador-program request and response schemas."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from api.schemas.common import (
    MAX_ID,
    Count,
    Day,
    Fee,
    Id,
    Money,
    Percent,
    RequestModel,
    Timestamp,
)
from core.text import MultilineStr
from creators.record import Platform
from models import Conversion, Deliverable, Program, ProgramNotice, ProgramReport

__all__ = [
    "CadenceIn",
    "ConversionIn",
    "ConversionRead",
    "DeliverableRead",
    "MetricsIn",
    "NoticeRead",
    "ProgramCreate",
    "ProgramRead",
    "ProgramRenew",
    "ProgramStatusIn",
    "ReportRead",
    "SubmissionIn",
    "ToDateRead",
]

# A post's counts by name: whole numbers, not booleans or text.
Metrics = Annotated[dict[str, Count], Field(max_length=20)]

# The IANA time zones this machine knows (its tz database), but the machine's own and the
# placeholders of the database.
TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory", "posixrules"})


def _known_zone(name: str) -> str:
    if name not in TIME_ZONES:
        raise ValueError("not an IANA time zone (e.g. Europe/Berlin)")
    return name


TimeZone = Annotated[
    str, AfterValidator(_known_zone), WithJsonSchema({"type": "string", "enum": TIME_ZONES})
]

_CREATED_AT = "2026-11-23T09:30:00Z"
_CADENCE_EXAMPLE: list[dict[str, Any]] = [
    {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
    {"platform": "instagram", "kind": "story", "count": 4, "per": "month"},
    {"platform": "youtube", "kind": "video", "count": 1, "per": "quarter"},
]
_PROGRAM_EXAMPLE: dict[str, Any] = {
    "id": 4,
    "name": "Verdant ambassadors 2027",
    "creator_id": 42,
    "brand_id": 3,
    "campaign_id": None,
    "contract_draft_id": None,
    "starts_on": "2027-01-01",
    "months": 12,
    "timezone": "America/New_York",
    "cadence": _CADENCE_EXAMPLE,
    "compensation": {
        "monthly_retainer": "1500.00",
        "per_deliverable": "0.00",
        "commission_pct": "10.00",
    },
    "currency": "USD",
    "discount_code": "MAYA10",
    "utm_tag": None,
    "jurisdiction": "US",
    "reminder_days": 3,
    "status": "active",
    "renewed_to_id": None,
    "ends_at": "2028-01-01T05:00:00Z",
    "next_report_at": "2027-02-01T05:00:00Z",
    "reports_done": 0,
    "created_at": _CREATED_AT,
}
_COMPLIANCE_RESULT = {
    "verdict": "compliant",
    "reasons": [],
    "findings": [],
    "language": "en",
    "assumptions": ["fold taken as the first 125 characters"],
    "suggested_fix": None,
    "sponsored_score": 0.92,
}
_DELIVERABLE_EXAMPLE: dict[str, Any] = {
    "id": 31,
    "program_id": 4,
    "sequence": 1,
    "platform": "instagram",
    "kind": "feed post",
    "due_on": "2027-01-16",
    "due_at": "2027-01-17T04:59:59Z",
    "status": "submitted",
    "submitted_at": "2027-01-15T18:00:00Z",
    "on_time": True,
    "post_url": "https://www.instagram.com/p/abc",
    "caption": "#ad My morning routine with @verdant SPF",
    "media": "image",
    "metrics": {"likes": 1200, "comments": 40, "shares": 12, "saves": 30},
    "compliance_verdict": "compliant",
    "compliance_result": _COMPLIANCE_RESULT,
    "last_checked_at": "2027-01-15T18:00:00Z",
}
_FIGURES_EXAMPLE: dict[str, Any] = {
    "deliverables_due": 6,
    "delivered": 6,
    "delivered_on_time": 5,
    "delivered_late": 1,
    "missing": 0,
    "on_time_rate": 0.8333,
    "compliance_checked": 6,
    "compliance_passed": 6,
    "compliance_pass_rate": 1.0,
    "engagements": 8450,
    "views": 61000,
    "cost": "1500.00",
    "cost_breakdown": {"retainer": "1500.00", "per_deliverable": "0.00", "commission": "0.00"},
    "cost_per_engagement": "0.1775",
    "conversions": 38,
    "revenue": "1824.00",
    "roi": "0.2160",
    "roi_formula": "ROI = (attributed revenue - cost) / cost",
    "currency": "USD",
}


class CadenceIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    kind: str = Field(min_length=1, max_length=40, examples=["feed post"])
    count: int = Field(ge=1, le=31)
    per: Literal["week", "month", "quarter"]


class ProgramCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Verdant ambassadors 2027",
                    "creator_id": 42,
                    "brand_id": 3,
                    "starts_on": "2027-01-01",
                    "months": 12,
                    "timezone": "America/New_York",
                    "cadence": [
                        {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
                        {"platform": "instagram", "kind": "story", "count": 4, "per": "month"},
                        {"platform": "youtube", "kind": "video", "count": 1, "per": "quarter"},
                    ],
                    "monthly_retainer": "1500.00",
                    "per_deliverable": "0",
                    "commission_pct": "10",
                    "discount_code": "MAYA10",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    creator_id: Id
    brand_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    contract_draft_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The ambassador contract drafted by outreach"
    )
    starts_on: Day
    months: int = Field(default=12, ge=1, le=60)
    timezone: TimeZone = Field(default="UTC", description="IANA, e.g. Europe/Berlin")
    cadence: list[CadenceIn] = Field(min_length=1, max_length=20)
    monthly_retainer: Fee = Decimal(0)
    per_deliverable: Fee = Decimal(0)
    commission_pct: Percent = Decimal(0)
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    discount_code: str | None = Field(default=None, min_length=2, max_length=100)
    utm_tag: str | None = Field(default=None, min_length=2, max_length=200)
    jurisdiction: Literal["US", "UK", "CA", "EU"] = "US"
    reminder_days: int = Field(default=3, ge=0, le=30)
    recheck_days: int = Field(default=7, ge=1, le=90)


class ProgramRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PROGRAM_EXAMPLE]})

    id: int
    name: str
    creator_id: int
    brand_id: int | None
    campaign_id: int | None
    contract_draft_id: int | None
    starts_on: date
    months: int
    timezone: str
    cadence: list[dict[str, Any]]
    compensation: dict[str, Any]
    currency: str
    discount_code: str | None
    utm_tag: str | None
    jurisdiction: str
    reminder_days: int
    status: str
    renewed_to_id: int | None
    ends_at: datetime
    next_report_at: datetime | None
    reports_done: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Program) -> ProgramRead:
        return cls.model_validate(row, from_attributes=True)


class ProgramStatusIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "paused"}]}
    )

    status: Literal["active", "paused"]


class ProgramRenew(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"months": 6}]})

    months: int | None = Field(default=None, ge=1, le=60)


class DeliverableRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DELIVERABLE_EXAMPLE]})

    id: int
    program_id: int
    sequence: int
    platform: str
    kind: str
    due_on: date
    due_at: datetime
    status: str
    submitted_at: datetime | None
    on_time: bool | None
    post_url: str | None
    caption: str | None
    media: str | None
    metrics: dict[str, Any]
    compliance_verdict: str | None
    compliance_result: dict[str, Any] | None
    last_checked_at: datetime | None

    @classmethod
    def from_row(cls, row: Deliverable) -> DeliverableRead:
        return cls.model_validate(row, from_attributes=True)


class SubmissionIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "post_url": "https://www.instagram.com/p/abc",
                    "caption": "#ad My morning routine with @verdant SPF",
                    "media": "image",
                    "metrics": {"likes": 1200, "comments": 40, "shares": 12, "saves": 30},
                }
            ]
        },
    )

    post_url: str | None = Field(default=None, max_length=1000)
    caption: MultilineStr = Field(max_length=10_000)
    transcript: MultilineStr | None = Field(default=None, max_length=100_000)
    platform: Platform | None = None
    media: Literal["image", "carousel", "text", "story", "video", "reel", "live", "audio"] = "image"
    metrics: Metrics | None = None
    submitted_at: Timestamp | None = Field(default=None, description="Default: now")


class MetricsIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"metrics": {"likes": 1850, "comments": 61, "views": 24000}}]
        },
    )

    metrics: Metrics = Field(
        description='{"likes", "comments", "shares", "saves", "views", "clicks"}; merged'
    )


class NoticeRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "program_id": 4,
                    "deliverable_id": 32,
                    "event": "program.deliverable_due",
                    "payload": {"program_id": 4, "due_on": "2027-01-31", "kind": "story"},
                    "email_status": "sent",
                    "email_to": "maya@plantglow.example",
                    "email_subject": "Reminder: your story for Verdant is due on 31 January",
                    "created_at": "2027-01-28T14:00:00Z",
                }
            ]
        }
    )

    id: int
    program_id: int
    deliverable_id: int | None
    event: str
    payload: dict[str, Any]
    email_status: str
    email_to: str | None
    email_subject: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: ProgramNotice) -> NoticeRead:
        return cls.model_validate(row, from_attributes=True)


class ReportRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "month": 1,
                    "period_start": "2027-01-01T05:00:00Z",
                    "period_end": "2027-02-01T05:00:00Z",
                    "figures": _FIGURES_EXAMPLE,
                }
            ]
        }
    )

    month: int
    period_start: datetime
    period_end: datetime
    figures: dict[str, Any]

    @classmethod
    def from_row(cls, row: ProgramReport) -> ReportRead:
        return cls.model_validate(row, from_attributes=True)


class ConversionIn(RequestModel):
    """A sale, attributed by ``discount_code`` or ``utm_tag`` (one of them, not empty)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                for name in ("discount_code", "utm_tag")
            ],
            "examples": [{"discount_code": "MAYA10", "order_id": "A-1001", "revenue": "48.00"}],
        },
    )

    order_id: str = Field(min_length=1, max_length=200)
    discount_code: str | None = Field(default=None, max_length=100)
    utm_tag: str | None = Field(default=None, max_length=200)
    revenue: Money
    currency: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    occurred_at: Timestamp | None = None


class ToDateRead(BaseModel):
    """A program's figures from its start until now (or its end)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "period_start": "2027-01-01T05:00:00Z",
                    "period_end": "2027-02-14T12:00:00Z",
                    **_FIGURES_EXAMPLE,
                }
            ]
        },
    )

    period_start: datetime
    period_end: datetime


class ConversionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 88,
                    "program_id": 4,
                    "order_id": "A-1001",
                    "discount_code": "MAYA10",
                    "utm_tag": None,
                    "revenue": "48.00",
                    "currency": "USD",
                    "occurred_at": "2027-01-20T16:42:00Z",
                }
            ]
        }
    )

    id: int
    program_id: int
    order_id: str
    discount_code: str | None
    utm_tag: str | None
    revenue: Decimal
    currency: str
    occurred_at: datetime

    @classmethod
    def from_row(cls, row: Conversion) -> ConversionRead:
        return cls.model_validate(row, from_attributes=True)
