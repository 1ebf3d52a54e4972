"""API key request and response schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import RequestModel
from models import ApiKey

__all__ = ["KeyCreate", "KeyCreated", "KeyRead", "KeyRotate", "KeyUpdate"]

Scope = Literal["read", "write", "compliance", "admin"]

_KEY_EXAMPLE: dict[str, Any] = {
    "id": 6,
    "name": "hubspot-sync",
    "prefix": "684f22d170",
    "scopes": ["read", "write"],
    "rate_limit_per_minute": 120,
    "created_at": "2026-11-23T09:30:00Z",
    "last_used_at": "2026-11-23T11:02:13Z",
    "expires_at": None,
    "revoked_at": None,
    "rotated_from_id": None,
}


class KeyCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "hubspot-sync", "scopes": ["read", "write"], "rate_limit_per_minute": 120}
            ]
        },
    )

    name: str = Field(default="", max_length=200)
    scopes: list[Scope] = Field(min_length=1)
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)


class KeyUpdate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rate_limit_per_minute": 60}]}
    )

    name: str | None = Field(default=None, max_length=200)
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000)


class KeyRotate(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"overlap_hours": 24}]}
    )

    overlap_hours: float = Field(
        default=24, ge=0, le=720, description="How long the old key keeps working"
    )


class KeyRead(BaseModel):
    """An API key without its secret (only the prefix that appears in logs)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_KEY_EXAMPLE]})

    id: int
    name: str
    prefix: str
    scopes: list[str]
    rate_limit_per_minute: int | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_from_id: int | None

    @classmethod
    def from_row(cls, key: ApiKey) -> KeyRead:
        return cls.model_validate(key, from_attributes=True)


class KeyCreated(KeyRead):
    """A new key with its secret: shown here once and never again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_KEY_EXAMPLE,
                    "last_used_at": None,
                    "secret": "cm_684f22d170_5z93XNCWc8FmS_7YlNOAemj978-XiUq9hNUWdwOEXtY",
                }
            ]
        }
    )

    secret: str = Field(description="The key itself: shown once, never again")
