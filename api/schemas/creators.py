"""Creator schemas: the creator record plus what the server adds (id, tier, timestamps)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from api.schemas.common import RequestModel
from core.tiers import Tier
from creators.record import CreatorRecord
from creators.service import record_from_row
from models import Creator

__all__ = ["CreatorCreate", "CreatorRead", "CreatorUpdate", "ImportResult"]

EXAMPLE_RECORD: dict[str, Any] = {
    "platform": "instagram",
    "handle": "lena.greenkitchen",
    "display_name": "Lena | Green Kitchen",
    "bio": "Plant-based recipes for busy weeknights. Berlin.",
    "country": "DE",
    "language": "de",
    "followers": 48200,
    "avg_likes": 2100,
    "avg_comments": 64,
    "categories": ["vegan", "food"],
    "audience": {
        "age": {"18-24": 0.22, "25-34": 0.46, "35-44": 0.2, "45-54": 0.08, "55+": 0.04},
        "gender": {"female": 0.78, "male": 0.2, "other": 0.02},
        "countries": {"DE": 0.71, "AT": 0.12, "CH": 0.08},
    },
    "rates": {"currency": "EUR", "post": 650, "story": 200},
}


class CreatorCreate(CreatorRecord):
    """A new creator: the creator record (docs/creator-record.md)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})


class CreatorUpdate(RequestModel):
    """A partial update: only the fields given change; the result is validated whole."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"followers": 51000, "country": "AT"}]}
    )


class CreatorRead(CreatorRecord):
    """A stored creator: the record plus its id, tier (from followers) and timestamps."""

    # Our own data going out (FastAPI validates it again): a row stored before the
    # control-character check still reads.
    _check_text: ClassVar[bool] = False

    id: int
    tier: Tier | None
    created_at: datetime
    modified_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "tier": "micro",
                    "created_at": "2026-11-01T09:00:00Z",
                    "modified_at": "2026-11-01T09:00:00Z",
                    **EXAMPLE_RECORD,
                }
            ]
        }
    )

    @classmethod
    def from_row(cls, creator: Creator) -> CreatorRead:
        record = record_from_row(creator)
        return cls.model_validate(
            {
                **record.model_dump(),
                "id": creator.id,
                "tier": creator.tier,
                "created_at": creator.created_at,
                "modified_at": creator.modified_at,
            }
        )


class ImportRowError(BaseModel):
    line: int | None
    field: str | None
    message: str


class ImportResult(BaseModel):
    """What an import did."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    written: bool
    errors: list[ImportRowError]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 120,
                    "updated": 3,
                    "unchanged": 0,
                    "rejected": 1,
                    "written": True,
                    "errors": [
                        {"line": 7, "field": "followers", "message": "Input should be >= 0"}
                    ],
                }
            ]
        }
    )
