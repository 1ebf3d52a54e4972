"""Sending outreach e-mail over SMTP, with the CAN-SPAM and RFC 8058 headers.

:func:`build_message` makes the MIME message (plain text + HTML alternative, ``Message-ID``
chosen by the caller so a message is identifiable across retries, ``List-Unsubscribe`` with
both the one-click URL and a ``mailto:``, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``).
:class:`SmtpMailer` sends it (STARTTLS, implicit TLS or plain for a local relay; login when
credentials are set). Failures are sorted into :class:`TemporarySendError` (try again later:
the server did not accept the message) and :class:`PermanentSendError` (5xx: do not retry).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Literal, Protocol

__all__ = [
    "Mailer",
    "OutgoingEmail",
    "PermanentSendError",
    "SmtpMailer",
    "TemporarySendError",
    "build_message",
]


class TemporarySendError(Exception):
    """The message was not accepted; sending it again later may work."""


class PermanentSendError(Exception):
    """The server refused the message for good (a 5xx answer)."""


@dataclass(frozen=True)
class OutgoingEmail:
    from_name: str
    from_email: str
    reply_to: str
    to_email: str
    subject: str
    text: str
    html: str
    message_id: str
    unsubscribe_url: str
    date: datetime


def build_message(mail: OutgoingEmail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((mail.from_name, mail.from_email))
    msg["To"] = mail.to_email
    msg["Reply-To"] = mail.reply_to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = mail.message_id
    msg["Date"] = format_datetime(mail.date)
    msg["List-Unsubscribe"] = (
        f"<{mail.unsubscribe_url}>, <mailto:{mail.reply_to}?subject=unsubscribe>"
    )
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


class Mailer(Protocol):
    def send(self, mail: OutgoingEmail) -> None:
        """Hand the message to the mail server, or raise a Temporary/PermanentSendError."""


class SmtpMailer:
    """One SMTP connection per message: outreach sends a few e-mails a minute, and a fresh
    connection never carries a broken session over."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Literal["starttls", "tls", "none"] = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=self.ssl_context)
        return smtp

    def send(self, mail: OutgoingEmail) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(build_message(mail))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentSendError(f"recipient refused: {exc.recipients}") from exc
            raise TemporarySendError(f"recipient deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            error = f"{exc.smtp_code} {exc.smtp_error!r}"
            if exc.smtp_code >= 500:
                raise PermanentSendError(error) from exc
            raise TemporarySendError(error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc
