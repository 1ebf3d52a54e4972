"""The webhook signature: ``Creatormatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC key is the subscription's secret; the message is ``f"{t}.".encode() + raw_body``.
Signing the timestamp with the body lets a receiver refuse replays of an old, captured
request (:func:`verify` allows ``tolerance_seconds`` of clock skew either way). A header may
carry several ``v1`` values (a secret rotation); one match is enough.

docs/webhooks.md holds a standalone receiver-side version of :func:`verify` (only ``hmac``
and ``hashlib``); a test runs it against a real delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = [
    "CONTENT_TYPE",
    "EVENT_ID_HEADER",
    "EVENT_TYPE_HEADER",
    "SIGNATURE_HEADER",
    "headers_for",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "Creatormatch-Signature"
EVENT_ID_HEADER = "Creatormatch-Event-Id"
EVENT_TYPE_HEADER = "Creatormatch-Event-Type"
CONTENT_TYPE = "application/json"
DEFAULT_TOLERANCE_SECONDS = 300


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Creatormatch-Signature`` header value for ``body`` sent at ``timestamp``.

    Args:
        secret: the subscription's signing secret.
        body: the exact bytes of the request body.
        timestamp: unix time in whole seconds.
    """
    return f"t={int(timestamp)},v1={_digest(secret, body, int(timestamp))}"


def headers_for(
    secret: str, body: bytes, timestamp: int, *, event_id: str, event_type: str
) -> dict[str, str]:
    """Every header a delivery carries."""
    return {
        "Content-Type": CONTENT_TYPE,
        SIGNATURE_HEADER: sign(secret, body, timestamp),
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
    }


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``header`` is a valid signature of ``body`` made within
    ``tolerance_seconds`` of ``now`` (unix seconds; default: the clock). Malformed headers,
    old or future timestamps and wrong signatures are all False. Compares in constant time.
    """
    try:
        items = [part.split("=", 1) for part in header.split(",")]
        timestamp = int(next(value for key, value in items if key.strip() == "t"))
        signatures = [value.strip() for key, value in items if key.strip() == "v1"]
    except (ValueError, StopIteration):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    expected = _digest(secret, body, timestamp)
    # Bytes: compare_digest refuses non-ASCII str, and a header is attacker-controlled.
    return any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures)
