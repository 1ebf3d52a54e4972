"""The API's platform features: idempotency keys, per-key rate limits, key rotation and
revocation, request size limits, request ids, JSON logs without secrets, and /metrics."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from core.logging import JsonFormatter, RedactingFilter
from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from tests.factories import ApiClient, add_key, make_org_with_key


def admin(api: ApiClient, settings: Settings, database: Database) -> ApiClient:
    return replace(api, key=add_key(settings, database, api.org_id, ["admin"]))


class TestIdempotency:
    def test_a_replay_returns_the_stored_response_without_running_again(
        self, acme: ApiClient
    ) -> None:
        headers = {"Idempotency-Key": "brand-create-1"}
        first = acme.post("/v1/brands", json={"name": "Verdant"}, headers=headers)
        assert first.status_code == 201
        again = acme.post("/v1/brands", json={"name": "Verdant"}, headers=headers)
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert len(acme.get("/v1/brands").json()["items"]) == 1
        # Without the header the same request runs: the name is taken.
        assert acme.post("/v1/brands", json={"name": "Verdant"}).status_code == 409

    def test_the_same_key_with_another_body_is_a_409(self, acme: ApiClient) -> None:
        headers = {"Idempotency-Key": "k-2"}
        assert acme.post("/v1/brands", json={"name": "A"}, headers=headers).status_code == 201
        other = acme.post("/v1/brands", json={"name": "B"}, headers=headers)
        assert other.status_code == 409
        assert other.json()["code"] == "idempotency_key_reused"
        assert [b["name"] for b in acme.get("/v1/brands").json()["items"]] == ["A"]

    def test_errors_are_replayed_too_but_keys_are_per_api_key(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        headers = {"Idempotency-Key": "k-3"}
        bad = acme.post("/v1/campaigns", json={"name": ""}, headers=headers)
        assert bad.status_code == 422
        assert acme.post("/v1/campaigns", json={"name": ""}, headers=headers).status_code == 422
        other_key = replace(acme, key=add_key(settings, database, acme.org_id, ["write", "read"]))
        made = other_key.post("/v1/campaigns", json={"name": "x"}, headers=headers)
        assert made.status_code == 201  # another key's record does not apply


class TestKeysWithUnderscores:
    @pytest.mark.parametrize(
        "token", ["_" + "x" * 42, "a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p_q_r_s_t_u_v", "-" * 43]
    )
    def test_a_key_whose_random_part_holds_underscores_works(
        self,
        token: str,
        client: TestClient,
        settings: Settings,
        database: Database,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        import accounts.service

        monkeypatch.setattr(accounts.service.secrets, "token_urlsafe", lambda _n: token)
        api = make_org_with_key(client, settings, database, "underscored", ["read"])
        assert api.key.endswith(token)
        assert api.get("/v1/creators").status_code == 200
        assert (
            client.get("/v1/creators", headers={"Authorization": f"Bearer {api.key}x"}).status_code
            == 401
        )


class TestRateLimits:
    def test_a_key_over_its_limit_gets_429_with_retry_after(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss = admin(acme, settings, database)
        limited = boss.post("/v1/keys", json={"scopes": ["read"], "rate_limit_per_minute": 3})
        assert limited.status_code == 201, limited.text
        slow = replace(acme, key=limited.json()["secret"])
        codes = [slow.get("/v1/creators").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = slow.get("/v1/creators")
        assert refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert acme.get("/v1/creators").status_code == 200  # other keys are not affected


class TestKeys:
    def test_create_list_rotate_with_overlap_and_revoke(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss = admin(acme, settings, database)
        made = boss.post("/v1/keys", json={"name": "crm", "scopes": ["read", "write"]}).json()
        crm = replace(acme, key=made["secret"])
        assert crm.get("/v1/creators").status_code == 200
        listed = {k["id"]: k for k in boss.get("/v1/keys").json()}
        assert listed[made["id"]]["last_used_at"] is not None
        assert "secret" not in listed[made["id"]]
        rotated = boss.post(f"/v1/keys/{made['id']}/rotate", json={"overlap_hours": 1}).json()
        assert rotated["scopes"] == ["read", "write"] and rotated["rotated_from_id"] == made["id"]
        assert crm.get("/v1/creators").status_code == 200  # still inside the overlap
        fresh = replace(acme, key=rotated["secret"])
        assert fresh.get("/v1/creators").status_code == 200
        now_dead = boss.post(f"/v1/keys/{made['id']}/rotate", json={"overlap_hours": 0})
        assert now_dead.status_code == 201
        assert crm.get("/v1/creators").status_code == 401  # overlap over
        assert boss.delete(f"/v1/keys/{rotated['id']}").status_code == 204
        assert fresh.get("/v1/creators").status_code == 401
        me = next(k for k in boss.get("/v1/keys").json() if k["scopes"] == ["admin"])
        assert boss.delete(f"/v1/keys/{me['id']}").status_code == 409

    def test_keys_need_admin_and_stay_in_their_organisation(
        self,
        acme: ApiClient,
        globex: ApiClient,
        settings: Settings,
        database: Database,
    ) -> None:
        assert acme.get("/v1/keys").status_code == 403
        boss = admin(acme, settings, database)
        theirs = admin(globex, settings, database)
        key_id = boss.post("/v1/keys", json={"scopes": ["read"]}).json()["id"]
        assert theirs.delete(f"/v1/keys/{key_id}").status_code == 404
        assert key_id not in {k["id"] for k in theirs.get("/v1/keys").json()}


def test_a_key_is_renamed_and_its_limit_set_and_reset(
    acme: ApiClient, settings: Settings, database: Database
) -> None:
    boss = admin(acme, settings, database)
    key_id = boss.post("/v1/keys", json={"name": "crm", "scopes": ["read"]}).json()["id"]
    changed = boss.patch(f"/v1/keys/{key_id}", json={"rate_limit_per_minute": 60}).json()
    assert (changed["name"], changed["rate_limit_per_minute"]) == ("crm", 60)
    # A null name keeps the name; a null limit goes back to the server's default.
    changed = boss.patch(
        f"/v1/keys/{key_id}", json={"name": None, "rate_limit_per_minute": None}
    ).json()
    assert (changed["name"], changed["rate_limit_per_minute"]) == ("crm", None)
    renamed = boss.patch(f"/v1/keys/{key_id}", json={"name": "hubspot"}).json()
    assert renamed["name"] == "hubspot"
    assert boss.get(f"/v1/keys/{key_id}").json()["name"] == "hubspot"


class TestRevokedKeys:
    """A revoked key is gone: every route answers 404 as for a key that never existed, and
    only an explicit ``include_revoked=true`` list still shows it (for the audit trail)."""

    def revoked(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> tuple[ApiClient, int]:
        boss = admin(acme, settings, database)
        key_id = boss.post("/v1/keys", json={"name": "old", "scopes": ["read"]}).json()["id"]
        assert boss.delete(f"/v1/keys/{key_id}").status_code == 204
        return boss, key_id

    def test_getting_it_is_a_404(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss, key_id = self.revoked(acme, settings, database)
        live = boss.post("/v1/keys", json={"name": "live", "scopes": ["read"]}).json()["id"]
        assert boss.get(f"/v1/keys/{live}").json()["name"] == "live"
        response = boss.get(f"/v1/keys/{key_id}")
        assert response.status_code == 404
        assert response.json()["detail"] == f"API key {key_id} not found"

    def test_changing_it_is_a_404_and_changes_nothing(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss, key_id = self.revoked(acme, settings, database)
        response = boss.patch(f"/v1/keys/{key_id}", json={"name": "renamed"})
        assert response.status_code == 404
        (row,) = [k for k in boss.get("/v1/keys?include_revoked=true").json() if k["id"] == key_id]
        assert row["name"] == "old"

    def test_rotating_it_is_a_404(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss, key_id = self.revoked(acme, settings, database)
        before = len(boss.get("/v1/keys?include_revoked=true").json())
        assert boss.post(f"/v1/keys/{key_id}/rotate", json={"overlap_hours": 1}).status_code == 404
        assert len(boss.get("/v1/keys?include_revoked=true").json()) == before

    def test_revoking_it_again_is_a_404(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss, key_id = self.revoked(acme, settings, database)
        assert boss.delete(f"/v1/keys/{key_id}").status_code == 404

    def test_only_an_explicit_list_shows_it(
        self, acme: ApiClient, settings: Settings, database: Database
    ) -> None:
        boss, key_id = self.revoked(acme, settings, database)
        assert key_id not in {k["id"] for k in boss.get("/v1/keys").json()}
        assert key_id not in {k["id"] for k in boss.get("/v1/keys?include_revoked=false").json()}
        listed = {k["id"]: k for k in boss.get("/v1/keys?include_revoked=true").json()}
        assert listed[key_id]["revoked_at"] is not None
        assert all(k["revoked_at"] is None for k in boss.get("/v1/keys").json())


class TestLimitsAndObservability:
    def test_oversized_bodies_are_refused_with_413(self, acme: ApiClient) -> None:
        response = acme.post("/v1/match", json={"brief": "x" * (2 * 1024 * 1024)})
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"

    def test_every_response_carries_a_request_id(self, acme: ApiClient) -> None:
        generated = acme.get("/v1/creators")
        assert len(generated.headers["x-request-id"]) == 32
        given = acme.get("/v1/creators", headers={"X-Request-ID": "crm-sync-42"})
        assert given.headers["x-request-id"] == "crm-sync-42"
        hostile = acme.get("/v1/creators", headers={"X-Request-ID": "a b <script>"})
        assert hostile.headers["x-request-id"] != "a b <script>"

    def test_logs_are_json_with_the_request_id_and_no_secrets(
        self, client: TestClient, acme: ApiClient
    ) -> None:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactingFilter())
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            acme.get("/v1/creators", headers={"X-Request-ID": "req-1"})
            client.get("/v1/creators", headers={"Authorization": f"Bearer {acme.key}x"})
            logging.getLogger("creatormatch.test").warning(
                "leak attempt %s password=%s", acme.key, "hunter2"
            )
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        access = [r for r in lines if r["logger"] == "creatormatch.access"]
        assert any(r["request_id"] == "req-1" and r["route"] == "/v1/creators" for r in access)
        assert all(r["request_id"] for r in access)
        text = stream.getvalue()
        # the secret part after "cm_<prefix>_" (it may itself hold "_" or start with one)
        assert acme.key not in text and acme.key.split("_", 2)[2] not in text
        assert "hunter2" not in text

    def test_metrics_need_the_token_and_label_routes_by_template(
        self, settings: Settings, database: Database, matcher: MatchService, acme: ApiClient
    ) -> None:
        secured = settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
        app = create_app(secured, database=database, matcher=matcher)
        with TestClient(app) as client:
            client.get("/v1/creators/12345", headers=acme.headers)
            assert client.get("/metrics").status_code == 401
            body = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).text
        assert 'route="/v1/creators/{creator_id}"' in body
        assert "creatormatch_http_request_duration_seconds_bucket" in body
        assert "creatormatch_match_duration_seconds" in body
        assert "/v1/creators/12345" not in body


def test_metrics_are_off_without_a_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_scheduler_job_runs_show_in_the_metrics(
    settings: Settings, database: Database, matcher: MatchService
) -> None:
    import threading

    from apscheduler.events import EVENT_JOB_EXECUTED

    secured = settings.model_copy(
        update={"metrics_token": SecretStr("t"), "scheduler": True, "scheduler_interval_seconds": 1}
    )
    app = create_app(secured, database=database, matcher=matcher)
    with TestClient(app) as client:
        ran = threading.Event()
        seen: list[str] = []

        def note(event: object) -> None:
            # Any job may run first (webhooks.deliver_due too); the metrics listener was
            # added before this one, so the job noted here is already in the metrics.
            seen.append(str(getattr(event, "job_id", "")))
            ran.set()

        app.state.scheduler.add_listener(note, EVENT_JOB_EXECUTED)
        assert ran.wait(timeout=30)
        body = client.get("/metrics", headers={"Authorization": "Bearer t"}).text
    job = seen[0]
    assert job in {"programs.tick", "outreach.run_due", "webhooks.deliver_due"}
    assert f'creatormatch_scheduler_job_lag_seconds{{job="{job}"}}' in body
    assert f'creatormatch_scheduler_job_last_success_timestamp{{job="{job}"}}' in body
