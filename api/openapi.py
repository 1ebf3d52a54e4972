"""The OpenAPI document: FastAPI's, completed with what every ``/v1`` operation shares.

FastAPI documents each route's success response and a 422 in its own validation-error shape.
Here, once per application, the document gets:

- stable operation ids, ``{tag}_{handler}`` (``creators_list``, ``campaigns_create_brand``),
  that generated clients name their methods after;
- a summary for every operation: the first clause of the handler's docstring;
- the ``Problem`` schema (RFC 9457 problem details, see ``api/errors.py``) and, on every
  ``/v1`` operation, the error responses it can give: 401, 403 and 429 always, 422 when it
  takes parameters or a body, 404 when it names an object (a path parameter or an ``..._id``
  field), 409 on writes (and on every POST: ``Idempotency-Key``), 413 when it takes a body;
  a route adds others (503, ...) with ``responses=`` and gets the ``Problem`` content;
- FastAPI's examples again where it dropped their ``null`` values (``exclude_none``);
- the optional ``Idempotency-Key`` header on every ``/v1`` POST;
- examples for pages and lists, built from their item's example;
- integer bounds as integers (FastAPI's model makes them floats, and 2**63 - 1 a 2**63);
- links from a compliance result to what can be done with its stored check (its
  ``check_id``; its ``id`` is the post's own, passed through, which a client or a link
  inferred by name would take for the check's);
- the rule of ``core/text.py`` on path and query parameters (``api.deps.clean_text_input``
  refuses control characters in them): each text parameter without a pattern of its own gets
  ``core.patterns.LINE`` (request bodies have it from ``core.textmodel``).
"""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.problem import PROBLEM_JSON, api_routes
from api.schemas.common import MAX_ID
from core.textmodel import publish_rule

__all__ = ["ERROR_RESPONSES", "PROBLEM_SCHEMA", "install_openapi", "operation_id"]

_REF = "#/components/schemas/"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: every error of the API has this shape.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string", "description": "A short summary of the kind of problem"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong this time"},
        "code": {"type": "string", "description": "A stable machine-readable code"},
        "errors": {
            "type": "array",
            "items": {"$ref": f"{_REF}ProblemFieldError"},
            "description": "The fields (and, for imports, lines) at fault",
        },
        "summary": {"type": "object", "description": "An import's counts (imports only)"},
    },
    "additionalProperties": True,
    "examples": [
        {
            "type": "https://creatormatch.dev/problems/invalid-input",
            "title": "Invalid input",
            "status": 422,
            "detail": "field 'audience.gender': the shares add up to 1.4, not 1",
            "code": "invalid_input",
            "errors": [
                {
                    "field": "audience.gender",
                    "line": None,
                    "message": "the shares add up to 1.4, not 1",
                }
            ],
        }
    ],
}

_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "required": ["field", "line", "message"],
    "properties": {
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "line": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "message": {"type": "string"},
    },
}


def _problem(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    return {
        "type": f"https://creatormatch.dev/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }


# status -> (description, example body, response headers)
ERROR_RESPONSES: dict[int, tuple[str, dict[str, Any], dict[str, Any]]] = {
    401: (
        "No API key, or one that is unknown, expired or revoked",
        _problem(
            401,
            "unauthenticated",
            "Unauthenticated",
            "send an API key as 'Authorization: Bearer <key>'",
        ),
        {
            "WWW-Authenticate": {
                "description": "Always `Bearer`",
                "schema": {"type": "string"},
            }
        },
    ),
    403: (
        "The API key lacks the scope this operation needs",
        _problem(403, "forbidden", "Forbidden", "this API key lacks the 'write' scope"),
        {},
    ),
    404: (
        "The object does not exist, or belongs to another organisation",
        _problem(404, "not_found", "Not found", "creator 42 not found"),
        {},
    ),
    409: (
        "The request conflicts with the current state (a duplicate, a state change that is "
        "not allowed), or its Idempotency-Key was used with another request or is still running",
        _problem(
            409,
            "idempotency_key_reused",
            "Conflict",
            "this Idempotency-Key was used with a different request",
        ),
        {},
    ),
    413: (
        "The request body is over the size limit (CREATORMATCH_MAX_REQUEST_BYTES, or "
        "CREATORMATCH_MAX_UPLOAD_BYTES for imports)",
        _problem(
            413,
            "payload_too_large",
            "Payload too large",
            "the request body is over 1048576 bytes (CREATORMATCH_MAX_REQUEST_BYTES)",
        ),
        {},
    ),
    422: (
        "The request is invalid; `errors` names each field at fault",
        PROBLEM_SCHEMA["examples"][0],
        {},
    ),
    429: (
        "This API key made too many requests this minute",
        _problem(
            429,
            "rate_limited",
            "Too many requests",
            "this API key may make 120 requests a minute; retry in 12 s",
        ),
        {
            "Retry-After": {
                "description": "Seconds until the key may send again",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    ),
    503: (
        "Not available yet (the organisation's match index is still being built); retry",
        _problem(
            503,
            "unavailable",
            "Unavailable",
            "the match index of organisation 1 is not built yet",
        ),
        {},
    ),
}

_WRITES = {"post", "put", "patch", "delete"}
_ID_NAME = re.compile(r"_ids?$")
_IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send a POST once, whatever the retries: a replay within 24 h gets the "
    "first response (`Idempotent-Replayed: true`); the same key with another request is a 409",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}


def operation_id(route: APIRoute) -> str:
    """``{first tag}_{handler name}``: ``creators_list``, ``keys_rotate_key``."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}_{route.name.strip('_')}".replace("-", "_")


def _summary(description: str) -> str:
    """The first clause of a docstring: up to the first full stop or semicolon."""
    first = " ".join(description.strip().split("\n\n")[0].split())
    clause = re.split(r"(?<=[a-z0-9)`'])[.;](?:\s|$)", first, maxsplit=1)[0]
    return clause.rstrip(".").strip()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        return dict(spec["components"]["schemas"][ref[len(_REF) :]])
    return schema


def _example_of(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The first example of ``schema`` (following one ``$ref``), or None."""
    examples = _resolve(spec, schema).get("examples")
    return copy.deepcopy(examples[0]) if examples else None


def _names_objects(spec: dict[str, Any], path: str, operation: dict[str, Any]) -> bool:
    """Whether an operation names an existing object: a path parameter, or a query parameter
    or top-level body field ending in ``_id``/``_ids`` (a campaign, a creator, ...)."""
    if "{" in path:
        return True
    names = [p["name"] for p in operation.get("parameters", [])]
    for media in operation.get("requestBody", {}).get("content", {}).values():
        names += list(_resolve(spec, media.get("schema", {})).get("properties", {}))
    return any(_ID_NAME.search(name) for name in names)


def _is_problem(response: dict[str, Any]) -> bool:
    """Whether an error response is (or should be) problem details: one a route declared
    without a model, or FastAPI's own validation error (never sent: see api/errors.py)."""
    content = response.get("content", {})
    schemas = [media.get("schema", {}) for media in content.values()]
    return all(
        not schema or schema.get("$ref") == f"{_REF}HTTPValidationError" for schema in schemas
    )


def _error_response(status: int, given: dict[str, Any] | None = None) -> dict[str, Any]:
    description, example, headers = ERROR_RESPONSES.get(
        status, ("Error", _problem(status, "error", "Error", "error"), {})
    )
    response: dict[str, Any] = {
        "description": (given or {}).get("description") or description,
        "content": {
            PROBLEM_JSON: {"schema": {"$ref": f"{_REF}Problem"}, "example": example},
        },
    }
    if headers:
        response["headers"] = headers
    return response


def _complete_operation(
    spec: dict[str, Any], path: str, method: str, operation: dict[str, Any], *, named: bool
) -> None:
    if operation.get("description") and not named:
        operation["summary"] = _summary(operation["description"])
    responses: dict[str, Any] = operation["responses"]
    if path.startswith("/v1/"):
        wanted = {401, 403, 429}
        if operation.get("parameters") or "requestBody" in operation or method == "post":
            wanted.add(422)
        if _names_objects(spec, path, operation):
            wanted.add(404)
        if method in _WRITES:
            wanted.add(409)
        if "requestBody" in operation:
            wanted.add(413)
        for code in wanted:
            responses.setdefault(str(code), {})
        if method == "post":
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(dict(_IDEMPOTENCY_KEY))
    for parameter in operation.get("parameters", []):
        if parameter.get("in") in ("path", "query") and "schema" in parameter:
            publish_rule(parameter["schema"])
    for status, response in list(responses.items()):
        if status.isdigit() and int(status) >= 400 and _is_problem(response):
            responses[status] = _error_response(int(status), response)
        elif status.startswith("2"):
            _add_list_example(spec, response)
    operation["responses"] = dict(sorted(responses.items()))


def _add_list_example(spec: dict[str, Any], response: dict[str, Any]) -> None:
    """An inline ``list[X]`` response gets ``[X's example]`` as its example."""
    media = response.get("content", {}).get("application/json")
    if media is None:
        return
    schema = media.get("schema", {})
    if schema.get("type") == "array" and not schema.get("examples"):
        item = _example_of(spec, schema.get("items", {}))
        if item is not None:
            schema["examples"] = [[item]]


def _complete_pages(spec: dict[str, Any]) -> None:
    """``Page[X]`` gets a one-item page of X's example, with a next cursor."""
    for name, schema in spec["components"]["schemas"].items():
        if not name.startswith("Page_") or schema.get("examples"):
            continue
        item = _example_of(spec, schema["properties"]["items"].get("items", {}))
        if item is not None:
            schema["examples"] = [{"items": [item], "next_cursor": "AAAAAAAAACo"}]


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _models_of(routes: Iterable[Any]) -> dict[str, type[BaseModel]]:
    """Every pydantic model the routes take or give, and the models inside them, by name."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[type[BaseModel]] = []
    for route in api_routes(routes):
        hints = typing.get_type_hints(route.endpoint, include_extras=True)
        todo += [m for hint in hints.values() for m in _models_in(hint)]
        todo += _models_in(route.response_model)
        todo += [m for extra in route.responses.values() for m in _models_in(extra.get("model"))]
    while todo:
        model = todo.pop()
        if model.__name__ not in found:
            found[model.__name__] = model
            todo += [m for f in model.model_fields.values() for m in _models_in(f.annotation)]
    return found


def _restore_examples(spec: dict[str, Any], models: dict[str, type[BaseModel]]) -> None:
    """FastAPI drops every ``None`` from the document (``exclude_none``), examples included,
    so a ``"field": null`` vanishes and the example no longer fits its schema: take the
    examples from the models again."""
    for name, schema in spec["components"]["schemas"].items():
        model = models.get(name.removesuffix("-Input").removesuffix("-Output"))
        if model is not None and "examples" in schema:
            schema["examples"] = model.model_json_schema().get("examples", schema["examples"])


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _exact_integer_bounds(node: Any) -> None:
    """FastAPI's OpenAPI model reads every bound as a float: ``minimum: 1`` becomes ``1.0``
    and the largest id, 2**63 - 1, becomes 2**63 (a double has 53 bits), a number the server
    refuses. Integer schemas get their integer bounds back."""
    if isinstance(node, list):
        for item in node:
            _exact_integer_bounds(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "integer":
        for key in _BOUNDS:
            value = node.get(key)
            if isinstance(value, float) and value.is_integer():
                exact = int(value)
                node[key] = {2**63: MAX_ID}.get(exact, exact)
    for value in node.values():
        _exact_integer_bounds(value)


# (operation that makes checks, where its response holds the first check's id)
_CHECK_MAKERS = (
    ("/v1/compliance/check", "/check_id"),
    ("/v1/compliance/check/batch", "/results/0/check_id"),
)


def _check_links(spec: dict[str, Any]) -> None:
    targets = [
        operation["operationId"]
        for path, item in spec.get("paths", {}).items()
        if "{check_id}" in path
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    for path, pointer in _CHECK_MAKERS:
        response = spec.get("paths", {}).get(path, {}).get("post", {}).get("responses", {})
        if "200" in response:
            response["200"]["links"] = {
                target: {
                    "operationId": target,
                    "parameters": {"check_id": f"$response.body#{pointer}"},
                }
                for target in targets
            }


def complete(
    spec: dict[str, Any],
    named: frozenset[tuple[str, str]] = frozenset(),
    models: dict[str, type[BaseModel]] | None = None,
) -> dict[str, Any]:
    """Add the shared parts (see the module docstring) to a FastAPI OpenAPI document;
    ``named`` holds the (path, method) of the operations whose route gave a summary,
    ``models`` the pydantic models of the document's schemas by name."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _restore_examples(spec, models or {})
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    schemas["ProblemFieldError"] = copy.deepcopy(_FIELD_ERROR_SCHEMA)
    _complete_pages(spec)
    _exact_integer_bounds(spec)
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                _complete_operation(spec, path, method, operation, named=(path, method) in named)
    _check_links(spec)
    # FastAPI's own validation-error shape is never sent (api/errors.py answers 422 with
    # problem details), so its schemas go.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    servers=app.servers,
                ),
                frozenset(
                    (route.path_format, method.lower())
                    for route in api_routes(app.routes)
                    if route.summary
                    for method in route.methods
                ),
                _models_of(app.routes),
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
