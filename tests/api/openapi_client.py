"""A Python client generated from the OpenAPI document, as a client generator would: one
method per operation, named by its ``operationId``, with one keyword argument per path,
query and header parameter and ``body`` for the request body.

The generated source is compiled at test time, so a wrong operation id is an
``AttributeError``, a parameter the document does not declare a ``TypeError``, and a missing
required one too. Each call checks what the document promises: the body against the
request schema before it is sent, the response status against the documented ones and the
response body against the documented schema (``SpecMismatchError`` otherwise).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

import httpx
from jsonschema import Draft202012Validator, FormatChecker

__all__ = ["ApiError", "SpecMismatchError", "generate_client", "generate_source"]

METHODS = ("get", "put", "post", "patch", "delete")


class SpecMismatchError(AssertionError):
    """The API and its document disagree (or the caller broke the document's rules)."""


class ApiError(Exception):
    """A documented error response: ``status`` and the problem details."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail')}")
        self.status = status
        self.problem = problem


def python_name(name: str) -> str:
    """``Idempotency-Key`` -> ``idempotency_key``; keywords get a trailing underscore."""
    snake = re.sub(r"\W+", "_", name).strip("_").lower()
    return f"{snake}_" if keyword.iskeyword(snake) else snake


def generate_source(spec: dict[str, Any]) -> str:
    """The client's Python source: ``class Client`` with a method per operation."""
    lines = [
        "class Client(BaseClient):",
        f'    """{spec["info"]["title"]} {spec["info"]["version"]}, generated."""',
        "",
    ]
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                lines += _method(path, method, item[method])
    return "\n".join(lines) + "\n"


def _method(path: str, method: str, op: dict[str, Any]) -> list[str]:
    params = op.get("parameters", [])
    required = [p for p in params if p.get("required")]
    optional = [p for p in params if not p.get("required")]
    body = op.get("requestBody")
    args = ["self", "*"]
    args += [python_name(p["name"]) for p in required]
    if body is not None:
        args.append("body" if body.get("required") else "body=None")
        args.append("content_type=None")
    args += [f"{python_name(p['name'])}=None" for p in optional]
    summary = op.get("summary", "").replace('"""', "'")
    if args == ["self", "*"]:
        args = ["self"]
    out = [f"    def {op['operationId']}({', '.join(args)}):", f'        """{summary}"""']
    out.append("        params = {}")
    for p in params:
        out.append(f"        params[({p['in']!r}, {p['name']!r})] = {python_name(p['name'])}")
    call = f"        return self._call({op['operationId']!r}, {method!r}, {path!r}, params"
    call += ", body, content_type)" if body is not None else ", None, None)"
    out += [call, ""]
    return out


class BaseClient:
    """What every generated method calls: builds, checks and sends the request."""

    def __init__(
        self,
        spec: dict[str, Any],
        send: Callable[..., httpx.Response],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.send = send
        self.headers = dict(headers or {})
        self.operations = {
            op["operationId"]: op
            for item in spec["paths"].values()
            for method, op in item.items()
            if method in METHODS
        }

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        root = {**schema, "components": self.spec["components"]}
        return Draft202012Validator(root, format_checker=FormatChecker())

    def _call(
        self,
        operation_id: str,
        method: str,
        template: str,
        params: dict[tuple[str, str], Any],
        body: Any,
        content_type: str | None,
    ) -> Any:
        op = self.operations[operation_id]
        path = template
        query: dict[str, Any] = {}
        headers = dict(self.headers)
        for (where, name), value in params.items():
            if value is None:
                continue
            if where == "path":
                path = path.replace("{" + name + "}", str(value))
            elif where == "query":
                query[name] = value
            elif where == "header":
                headers[name] = str(value)
        kwargs: dict[str, Any] = {"params": query, "headers": headers}
        if body is not None:
            content = op["requestBody"]["content"]
            media = content_type or next(iter(content))
            if media not in content:
                raise SpecMismatchError(f"{operation_id}: the document takes no {media} body")
            schema = content[media].get("schema", {})
            if media == "application/json":
                errors = [e.message for e in self._validator(schema).iter_errors(body)]
                if errors:
                    raise SpecMismatchError(f"{operation_id}: the body breaks the schema: {errors}")
                kwargs["json"] = body
            else:
                kwargs["content"] = body
                headers["Content-Type"] = media
        response = self.send(method.upper(), path, **kwargs)
        return self._check(operation_id, op, response)

    def _check(self, operation_id: str, op: dict[str, Any], response: httpx.Response) -> Any:
        documented = op["responses"]
        status = str(response.status_code)
        if status not in documented:
            raise SpecMismatchError(
                f"{operation_id}: {status} is not documented ({sorted(documented)}): "
                f"{response.text[:300]}"
            )
        if response.status_code == 204:
            return None
        media = response.headers.get("content-type", "").split(";")[0]
        content = documented[status].get("content", {})
        if media not in content:
            raise SpecMismatchError(
                f"{operation_id}: {status} {media} is not documented: {content}"
            )
        if not media.endswith("json"):
            return response.text
        data = response.json()
        schema = content[media].get("schema", {})
        check = self._validator(schema)
        errors = [f"{e.message} at {list(e.absolute_path)}" for e in check.iter_errors(data)]
        if errors:
            raise SpecMismatchError(
                f"{operation_id}: the {status} body breaks the schema: {errors}"
            )
        if response.status_code >= 400:
            raise ApiError(response.status_code, data)
        return data


def generate_client(spec: dict[str, Any]) -> type[BaseClient]:
    """Compile the generated source and return its ``Client`` class."""
    namespace: dict[str, Any] = {"BaseClient": BaseClient}
    exec(compile(generate_source(spec), "<generated client>", "exec"), namespace)
    client: type[BaseClient] = namespace["Client"]
    return client
