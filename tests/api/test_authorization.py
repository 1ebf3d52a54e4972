"""The authorisation matrix, over every route the app serves (found at run time, so a new
route is in it the day it appears): without a key 401; with a key of the organisation that
lacks the route's scope 403; with another organisation's full key on this organisation's
objects 404, and the objects are untouched. The routes outside ``/v1`` are listed one by one:
probes and the unsubscribe page are public, ``/metrics`` takes its own token."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.deps import RequireScope
from api.problem import api_routes
from api.web.pages import current_user, form_user
from core.settings import Settings
from matcher.service import MatchService
from outreach.unsubscribe import make_token
from storage.database import Database
from tests.api.world import World, build_world
from tests.factories import ApiClient, add_key

SCOPES = ("read", "write", "compliance", "admin")
# The convention: reading is `read`, changing is `write`; compliance and keys have a scope of
# their own. A route that departs from it must be listed here, so that no route gets a
# weaker scope by accident.
EXCEPTIONS = {
    "POST /v1/match": "read",  # ranks, changes nothing
    "POST /v1/creators/{creator_id}/similar": "read",
    "POST /v1/outreach/templates/{name}/preview": "read",  # renders, stores nothing
}
# Every route outside /v1 and how it is protected.
PUBLIC = {
    "GET /healthz": "public",
    "GET /readyz": "public",
    "GET /metrics": "metrics token",
    "GET /u/{token}": "signed token",
    "POST /u/{token}": "signed token",
}


def expected_scope(method: str, path: str) -> str:
    label = f"{method} {path}"
    if label in EXCEPTIONS:
        return EXCEPTIONS[label]
    if path.startswith("/v1/keys"):
        return "admin"
    if path.startswith("/v1/compliance"):
        return "compliance"
    return "read" if method == "GET" else "write"


def required_scopes(dependant: Any) -> set[str]:
    """The scopes that the route's dependencies (and theirs) require."""
    found = {dependant.call.scope} if isinstance(dependant.call, RequireScope) else set()
    for sub in dependant.dependencies:
        found |= required_scopes(sub)
    return found


def calls(dependant: Any, function: Any) -> bool:
    """True when ``function`` is among the dependencies of ``dependant`` (at any depth)."""
    if dependant.call is function:
        return True
    return any(calls(sub, function) for sub in dependant.dependencies)


def needs_session(dependant: Any) -> bool:
    return calls(dependant, current_user)


def is_page(client: TestClient, path: str) -> bool:
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        if route.path_format == path:
            return str(route.endpoint.__module__).startswith("api.web.")
    return False


def routes(client: TestClient) -> list[tuple[str, str, str | None]]:
    """(method, path template, required scope) of every API route the app serves."""
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        scopes = required_scopes(route.dependant)
        assert len(scopes) <= 1, (route.path_format, scopes)
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path_format, next(iter(scopes), None)))
    return found


def url(path: str, ids: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"no object for {{{name}}}: create one in tests/api/world.py"
        return str(ids[name])

    return re.sub(r"{(\w+)}", fill, path)


def call(client: TestClient, method: str, target: str, **kwargs: Any) -> Any:
    return client.request(method, target, **kwargs)


class TestTheRouteList:
    def test_every_v1_route_requires_exactly_the_conventional_scope(
        self, client: TestClient
    ) -> None:
        wrong = [
            f"{method} {path}: requires {scope}, expected {expected_scope(method, path)}"
            for method, path, scope in routes(client)
            if path.startswith("/v1/") and scope != expected_scope(method, path)
        ]
        assert wrong == [], "\n".join(wrong)

    def test_every_route_outside_v1_is_known(self, client: TestClient) -> None:
        others = {
            f"{method} {path}": scope
            for method, path, scope in routes(client)
            if not path.startswith("/v1/") and not is_page(client, path)
        }
        assert set(others) == set(PUBLIC)
        assert set(others.values()) == {None}  # none of them takes an API key

    def test_every_page_but_the_sign_in_form_needs_a_session(self, client: TestClient) -> None:
        """Web pages authenticate by session cookie (and forms by CSRF token), never by key."""
        pages = [
            route
            for route in api_routes(client.app.routes)  # type: ignore[attr-defined]
            if is_page(client, route.path_format)
        ]
        assert len(pages) > 10
        open_pages = sorted(
            f"{method} {route.path_format}"
            for route in pages
            for method in route.methods - {"HEAD"}
            if not needs_session(route.dependant)
        )
        assert open_pages == ["GET /login", "POST /login"]
        posts_without_csrf = sorted(
            route.path_format
            for route in pages
            if "POST" in route.methods
            and route.path_format != "/login"
            and not calls(route.dependant, form_user)
        )
        assert posts_without_csrf == []

    def test_the_exceptions_are_all_routes(self, client: TestClient) -> None:
        labels = {f"{method} {path}" for method, path, _scope in routes(client)}
        assert set(EXCEPTIONS) <= labels


class TestWithoutAKey:
    def test_every_v1_route_is_401(self, client: TestClient) -> None:
        wrong = []
        for method, path, _scope in routes(client):
            if not path.startswith("/v1/"):
                continue
            target = url(path, dict.fromkeys(re.findall(r"{(\w+)}", path), 1))
            for headers in ({}, {"Authorization": "Bearer cm_not_a_key"}):
                response = call(client, method, target, headers=headers)
                if response.status_code != 401 or response.headers.get("www-authenticate") != (
                    "Bearer"
                ):
                    wrong.append(f"{method} {path} {headers}: {response.status_code}")
        assert wrong == [], "\n".join(wrong)


class TestWithoutTheScope:
    def test_every_v1_route_is_403_for_a_key_without_its_scope(
        self, client: TestClient, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        # For each scope, a key with every other scope (and not admin, which implies all).
        lacking = {
            scope: add_key(settings, database, acme.org_id, [s for s in SCOPES[:3] if s != scope])
            for scope in SCOPES
        }
        wrong = []
        for method, path, scope in routes(client):
            if not path.startswith("/v1/"):
                continue
            assert scope is not None, f"{method} {path} requires no scope"
            target = url(path, dict.fromkeys(re.findall(r"{(\w+)}", path), 1))
            headers = {"Authorization": f"Bearer {lacking[scope]}"}
            response = call(client, method, target, headers=headers)
            if response.status_code != 403 or response.json()["code"] != "forbidden":
                wrong.append(f"{method} {path} without {scope}: {response.status_code}")
        assert wrong == [], "\n".join(wrong)


def example_body(spec: dict[str, Any], method: str, path: str, ids: dict[str, Any]) -> Any:
    """The operation's documented example body, with every id in it pointing at one of the
    world's objects (so that a 404 is about the object, not a 422 about the body)."""
    content = spec["paths"][path][method.lower()].get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    if media is None:
        return None
    schema = media["schema"]
    for option in [schema, *schema.get("anyOf", [])]:
        ref = option.get("$ref", "")
        examples = spec["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("examples")
        if examples:
            body = dict(examples[0])
            for name in list(body):
                if name in ids:
                    body[name] = ids[name]
                elif name.endswith("_ids") and name[:-1] in ids:
                    body[name] = [ids[name[:-1]]]
            return body
    return None


@pytest.fixture
def world(acme: ApiClient, settings: Settings, database: Database, matcher: MatchService) -> World:
    full = replace(acme, key=add_key(settings, database, acme.org_id, ["admin"]))
    return build_world(full, database, matcher)


class TestAnotherOrganisation:
    def test_every_object_route_is_404_with_another_organisations_full_key(
        self,
        client: TestClient,
        acme: ApiClient,
        globex: ApiClient,
        world: World,
        settings: Settings,
        database: Database,
        matcher: MatchService,
    ) -> None:
        spec = client.get("/openapi.json").json()
        with database.session() as session:  # so that similar-creators can answer at all
            matcher.build_index(session, globex.org_id)
        intruder = {
            "Authorization": f"Bearer {add_key(settings, database, globex.org_id, ['admin'])}"
        }
        wrong, checked = [], 0
        for method, path, _scope in routes(client):
            names = re.findall(r"{(\w+)}", path)
            if not path.startswith("/v1/") or not any(n.endswith("_id") for n in names):
                # collections, and names of the organisation's own settings (a template
                # override, a planner mix): nothing of another organisation's to reach
                continue
            body = example_body(spec, method, path, world.ids)
            kwargs: dict[str, Any] = {"json": body} if body is not None else {}
            response = call(client, method, url(path, world.ids), headers=intruder, **kwargs)
            checked += 1
            if response.status_code != 404:
                wrong.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
        assert wrong == [], "\n".join(wrong)
        assert checked >= 30
        # Nothing of acme's changed: every object is still there, as it was.
        owner = replace(acme, key=add_key(settings, database, acme.org_id, ["admin"]))
        for path in (
            "/v1/creators/{creator_id}",
            "/v1/brands/{brand_id}",
            "/v1/campaigns/{campaign_id}",
            "/v1/outreach/drafts/{draft_id}",
            "/v1/compliance/checks/{check_id}",
            "/v1/programs/{program_id}",
        ):
            assert owner.get(url(path, world.ids)).status_code == 200, path
        assert owner.get("/v1/compliance/checks/{}".format(world.ids["check_id"])).json()[
            "review_status"
        ] in ("pending", "not_required")
        keys = {k["id"]: k for k in owner.get("/v1/keys").json()}
        assert keys[world.ids["key_id"]]["revoked_at"] is None

    def test_collections_show_only_the_callers_objects(
        self,
        client: TestClient,
        globex: ApiClient,
        world: World,
        settings: Settings,
        database: Database,
    ) -> None:
        intruder = replace(globex, key=add_key(settings, database, globex.org_id, ["admin"]))
        # Every object of acme's world carries one of these in its name, text or url.
        marks = [*world.creators, "Verdant", "GlowLab", "crm.example.com", "MAYA10"]
        leaked, listed = [], 0
        for method, path, _scope in routes(client):
            if method != "GET" or "{" in path or not path.startswith("/v1/"):
                continue
            response = intruder.get(path)
            listed += 1
            leaked += [f"{path}: {mark}" for mark in marks if mark in response.text]
        assert leaked == []
        assert listed >= 10

    def test_an_organisations_template_override_is_its_own(
        self, client: TestClient, acme: ApiClient, globex: ApiClient, world: World
    ) -> None:
        name = world.ids["name"]
        assert client.delete(
            f"/v1/outreach/templates/{name}", headers=globex.headers
        ).status_code in (204, 404)
        templates = {t["name"]: t for t in acme.get("/v1/outreach/templates").json()["items"]}
        assert templates[name]["overridden"] is True
        theirs = {t["name"]: t for t in globex.get("/v1/outreach/templates").json()["items"]}
        assert theirs[name]["overridden"] is False


class TestRoutesOutsideV1:
    def test_the_probes_are_public(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200

    def test_metrics_are_off_without_a_token(self, client: TestClient, acme: ApiClient) -> None:
        assert client.get("/metrics").status_code == 404
        assert acme.get("/metrics").status_code == 404

    def test_metrics_need_the_metrics_token_not_an_api_key(
        self, settings: Settings, database: Database, matcher: MatchService, acme: ApiClient
    ) -> None:
        token = "m" * 40
        app = create_app(
            settings.model_copy(update={"metrics_token": SecretStr(token)}),
            database=database,
            matcher=matcher,
        )
        with TestClient(app) as client:
            assert client.get("/metrics").status_code == 401
            assert client.get("/metrics", headers=acme.headers).status_code == 401
            good = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
            assert good.status_code == 200
            assert "creatormatch_http_request_duration_seconds" in good.text

    def test_the_unsubscribe_page_takes_a_signed_token_only(
        self, client: TestClient, acme: ApiClient, settings: Settings, world: World
    ) -> None:
        secret = settings.secret_key.get_secret_value()
        creator = world.creators["plantglow.maya"]
        token = make_token(secret, acme.org_id, creator)
        assert client.get(f"/u/{token}").status_code == 200
        forged = make_token("another secret", acme.org_id, creator)
        for bad in (forged, token[:-2], "x", "..%2F..%2Fetc%2Fpasswd"):
            assert client.get(f"/u/{bad}").status_code in (404, 422), bad
            assert client.post(f"/u/{bad}").status_code in (404, 422), bad
        assert client.post(f"/u/{token}").status_code == 200
        entries = acme.get(f"/v1/campaigns/{world.ids['campaign_id']}/pipeline").json()["items"]
        assert {e["stage"] for e in entries if e["creator_id"] == creator} == {"opted_out"}
