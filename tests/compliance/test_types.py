"""Input validation and the JSON shape."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.checker import check_post
from compliance.types import Post
from core.errors import InvalidInputError

VALID: dict[str, Any] = {
    "id": "p1",
    "caption": "#ad hi",
    "transcript": None,
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "Lumora"},
    "platform_label": False,
    "jurisdiction": "US",
    "campaign": "c9",
}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"jurisdiction": "FR"}, "jurisdiction"),
        ({"jurisdiction": 3}, "jurisdiction"),
        ({"material_connection": {"type": "bribe", "brand": None}}, "material_connection.type"),
        ({"material_connection": {"brand": "x"}}, "material_connection.type"),
        ({"material_connection": {"type": "paid", "brand": 5}}, "material_connection.brand"),
        ({"material_connection": {"type": "paid", "colour": "red"}}, "material_connection.colour"),
        ({"material_connection": "paid"}, "material_connection"),
        ({"caption": None}, "caption"),
        ({"caption": 12}, "caption"),
        ({"transcript": ["a"]}, "transcript"),
        ({"platform": "myspace"}, "platform"),
        ({"media": "hologram"}, "media"),
        ({"platform_label": "yes"}, "platform_label"),
    ],
)
def test_invalid_input_names_the_field(patch: dict[str, Any], field: str) -> None:
    data = {**VALID, **patch}
    with pytest.raises(InvalidInputError) as exc:
        Post.from_dict(data)
    assert exc.value.errors[0].field == field
    assert field in str(exc.value)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"caption": "#ad\x00hi"}, "caption"),
        ({"transcript": "said \x1b[31m"}, "transcript"),
        (
            {"material_connection": {"type": "paid", "brand": "Lu\nmora"}},
            "material_connection.brand",
        ),
        ({"id": "p\t1"}, "id"),
        ({"campaign": {"notes": ["ok", "\x00"]}}, "campaign.notes.1"),
    ],
)
def test_control_characters_are_refused_naming_the_field(patch: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        Post.from_dict({**VALID, **patch})
    assert exc.value.errors[0].field == field
    assert "control character" in exc.value.errors[0].message


def test_caption_and_transcript_keep_tabs_and_line_breaks() -> None:
    post = Post.from_dict({**VALID, "caption": "#ad\r\nline\ttwo", "transcript": "a\nb"})
    assert (post.caption, post.transcript) == ("#ad\r\nline\ttwo", "a\nb")


def test_missing_field_is_named() -> None:
    data = dict(VALID)
    del data["platform"]
    with pytest.raises(InvalidInputError) as exc:
        Post.from_dict(data)
    assert exc.value.errors[0].field == "platform"


def test_non_object_is_rejected() -> None:
    with pytest.raises(InvalidInputError):
        Post.from_dict(["not", "an", "object"])


def test_to_dict_puts_extra_fields_first() -> None:
    result = check_post(Post.from_dict(VALID), score=False)
    d = result.to_dict()
    keys = list(d)
    assert keys[:2] == ["id", "campaign"]
    assert keys[2:] == [
        "verdict",
        "reasons",
        "findings",
        "language",
        "assumptions",
        "suggested_fix",
        "sponsored_score",
    ]
    assert d["id"] == "p1"


def test_finding_json_shape() -> None:
    d = check_post(Post.from_dict({**VALID, "caption": "new shoes #adidas"}), score=False).to_dict()
    finding = d["findings"][0]
    assert list(finding) == ["code", "severity", "message", "evidence", "source"]
    assert finding["evidence"][0] == {
        "source": "caption",
        "start": 10,
        "end": 17,
        "text": "#adidas",
    }


def test_post_round_trip() -> None:
    p = Post.from_dict(VALID)
    assert Post.from_dict(p.to_dict()) == p
