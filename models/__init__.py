"""The SQLAlchemy 2.0 ORM models: every table of creatormatch, on one declarative ``Base``.

Later capabilities add their own modules here; import them below so that ``Base.metadata``
(and so Alembic) sees every table.
"""

from models.base import Base, utcnow
from models.campaign import OBJECTIVES, Brand, Campaign
from models.compliance import REVIEW_STATUSES, VERDICT_PRIORITY, AuditEvent, ComplianceCheck
from models.creator import Creator
from models.embedding import CreatorEmbedding, EmbeddingQueueItem
from models.organization import SCOPES, ApiKey, Organization
from models.outreach import (
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

__all__ = [
    "MESSAGE_STATUSES",
    "OBJECTIVES",
    "REVIEW_STATUSES",
    "SCOPES",
    "STAGES",
    "VERDICT_PRIORITY",
    "ApiKey",
    "AuditEvent",
    "Base",
    "Brand",
    "Campaign",
    "ComplianceCheck",
    "Creator",
    "CreatorEmbedding",
    "Draft",
    "EmbeddingQueueItem",
    "OptOut",
    "Organization",
    "OutboxMessage",
    "PipelineEntry",
    "SenderProfile",
    "SequenceConfig",
    "TemplateOverride",
    "utcnow",
]
