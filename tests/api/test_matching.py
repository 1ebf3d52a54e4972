from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from api.routes.matching import brief_understood
from api.schemas.matching import BriefUnderstoodRead, MatchRequest, MatchResponse
from core.settings import Settings
from matcher.brief import parse_brief
from matcher.service import MatchService
from storage.database import Database
from tests.factories import ApiClient, creator_record, jsonl
from tests.matcher.test_service import BRIEF, GAMER, VEGAN_US


def import_roster(api: ApiClient, records: list[dict[str, Any]]) -> None:
    response = api.post(
        "/v1/creators/import",
        content=jsonl(records),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text


def build(database: Database, matcher: MatchService, org_id: int) -> None:
    with database.session() as session:
        matcher.build_index(session, org_id)


@pytest.fixture
def ready(acme: ApiClient, database: Database, matcher: MatchService) -> ApiClient:
    others = [
        creator_record(
            handle=f"foodie{i}", categories=["food"], country="DE", bio="Weeknight pasta and baking"
        )
        for i in range(4)
    ]
    import_roster(acme, [VEGAN_US, GAMER, *others])
    build(database, matcher, acme.org_id)
    return acme


def test_match_before_the_index_exists_is_503(acme: ApiClient) -> None:
    import_roster(acme, [VEGAN_US])
    response = acme.post("/v1/match", json={"brief": BRIEF})
    assert response.status_code == 503
    assert response.json()["code"] == "index_not_ready"


def test_match_returns_ranked_creators_with_components_and_reasons(ready: ApiClient) -> None:
    response = ready.post("/v1/match", json={"brief": BRIEF, "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    first = body["results"][0]
    assert (first["rank"], first["handle"], first["tier"]) == (1, "plantglow.maya", "micro")
    assert set(first["components"]) >= {"niche_fit", "audience_fit", "engagement_quality"}
    assert first["components"]["audience_fit"]["reasons"]
    assert first["reasons"] and isinstance(first["score"], float)
    assert body["objective"] == "conversions"
    assert body["brief_understood"]["genders"] == ["female"]
    assert body["brief_understood"]["age"] == ["25-34"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_brief_understood_lists_every_item_and_the_niche_text(ready: ApiClient) -> None:
    brief = "eco-friendly running shoes for women 25-34 in the US, awareness, $15k"
    body = ready.post("/v1/match", json={"brief": brief, "k": 3}).json()
    understood = body["brief_understood"]
    assert understood["niche_text"] == "eco-friendly running shoes"
    assert (understood["age"], understood["countries"]) == (["25-34"], ["US"])
    assert understood["budget"] == 15000.0
    assert understood["items"] == [
        {"kind": "gender", "value": "female", "text": "women", "source": "brief"},
        {"kind": "age", "value": "25-34", "text": "25-34", "source": "brief"},
        {"kind": "country", "value": "US", "text": "US", "source": "brief"},
        {"kind": "objective", "value": "awareness", "text": "awareness", "source": "brief"},
        {"kind": "budget", "value": "15000 USD", "text": "$15k", "source": "brief"},
    ]


def test_the_documented_brief_understood_is_what_the_example_brief_reads() -> None:
    extra = MatchRequest.model_config.get("json_schema_extra")
    documented = BriefUnderstoodRead.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(documented, dict)
    example_brief = extra["examples"][0]["brief"]  # type: ignore[index]  # a list of dicts
    read = brief_understood(parse_brief(example_brief)).model_dump()
    assert read == documented["examples"][0]  # type: ignore[index]  # a list of dicts


def test_filters_and_pagination(ready: ApiClient) -> None:
    body = ready.post(
        "/v1/match", json={"brief": "creators", "filters": {"countries": ["de"]}, "k": 2}
    ).json()
    assert {r["country"] for r in body["results"]} == {"DE"}
    assert body["applied_filters"]["countries"] == ["DE"]
    second = ready.post(
        "/v1/match",
        json={
            "brief": "creators",
            "filters": {"countries": ["de"]},
            "k": 2,
            "cursor": body["next_cursor"],
        },
    ).json()
    handles = [r["handle"] for r in body["results"]] + [r["handle"] for r in second["results"]]
    assert sorted(handles) == [f"foodie{i}" for i in range(4)]
    assert [r["rank"] for r in second["results"]] == [3, 4]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"brief": ""}, "brief"),
        ({"brief": "x", "k": 0}, "k"),
        ({"brief": "x", "filters": {"tiers": ["giant"]}}, "filters.tiers.0"),
        ({"brief": "x", "filters": {"platforms": ["myspace"]}}, "filters.platforms.0"),
        ({"brief": "x", "weights": {"vibes": 1}}, "weights.vibes"),
        ({"brief": "x", "objective": "world domination"}, "objective"),
        ({"brief": "x", "filters": {"colour": "red"}}, "filters.colour"),
    ],
)
def test_bad_requests_name_the_field(ready: ApiClient, body: dict[str, Any], field: str) -> None:
    response = ready.post("/v1/match", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_other_organisations_never_see_these_creators(
    ready: ApiClient, globex: ApiClient, database: Database, matcher: MatchService
) -> None:
    import_roster(globex, [creator_record(handle="globex.only", bio="vegan skincare")])
    build(database, matcher, globex.org_id)
    theirs = globex.post("/v1/match", json={"brief": BRIEF}).json()["results"]
    assert [r["handle"] for r in theirs] == ["globex.only"]
    vegan_id = ready.post("/v1/match", json={"brief": BRIEF, "k": 1}).json()["results"][0][
        "creator_id"
    ]
    assert globex.post(f"/v1/creators/{vegan_id}/similar").status_code == 404


def test_similar_and_delete(ready: ApiClient) -> None:
    vegan_id = ready.post("/v1/match", json={"brief": BRIEF, "k": 1}).json()["results"][0][
        "creator_id"
    ]
    similar = ready.post(f"/v1/creators/{vegan_id}/similar", json={"k": 3})
    assert similar.status_code == 200
    results = similar.json()["results"]
    assert vegan_id not in [r["creator_id"] for r in results] and len(results) == 3
    assert ready.delete(f"/v1/creators/{vegan_id}").status_code == 204
    after = ready.post("/v1/match", json={"brief": BRIEF, "k": 10}).json()["results"]
    assert vegan_id not in [r["creator_id"] for r in after]


def test_match_needs_a_key(client: TestClient) -> None:
    assert client.post("/v1/match", json={"brief": BRIEF}).status_code == 401


def test_cli_match_json(
    ready: ApiClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, embedder: Any
) -> None:
    import json

    from typer.testing import CliRunner

    import cli.common
    from cli.main import app

    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(
        cli.common, "match_service", lambda s, **_kw: MatchService(s.index_dir, lambda: embedder)
    )
    result = CliRunner().invoke(app, ["match", BRIEF, "--org", "acme", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["rank"] for r in rows] == [1, 2]
    assert rows[0]["handle"] == "plantglow.maya"
    assert {"platform", "handle", "score", "components", "reasons"} <= set(rows[0])
    # the same fields, in the same order, and values as the API's results (MatchResultRead)
    api_rows = ready.post("/v1/match", json={"brief": BRIEF, "k": 2}).json()["results"]
    assert [list(r) for r in rows] == [list(r) for r in api_rows]
    assert rows == api_rows
    text = CliRunner().invoke(
        app, ["match", BRIEF, "--org", "acme", "--k", "1", "--platform", "twitch"]
    )
    assert "twitch/fragmaster" in text.stdout


def test_readiness_waits_for_the_index_worker_first_pass(
    acme: ApiClient, client: TestClient, database: Database, matcher: MatchService
) -> None:
    from matcher.service import IndexWorker

    import_roster(acme, [VEGAN_US, GAMER])
    worker = IndexWorker(matcher, database, interval=0.05)
    client.app.state.index_worker = worker  # type: ignore[attr-defined]
    loading = client.get("/readyz")
    assert loading.status_code == 503
    assert loading.json()["checks"]["indexes"] == "loading"
    worker.start()
    try:
        assert worker.warm.wait(timeout=300)
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["indexes"]["loaded"] == {str(acme.org_id): 2}
        assert acme.post("/v1/match", json={"brief": BRIEF}).status_code == 200
    finally:
        worker.stop()


def test_a_campaigns_countries_reach_the_scoring_and_are_labelled(
    acme: ApiClient, database: Database, matcher: MatchService
) -> None:
    """The issue's case: with a US campaign selected, a creator abroad with no audience data
    must not come first, and the reasons say the country came from the campaign."""
    irish = creator_record(
        handle="runner.ie",
        country="IE",
        audience=None,
        categories=["fitness"],
        bio="Trail running, marathon training and running shoe reviews",
    )
    american = creator_record(
        handle="runner.us",
        country="US",
        categories=["fitness"],
        bio="Running shoe reviews and marathon training in Boulder",
        audience={
            "age": {"18-24": 0.2, "25-34": 0.5, "35-44": 0.2, "45-54": 0.1},
            "gender": {"female": 0.75, "male": 0.25},
            "countries": {"US": 0.8, "CA": 0.1},
        },
    )
    import_roster(acme, [irish, american, GAMER])
    build(database, matcher, acme.org_id)
    campaign = acme.post(
        "/v1/campaigns",
        json={
            "name": "Spring running",
            "brief": "running shoes",
            "objective": "awareness",
            "countries": ["US"],
            "currency": "USD",
        },
    )
    assert campaign.status_code == 201, campaign.text
    body = acme.post(
        "/v1/match", json={"campaign_id": campaign.json()["id"], "brief": "running shoes"}
    ).json()
    handles = [r["handle"] for r in body["results"]]
    assert handles.index("runner.us") < handles.index("runner.ie")
    assert body["brief_understood"]["sources"]["countries"] == "campaign"
    first = body["results"][0]
    assert any("(from the campaign)" in r for r in first["components"]["audience_fit"]["reasons"])
    irish_row = next(r for r in body["results"] if r["handle"] == "runner.ie")
    assert "audience unknown" in irish_row["flags"]


class TestHttpLayer:
    """The match route's thin HTTP layer: the body is the response model's JSON, built without
    a second validation, and only blocking work goes to the thread pool."""

    REQUESTS: tuple[dict[str, Any], ...] = (
        {"brief": BRIEF, "k": 3},
        {"brief": "eco-friendly running shoes for women 25-34 in the US, awareness, $15k"},
        {
            "brief": "creators",
            "filters": {"countries": ["de"], "tiers": ["micro", "nano"], "min_engagement": 0.01},
            "k": 2,
        },
        {"brief": "gaming on twitch, men 18-24, budget 2000 EUR, 5 creators, min 3% engagement"},
        {"brief": "vegan food", "filters": {"max_cost_usd": 5000, "exclude_creator_ids": [1]}},
    )

    def test_body_is_exactly_the_response_models_json(self, ready: ApiClient) -> None:
        for request in self.REQUESTS:
            response = ready.post("/v1/match", json=request)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/json"
            model = MatchResponse.model_validate_json(response.content)
            # Byte for byte: an int where the model says float (15000 for 15000.0), a missing
            # or extra field, or another order would show here.
            assert response.content == model.model_dump_json().encode(), request
            assert model.results or request.get("filters"), request

    def test_the_second_page_is_the_models_json_too(self, ready: ApiClient) -> None:
        first = ready.post("/v1/match", json={"brief": "creators", "k": 2}).json()
        response = ready.post(
            "/v1/match", json={"brief": "creators", "k": 2, "cursor": first["next_cursor"]}
        )
        assert response.status_code == 200, response.text
        model = MatchResponse.model_validate_json(response.content)
        assert response.content == model.model_dump_json().encode()
        assert [r.rank for r in model.results] == [3, 4]

    def test_only_blocking_work_hops_to_the_thread_pool(
        self, ready: ApiClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Each hop waits for the event loop and a worker thread (milliseconds on a busy
        # server). A match needs four: the session's start and commit, the key's lookup and
        # the route; settings, the scope check and the response's bytes need none.
        ready.post("/v1/match", json={"brief": BRIEF, "k": 3}).raise_for_status()  # warm
        hops: list[str] = []
        run_sync = anyio.to_thread.run_sync

        async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            hops.append(getattr(func, "__qualname__", repr(func)))
            return await run_sync(func, *args, **kwargs)

        monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
        ready.post("/v1/match", json={"brief": BRIEF, "k": 3}).raise_for_status()
        assert len(hops) <= 4, hops

    def test_the_response_is_serialised_off_the_event_loop(
        self, ready: ApiClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A 20-result body is a millisecond of CPU: on the loop it would stall every other
        # request. The route's worker thread builds the bytes (api.routes.matching.encode_json);
        # the loop only sends them. Before, FastAPI validated and serialised the returned
        # model again, on the loop.
        import api.routes.matching as route

        threads: dict[str, list[str]] = {"encode": [], "match": []}
        encode = getattr(route, "encode_json", None)

        def watching_encode(content: Any) -> bytes:
            threads["encode"].append(threading.current_thread().name)
            assert encode is not None
            return encode(content)

        original = MatchService.match

        def watching_match(self: MatchService, *args: Any, **kwargs: Any) -> Any:
            threads["match"].append(threading.current_thread().name)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(route, "encode_json", watching_encode, raising=False)
        monkeypatch.setattr(MatchService, "match", watching_match)
        response = ready.post("/v1/match", json={"brief": BRIEF, "k": 3})
        assert response.status_code == 200, response.text
        assert threads["encode"] == threads["match"] != [], threads
        assert threads["match"][0] != threading.main_thread().name
