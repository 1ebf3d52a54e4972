"""Signing in, sessions, CSRF, roles and the admin's user page (TestClient)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts.users import UserService
from api.app import create_app
from api.web.auth import LOGIN_ATTEMPTS_PER_MINUTE, LOGIN_FAILURES_PER_CLIENT_PER_MINUTE
from core.settings import Settings
from matcher.service import MatchService
from models import User, WebSession, utcnow
from storage.database import Database
from tests.web_support import PASSWORD, WebAccount, csrf_of, make_user, sign_in


@pytest.fixture
def rita(database: Database) -> WebAccount:
    return make_user(database, "acme", "rita@acme.example", "recruiter")


@pytest.fixture
def ada(database: Database) -> WebAccount:
    return make_user(database, "acme", "ada@acme.example", "admin")


def _login(client: TestClient, email: str, password: str, next_path: str = "/") -> object:
    form = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(form.text),
            "next": next_path,
        },
        follow_redirects=False,
    )


class TestSignIn:
    def test_a_page_without_a_session_sends_to_the_login_form_and_back(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        response = client.get("/users", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/users"
        landed = _login(client, rita.email, rita.password, "/users")
        assert landed.status_code == 303  # type: ignore[attr-defined]
        assert landed.headers["location"] == "/users"  # type: ignore[attr-defined]

    def test_the_session_cookie_is_httponly_and_samesite_and_only_a_hash_is_stored(
        self, client: TestClient, database: Database, rita: WebAccount
    ) -> None:
        response = _login(client, rita.email, rita.password)
        cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
        assert cookie.startswith("cm_session=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        token = client.cookies["cm_session"]
        with database.session() as session:
            stored = session.scalars(select(WebSession.token_hash)).all()
            user = session.scalar(select(User).where(User.email == rita.email))
            assert user is not None
            assert user.password_hash.startswith("$argon2id$")
            assert PASSWORD not in user.password_hash
        assert len(stored) == 1 and token not in stored[0]

    @pytest.mark.parametrize(
        ("email", "password"),
        [("rita@acme.example", "wrong password!"), ("nobody@acme.example", PASSWORD)],
    )
    def test_a_wrong_email_or_password_gets_the_same_answer(
        self, client: TestClient, rita: WebAccount, email: str, password: str
    ) -> None:
        response = _login(client, email, password)
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert "Wrong e-mail or password." in response.text  # type: ignore[attr-defined]
        assert f'value="{email}"' in response.text  # type: ignore[attr-defined]
        assert "cm_session" not in client.cookies

    def test_the_login_form_needs_its_own_csrf_token(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        client.get("/login")
        response = client.post(
            "/login",
            data={"email": rita.email, "password": rita.password, "csrf_token": "forged"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert "cm_session" not in client.cookies

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
    def test_next_never_leaves_the_site(
        self, client: TestClient, rita: WebAccount, target: str
    ) -> None:
        response = _login(client, rita.email, rita.password, target)
        assert response.headers["location"] == "/"  # type: ignore[attr-defined]

    def test_guessing_one_address_is_throttled_and_others_are_not(
        self, client: TestClient, rita: WebAccount, ada: WebAccount
    ) -> None:
        answers = [
            _login(client, rita.email, "wrong password!").status_code  # type: ignore[attr-defined]
            for _ in range(LOGIN_ATTEMPTS_PER_MINUTE)
        ]
        assert answers == [401] * LOGIN_ATTEMPTS_PER_MINUTE
        # The guesser's client is refused for that address, even with the right password...
        throttled = _login(client, rita.email, rita.password)
        assert throttled.status_code == 429  # type: ignore[attr-defined]
        assert "Too many sign-in attempts for this address" in throttled.text  # type: ignore[attr-defined]
        assert int(throttled.headers["retry-after"]) > 0  # type: ignore[attr-defined]
        assert "cm_session" not in client.cookies
        other = _login(client, ada.email, ada.password)
        assert other.status_code == 303  # type: ignore[attr-defined]

    def test_the_person_being_guessed_still_signs_in_from_their_own_network(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        for _ in range(LOGIN_ATTEMPTS_PER_MINUTE + 3):
            _login(client, rita.email, "wrong password!")
        with TestClient(client.app, client=("203.0.113.7", 50000)) as elsewhere:
            own = _login(elsewhere, rita.email, rita.password)
            assert own.status_code == 303  # type: ignore[attr-defined]

    def test_password_spraying_from_one_client_is_throttled(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        answers = [
            _login(client, f"user{n}@acme.example", "Summer2026!").status_code  # type: ignore[attr-defined]
            for n in range(LOGIN_FAILURES_PER_CLIENT_PER_MINUTE)
        ]
        assert answers == [401] * LOGIN_FAILURES_PER_CLIENT_PER_MINUTE
        sprayed = _login(client, "another@acme.example", "Summer2026!")
        assert sprayed.status_code == 429  # type: ignore[attr-defined]
        assert "from your network" in sprayed.text  # type: ignore[attr-defined]
        # the sprayer's client is locked out for a short while, the users are not
        with TestClient(client.app, client=("198.51.100.4", 50000)) as elsewhere:
            assert _login(elsewhere, rita.email, rita.password).status_code == 303  # type: ignore[attr-defined]

    def test_the_forwarded_client_counts_only_behind_a_trusted_proxy(
        self,
        settings: Settings,
        database: Database,
        matcher: MatchService,
        rita: WebAccount,
    ) -> None:
        behind = settings.model_copy(update={"forwarded_allow_ips": "10.0.0.1"})
        app = create_app(behind, database=database, matcher=matcher)
        with TestClient(app, client=("10.0.0.1", 4000)) as proxy:

            def attempt(forwarded: str, password: str) -> int:
                form = proxy.get("/login")
                response = proxy.post(
                    "/login",
                    data={
                        "email": rita.email,
                        "password": password,
                        "csrf_token": csrf_of(form.text),
                        "next": "/",
                    },
                    headers={"X-Forwarded-For": forwarded},
                    follow_redirects=False,
                )
                return response.status_code

            for _ in range(LOGIN_ATTEMPTS_PER_MINUTE):
                assert attempt("192.0.2.66", "wrong password!") == 401
            assert attempt("192.0.2.66", rita.password) == 429
            # another client behind the same proxy is another client
            assert attempt("192.0.2.10", rita.password) == 303
        # an untrusted peer's header is ignored: its own address is the client
        with TestClient(app, client=("192.0.2.200", 4000)) as direct:
            for n in range(LOGIN_ATTEMPTS_PER_MINUTE):
                form = direct.get("/login")
                direct.post(
                    "/login",
                    data={
                        "email": rita.email,
                        "password": "wrong password!",
                        "csrf_token": csrf_of(form.text),
                        "next": "/",
                    },
                    headers={"X-Forwarded-For": f"192.0.2.{n + 100}"},
                    follow_redirects=False,
                )
            refused = _login(direct, rita.email, rita.password)
            assert refused.status_code == 429  # type: ignore[attr-defined]

    def test_pages_and_api_answers_are_not_cached_but_static_files_may_be(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        sign_in(client, rita)
        for path in ("/search", "/programs", "/login", "/healthz", "/v1/creators"):
            assert client.get(path).headers.get("cache-control") == "no-store", path
        assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")

    def test_signing_out_ends_the_session_for_good(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        csrf = sign_in(client, rita)
        token = client.cookies["cm_session"]
        response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
        client.cookies.set("cm_session", token)  # a copy of the old cookie
        assert client.get("/users", follow_redirects=False).status_code == 303

    def test_an_expired_session_or_a_disabled_user_signs_in_again(
        self, client: TestClient, database: Database, rita: WebAccount
    ) -> None:
        sign_in(client, rita)
        with database.session() as session:
            web_session = session.scalars(select(WebSession)).one()
            web_session.expires_at = utcnow() - timedelta(seconds=1)
        assert client.get("/users", follow_redirects=False).status_code == 303
        sign_in(client, rita)
        with database.session() as session:
            user = session.scalars(select(User).where(User.email == rita.email)).one()
            user.disabled_at = utcnow()
        assert client.get("/users", follow_redirects=False).status_code == 303


class TestFormsAndRoles:
    def test_a_form_without_the_session_csrf_token_is_refused_and_writes_nothing(
        self, client: TestClient, database: Database, ada: WebAccount
    ) -> None:
        sign_in(client, ada)
        form = {"email": "new@acme.example", "role": "reviewer", "password": PASSWORD}
        for token in (None, "forged-token"):
            data = form if token is None else {**form, "csrf_token": token}
            response = client.post("/users", data=data)
            assert response.status_code == 403
            assert "reload the page" in response.text
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 1

    def test_a_post_from_another_origin_is_refused_even_with_the_token(
        self, client: TestClient, database: Database, ada: WebAccount
    ) -> None:
        csrf = sign_in(client, ada)
        response = client.post(
            "/users",
            data={"csrf_token": csrf, "email": "x@acme.example", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403

    def test_roles_see_their_areas_only(self, client: TestClient, rita: WebAccount) -> None:
        sign_in(client, rita)
        response = client.get("/users")
        assert response.status_code == 403
        assert "for admins" in response.text and "recruiter" in response.text
        nav = client.get("/programs").text
        assert 'href="/search"' in nav and 'href="/users"' not in nav

    def test_pages_carry_a_strict_content_security_policy(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        response = client.get("/login")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_an_unknown_page_is_an_html_404_and_the_api_keeps_json(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        sign_in(client, rita)
        page = client.get("/no-such-page")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Page not found" in page.text
        api = client.get("/v1/no-such-thing")
        assert api.status_code in (401, 404)
        assert api.headers["content-type"] == "application/problem+json"


class TestUsersPage:
    def test_an_admin_adds_a_reviewer_who_can_then_sign_in(
        self, client: TestClient, database: Database, ada: WebAccount
    ) -> None:
        csrf = sign_in(client, ada)
        response = client.post(
            "/users",
            data={
                "csrf_token": csrf,
                "email": "Rob@Acme.example",
                "name": "Rob",
                "role": "reviewer",
                "password": PASSWORD,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        listing = client.get("/users").text
        assert "Added rob@acme.example as a reviewer." in listing
        assert "rob@acme.example" in listing
        other = TestClient(client.app)
        with other:
            sign_in(other, WebAccount(ada.organization_id, "rob@acme.example", PASSWORD, "x"))
            assert other.get("/users").status_code == 403

    def test_bad_input_names_the_field_and_keeps_what_was_typed(
        self, client: TestClient, ada: WebAccount
    ) -> None:
        csrf = sign_in(client, ada)
        response = client.post(
            "/users",
            data={
                "csrf_token": csrf,
                "email": "sam@acme.example",
                "name": "Sam",
                "role": "reviewer",
                "password": "short",
            },
        )
        assert response.status_code == 422
        assert 'id="e-password"' in response.text and "at least 12 characters" in response.text
        assert 'value="sam@acme.example"' in response.text
        taken = client.post(
            "/users",
            data={"csrf_token": csrf, "email": ada.email, "role": "admin", "password": PASSWORD},
        )
        assert taken.status_code == 409 and "already exists" in taken.text

    def test_an_admin_sees_only_the_users_of_their_organisation(
        self, client: TestClient, database: Database, ada: WebAccount
    ) -> None:
        make_user(database, "globex", "gina@globex.example", "admin")
        sign_in(client, ada)
        listing = client.get("/users").text
        assert ada.email in listing and "gina@globex.example" not in listing


def test_passwords_are_rehashed_when_the_parameters_change(database: Database) -> None:
    from argon2 import PasswordHasher

    account = make_user(database, "acme", "old@acme.example", "recruiter")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(account.password)
    with database.session() as session:
        user = session.scalars(select(User).where(User.email == account.email)).one()
        user.password_hash = weak
    with database.session() as session:
        UserService().login(session, account.email, account.password)
    with database.session() as session:
        user = session.scalars(select(User).where(User.email == account.email)).one()
        assert user.password_hash != weak and UserService().verify(user, account.password)


def test_an_upload_over_the_limit_is_an_html_page_naming_the_setting(
    client: TestClient, database: Database
) -> None:
    reviewer = make_user(database, "acme", "rob@acme.example", "reviewer")
    csrf = sign_in(client, reviewer)
    big = b'{"caption": "x"}\n' * (3 * 1024 * 1024 // 17)
    response = client.post(
        "/compliance/upload",
        data={"csrf_token": csrf},
        files={"file": ("posts.jsonl", big, "application/x-ndjson")},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "CREATORMATCH_MAX_UPLOAD_BYTES" in response.text


class TestAccountAndDisabling:
    def test_changing_the_password_checks_it_and_ends_the_other_sessions(
        self, client: TestClient, rita: WebAccount
    ) -> None:
        csrf = sign_in(client, rita)
        other = TestClient(client.app)
        with other:
            sign_in(other, rita)
            bad = {
                "current_password": "not it at all",
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            }
            for form, field in [
                (bad, "current_password"),
                (
                    {**bad, "current_password": rita.password, "confirm_password": "x"},
                    "confirm_password",
                ),
                (
                    {
                        **bad,
                        "current_password": rita.password,
                        "new_password": "short",
                        "confirm_password": "short",
                    },
                    "new_password",
                ),
            ]:
                response = client.post("/account/password", data={**form, "csrf_token": csrf})
                assert response.status_code == 422
                assert f'id="e-{field}"' in response.text
            assert other.get("/account").status_code == 200  # nothing changed yet
            done = client.post(
                "/account/password",
                data={**bad, "current_password": rita.password, "csrf_token": csrf},
            )
            assert done.status_code == 200 and "Your password is changed" in done.text
            assert other.get("/account", follow_redirects=False).status_code == 303
        assert client.get("/account").status_code == 200  # this session stays
        fresh = TestClient(client.app)
        with fresh:
            assert _login(fresh, rita.email, rita.password).status_code == 401  # type: ignore[attr-defined]
            new = WebAccount(rita.organization_id, rita.email, "a brand new passphrase", "x")
            sign_in(fresh, new)

    def test_an_admin_disables_a_user_who_is_signed_out_at_once_then_enables_them(
        self, client: TestClient, database: Database, rita: WebAccount, ada: WebAccount
    ) -> None:
        rita_client = TestClient(client.app)
        with rita_client:
            sign_in(rita_client, rita)
            csrf = sign_in(client, ada)
            with database.session() as session:
                rita_id = session.scalars(select(User.id).where(User.email == rita.email)).one()
            response = client.post(f"/users/{rita_id}/disable", data={"csrf_token": csrf})
            assert "rita@acme.example is disabled" in response.text
            assert rita_client.get("/account", follow_redirects=False).status_code == 303
            assert _login(rita_client, rita.email, rita.password).status_code == 401  # type: ignore[attr-defined]
            client.post(f"/users/{rita_id}/enable", data={"csrf_token": csrf})
            sign_in(rita_client, rita)

    def test_an_admin_cannot_disable_themselves_or_another_organisations_user(
        self, client: TestClient, database: Database, ada: WebAccount
    ) -> None:
        make_user(database, "globex", "gina@globex.example", "admin")
        csrf = sign_in(client, ada)
        with database.session() as session:
            ids = {row.email: row.id for row in session.execute(select(User.email, User.id)).all()}
        own = client.post(f"/users/{ids[ada.email]}/disable", data={"csrf_token": csrf})
        assert "You cannot disable yourself." in own.text
        foreign = client.post(
            f"/users/{ids['gina@globex.example']}/disable", data={"csrf_token": csrf}
        )
        assert foreign.status_code == 404
        with database.session() as session:
            assert session.scalars(select(User.disabled_at)).all() == [None, None]

    def test_a_recruiter_cannot_disable_anyone(
        self, client: TestClient, database: Database, rita: WebAccount, ada: WebAccount
    ) -> None:
        csrf = sign_in(client, rita)
        with database.session() as session:
            ada_id = session.scalars(select(User.id).where(User.email == ada.email)).one()
        assert client.post(f"/users/{ada_id}/disable", data={"csrf_token": csrf}).status_code == 403

    def test_signing_in_drops_the_users_expired_sessions(
        self, client: TestClient, database: Database, rita: WebAccount
    ) -> None:
        sign_in(client, rita)
        with database.session() as session:
            session.scalars(select(WebSession)).one().expires_at = utcnow() - timedelta(hours=1)
        sign_in(client, rita)
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(WebSession)) == 1
