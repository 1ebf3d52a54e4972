"""The SQLAlchemy 2.0 ORM models: every table of creatormatch, on one declarative ``Base``.

Later capabilities add their own modules here; import them below so that ``Base.metadata``
(and so Alembic) sees every table.
"""

from models.base import Base, utcnow
from models.campaign import OBJECTIVES, Brand, Campaign
from models.compliance import (
    MAX_POST_ID,
    REVIEW_STATUSES,
    VERDICT_PRIORITY,
    AuditEvent,
    ComplianceCheck,
    reason_key_of,
)
from models.creator import Creator
from models.embedding import CreatorEmbedding, EmbeddingQueueItem
from models.idempotency import IdempotencyRecord
from models.organization import SCOPES, ApiKey, Organization
from models.outreach import (
    MESSAGE_KINDS,
    MESSAGE_STATUSES,
    STAGES,
    Draft,
    OptOut,
    OutboxMessage,
    PipelineEntry,
    SenderProfile,
    SequenceConfig,
    TemplateOverride,
)
from models.plan import CampaignPlan, TierMixOverride
from models.program import (
    DELIVERABLE_STATUSES,
    PROGRAM_STATUSES,
    Conversion,
    Deliverable,
    Program,
    ProgramNotice,
    ProgramReport,
)
from models.user import ROLES, User, WebSession
from models.webhook import (  # webhooks
    DELIVERY_STATUSES,
    EVENT_TYPES,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "DELIVERABLE_STATUSES",
    "DELIVERY_STATUSES",
    "EVENT_TYPES",
    "MAX_POST_ID",
    "MESSAGE_KINDS",
    "MESSAGE_STATUSES",
    "OBJECTIVES",
    "PROGRAM_STATUSES",
    "REVIEW_STATUSES",
    "ROLES",
    "SCOPES",
    "STAGES",
    "VERDICT_PRIORITY",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Brand",
    "Campaign",
    "CampaignPlan",
    "ComplianceCheck",
    "Conversion",
    "Creator",
    "CreatorEmbedding",
    "Deliverable",
    "Draft",
    "EmbeddingQueueItem",
    "IdempotencyRecord",
    "OptOut",
    "Organization",
    "OutboxMessage",
    "PipelineEntry",
    "Program",
    "ProgramNotice",
    "ProgramReport",
    "SenderProfile",
    "SequenceConfig",
    "TemplateOverride",
    "TierMixOverride",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "reason_key_of",
    "utcnow",
]
