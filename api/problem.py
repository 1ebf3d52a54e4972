"""What the error handlers (``api/errors.py``) and the OpenAPI document (``api/openapi.py``)
both need, so neither imports the other: the problem-details media type (RFC 9457) and the
API routes as served."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute

__all__ = ["PROBLEM_JSON", "api_routes"]

PROBLEM_JSON = "application/problem+json"


def api_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """The API routes of ``routes`` (``app.routes``) as served: with their router's prefix,
    tags, dependencies and responses applied. FastAPI 0.16x keeps included routers whole in
    ``app.routes`` and resolves them through ``iter_route_contexts``; older versions list
    the API routes themselves."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if contexts is None:
        yield from (route for route in routes if isinstance(route, APIRoute))
        return
    for context in contexts(list(routes)):
        if isinstance(context.original_route, APIRoute):
            yield context
