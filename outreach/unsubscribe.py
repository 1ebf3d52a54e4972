"""Signed unsubscribe tokens: ``/u/{token}`` opts a creator out without an API key, and a
token can neither be forged nor pointed at another creator or organisation."""

from __future__ import annotations

import base64
import hashlib
import hmac

from core.errors import InvalidInputError

__all__ = ["make_token", "read_token"]


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), b"unsubscribe:" + payload, hashlib.sha256).digest()[:16]


def make_token(secret: str, organization_id: int, creator_id: int) -> str:
    payload = f"{organization_id}.{creator_id}".encode()
    raw = payload + b"." + _sign(secret, payload)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(secret: str, token: str) -> tuple[int, int]:
    """(organisation id, creator id) of a valid token.

    Raises:
        InvalidInputError: naming ``token`` when it is malformed or its signature is wrong.
    """
    bad = InvalidInputError.for_field("token", "this unsubscribe link is not valid")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        org, creator, signature = raw.split(b".", 2)
        payload = org + b"." + creator
        if not hmac.compare_digest(signature, _sign(secret, payload)):
            raise bad
        return int(org), int(creator)
    except (ValueError, TypeError):
        raise bad from None
