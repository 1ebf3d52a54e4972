"""The SMTP mailer against a real server on 127.0.0.1: STARTTLS with login, the headers of
RFC 8058 and CAN-SPAM, and how refusals are classified."""

from __future__ import annotations

import shutil
import ssl
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach.mailer import OutgoingEmail, PermanentSendError, SmtpMailer, TemporarySendError
from tests.outreach.smtp import self_signed_cert, smtp_server, starttls_server

MAIL = OutgoingEmail(
    from_name="Maya Chen, Verdant Skin Inc.",
    from_email="maya@verdant.example",
    reply_to="partners@verdant.example",
    to_email="ana@creators.example",
    subject="Verdant x Ana",
    text="Hi Ana\n\n120 Hudson Street\nUnsubscribe: https://cm.example/u/abc\n",
    html='<p>Hi Ana</p><a href="https://cm.example/u/abc">Unsubscribe</a>',
    message_id="<m1@verdant.example>",
    unsubscribe_url="https://cm.example/u/abc",
    date=datetime(2027, 1, 11, 9, tzinfo=UTC),
)


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the test certificate (.ci/run installs it)")
    return self_signed_cert(tmp_path)


def test_starttls_with_login_delivers_with_the_unsubscribe_headers(
    cert: tuple[Path, Path],
) -> None:
    with starttls_server(*cert, username="maya", password="s3cret") as (inbox, port):
        mailer = SmtpMailer(
            "127.0.0.1",
            port,
            security="starttls",
            username="maya",
            password="s3cret",
            ssl_context=ssl.create_default_context(cafile=str(cert[0])),
        )
        mailer.send(MAIL)
    (message,) = inbox.messages
    assert message["From"] == '"Maya Chen, Verdant Skin Inc." <maya@verdant.example>'
    assert message["Message-ID"] == "<m1@verdant.example>"
    assert message["List-Unsubscribe"] == (
        "<https://cm.example/u/abc>, <mailto:partners@verdant.example?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"


def test_a_wrong_password_is_permanent(cert: tuple[Path, Path]) -> None:
    with starttls_server(*cert, username="maya", password="s3cret") as (inbox, port):
        mailer = SmtpMailer(
            "127.0.0.1",
            port,
            username="maya",
            password="wrong",
            ssl_context=ssl.create_default_context(cafile=str(cert[0])),
        )
        with pytest.raises(PermanentSendError, match="535"):
            mailer.send(MAIL)
    assert inbox.messages == []


def test_an_untrusted_certificate_is_refused(cert: tuple[Path, Path]) -> None:
    with starttls_server(*cert, username="maya", password="s3cret") as (inbox, port):
        mailer = SmtpMailer("127.0.0.1", port, username="maya", password="s3cret")
        with pytest.raises(TemporarySendError, match="SSL"):
            mailer.send(MAIL)
    assert inbox.messages == []


def test_no_server_and_a_deferral_are_temporary() -> None:
    with smtp_server() as (inbox, port):
        inbox.defer_once.add(MAIL.to_email)
        mailer = SmtpMailer("127.0.0.1", port, security="none")
        with pytest.raises(TemporarySendError, match="451"):
            mailer.send(MAIL)
        mailer.send(MAIL)
    assert len(inbox.messages) == 1
    with pytest.raises(TemporarySendError):
        SmtpMailer("127.0.0.1", port, security="none", timeout=5).send(MAIL)
