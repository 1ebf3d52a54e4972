"""Shape checks for the constraint suite (eval/data/constraint_briefs.jsonl, issue 15).

The briefs and their wishes were written before any matcher run; these tests only check that
the file follows the vocabulary in eval/data/constraint_briefs.md and covers every wish kind.
They never compare the wishes with matcher output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from demo.content import CATEGORIES, CITIES, LANGUAGES

SUITE = Path(__file__).resolve().parents[2] / "eval" / "data" / "constraint_briefs.jsonl"

LINE_KEYS = {"id", "brief", "niche", "language", "wishes", "note"}
REQUIRED_KEYS = {"id", "brief", "niche", "language", "wishes"}
WISH_KEYS = {
    "countries",
    "genders",
    "age",
    "budget_usd",
    "creators_wanted",
    "objective",
    "tiers",
    "platforms",
    "languages",
    "min_engagement",
}
GENDERS = {"female", "male"}
AGE_BRACKETS = {"13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"}
OBJECTIVES = {"awareness", "consideration", "conversions"}
TIERS = {"nano", "micro", "mid", "macro", "mega"}
# The platforms of the creator record (docs/creator-record.md).
PLATFORMS = {
    "instagram",
    "tiktok",
    "youtube",
    "x",
    "twitch",
    "linkedin",
    "facebook",
    "pinterest",
    "snapchat",
    "podcast",
    "blog",
}
# Countries the demo roster has creators in, so every country wish is satisfiable.
ROSTER_COUNTRIES = {key for key in CITIES if "-" not in key}

MIN_COVERAGE = {
    "countries": 8,
    "genders": 8,
    "age": 8,
    "budget_usd": 8,
    "objective": 8,
    "tiers": 8,
    "platforms": 4,
    "languages": 4,
}


def _load() -> list[dict[str, Any]]:
    lines = SUITE.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in the suite"
    return [json.loads(line) for line in lines]


def _string_list(value: Any, allowed: set[str] | frozenset[str] | tuple[str, ...]) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and len(set(value)) == len(value)
        and all(isinstance(item, str) and item in allowed for item in value)
    )


def _wish_errors(wishes: dict[str, Any]) -> list[str]:
    errors = [f"unknown wish {key!r}" for key in wishes if key not in WISH_KEYS]
    checks = {
        "countries": lambda v: _string_list(v, ROSTER_COUNTRIES),
        "genders": lambda v: _string_list(v, GENDERS) and len(v) == 1,
        "age": lambda v: _string_list(v, AGE_BRACKETS),
        "budget_usd": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v > 0,
        "creators_wanted": lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
        "objective": lambda v: v in OBJECTIVES,
        "tiers": lambda v: _string_list(v, TIERS),
        "platforms": lambda v: _string_list(v, PLATFORMS),
        "languages": lambda v: _string_list(v, LANGUAGES),
        "min_engagement": lambda v: isinstance(v, float) and 0 < v < 1,
    }
    for key, check in checks.items():
        if key in wishes and not check(wishes[key]):
            errors.append(f"bad value for {key!r}: {wishes[key]!r}")
    return errors


def test_thirty_lines_with_unique_ids() -> None:
    rows = _load()
    assert len(rows) == 30
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"cs\d{2}", row_id) for row_id in ids)


def test_line_keys_and_fields() -> None:
    for row in _load():
        assert REQUIRED_KEYS <= row.keys() <= LINE_KEYS, row["id"]
        assert row["niche"] in CATEGORIES, row["id"]
        assert row["language"] in LANGUAGES, row["id"]
        assert isinstance(row.get("note", ""), str), row["id"]
        words = len(row["brief"].split())
        assert 15 <= words <= 70, (row["id"], words)


def test_wishes_use_the_vocabulary() -> None:
    for row in _load():
        assert isinstance(row["wishes"], dict), row["id"]
        assert _wish_errors(row["wishes"]) == [], row["id"]


def test_every_brief_states_at_least_two_wishes() -> None:
    for row in _load():
        assert len(row["wishes"]) >= 2, row["id"]


def test_each_wish_kind_is_covered() -> None:
    counts = Counter(key for row in _load() for key in row["wishes"])
    short = {kind: counts[kind] for kind, least in MIN_COVERAGE.items() if counts[kind] < least}
    assert short == {}


def test_some_briefs_are_not_in_english() -> None:
    languages = Counter(row["language"] for row in _load())
    assert sum(n for lang, n in languages.items() if lang != "en") >= 4


def test_the_suite_spreads_over_the_niches() -> None:
    niches = {row["niche"] for row in _load()}
    assert len(niches) >= 15
