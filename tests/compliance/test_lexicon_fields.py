"""The speed-ups of the lexicon must not change what it finds: required words and fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compliance import lexicon
from compliance.lexicon import (
    CONNECTION_FIELD,
    HEALTH_FIELD,
    NON_USE_FIELD,
    Field,
    fold,
    required_text,
)
from compliance.statements import load_clauses

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"#?sponsored", ("sponsored",)),
        (r"(?<![\w#])#ad(?![\w])", ("#ad",)),
        (r"(?:thanks?|merci)\s+@\w+", ("merci", "thank")),
        (r"(?:a|bc)x", ()),  # "a" is too short to be worth a test
        (r"paid\s+(?:by\s+)?\w+", ("paid",)),
        (r"(?:foo)?bar", ("bar",)),
        (r"x*", ()),
    ],
)
def test_required_text(pattern: str, needs: tuple[str, ...]) -> None:
    assert required_text(pattern) == needs


def _texts() -> list[str]:
    texts = [r["text"] for r in load_clauses()]
    for name in ("dev_posts.jsonl", "eval_posts.jsonl"):
        for line in (ROOT / "compliance" / "data" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [row["caption"], row.get("transcript") or ""]
    return [fold(t) for t in texts if t]


def _patterns() -> list[re.Pattern[str]]:
    found = [lp.regex for lp in lexicon.LABELS]
    for name in dir(lexicon):
        value = getattr(lexicon, name)
        if isinstance(value, tuple) and value and isinstance(value[0], re.Pattern):
            found += list(value)
    return found


def test_every_match_contains_one_of_the_required_words() -> None:
    texts = _texts()
    for pattern in _patterns():
        needs = required_text(pattern.pattern)
        if not needs:
            continue
        for text in texts:
            for m in pattern.finditer(text):
                assert any(n in text for n in needs), (pattern.pattern, m.group(0), needs)


def test_field_matches_prefixes_words_and_phrases() -> None:
    field = Field(prefixes=("sponsor", "geschenk"), words=("ad",), pattern=r"no\s+cost")
    assert field.matches("this video is sponsored")
    assert field.matches("ein geschenkt")
    assert field.matches("an ad")
    assert field.matches("at no cost to me")
    assert not field.matches("a shade of adorable")
    assert not field.matches("the sponso")  # shorter than the stem


@pytest.mark.parametrize(
    ("field", "text", "inside"),
    [
        (CONNECTION_FIELD, "Aurora Air flew me out to Lisbon", True),
        (CONNECTION_FIELD, "La panadería es de mi tía", True),
        (CONNECTION_FIELD, "C'est ma sœur qui a lancé cette marque", True),
        (CONNECTION_FIELD, "The Velotec stove is brilliant", False),
        (CONNECTION_FIELD, "Montarlo me llevó unos diez minutos", False),
        (HEALTH_FIELD, "Seit ich den Tee trinke, ist mein Bluthochdruck weg", True),
        (HEALTH_FIELD, "lost 4 kg in a week", True),
        (HEALTH_FIELD, "we walked 12 kilometres on Saturday", False),
        (NON_USE_FIELD, "haven't opened it", True),
        (NON_USE_FIELD, "Je le teste la semaine prochaine", True),
        (NON_USE_FIELD, "I love this colour", False),
    ],
)
def test_fields(field: Field, text: str, inside: bool) -> None:
    assert field.matches(fold(text)) is inside
