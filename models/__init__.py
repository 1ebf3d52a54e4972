"""The SQLAlchemy 2.0 ORM models: every table of creatormatch, on one declarative ``Base``.

Later capabilities add their own modules here; import them below so that ``Base.metadata``
(and so Alembic) sees every table.
"""

from models.base import Base, utcnow
from models.campaign import OBJECTIVES, Brand, Campaign
from models.creator import Creator
from models.organization import SCOPES, ApiKey, Organization

__all__ = [
    "OBJECTIVES",
    "SCOPES",
    "ApiKey",
    "Base",
    "Brand",
    "Campaign",
    "Creator",
    "Organization",
    "utcnow",
]
