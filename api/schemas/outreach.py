"""Outreach request and response schemas."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from api.schemas.common import Fee, Id, RequestModel
from core.patterns import EMAIL, TEXT_BLOCK, TEXT_LINE
from core.text import MultilineStr
from models import Draft, OutboxMessage, PipelineEntry, SenderProfile
from outreach.environment import TEMPLATE_NAMES

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
    "TemplateListRead",
    "TemplateName",
    "TemplateOverrideIn",
    "TemplatePreviewRead",
]

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


def _known_template(name: str) -> str:
    if name not in TEMPLATE_NAMES:
        raise ValueError(f"unknown template; expected one of: {', '.join(TEMPLATE_NAMES)}")
    return name


# A built-in template's name (the list is outreach.environment.TEMPLATE_NAMES).
TemplateName = Annotated[
    str,
    AfterValidator(_known_template),
    WithJsonSchema({"type": "string", "enum": list(TEMPLATE_NAMES)}),
    Path(description="A built-in template, e.g. `email_intro.txt.j2`"),
]


_SENDER_EXAMPLE: dict[str, Any] = {
    "sender_name": "Maya Chen",
    "company": "Verdant Skin Inc.",
    "from_email": "maya@verdant.example",
    "reply_to": "partners@verdant.example",
    "postal_address": "120 Hudson Street, Suite 4\nNew York, NY 10013\nUSA",
    "jurisdiction": "US",
}
_CREATED_AT = "2026-11-23T09:30:00Z"
_REASONS = [
    "fits the brief: relevance 0.95 of the best match (content similarity 0.56)",
    "about 42.5% of the audience is women 25-34",
]
_ENTRY_EXAMPLE: dict[str, Any] = {
    "id": 5,
    "campaign_id": 7,
    "creator_id": 42,
    "stage": "contacted",
    "next_step": 1,
    "next_send_at": "2026-11-26T09:30:00Z",
    "stopped_reason": None,
    "reasons": _REASONS,
    "notes": None,
    "stage_changed_at": _CREATED_AT,
}
_MESSAGE_EXAMPLE: dict[str, Any] = {
    "id": 9,
    "kind": "sequence",
    "entry_id": 5,
    "step": 0,
    "creator_id": 42,
    "compliance_check_id": None,
    "to_email": "maya@plantglow.example",
    "subject": "Verdant x Maya: a paid Instagram collaboration for the SPF launch",
    "message_id": "<18055594884449c390943b4fb62386bf@verdant.example>",
    "status": "sent",
    "attempts": 1,
    "error": None,
    "created_at": _CREATED_AT,
    "sent_at": "2026-11-23T09:30:02Z",
}


class SenderProfileIn(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_SENDER_EXAMPLE]})

    sender_name: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=200)
    from_email: str = Field(pattern=EMAIL, max_length=320)
    reply_to: str = Field(pattern=EMAIL, max_length=320)
    postal_address: MultilineStr = Field(
        min_length=10, max_length=1000, description="CAN-SPAM: a valid physical postal address"
    )
    jurisdiction: Literal["US", "UK", "CA", "EU"] = "US"


class SenderProfileRead(SenderProfileIn):
    # Our own data going out (FastAPI validates it again): a profile stored before the
    # control-character check still reads.
    _check_text: ClassVar[bool] = False
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_SENDER_EXAMPLE, "modified_at": _CREATED_AT}]}
    )

    modified_at: datetime

    @classmethod
    def from_row(cls, row: SenderProfile) -> SenderProfileRead:
        return cls.model_validate(row, from_attributes=True)


class TemplateItemRead(BaseModel):
    name: str
    overridden: bool
    source: str | None = Field(description="The organisation's override, if any")


class TemplateListRead(BaseModel):
    """Every template by name, and the organisation's override of it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"name": "email_intro.txt.j2", "overridden": False, "source": None},
                        {
                            "name": "brief.md.j2",
                            "overridden": True,
                            "source": "# Brief for {{ creator_handle }}\n...",
                        },
                    ]
                }
            ]
        }
    )

    items: list[TemplateItemRead]


class TemplateOverrideIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "Hi {{ creator_name }},\n\n{{ brand_name }} would love to "
                    "work with you.\n"
                }
            ]
        },
    )

    source: MultilineStr = Field(min_length=1, max_length=200_000)


class TemplatePreviewRead(BaseModel):
    """A template override rendered against sample data, with the compliance gate's
    verdict on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "email_intro.txt.j2",
                    "output": "Hi Maya,\n\nVerdant would love to work with you.\n",
                    "gate": {
                        "kind": "email",
                        "allowed": False,
                        "verdict": "non_compliant",
                        "findings": [
                            {
                                "code": "EMAIL_MISSING_UNSUBSCRIBE",
                                "severity": "hard",
                                "message": "The text part lacks the unsubscribe link (CAN-SPAM).",
                                "line": None,
                                "part": "text",
                                "jurisdictions": [],
                            }
                        ],
                    },
                    "stored": False,
                }
            ]
        }
    )

    name: str
    output: str
    gate: dict[str, Any]
    stored: bool


def _matches(pattern: str, message: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


# Text that goes into a document as outreach.contexts checks it (so that what fails there is
# stored data, a 409): a line (no line breaks, no tabs) of up to 500 characters, or a block (an
# address) of up to 5,000 that may have tabs and line breaks; not blank, no control
# characters, no DEL. The document's pattern is the one checked.
TextLine = Annotated[
    str,
    Field(max_length=500, json_schema_extra={"pattern": TEXT_LINE}),
    _matches(TEXT_LINE, "one line of text, not blank, without tabs or control characters"),
]
TextBlock = Annotated[
    MultilineStr,
    Field(max_length=5000, json_schema_extra={"pattern": TEXT_BLOCK}),
    _matches(TEXT_BLOCK, "text, not blank, without control characters but tabs and line breaks"),
]
Lines = Annotated[list[TextLine], Field(max_length=50)]
SomeLines = Annotated[list[TextLine], Field(min_length=1, max_length=50)]


class PartyIn(RequestModel):
    """A party of a contract; what is left out comes from the campaign and sender."""

    model_config = ConfigDict(extra="forbid")

    legal_name: TextLine | None = None
    address: TextBlock | None = None
    signatory_name: TextLine | None = None
    signatory_title: TextLine | None = None


class DraftExtra(RequestModel):
    """What the database cannot know; each field left out gets a default a recruiter edits
    (docs/outreach.md)."""

    model_config = ConfigDict(extra="forbid")

    key_messages: SomeLines | None = None
    dos: SomeLines | None = None
    donts: SomeLines | None = None
    approval_process: SomeLines | None = None
    reporting_requirements: SomeLines | None = None
    hashtags: Lines | None = None
    reasons: Lines | None = None
    gifted_products: Lines | None = None
    creator_party: PartyIn | None = None
    brand_party: PartyIn | None = None
    governing_law: TextLine | None = None
    venue: TextLine | None = None
    niche: TextLine | None = None
    gift_value: Fee | None = None

    def given(self) -> dict[str, Any]:
        """The fields given (null means left out), in the shapes outreach.drafting reads."""
        given = self.model_dump(exclude_none=True)
        if self.gift_value is not None:
            given["gift_value"] = str(self.gift_value)
        return given


class DraftCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"campaign_id": 7, "creator_id": 42, "kind": "contract_ambassador"}]
        },
    )

    campaign_id: Id
    creator_id: Id
    kind: DraftKind
    reasons: Lines | None = Field(
        default=None, description="Why the creator fits; default: the matcher's reasons"
    )
    extra: DraftExtra = Field(default_factory=DraftExtra)


class DraftRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "campaign_id": 7,
                    "creator_id": 42,
                    "kind": "email_intro",
                    "subject": "Verdant x Maya: a paid Instagram collaboration for the SPF launch",
                    "allowed": True,
                    "findings": [],
                    "markdown": "Hi Maya,\n\nI'm Maya Chen from Verdant Skin Inc. ...",
                    "created_at": _CREATED_AT,
                }
            ]
        }
    )

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


class PipelineAdd(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"creator_ids": [42, 43]}]}
    )

    creator_ids: list[Id] = Field(min_length=1, max_length=1000)


class PipelineEntryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ENTRY_EXAMPLE]})

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


class PipelineEntryUpdate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"stage": "replied", "note": "via HubSpot"}]},
    )

    stage: Stage
    note: MultilineStr | None = Field(default=None, max_length=2000)


class SequenceIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"followup_days": [3, 7]}]}
    )

    followup_days: list[Annotated[int, Field(ge=1, le=90)]] = Field(
        default_factory=lambda: [3, 7], min_length=2, max_length=2
    )
    active: StrictBool = True


class SequenceRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"campaign_id": 7, "followup_days": [3, 7], "active": True}]
        }
    )

    campaign_id: int
    followup_days: list[int]
    active: bool


class SequenceStart(RequestModel):
    """Which pipeline entries to start (default: all the campaign's prospects)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"entry_ids": [5]}]})

    entry_ids: list[Id] | None = Field(default=None, max_length=1000)


class RunSummaryRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sent": 3,
                    "dry_run": 0,
                    "deferred_rate_limit": 0,
                    "retry_later": 1,
                    "failed": 0,
                    "stopped": 1,
                    "errors": ["entry 8: SMTP 451 try again later"],
                }
            ]
        }
    )

    sent: int
    dry_run: int
    deferred_rate_limit: int
    retry_later: int
    failed: int
    stopped: int
    errors: list[str]


class OutboxMessageRead(BaseModel):
    """One e-mail of the outbox. ``kind`` is ``sequence`` (a step of a campaign's sequence:
    ``entry_id`` and ``step`` say which) or ``compliance_fix`` (a reviewer's one-off e-mail
    with a compliance check's suggested fix: ``compliance_check_id``; no pipeline entry)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MESSAGE_EXAMPLE]})

    id: int
    kind: Literal["sequence", "compliance_fix"]
    entry_id: int | None
    step: int
    creator_id: int | None
    compliance_check_id: int | None
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


class BounceIn(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "message_id": "<18055594884449c390943b4fb62386bf@verdant.example>",
                    "reason": "550 5.1.1 mailbox unavailable",
                }
            ]
        },
    )

    message_id: str = Field(min_length=3, max_length=200)
    reason: MultilineStr = Field(default="", max_length=1000)


class OptOutIn(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"creator_id": 42}]})

    creator_id: Id
