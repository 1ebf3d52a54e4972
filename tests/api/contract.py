"""What the suite's schemathesis run (tests/api/test_schemathesis.py) and the command-line run
against a real server (tests/api/contract_run.py) share: schemathesis' settings
(``schemathesis.toml`` at the root) and the two rules of values that JSON Schema cannot state,
taught to the generator for the valid cases (``map_case``; the invalid cases stay as
generated, so every check still runs on these operations):

- a creator's audience shares sum to about 1 (``age``, ``gender``; at most 1.05 for
  ``countries``): the valid cases are scaled;
- a campaign given both dates does not end before it starts: the valid cases swap them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "map_case", "settings"]

ROOT = Path(__file__).resolve().parents[2]


def settings() -> dict[str, Any]:
    """``schemathesis.toml`` as a dict (``SchemathesisConfig.from_dict`` takes it)."""
    with (ROOT / "schemathesis.toml").open("rb") as file:
        return tomllib.load(file)


def _scaled(shares: Any, *, at_most: bool) -> Any:
    """``shares`` scaled to sum to 1 (``at_most``: only when they sum to more)."""
    if not isinstance(shares, dict) or not shares:
        return shares
    total = sum(shares.values())
    if total <= 0 or (at_most and total <= 1):
        return shares if total > 0 else {key: 1 / len(shares) for key in shares}
    return {key: value / total for key, value in shares.items()}


def map_case(context: Any, case: Any) -> Any:
    """A schemathesis ``map_case`` hook: the valid cases keep the rules above."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    body = case.body if isinstance(case.body, dict) else None
    path = case.operation.path
    if body is not None and path in ("/v1/creators", "/v1/creators/{creator_id}"):
        audience = body.get("audience")
        if isinstance(audience, dict):
            for name in ("age", "gender"):
                audience[name] = _scaled(audience.get(name), at_most=False)
            audience["countries"] = _scaled(audience.get("countries"), at_most=True)
            body["audience"] = {k: v for k, v in audience.items() if v is not None} or None
    if body is not None and path in ("/v1/campaigns", "/v1/campaigns/{campaign_id}"):
        starts, ends = body.get("starts_on"), body.get("ends_on")
        if isinstance(starts, str) and isinstance(ends, str) and ends < starts:
            body["starts_on"], body["ends_on"] = ends, starts
    return case
