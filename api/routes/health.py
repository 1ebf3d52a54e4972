"""Liveness and readiness probes (no authentication: they reveal nothing)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from api.deps import DatabaseDep, SettingsDep
from api.metrics import CONTENT_TYPE
from api.schemas.health import LivenessRead, ReadinessRead
from core.errors import AuthenticationError, NotFoundError
from storage.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=LivenessRead)
def healthz() -> LivenessRead:
    """Liveness: the process answers."""
    return LivenessRead(status="ok")


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics, for a scraper holding ``CREATORMATCH_METRICS_TOKEN`` (404 when no
    token is configured: the endpoint is off)."""
    token = settings.metrics_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if not token:
        raise NotFoundError("metrics are off: set CREATORMATCH_METRICS_TOKEN")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise AuthenticationError("send the metrics token as 'Authorization: Bearer <token>'")
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE)


@router.get(
    "/readyz",
    response_model=ReadinessRead,
    responses={503: {"model": ReadinessRead, "description": "Not ready: see checks"}},
)
def readyz(request: Request, database: DatabaseDep) -> JSONResponse:
    """Readiness: the database answers, its schema is at the latest migration, and (when the
    index worker runs, as in ``creatormatch serve``) its first pass has loaded every
    organisation's index and the embedding model, so no request pays for the load. The
    loaded indexes are reported (organisation id -> creators)."""
    checks: dict[str, Any] = {}
    ready = True
    try:
        database.ping()
        revision = current_revision(database.engine)
        head = head_revision()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revision == head else f"at {revision}, need {head}"
        ready = revision == head
    except SQLAlchemyError as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
        ready = False
    worker = getattr(request.app.state, "index_worker", None)
    warm = worker is None or worker.warm.is_set()
    indexes = {
        "loaded": {str(k): v for k, v in request.app.state.matcher.loaded_sizes().items()},
        "worker": "off" if worker is None else ("running" if warm else "loading"),
    }
    if not warm:
        checks["indexes"] = "loading"
        ready = False
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks, "indexes": indexes},
        status_code=200 if ready else 503,
    )
