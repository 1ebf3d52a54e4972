"""The signature scheme, as a table; and the receiver-side snippet of docs/webhooks.md,
which must agree with :func:`webhooks.signing.verify` on every case."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from webhooks.signing import sign, verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SECRET = "whsec_test-secret"
BODY = b'{"id":"5b0c6f1e","type":"webhook.test","data":{}}'
T = 1_700_000_000  # November 2023: long past


def doc_verifier() -> Callable[..., bool]:
    """The first python block under "## Verifying a delivery", executed on its own."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Verifying a delivery", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "docs/webhooks.md lost its verification snippet"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    verifier: Callable[..., bool] = namespace["verify_creatormatch_signature"]
    return verifier


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, T) == f"t={T},v1={expected}"


GOOD = sign(SECRET, BODY, T)
OTHER_V1 = sign("whsec_old", BODY, T).split(",")[1]

CASES: list[tuple[str, str, bytes, str, float, bool]] = [
    # name, secret, body, header, now, accepted
    ("valid", SECRET, BODY, GOOD, T, True),
    ("valid within tolerance", SECRET, BODY, GOOD, T + 299, True),
    ("clock behind within tolerance", SECRET, BODY, GOOD, T - 299, True),
    ("old timestamp", SECRET, BODY, GOOD, T + 301, False),
    ("future timestamp", SECRET, BODY, GOOD, T - 301, False),
    ("wrong secret", "whsec_other", BODY, GOOD, T, False),
    ("tampered body", SECRET, BODY + b" ", GOOD, T, False),
    ("timestamp changed", SECRET, BODY, GOOD.replace(f"t={T}", f"t={T + 1}"), T, False),
    ("one of two v1 matches", SECRET, BODY, f"{GOOD},{OTHER_V1}", T, True),
    ("only another secret's v1", SECRET, BODY, f"t={T},{OTHER_V1}", T, False),
    ("spaces after commas", SECRET, BODY, GOOD.replace(",", ", "), T, True),
    ("no v1", SECRET, BODY, f"t={T}", T, False),
    ("no timestamp", SECRET, BODY, GOOD.split(",")[1], T, False),
    ("timestamp not a number", SECRET, BODY, GOOD.replace(f"t={T}", "t=soon"), T, False),
    ("empty header", SECRET, BODY, "", T, False),
    ("garbage", SECRET, BODY, "v1", T, False),
    ("non-ascii signature", SECRET, BODY, f"t={T},v1=é", T, False),
]


@pytest.mark.parametrize(
    ("secret", "body", "header", "now", "accepted"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_verify(secret: str, body: bytes, header: str, now: float, accepted: bool) -> None:
    assert verify(secret, body, header, now=now) is accepted
    assert doc_verifier()(secret, body, header, now=now) is accepted


def test_verify_uses_the_clock_by_default() -> None:
    assert verify(SECRET, BODY, GOOD) is False  # signed in 2023, checked now
    import time

    fresh = sign(SECRET, BODY, int(time.time()))
    assert verify(SECRET, BODY, fresh) is True
    assert doc_verifier()(SECRET, BODY, fresh) is True


def test_the_tolerance_can_be_changed() -> None:
    assert verify(SECRET, BODY, GOOD, now=T + 600, tolerance_seconds=900) is True
    assert verify(SECRET, BODY, GOOD, now=T + 60, tolerance_seconds=30) is False


def test_the_doc_snippet_needs_only_the_standard_library() -> None:
    text = DOC.read_text(encoding="utf-8").split("## Verifying a delivery", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", text, re.S)
    assert snippet is not None
    imports = set(re.findall(r"^import (\w+)|^from (\w+)", snippet.group(1), re.M))
    assert {name for pair in imports for name in pair if name} == {"hashlib", "hmac", "time"}
