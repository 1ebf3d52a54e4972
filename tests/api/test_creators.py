from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from storage.database import Database
from tests.factories import ApiClient, add_key, creator_record, jsonl


def _create(api: ApiClient, **overrides: object) -> dict[str, object]:
    response = api.post("/v1/creators", json=creator_record(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


class TestAuthentication:
    def test_no_key_is_401_with_problem_details(self, client: TestClient) -> None:
        response = client.get("/v1/creators")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert body["status"] == 401 and body["code"] == "unauthenticated"

    @pytest.mark.parametrize("key", ["nonsense", "cm_abc_def", "cm_0000000000_wrongsecret"])
    def test_bad_key_is_401(self, client: TestClient, key: str) -> None:
        response = client.get("/v1/creators", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401

    def test_tampered_secret_is_401(self, client: TestClient, acme: ApiClient) -> None:
        tampered = acme.key[:-2] + ("AA" if not acme.key.endswith("AA") else "BB")
        response = client.get("/v1/creators", headers={"Authorization": f"Bearer {tampered}"})
        assert response.status_code == 401

    def test_read_only_key_cannot_write(
        self, client: TestClient, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        key = add_key(settings, database, acme.org_id, ["read"])
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/v1/creators", headers=headers).status_code == 200
        response = client.post("/v1/creators", json=creator_record(), headers=headers)
        assert response.status_code == 403
        assert "write" in response.json()["detail"]

    def test_admin_key_carries_every_scope(
        self, client: TestClient, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        key = add_key(settings, database, acme.org_id, ["admin"])
        response = client.post(
            "/v1/creators", json=creator_record(), headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 201

    def test_revoked_key_is_401(
        self, client: TestClient, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        from accounts.service import AccountService
        from storage.repositories import ApiKeyRepository

        prefix = acme.key.split("_", 2)[1]
        with database.session() as session:
            key = ApiKeyRepository(session).get_by_prefix(prefix)
            assert key is not None
            AccountService(settings.api_key_pepper.get_secret_value()).revoke_key(session, key)
        assert acme.get("/v1/creators").status_code == 401

    def test_health_needs_no_key(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}


class TestTenancy:
    def test_other_organisations_creator_is_404_like_a_missing_one(
        self, acme: ApiClient, globex: ApiClient
    ) -> None:
        created = _create(acme)
        theirs = globex.get(f"/v1/creators/{created['id']}")
        missing = globex.get("/v1/creators/999999")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["code"] == missing.json()["code"] == "not_found"

    def test_lists_never_show_another_organisations_creators(
        self, acme: ApiClient, globex: ApiClient
    ) -> None:
        _create(acme)
        assert globex.get("/v1/creators").json()["items"] == []
        assert len(acme.get("/v1/creators").json()["items"]) == 1

    def test_other_organisation_cannot_change_or_delete(
        self, acme: ApiClient, globex: ApiClient
    ) -> None:
        created = _create(acme)
        assert (
            globex.patch(f"/v1/creators/{created['id']}", json={"followers": 1}).status_code == 404
        )
        assert globex.delete(f"/v1/creators/{created['id']}").status_code == 404
        assert acme.get(f"/v1/creators/{created['id']}").json()["followers"] == 48200

    def test_same_handle_may_exist_in_two_organisations(
        self, acme: ApiClient, globex: ApiClient
    ) -> None:
        _create(acme)
        _create(globex)

    def test_imports_land_in_the_callers_organisation(
        self, acme: ApiClient, globex: ApiClient
    ) -> None:
        body = jsonl([creator_record(handle=f"h{i}") for i in range(3)])
        response = acme.post(
            "/v1/creators/import", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        assert response.json()["created"] == 3
        assert globex.get("/v1/creators").json()["items"] == []


class TestCrud:
    def test_create_returns_the_record_with_tier_and_id(self, acme: ApiClient) -> None:
        body = _create(acme, followers=10_000, handle="@Lena.GreenKitchen")
        assert body["tier"] == "micro"
        assert body["handle"] == "lena.greenkitchen"
        assert isinstance(body["id"], int)
        fetched = acme.get(f"/v1/creators/{body['id']}").json()
        assert fetched == body

    def test_engagement_is_computed_and_marked(self, acme: ApiClient) -> None:
        body = _create(acme, followers=40_000, avg_likes=1_900, avg_comments=100)
        assert body["engagement_rate"] == pytest.approx(0.05)
        assert body["engagement_rate_computed"] is True

    def test_given_engagement_is_kept(self, acme: ApiClient) -> None:
        body = _create(acme, engagement_rate=0.031)
        assert body["engagement_rate"] == 0.031
        assert body["engagement_rate_computed"] is False

    def test_minimal_record_only_needs_platform_and_handle(self, acme: ApiClient) -> None:
        response = acme.post("/v1/creators", json={"platform": "podcast", "handle": "deep.dives"})
        assert response.status_code == 201
        assert response.json()["tier"] is None

    def test_duplicate_is_409(self, acme: ApiClient) -> None:
        _create(acme)
        response = acme.post("/v1/creators", json=creator_record())
        assert response.status_code == 409

    def test_bad_body_is_422_naming_the_field(self, acme: ApiClient) -> None:
        bad = creator_record(audience={"gender": {"female": 0.9, "male": 0.9}}, platform="myspace")
        response = acme.post("/v1/creators", json=bad)
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"platform", "audience.gender"} <= fields

    def test_patch_changes_only_given_fields_and_revalidates(self, acme: ApiClient) -> None:
        created = _create(acme, followers=48_200, avg_likes=2_100, avg_comments=64)
        response = acme.patch(f"/v1/creators/{created['id']}", json={"followers": 150_000})
        assert response.status_code == 200
        body = response.json()
        assert body["followers"] == 150_000 and body["tier"] == "mid"
        assert body["bio"] == created["bio"]
        # the computed rate follows the new follower count
        assert body["engagement_rate"] == pytest.approx((2_100 + 64) / 150_000, rel=1e-4)
        bad = acme.patch(f"/v1/creators/{created['id']}", json={"followers": -5})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "followers"
        unknown = acme.patch(f"/v1/creators/{created['id']}", json={"folowers": 5})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "folowers"

    def test_delete(self, acme: ApiClient) -> None:
        created = _create(acme)
        assert acme.delete(f"/v1/creators/{created['id']}").status_code == 204
        assert acme.get(f"/v1/creators/{created['id']}").status_code == 404


class TestList:
    @pytest.fixture
    def roster(self, acme: ApiClient) -> ApiClient:
        rows = [
            creator_record(
                handle="nano1",
                followers=5_000,
                country="US",
                language="en",
                categories=["fitness"],
                engagement_rate=0.08,
            ),
            creator_record(
                handle="micro1",
                followers=50_000,
                country="US",
                language="en",
                categories=["beauty", "skincare"],
                engagement_rate=0.05,
            ),
            creator_record(
                handle="micro2",
                platform="tiktok",
                followers=20_000,
                country="FR",
                language="fr",
                categories=["beauty"],
                engagement_rate=0.02,
            ),
            creator_record(
                handle="mega1",
                followers=3_000_000,
                country="US",
                language="en",
                categories=["beauty"],
                engagement_rate=0.012,
            ),
            creator_record(
                handle="nofollowers", followers=None, avg_likes=None, categories=["b2b"]
            ),
        ]
        response = acme.post(
            "/v1/creators/import",
            content=jsonl(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.json()["created"] == 5
        return acme

    @pytest.mark.parametrize(
        ("query", "handles"),
        [
            ("tier=micro", {"micro1", "micro2"}),
            ("tier=micro&platform=instagram", {"micro1"}),
            ("platform=tiktok", {"micro2"}),
            ("min_followers=20000&max_followers=50000", {"micro1", "micro2"}),
            ("country=us", {"nano1", "micro1", "mega1"}),
            ("language=fr", {"micro2"}),
            ("category=beauty", {"micro1", "micro2", "mega1"}),
            ("category=skin", set()),
            ("category=b2b", {"nofollowers"}),
            ("min_engagement=0.05", {"nano1", "micro1"}),
            ("tier=mega&category=beauty&country=US", {"mega1"}),
        ],
    )
    def test_filters(self, roster: ApiClient, query: str, handles: set[str]) -> None:
        response = roster.get(f"/v1/creators?{query}")
        assert response.status_code == 200
        assert {c["handle"] for c in response.json()["items"]} == handles

    def test_bad_filter_names_the_parameter(self, roster: ApiClient) -> None:
        response = roster.get("/v1/creators?tier=giant")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "tier"

    def test_cursor_pagination_visits_every_creator_once(self, roster: ApiClient) -> None:
        seen: list[str] = []
        url = "/v1/creators?limit=2"
        pages = 0
        while True:
            body = roster.get(url).json()
            seen += [c["handle"] for c in body["items"]]
            pages += 1
            if body["next_cursor"] is None:
                break
            url = f"/v1/creators?limit=2&cursor={body['next_cursor']}"
        assert pages == 3
        assert sorted(seen) == sorted(["nano1", "micro1", "micro2", "mega1", "nofollowers"])

    def test_foreign_cursor_is_422(self, roster: ApiClient) -> None:
        response = roster.get("/v1/creators?cursor=not-a-cursor")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cursor"


class TestImportApi:
    def test_ndjson_body(self, acme: ApiClient) -> None:
        body = jsonl([creator_record(handle="a"), creator_record(handle="b")])
        response = acme.post(
            "/v1/creators/import", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        assert response.status_code == 200
        assert response.json() == {
            "created": 2,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
            "written": True,
            "errors": [],
        }

    def test_multipart_csv_upload(self, acme: ApiClient) -> None:
        csv_text = (
            "platform,handle,followers,audience.gender.female,audience.gender.male,categories\n"
            "tiktok,@cook.with.mia,25000,0.7,0.3,food|vegan\n"
        )
        response = acme.post(
            "/v1/creators/import", files={"file": ("roster.csv", csv_text, "text/csv")}
        )
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1
        item = acme.get("/v1/creators").json()["items"][0]
        assert item["handle"] == "cook.with.mia"
        assert item["audience"]["gender"] == {"female": 0.7, "male": 0.3}
        assert item["categories"] == ["food", "vegan"]

    def test_invalid_row_rejects_the_file_and_writes_nothing(self, acme: ApiClient) -> None:
        rows = [
            creator_record(handle="ok1"),
            creator_record(handle="bad", followers=-1),
            creator_record(handle="ok2"),
        ]
        response = acme.post(
            "/v1/creators/import",
            content=jsonl(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "import_rejected"
        assert body["errors"] == [
            {
                "line": 2,
                "field": "followers",
                "message": "Input should be greater than or equal to 0",
            }
        ]
        assert body["summary"]["written"] is False
        assert acme.get("/v1/creators").json()["items"] == []

    def test_skip_invalid_writes_the_valid_rows(self, acme: ApiClient) -> None:
        rows = [creator_record(handle="ok1"), creator_record(handle="bad", country="ZZ")]
        response = acme.post(
            "/v1/creators/import?skip_invalid=true",
            content=jsonl(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        body = response.json()
        assert response.status_code == 200
        assert (body["created"], body["rejected"]) == (1, 1)
        assert body["errors"][0]["line"] == 2 and body["errors"][0]["field"] == "country"

    def test_oversize_upload_is_413_and_writes_nothing(
        self, acme: ApiClient, settings: Settings
    ) -> None:
        line = jsonl([creator_record(handle="x" * 50, bio="b" * 4000)])
        copies = settings.max_upload_bytes // len(line) + 10
        body = b"".join(
            jsonl([creator_record(handle=f"h{i}", bio="b" * 4000)]) for i in range(copies)
        )
        response = acme.post(
            "/v1/creators/import", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        assert response.status_code == 413
        assert "CREATORMATCH_MAX_UPLOAD_BYTES" in response.json()["detail"]
        assert acme.get("/v1/creators").json()["items"] == []

    def test_export_round_trips_through_import(self, acme: ApiClient, globex: ApiClient) -> None:
        rows = [creator_record(handle=f"h{i}", followers=1000 * (i + 1)) for i in range(4)]
        acme.post(
            "/v1/creators/import",
            content=jsonl(rows),
            headers={"Content-Type": "application/x-ndjson"},
        )
        for fmt in ("jsonl", "csv"):
            exported = acme.get(f"/v1/creators/export?format={fmt}")
            assert exported.status_code == 200
            again = acme.post(
                "/v1/creators/import",
                content=exported.content,
                headers={"Content-Type": "text/csv" if fmt == "csv" else "application/x-ndjson"},
            ).json()
            assert (again["unchanged"], again["created"], again["updated"]) == (4, 0, 0), fmt
        assert globex.get("/v1/creators/export").content == b""

    def test_openapi_documents_auth_and_examples(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        assert "HTTPBearer" in spec["components"]["securitySchemes"]
        assert "/v1/creators/import" in spec["paths"]
        assert client.get("/docs").status_code == 200


class TestCrmPresets:
    def test_hubspot_csv_body_gives_one_creator_per_handle(self, acme: ApiClient) -> None:
        from tests.creators.test_presets import HUBSPOT_CSV

        response = acme.post(
            "/v1/creators/import?preset=hubspot",
            content=HUBSPOT_CSV.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["rejected"]) == (6, 0)
        items = acme.get("/v1/creators?platform=instagram").json()["items"]
        jose = next(item for item in items if item["handle"] == "jose.kocht")
        assert jose["display_name"] == "José Müller" and jose["source"] == "hubspot:1001"
        assert (jose["followers"], jose["tier"], jose["country"]) == (48200, "micro", "DE")
        assert (jose["rates"]["currency"], jose["rates"]["post"]) == ("EUR", 650.0)

    def test_salesforce_round_trip_gives_the_crm_columns_back(self, acme: ApiClient) -> None:
        from creators.presets import SALESFORCE
        from tests.creators.test_presets import SALESFORCE_CSV, SALESFORCE_ROWS, same_columns

        imported = acme.post(
            "/v1/creators/import?preset=salesforce",
            content=SALESFORCE_CSV.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["created"] == 4
        exported = acme.get("/v1/creators/export?format=csv&preset=salesforce")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert 'filename="creators-salesforce.csv"' in exported.headers["content-disposition"]
        same_columns(exported.text, SALESFORCE_ROWS, SALESFORCE)
        again = acme.post(
            "/v1/creators/import?preset=salesforce",
            content=exported.content,
            headers={"Content-Type": "text/csv"},
        ).json()
        assert (again["unchanged"], again["created"], again["updated"]) == (4, 0, 0)

    def test_a_preset_in_jsonl_gives_the_csv_rows_as_json_lines(self, acme: ApiClient) -> None:
        """The document cannot tie ``preset`` to ``format=csv``, so the JSONL export takes a
        preset too: each line is the CSV's row, keyed by its columns."""
        import csv
        import io
        import json

        from tests.creators.test_presets import SALESFORCE_CSV

        imported = acme.post(
            "/v1/creators/import?preset=salesforce",
            content=SALESFORCE_CSV.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )
        assert imported.status_code == 200, imported.text
        as_csv = acme.get("/v1/creators/export?format=csv&preset=salesforce")
        for url in (
            "/v1/creators/export?preset=salesforce",
            "/v1/creators/export?format=jsonl&preset=salesforce",
        ):
            as_jsonl = acme.get(url)
            assert as_jsonl.status_code == 200, as_jsonl.text
            assert as_jsonl.headers["content-type"] == "application/x-ndjson"
            assert 'filename="creators-salesforce.jsonl"' in as_jsonl.headers["content-disposition"]
            lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
            assert lines == list(csv.DictReader(io.StringIO(as_csv.text)))
            assert len(lines) == 3  # four creators of three contacts

    def test_an_error_names_line_and_crm_column_and_nothing_is_written(
        self, acme: ApiClient
    ) -> None:
        from tests.creators.test_presets import SALESFORCE_BAD

        response = acme.post(
            "/v1/creators/import?preset=salesforce",
            content=SALESFORCE_BAD.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "import_rejected"
        assert body["errors"] == [
            {"line": 7, "field": "Followers__c", "message": "must be a whole number"}
        ]
        assert "line 7, column 'Followers__c': must be a whole number" in body["detail"]
        assert acme.get("/v1/creators").json()["items"] == []

    def test_skip_invalid_works_with_a_preset(self, acme: ApiClient) -> None:
        from tests.creators.test_presets import SALESFORCE_BAD

        response = acme.post(
            "/v1/creators/import?preset=salesforce&skip_invalid=true",
            files={"file": ("contacts.csv", SALESFORCE_BAD, "text/csv")},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["rejected"]) == (4, 1)

    @pytest.mark.parametrize(
        ("url", "fragment"),
        [
            ("/v1/creators/export?format=csv&preset=pipedrive", "preset"),
        ],
    )
    def test_bad_export_preset_is_422(self, acme: ApiClient, url: str, fragment: str) -> None:
        response = acme.get(url)
        assert response.status_code == 422
        assert fragment in response.text

    def test_jsonl_with_a_preset_is_422(self, acme: ApiClient) -> None:
        response = acme.post(
            "/v1/creators/import?preset=hubspot",
            content=jsonl([creator_record()]),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "preset"
