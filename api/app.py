"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from accounts.service import AccountService
from api.errors import install_error_handlers
from api.routes import campaigns, compliance, creators, health, matching, outreach
from core.settings import Settings
from matcher.service import IndexWorker, MatchService, default_matcher
from outreach.service import OutreachService, mailer_for
from programs.scheduler import build_scheduler
from storage.database import Database

__all__ = ["create_app"]

DESCRIPTION = """
creatormatch finds, vets and manages creators for influencer campaigns.

**Authentication.** Every `/v1` route needs `Authorization: Bearer <key>`. Keys belong to one
organisation and carry scopes (`read`, `write`, `compliance`, `admin`; `admin` implies all).
Create one with `creatormatch keys create --org NAME --scopes read,write`. Another
organisation's objects answer 404, exactly like missing ones.

**Errors** are RFC 9457 problem details (`application/problem+json`) with `errors[]` naming the
field (and, for imports, the line) at fault.
"""


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    matcher: MatchService | None = None,
) -> FastAPI:
    """A new application for ``settings``; pass ``database`` or ``matcher`` to share them
    (tests, CLI)."""
    owns_database = database is None
    db = database or Database(settings.resolved_database_url)
    match_service = matcher or default_matcher(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.index_worker:
            worker = IndexWorker(match_service, db)
            worker.start()
        _app.state.index_worker = worker
        scheduler = None
        if settings.scheduler:
            scheduler = build_scheduler(
                _app.state.outreach, db, interval_seconds=settings.scheduler_interval_seconds
            )
            scheduler.start()
        _app.state.scheduler = scheduler
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if worker is not None:
            worker.stop()
        if owns_database:
            db.dispose()

    app = FastAPI(
        title="creatormatch",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.accounts = AccountService(settings.api_key_pepper.get_secret_value())
    app.state.matcher = match_service
    app.state.outreach = OutreachService(settings, mailer=mailer_for(settings))
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(creators.router)
    app.include_router(matching.router)
    app.include_router(campaigns.brands_router)
    app.include_router(campaigns.campaigns_router)
    app.include_router(compliance.router)
    app.include_router(outreach.router)
    app.include_router(outreach.campaign_router)
    app.include_router(outreach.public_router)
    return app
