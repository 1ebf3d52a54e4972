"""The settings page (TestClient): the organisation's outreach sender profile and, read-only,
how this server sends e-mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from core.settings import Settings
from matcher.service import MatchService
from models import SenderProfile
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.outreach import OutreachRepository
from tests.outreach.conftest import SENDER
from tests.web_support import WebAccount, make_user, sign_in


@pytest.fixture
def rita(database: Database) -> WebAccount:
    return make_user(database, "acme", "rita@acme.example", "recruiter")


@pytest.fixture
def csrf(client: TestClient, rita: WebAccount) -> str:
    return sign_in(client, rita)


def sender_form(csrf: str, **overrides: str) -> dict[str, str]:
    return {"csrf_token": csrf, **SENDER, **overrides}


def stored(database: Database, organization_id: int) -> SenderProfile | None:
    with database.session() as session:
        profile = OutreachRepository(session).sender(organization_id)
        if profile is not None:
            session.expunge(profile)
        return profile


def field_value(html: str, name: str) -> str:
    """The value an input or textarea called ``name`` shows (unescaped)."""
    found = re.search(rf'<input id="f-{name}" name="{name}" type="[a-z]+" value="([^"]*)"', html)
    if found is None:
        found = re.search(rf'<textarea id="f-{name}" name="{name}"[^>]*>([^<]*)</textarea>', html)
    assert found, f"no field {name} on the page"
    return unescape(found.group(1))


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select id="f-{name}".*?</select>', html, re.S)
    assert select
    found = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    assert found, f"nothing selected in {name}"
    return found.group(1)


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{name}">([^<]*)</p>', html)
    assert found, f"no error next to {name}"
    return unescape(found.group(1))


class TestSenderProfile:
    def test_without_a_profile_the_form_is_empty_and_says_why_it_matters(
        self, client: TestClient, csrf: str
    ) -> None:
        page = client.get("/settings")
        assert page.status_code == 200
        assert "No sender profile yet" in page.text
        assert field_value(page.text, "sender_name") == ""
        assert field_value(page.text, "postal_address") == ""
        assert selected(page.text, "jurisdiction") == "US"
        assert "CAN-SPAM" in page.text

    def test_save_then_reload_shows_the_stored_values(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        form = sender_form(
            csrf,
            sender_name="Rita Alvarez",
            jurisdiction="UK",
            # as a browser sends a textarea: CRLF line ends
            postal_address="Acme Ltd\r\n1 King Street\r\nLondon EC2V 8AU\r\nUnited Kingdom",
        )
        response = client.post("/settings/sender", data=form, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/settings"

        profile = stored(database, rita.organization_id)
        assert profile is not None
        assert profile.sender_name == "Rita Alvarez"
        assert profile.jurisdiction == "UK"
        assert profile.postal_address == "Acme Ltd\n1 King Street\nLondon EC2V 8AU\nUnited Kingdom"

        page = client.get("/settings")
        assert "Sender profile saved." in page.text
        assert "No sender profile yet" not in page.text
        assert field_value(page.text, "sender_name") == "Rita Alvarez"
        assert field_value(page.text, "from_email") == SENDER["from_email"]
        assert field_value(page.text, "reply_to") == SENDER["reply_to"]
        assert field_value(page.text, "company") == SENDER["company"]
        assert field_value(page.text, "postal_address") == profile.postal_address
        assert selected(page.text, "jurisdiction") == "UK"

    def test_saving_again_changes_the_one_profile(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        client.post("/settings/sender", data=sender_form(csrf))
        response = client.post(
            "/settings/sender", data=sender_form(csrf, company="Acme Brands LLC")
        )
        assert response.status_code == 200  # followed the redirect
        with database.session() as session:
            count = session.scalar(
                select(func.count())
                .select_from(SenderProfile)
                .where(SenderProfile.organization_id == rita.organization_id)
            )
        assert count == 1
        profile = stored(database, rita.organization_id)
        assert profile is not None and profile.company == "Acme Brands LLC"

    def test_a_bad_email_is_422_naming_the_field_and_keeps_what_was_typed(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        form = sender_form(csrf, from_email="maya at verdant", sender_name="Maya <Chen>")
        response = client.post("/settings/sender", data=form)
        assert response.status_code == 422
        assert "e-mail address" in error_of(response.text, "from_email")
        assert "<strong>from_email</strong>" in response.text
        assert field_value(response.text, "from_email") == "maya at verdant"
        assert field_value(response.text, "sender_name") == "Maya <Chen>"
        assert field_value(response.text, "postal_address") == SENDER["postal_address"]
        assert stored(database, rita.organization_id) is None

    def test_an_empty_postal_address_is_422(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        response = client.post("/settings/sender", data=sender_form(csrf, postal_address="  "))
        assert response.status_code == 422
        assert "postal address" in error_of(response.text, "postal_address")
        assert 'aria-invalid="true">' in response.text
        assert field_value(response.text, "company") == SENDER["company"]
        assert stored(database, rita.organization_id) is None

    def test_a_bad_edit_leaves_the_stored_profile_as_it_was(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        client.post("/settings/sender", data=sender_form(csrf))
        response = client.post(
            "/settings/sender", data=sender_form(csrf, reply_to="", jurisdiction="MARS")
        )
        assert response.status_code == 422
        assert error_of(response.text, "reply_to")
        assert "US, UK, CA, EU" in error_of(response.text, "jurisdiction")
        profile = stored(database, rita.organization_id)
        assert profile is not None and profile.reply_to == SENDER["reply_to"]

    def test_a_local_next_path_is_followed_after_saving_and_another_site_is_not(
        self, client: TestClient, csrf: str
    ) -> None:
        page = client.get("/settings", params={"next": "/campaigns/3/drafts"})
        assert 'name="next" value="/campaigns/3/drafts"' in page.text
        back = client.post(
            "/settings/sender",
            data=sender_form(csrf, next="/campaigns/3/drafts"),
            follow_redirects=False,
        )
        assert back.headers["location"] == "/campaigns/3/drafts"
        away = client.post(
            "/settings/sender",
            data=sender_form(csrf, next="//evil.example/"),
            follow_redirects=False,
        )
        assert away.headers["location"] == "/settings"


class TestAccess:
    def test_a_reviewer_gets_403_and_cannot_save(
        self, client: TestClient, database: Database
    ) -> None:
        rob = make_user(database, "acme", "rob@acme.example", "reviewer")
        token = sign_in(client, rob)
        assert client.get("/settings").status_code == 403
        response = client.post("/settings/sender", data=sender_form(token))
        assert response.status_code == 403
        assert stored(database, rob.organization_id) is None

    def test_an_admin_may_save(self, client: TestClient, database: Database) -> None:
        ada = make_user(database, "acme", "ada@acme.example", "admin")
        token = sign_in(client, ada)
        response = client.post("/settings/sender", data=sender_form(token), follow_redirects=False)
        assert response.status_code == 303
        assert stored(database, ada.organization_id) is not None

    def test_a_form_without_the_csrf_token_is_refused_and_saves_nothing(
        self, client: TestClient, database: Database, rita: WebAccount, csrf: str
    ) -> None:
        form = sender_form(csrf)
        del form["csrf_token"]
        response = client.post("/settings/sender", data=form)
        assert response.status_code == 403
        assert stored(database, rita.organization_id) is None

    def test_signed_out_is_sent_to_the_login_form(self, client: TestClient) -> None:
        response = client.get("/settings", follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")

    def test_another_organisations_profile_is_never_shown_or_changed(
        self, client: TestClient, database: Database, settings: Settings, rita: WebAccount
    ) -> None:
        other = make_user(database, "globex", "gil@globex.example", "recruiter")
        with database.session() as session:
            OutreachService(settings).set_sender(
                session,
                other.organization_id,
                {**SENDER, "sender_name": "Gil Globex", "company": "Globex Corp"},
            )
        token = sign_in(client, rita)
        page = client.get("/settings")
        assert "Gil Globex" not in page.text
        assert "Globex Corp" not in page.text
        assert "No sender profile yet" in page.text

        client.post("/settings/sender", data=sender_form(token, company="Acme Inc."))
        theirs = stored(database, other.organization_id)
        assert theirs is not None and theirs.company == "Globex Corp"
        ours = stored(database, rita.organization_id)
        assert ours is not None and ours.company == "Acme Inc."


@pytest.fixture
def sending_client(
    settings: Settings, database: Database, matcher: MatchService
) -> Iterator[TestClient]:
    """The app as configured to send over SMTP (nothing is sent: the page only reads this)."""
    live: dict[str, Any] = {
        "outreach_dry_run": False,
        "smtp_host": "smtp.acme.example",
        "smtp_port": 465,
        "smtp_security": "tls",
        "outreach_rate_per_minute": 12,
    }
    app = create_app(settings.model_copy(update=live), database=database, matcher=matcher)
    with TestClient(app) as test_client:
        yield test_client


class TestDelivery:
    def test_dry_run_says_nothing_is_sent(
        self, client: TestClient, settings: Settings, csrf: str
    ) -> None:
        assert settings.outreach_dry_run
        page = client.get("/settings")
        assert "E-mails are recorded, not sent (dry run)." in page.text
        assert f"At most {settings.outreach_rate_per_minute} e-mails a minute" in page.text
        assert settings.smtp_host not in page.text

    def test_smtp_names_the_server_and_the_rate(
        self, sending_client: TestClient, database: Database
    ) -> None:
        sign_in(sending_client, make_user(database, "acme", "rita@acme.example", "recruiter"))
        page = sending_client.get("/settings")
        assert "(dry run)" not in page.text
        assert "smtp.acme.example:465 (tls)" in page.text
        assert "At most 12 e-mails a minute" in page.text
