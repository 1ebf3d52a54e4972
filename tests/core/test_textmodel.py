"""core/textmodel.py: every string of a model is checked once it is valid, nested ones with
their full path; multi-line fields are declared; our own data going out is not checked."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.text import MULTILINE, MultilineStr
from core.textmodel import STORED, CleanTextModel


class Item(CleanTextModel):
    _check_text: ClassVar[bool] = False  # checked by the model that holds it

    name: str
    note: MultilineStr | None = None


class Body(CleanTextModel):
    model_config = ConfigDict(extra="allow")

    title: str
    text: MultilineStr = ""
    tags: list[str] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    item: Item | None = None
    data: Annotated[dict[str, Any], MULTILINE] = Field(default_factory=dict)
    count: int = 0


class Read(Body):
    _check_text: ClassVar[bool] = False


def loc_of(**data: Any) -> tuple[str | int, ...]:
    with pytest.raises(ValidationError) as info:
        Body.model_validate({"title": "ok", **data})
    (error,) = info.value.errors()
    assert error["type"] == "control_character"
    return tuple(error["loc"])


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"title": "a\x00"}, ("title",)),
        ({"title": "a\nb"}, ("title",)),
        ({"text": "a\x0bb"}, ("text",)),
        ({"tags": ["x", "y\x00"]}, ("tags", 1)),
        ({"items": [{"name": "ok"}, {"name": "b\tc"}]}, ("items", 1, "name")),
        ({"items": [{"name": "ok", "note": "x\x07"}]}, ("items", 0, "note")),
        ({"item": {"name": "\x1f"}}, ("item", "name")),
        ({"data": {"lines": ["ok", "\x00"]}}, ("data", "lines", 1)),
        ({"extra_note": "\x00"}, ("extra_note",)),
    ],
)
def test_the_error_is_located_at_the_text(data: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    assert loc_of(**data) == loc


def test_multi_line_text_keeps_tabs_and_line_breaks() -> None:
    body = Body.model_validate(
        {
            "title": "ok",
            "text": "a\r\n\tb",
            "items": [{"name": "n", "note": "one\ntwo"}],
            "data": {"address": "1 Main St\nSpringfield"},
            "extra_note": "one\ntwo",
        }
    )
    assert body.text == "a\r\n\tb"


def test_multi_line_fields_are_read_from_the_annotations() -> None:
    assert Body._multiline_fields == {"text", "data"}
    assert {name for name, _, _ in Body._text_plan} == {
        "title",
        "text",
        "tags",
        "items",
        "item",
        "data",
    }


def test_our_own_data_going_out_is_not_checked() -> None:
    assert Read.model_validate({"title": "a\tb"}).title == "a\tb"
    assert Body.model_validate({"title": "a\tb"}, context=STORED).title == "a\tb"


def test_a_plain_model_inside_is_not_ours_to_check() -> None:
    class Plain(BaseModel):
        name: str

    class Holder(CleanTextModel):
        plain: Plain

    assert Holder.model_validate({"plain": {"name": "a\x00"}}).plain.name == "a\x00"
