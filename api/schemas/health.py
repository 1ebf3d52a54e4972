"""Probe response schemas."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LivenessRead", "ReadinessRead"]


class LivenessRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok"]


class ReadinessRead(BaseModel):
    """Whether the service can take traffic, and why not."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "checks": {"database": "ok", "migrations": "ok"},
                    "indexes": {"loaded": {"1": 1250, "2": 88}, "worker": "running"},
                },
                {
                    "status": "not_ready",
                    "checks": {"database": "ok", "migrations": "ok", "indexes": "loading"},
                    "indexes": {"loaded": {}, "worker": "loading"},
                },
            ]
        }
    )

    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="database, migrations and (while loading) indexes")
    indexes: dict[str, Any] = Field(
        description="loaded: organisation id -> creators in its index; worker: off, loading "
        "or running"
    )
