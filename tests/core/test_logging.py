"""Redaction of secrets in log lines, whatever characters the random part happens to hold
(a token_urlsafe secret may start with, end with or consist of "_" and "-")."""

from __future__ import annotations

import pytest

from core.logging import redact

TOKENS = [
    "_" + "a" * 42,
    "-" + "b" * 42,
    "c" * 42 + "_",
    "__--__--__--__--__--__--__--__--__--__--__-",
    "AbC_dEf-GhI_jKl-MnO_pQr-StU_vWx-YzA_bCd-EfG",
]


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize(
    "template",
    [
        "key {key} used",
        "Authorization: Bearer {key}",
        "api_key={key}",
        "url?key={key}&x=1",
        "prefix_{key}",
        '{{"key": "{key}"}}',
    ],
)
def test_api_keys_are_redacted_whatever_their_random_part(token: str, template: str) -> None:
    key = f"cm_0a1b2c3d4e_{token}"
    line = redact(template.format(key=key))
    assert key not in line
    assert token not in line
    # nothing of the random part survives, not even a piece of it (an empty piece would be
    # "in" any text: that is how a test of this once failed at random)
    piece = token.strip("_-")[:8]
    assert not piece or piece not in line


@pytest.mark.parametrize("token", ["scrape_me_now_please", "a.b.c_d-e~f+g/h=="])
def test_bearer_tokens_are_redacted_whole(token: str) -> None:
    line = redact(f"Authorization: Bearer {token}")
    assert line == "Authorization: Bearer [REDACTED]"
