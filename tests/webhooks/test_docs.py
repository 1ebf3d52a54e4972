"""docs/webhooks.md as a test: every event type is documented with a payload example that
parses, and every route the doc lists exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.routes import webhooks as routes
from core.settings import Settings
from models import EVENT_TYPES
from webhooks.egress import METADATA_ADDRESSES, METADATA_NAMES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")


def section(event_type: str) -> str:
    parts = DOC.split(f"### `{event_type}`\n", 1)
    assert len(parts) == 2, f"docs/webhooks.md has no section for {event_type}"
    return parts[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_has_a_section_with_a_payload_example(event_type: str) -> None:
    examples = re.findall(r"```json\n(.*?)```", section(event_type), re.S)
    assert examples
    for example in examples:
        assert isinstance(json.loads(example), dict)


def test_every_documented_route_exists() -> None:
    documented = set(re.findall(r"^\| `(GET|POST|PATCH|DELETE) (/v1/[^`?]+)`", DOC, re.M))
    served = {
        (method, route.path)  # type: ignore[attr-defined]
        for router in (routes.router, routes.deliveries_router, routes.events_router)
        for route in router.routes
        for method in route.methods  # type: ignore[attr-defined]
    }
    normalised = {(m, re.sub(r"\{[^}]+\}", "{id}", p)) for m, p in served}
    assert documented == normalised


def test_the_ssrf_policy_names_every_setting_and_metadata_target() -> None:
    policy = DOC.split("## Where webhooks may point (SSRF policy)\n", 1)[1].split("\n## ", 1)[0]
    settings = [f"CREATORMATCH_{n.upper()}" for n in Settings.model_fields if "webhook" in n]
    assert settings == ["CREATORMATCH_WEBHOOK_ALLOW_PRIVATE", "CREATORMATCH_WEBHOOK_ALLOWED_CIDRS"]
    for name in [*settings, *METADATA_NAMES, *map(str, METADATA_ADDRESSES)]:
        assert f"`{name}" in policy, name
