"""ASGI middleware of the API: request ids, access logs and metrics; request size limits;
``Idempotency-Key`` replays. Rate limits live in the authentication dependency (they need the
key's own limit), see :class:`RateLimiter`.

Order (outermost first): :class:`RequestContextMiddleware` (so every log line and the
metrics see the request id and the final status), :class:`BodyLimitMiddleware`,
:class:`IdempotencyMiddleware`, then the routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import html
import json
import logging
import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import timedelta
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core.errors import PayloadTooLargeError, RateLimitedError
from core.logging import request_id
from models import utcnow
from storage.database import Database
from storage.repositories.idempotency import Claim, IdempotencyRepository, StoredResponse

__all__ = [
    "BodyLimitMiddleware",
    "IdempotencyMiddleware",
    "RateLimiter",
    "RequestContextMiddleware",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_log = logging.getLogger("creatormatch.access")
# Statuses of a request refused before it ran: never stored for an Idempotency-Key replay.
_NOT_RUN = frozenset({401, 403, 429})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _page(send: Send, status: int, title: str, detail: str) -> None:
    """A small HTML error page, for a web page's request refused before it reached a route."""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/static/app.css">'
        f'</head><body><main><h1>{html.escape(title)}</h1><p role="alert">{html.escape(detail)}'
        '</p><p><a href="/">Start again</a>'
        "</p></main></body></html>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _problem(
    send: Send,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(
        {
            "type": f"https://creatormatch.dev/problems/{code.replace('_', '-')}",
            "title": title,
            "status": status,
            "detail": detail,
            "code": code,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Gives every request an id (``X-Request-ID``, taken from the request when it is a
    sane token), logs one access line, and records the latency by route template."""

    def __init__(
        self, app: ASGIApp, *, observe: Callable[[str, str, int, float], None] | None = None
    ) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            # path_format drops convertors: /v1/creators/{creator_id}, not {creator_id:int}
            template = getattr(route, "path_format", None) or "unmatched"
            if self.observe is not None:
                self.observe(scope["method"], template, status, elapsed)
            _log.info(
                "%s %s %s %.1fms",
                scope["method"],
                template,
                status,
                elapsed * 1000,
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            request_id.reset(token)


class BodyLimitMiddleware:
    """Refuses request bodies over ``limit`` bytes with a 413 (``Content-Length`` checked up
    front, chunked bodies counted as they arrive); paths in ``upload_paths`` may send up to
    ``upload_limit`` (imports stream and check their own limit too)."""

    def __init__(
        self, app: ASGIApp, *, limit: int, upload_limit: int, upload_paths: tuple[str, ...]
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in self.upload_paths
        limit = self.upload_limit if upload else self.limit
        setting = "CREATORMATCH_MAX_UPLOAD_BYTES" if upload else "CREATORMATCH_MAX_REQUEST_BYTES"
        detail = f"the request body is over {limit} bytes ({setting})"
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            if scope["path"].startswith("/v1/"):
                await _problem(send, 413, "payload_too_large", "Payload too large", detail)
            else:
                await _page(send, 413, "File too large", f"The file is too large: {detail}.")
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLargeError(detail)
            return message

        await self.app(scope, counting_receive, send)


class RateLimiter:
    """Requests per minute per API key, in this process: a sliding window of the last
    minute's request times. Answers :class:`RateLimitedError` with the seconds until a slot
    frees up."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, per_minute: int) -> None:
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= per_minute:
                retry = max(1, math.ceil(window[0] + 60 - now))
                raise RateLimitedError(
                    f"this API key may make {per_minute} requests a minute; retry in {retry} s",
                    retry_after=retry,
                )
            window.append(now)


class IdempotencyMiddleware:
    """``Idempotency-Key`` on a POST: the first request runs and its response (status,
    headers, body up to ``max_body`` bytes) is stored for ``ttl``; a replay with the same key
    and the same method, path, query and body gets the stored response (with
    ``Idempotent-Replayed: true``) without running again; the same key with a different
    request is a 409; a replay while the first is still running is a 409 with
    ``Retry-After``. Only a request that ran is stored: not a 5xx (a retry runs again), nor
    a 401, 403 or 429 (the key was refused or throttled before anything ran: its retry must
    run, and a caller without a valid key must not leave records behind). Records belong to
    the API key that sent them (an HMAC of it), never shared between keys.

    A running request holds a lease of ``lease`` on its key and renews it every third of
    that while it runs; when the process dies (a crash, kill -9, a lost machine) the lease
    runs out and a retry takes the key over and runs, instead of waiting for ``ttl``.

    Every database call runs in the threadpool: the event loop never waits for a database
    lock (with SQLite, the lock's holder needs the loop to finish its own request)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        database: Callable[[], Database],
        owner_of: Callable[[str], str],
        ttl: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(seconds=30),
        max_body: int = 1024 * 1024,
    ) -> None:
        self.app = app
        self.database = database
        self.owner_of = owner_of
        self.ttl = ttl
        self.lease = lease
        self.max_body = max_body
        self._pruned_at = -math.inf

    def _claim(self, owner: str, key: str) -> Claim:
        now = utcnow()
        try:
            with self.database().session() as session:
                repository = IdempotencyRepository(session)
                # Expired records go at most once a minute per process, not on every request.
                if time.monotonic() - self._pruned_at > 60:
                    self._pruned_at = time.monotonic()
                    repository.prune(now - self.ttl)
                return repository.claim(owner, key, now=now, lease=self.lease)
        except IntegrityError:
            # Another request inserted the same key between our read and our insert.
            return Claim("running")

    def _renew(self, record_id: int) -> None:
        with self.database().session() as session:
            IdempotencyRepository(session).renew(record_id, utcnow() + self.lease)

    def _finish(
        self,
        record_id: int,
        *,
        keep: bool,
        fingerprint: str,
        status_code: int,
        headers: list[list[str]],
        body: bytes,
    ) -> None:
        with self.database().session() as session:
            repository = IdempotencyRepository(session)
            if keep:
                repository.complete(
                    record_id,
                    fingerprint=fingerprint,
                    status_code=status_code,
                    headers=headers,
                    body=body,
                    now=utcnow(),
                )
            else:
                repository.release(record_id)

    async def _heartbeat(self, record_id: int) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await anyio.sleep(interval)
            try:
                await anyio.to_thread.run_sync(self._renew, record_id)
            except SQLAlchemyError:
                # The next beat tries again; a lease that runs out only lets a retry in.
                _log.warning("could not renew an idempotency lease", exc_info=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        auth = _header(scope, b"authorization") or ""
        if key is None or scope["method"] != "POST" or not auth.lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 200:
            await _problem(
                send,
                422,
                "invalid_input",
                "Invalid input",
                "Idempotency-Key must be 1-200 characters",
            )
            return
        owner = self.owner_of(auth[7:].strip())
        digest = hashlib.sha256()
        query = scope.get("query_string", b"").decode("latin-1")
        digest.update(f"{scope['method']} {scope['path']}?{query}\n".encode())
        claim = await anyio.to_thread.run_sync(self._claim, owner, key)
        if claim.outcome == "running":
            await _problem(
                send,
                409,
                "idempotency_in_progress",
                "Conflict",
                "a request with this Idempotency-Key is still running",
                [(b"retry-after", str(claim.retry_after).encode())],
            )
            return
        if claim.stored is not None:
            await self._replay(claim.stored, digest, receive, send)
            return
        assert claim.record_id is not None
        await self._run(claim.record_id, scope, digest, receive, send)

    async def _replay(
        self, stored: StoredResponse, digest: Any, receive: Receive, send: Send
    ) -> None:
        # Read (and hash) the whole body, then compare with the first request.
        while True:
            message = await receive()
            digest.update(message.get("body", b""))
            if not message.get("more_body", False):
                break
        if stored.fingerprint != "" and stored.fingerprint != digest.hexdigest():
            await _problem(
                send,
                409,
                "idempotency_key_reused",
                "Conflict",
                "this Idempotency-Key was used with a different request",
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": stored.status_code,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
                + [(b"idempotent-replayed", b"true")],
            }
        )
        await send({"type": "http.response.body", "body": stored.body})

    async def _run(
        self, record_id: int, scope: Scope, digest: Any, receive: Receive, send: Send
    ) -> None:
        async def hashing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                digest.update(message.get("body", b""))
            return message

        status_code = 500
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        size = 0

        async def capturing_send(message: Message) -> None:
            nonlocal status_code, response_headers, size
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= self.max_body:
                    chunks.append(chunk)
            await send(message)

        heartbeat = asyncio.create_task(self._heartbeat(record_id))
        try:
            await self.app(scope, hashing_receive, capturing_send)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            keep = status_code < 500 and status_code not in _NOT_RUN and size <= self.max_body
            headers = [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in response_headers
                if k.lower() not in (b"x-request-id", b"content-length")
            ]
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    functools.partial(
                        self._finish,
                        record_id,
                        keep=keep,
                        fingerprint=digest.hexdigest(),
                        status_code=status_code,
                        headers=headers,
                        body=b"".join(chunks),
                    )
                )
