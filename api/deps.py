"""Request dependencies: the database session (one unit of work per request), the
authenticated principal with its organisation and scopes, and the check of every request's
text outside the JSON bodies (query, path and page forms: :func:`clean_text_input`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from accounts.service import AccountService
from core.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from core.settings import Settings
from core.text import control_character_error
from storage.database import Database

__all__ = [
    "MULTILINE_FORM_FIELDS",
    "Principal",
    "RequireScope",
    "SessionDep",
    "SettingsDep",
    "clean_text_input",
    "get_database",
    "known_query_parameters",
    "require_scope",
]


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in
# the thread pool, a hop that waits for the event loop and a worker thread on every request.


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on error."""
    with database.session() as session:
        yield session


# scope="function": the commit happens before the response is sent. With FastAPI's default
# ("request") it ran after, so a client could follow a 303 (or read a 201) before the data
# was committed, and a failed commit went unseen.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its organisation and its scopes."""

    key_id: int
    key_prefix: str
    organization_id: int
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        return f"api-key:{self.key_prefix}"


_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cm_...`")


def _authenticate(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise AuthenticationError("send an API key as 'Authorization: Bearer <key>'")
    accounts: AccountService = request.app.state.accounts
    key = accounts.authenticate(session, credentials.credentials.strip())
    settings: Settings = request.app.state.settings
    request.app.state.rate_limiter.hit(
        key.prefix, key.rate_limit_per_minute or settings.rate_limit_per_minute
    )
    return Principal(
        key_id=key.id,
        key_prefix=key.prefix,
        organization_id=key.organization_id,
        scopes=tuple(key.scopes),
    )


@dataclass(frozen=True)
class RequireScope:
    """The dependency of every ``/v1`` route: authenticates the caller, checks that its key
    carries ``scope`` (``admin`` carries all), then that the request has no query parameter
    the operation does not take. ``scope`` stays readable, so a test can tell what each
    route needs."""

    scope: str

    async def __call__(
        self, request: Request, principal: Annotated[Principal, Depends(_authenticate)]
    ) -> Principal:
        if self.scope not in principal.scopes and "admin" not in principal.scopes:
            raise PermissionDeniedError(f"this API key lacks the {self.scope!r} scope")
        known_query_parameters(request)
        return principal


def require_scope(scope: str) -> RequireScope:
    """The dependency that requires ``scope`` (see :class:`RequireScope`)."""
    return RequireScope(scope)


ReadPrincipal = Annotated[Principal, Depends(require_scope("read"))]
WritePrincipal = Annotated[Principal, Depends(require_scope("write"))]
CompliancePrincipal = Annotated[Principal, Depends(require_scope("compliance"))]
AdminPrincipal = Annotated[Principal, Depends(require_scope("admin"))]


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


# The query parameters a route takes, computed on its first request and kept on the route
# (its dependency tree is fixed once the app is built; routes are unhashable, so no dict).
_QUERY_NAMES_ATTRIBUTE = "_creatormatch_query_names"


def _known_query_names(route: Any, dependant: Any) -> frozenset[str]:
    names: frozenset[str] | None = getattr(route, _QUERY_NAMES_ATTRIBUTE, None)
    if names is None:
        names = frozenset(_query_names(dependant))
        setattr(route, _QUERY_NAMES_ATTRIBUTE, names)
    return names


def known_query_parameters(request: Request) -> None:
    """Refuse a query parameter the operation does not take (422 naming it): a typo such as
    ``limt=5`` would otherwise be ignored without a word."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.scope.get("query_string"):
        return
    taken = _known_query_names(route, dependant)
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        known = ", ".join(sorted(taken)) or "none"
        raise InvalidInputError.for_field(
            unknown[0], f"unknown query parameter {unknown[0]!r}; this operation takes: {known}"
        )


# The multi-line fields of the pages' forms (their <textarea>s, which may hold line breaks and
# tabs); every other form field and query parameter is one line. A test
# (tests/api/test_control_characters.py) checks this list against the templates and the
# draft editor's fields.
MULTILINE_FORM_FIELDS = frozenset(
    {
        # search, campaigns
        "brief",
        # compliance checks and decisions, program submissions
        "caption",
        "transcript",
        "reason",
        # settings: the sender profile
        "postal_address",
        # the draft editor (api/web/campaign_drafts.py: _EMAIL_FIELDS, _BRIEF_FIELDS, ...)
        "reasons",
        "key_messages",
        "dos",
        "donts",
        "hashtags",
        "approval_process",
        "reporting_requirements",
        "creator_party.address",
        "gifted_products",
    }
)
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _check(name: str, value: str, *, multiline: bool) -> None:
    message = control_character_error(name)
    if message is not None:
        raise InvalidInputError.for_field(repr(name), f"the name of a parameter {message}")
    message = control_character_error(value, multiline=multiline)
    if message is not None:
        raise InvalidInputError.for_field(name, message)


async def clean_text_input(request: Request) -> None:
    """Refuse control characters in path and query parameters and in the forms of the pages
    (422 naming the field), by the rule of ``core/text.py``: PostgreSQL cannot store a NUL,
    which was a 500. Every route depends on it (``create_app``). JSON bodies are checked by
    their models (``RequestModel``), import files row by row by the creator record.

    Parameters are one line; a page's form field or query parameter named in
    :data:`MULTILINE_FORM_FIELDS` may hold tabs and line breaks. API bodies are never read
    here (an import streams its body)."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            _check(name, value, multiline=False)
    page = not request.url.path.startswith("/v1/")
    for name, value in request.query_params.multi_items():
        _check(name, value, multiline=page and name in MULTILINE_FORM_FIELDS)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if page and content_type in _FORMS:
        # Parsed once: the page's own form parameters (and FormUser) read the same result.
        form = await request.form()
        for name, item in form.multi_items():
            if isinstance(item, str):
                _check(name, item, multiline=name in MULTILINE_FORM_FIELDS)
