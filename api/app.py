"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio.to_thread
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from fastapi import Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from accounts.service import AccountService
from accounts.throttle import SignInThrottle
from api.deps import clean_text_input
from api.errors import UnexpectedErrorMiddleware, install_error_handlers
from api.metrics import Metrics
from api.middleware import (
    BodyLimitMiddleware,
    IdempotencyMiddleware,
    RateLimiter,
    RequestContextMiddleware,
)
from api.openapi import install_openapi, operation_id
from api.routes import (
    campaigns,
    compliance,
    creators,
    health,
    keys,
    matching,
    outreach,
    plans,
    programs,
)
from api.routes import webhooks as webhook_routes
from api.web import install_web
from api.web.auth import LOGIN_ATTEMPTS_PER_MINUTE, LOGIN_FAILURES_PER_CLIENT_PER_MINUTE
from core.settings import Settings
from jobs.leader import LeaderElector
from jobs.scheduler import build_scheduler, start_elected, stop_elected
from matcher.service import IndexWorker, MatchService, default_matcher
from outreach.service import OutreachService, mailer_for
from programs.service import ProgramService
from storage.database import Database
from webhooks.service import WebhookService

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

    def start(_app: FastAPI) -> None:
        worker = None
        if settings.index_worker:
            worker = IndexWorker(match_service, db)
            worker.start()
        _app.state.index_worker = worker
        scheduler = None
        elector: LeaderElector | None = None
        if settings.scheduler:
            scheduler = build_scheduler(
                _app.state.outreach,
                _app.state.programs,
                db,
                interval_seconds=settings.scheduler_interval_seconds,
                webhooks=_app.state.webhooks,
            )
            scheduler.add_listener(
                _app.state.metrics.observe_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
            )
            # With PostgreSQL several `serve` processes may run: only the leader runs jobs.
            elector = LeaderElector(db.url)
            start_elected(scheduler, elector)
        _app.state.scheduler = scheduler
        _app.state.scheduler_leader = elector

    def stop(_app: FastAPI) -> None:
        scheduler, elector = _app.state.scheduler, _app.state.scheduler_leader
        if scheduler is not None and elector is not None:
            stop_elected(scheduler, elector)
        if _app.state.index_worker is not None:
            _app.state.index_worker.stop()
        if owns_database:
            db.dispose()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Threads start and stop (and connect) off the event loop.
        await anyio.to_thread.run_sync(start, _app)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(stop, _app)

    app = FastAPI(
        # Control characters in any parameter or page form: a 422 naming the field.
        dependencies=[Depends(clean_text_input)],
        title="creatormatch",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.database = db
    app.state.accounts = AccountService(settings.api_key_pepper.get_secret_value())
    app.state.matcher = match_service
    app.state.outreach = OutreachService(settings, mailer=mailer_for(settings))
    app.state.programs = ProgramService(settings, mailer=mailer_for(settings))
    app.state.webhooks = WebhookService(settings)
    app.state.rate_limiter = RateLimiter()
    app.state.signin_throttle = SignInThrottle(
        per_client=LOGIN_FAILURES_PER_CLIENT_PER_MINUTE, per_address=LOGIN_ATTEMPTS_PER_MINUTE
    )
    app.state.metrics = Metrics(match_service.loaded_sizes)
    install_error_handlers(app)
    # Added innermost first: the request context wraps everything, the unexpected-error
    # answer is closest to the routes (so idempotency and the access log see its 500).
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(
        IdempotencyMiddleware,
        database=lambda: db,
        owner_of=app.state.accounts.hash_key,
        lease=timedelta(seconds=settings.idempotency_lease_seconds),
    )
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_request_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=("/v1/creators/import", "/compliance/upload"),
    )
    app.add_middleware(RequestContextMiddleware, observe=app.state.metrics.observe_request)
    if settings.forwarded_allow_ips:
        # The client's address (sign-in throttling, logs) from X-Forwarded-For, believed
        # only when the connection comes from one of these proxies.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.include_router(health.router)
    app.include_router(creators.router)
    app.include_router(matching.router)
    app.include_router(campaigns.brands_router)
    app.include_router(campaigns.campaigns_router)
    app.include_router(compliance.router)
    app.include_router(outreach.router)
    app.include_router(outreach.campaign_router)
    app.include_router(outreach.public_router)
    app.include_router(programs.router)
    app.include_router(keys.router)
    app.include_router(plans.router)
    app.include_router(webhook_routes.router)
    app.include_router(webhook_routes.deliveries_router)
    app.include_router(webhook_routes.events_router)
    install_web(app)
    return app
