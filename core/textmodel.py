"""Pydantic models whose text holds no control characters (the rule of ``core/text.py``).

:class:`CleanTextModel` checks every string of the model once it is valid, in the models,
lists and dicts inside it too (dict keys as single-line text); the error names the field and
the item (``recent_posts.0.url``, ``posts.1.caption``). A field is multi-line when its
annotation carries ``core.text.MULTILINE`` (``MultilineStr``). Values of undeclared extra
fields (``extra="allow"``) are held to the multi-line rule, because the code that reads them
knows more (the creator record, ``compliance.types.Post``) and applies the stricter one.
Request bodies (``api.schemas.common.RequestModel``) and the creator record build on it.

The rule is in the model's JSON Schema too (the API document), as far as JSON Schema reaches:
each string of a text field that has no pattern of its own gets ``core.patterns.LINE`` or
``LINES``, each object's keys ``LINE``, and the extra fields of an ``extra="allow"`` model are
``PassThroughValue``: any JSON value whose text keeps the multi-line rule. So a client that
follows the document never sends what the check refuses (a field with a pattern of its own
must keep the rule in it: tests/api/test_contract_fixes.py checks every pattern).

The check is for what comes in. A model that only ever sits inside another one sets
``_check_text = False`` (the outer one checks it, with the full path), and so does a model
that only carries our own data out (``CreatorRead``: FastAPI validates responses again, and a
row stored before the check existed must still be served). Code that builds an input model
from a stored row passes ``context=STORED``.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar, Final, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, ValidationError
from typing_extensions import TypeAliasType

from core.patterns import LINE, LINES
from core.text import (
    MULTILINE,
    Found,
    control_character_error,
    find_control_character,
    forbidden_pattern,
)

__all__ = ["STORED", "CleanTextModel", "PassThroughValue", "publish_rule"]

# The validation context for data read back from our own database: it was checked on the way
# in (or was stored before this check existed), so reading it never fails on a control
# character. ``Model.model_validate(row_data, context=STORED)``.
STORED: Final[dict[str, bool]] = {"creatormatch.stored": True}

# Types that hold no text of their own: a str-valued Enum member or a Literal is one of a
# fixed set.
_NOT_TEXT = (bool, int, float, Decimal, date, datetime, time, timedelta, Enum)


def _may_hold_text(annotation: Any) -> bool:
    """False when no value of ``annotation`` can be or contain free text: such fields are
    not looked at (an import validates every row, so this is worth deciding once)."""
    if annotation is None or annotation is type(None):
        return False
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _may_hold_text(args[0])
    if origin is not None:
        if isinstance(origin, type) and issubclass(origin, Mapping):
            return True  # its keys are text
        return any(_may_hold_text(arg) for arg in args) if args else True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return issubclass(annotation, CleanTextModel)
    # str, Any, or a type we do not know: look at the values.
    return not (isinstance(annotation, type) and issubclass(annotation, _NOT_TEXT))


def _declares_multiline(annotation: Any, metadata: list[Any]) -> bool:
    if any(isinstance(m, type(MULTILINE)) for m in metadata):
        return True
    return any(
        isinstance(arg, type(MULTILINE)) or _declares_multiline(arg, [])
        for arg in typing.get_args(annotation)
    )


def _raise(loc: tuple[str | int, ...], message: str, value: Any) -> NoReturn:
    # A ValidationError raised in a validator keeps its location; pydantic puts the location
    # of the model (or the extra field) in front: posts.1.caption, recent_posts.0.url.
    error = PydanticCustomError("control_character", "{message}", {"message": message})
    raise ValidationError.from_exception_data(
        "text", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


def _stored(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and bool(context.get("creatormatch.stored"))


def _in_model(value: object) -> Found | None:
    return value._find_text() if isinstance(value, CleanTextModel) else None


def _clean_extra(value: Any, info: ValidationInfo) -> Any:
    if not _stored(info):
        found = find_control_character(value, multiline=True, other=_in_model)
        if found is not None:
            _raise(found[0], found[1], value)
    return value


class _ClosedKeys:
    """JSON Schema of a dict whose keys have a pattern: ``propertyNames`` (pydantic writes
    ``patternProperties``, which leaves other keys free)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        ((pattern, value),) = schema.pop("patternProperties").items()
        return {**schema, "propertyNames": {"pattern": pattern}, "additionalProperties": value}


_Lines = Annotated[str, WithJsonSchema({"type": "string", "pattern": LINES})]
_Key = Annotated[str, WithJsonSchema({"type": "string", "pattern": LINE})]
# An extra field's value: any JSON value; its text is checked by _clean_extra (the pattern
# here is the document's; a message that names the character beats a pattern's).
PassThroughValue = TypeAliasType(  # type: ignore[misc]  # mypy cannot follow a recursive alias
    "PassThroughValue",
    bool
    | int
    | float
    | _Lines
    | list["PassThroughValue"]  # type: ignore[misc]
    | Annotated[dict[_Key, "PassThroughValue"], _ClosedKeys()]  # type: ignore[misc]
    | None,
)


def publish_rule(schema: dict[str, Any], pattern: str = LINE) -> None:
    """Give every string ``schema`` may hold, with no pattern of its own, ``pattern``; and
    every object's keys the single-line rule. A ``$ref`` is a model: it publishes its own."""
    if "$ref" in schema or "enum" in schema or "const" in schema:
        return
    for branches in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(branches, ()):
            publish_rule(branch, pattern)
    kind = schema.get("type")
    if kind == "string" or not ({"type", "anyOf", "oneOf", "allOf"} & set(schema)):
        # Also a schema of any value ({}): its pattern holds for a string only.
        schema.setdefault("pattern", pattern)
    if isinstance(schema.get("items"), dict):
        publish_rule(schema["items"], pattern)
    if kind == "object":
        values = schema.get("additionalProperties", True)
        if values is not False and "propertyNames" not in schema:
            schema["propertyNames"] = {"pattern": LINE}
        if isinstance(values, dict):
            publish_rule(values, pattern)
        for value in schema.get("properties", {}).values():
            publish_rule(value, pattern)


class CleanTextModel(BaseModel):
    """A pydantic model whose every string is checked by :func:`control_character_error`
    when it comes in (see the module docstring)."""

    # Extra fields (models with extra="allow") are validated too, each under its own name.
    __pydantic_extra__: dict[str, Annotated[PassThroughValue, AfterValidator(_clean_extra)]] = (
        Field(init=False)
    )
    # False: this model does not check itself (see the module docstring).
    _check_text: ClassVar[bool] = True
    _multiline_fields: ClassVar[frozenset[str]] = frozenset()
    # (field, the pattern of characters it may not hold, multi-line?), decided once a class.
    _text_plan: ClassVar[tuple[tuple[str, re.Pattern[str], bool], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._multiline_fields = frozenset(
            name
            for name, field in cls.model_fields.items()
            if _declares_multiline(field.annotation, list(field.metadata))
        )
        lines = cls._multiline_fields
        cls._text_plan = tuple(
            (name, forbidden_pattern(multiline=name in lines), name in lines)
            for name, field in cls.model_fields.items()
            if _may_hold_text(field.annotation)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's schema with the rule in it, for what comes in (validation mode: a
        response may hold a row stored before the check existed)."""
        json_schema = handler(core_schema)
        if handler.mode != "validation":
            return json_schema
        target = handler.resolve_ref_schema(json_schema)
        properties = target.get("properties", {})
        for name, _forbidden, multiline in cls._text_plan:
            field = cls.model_fields[name]
            key = field.alias or name
            if key in properties:
                publish_rule(properties[key], LINES if multiline else LINE)
        if target.get("additionalProperties", False) is not False:
            target.setdefault("propertyNames", {"pattern": LINE})
        return json_schema

    def _find_text(self) -> Found | None:
        """The first text of this model (and the models inside it) that breaks the rule."""
        values = self.__dict__
        for name, forbidden, multiline in self._text_plan:
            value = values.get(name)
            # Fast paths for what records are made of: text, lists of text or of models.
            if type(value) is str:
                if forbidden.search(value) is None:
                    continue
            elif value is None:
                continue
            elif isinstance(value, CleanTextModel):
                inner = value._find_text()
                if inner is not None:
                    return (name, *inner[0]), inner[1]
                continue
            elif type(value) is list and all(type(item) is str for item in value):
                if forbidden.search("".join(value)) is None:
                    continue
            elif type(value) is list and all(isinstance(i, CleanTextModel) for i in value):
                for index, item in enumerate(value):
                    inner = item._find_text()
                    if inner is not None:
                        return (name, index, *inner[0]), inner[1]
                continue
            found = find_control_character(value, multiline=multiline, other=_in_model)
            if found is not None:
                return (name, *found[0]), found[1]
        for key in self.__pydantic_extra__ or {}:
            message = control_character_error(key)
            if message is not None:
                return (), f"the name of a field {message}"
        return None

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters_in_names(cls, data: Any, info: ValidationInfo) -> Any:
        # A field name with a control character is at fault itself (before it is an unknown
        # field, or anything else): the error names the object that holds it.
        if isinstance(data, dict) and not _stored(info):
            for key in data:
                message = control_character_error(key) if isinstance(key, str) else None
                if message is not None:
                    _raise((), f"the name of a field {message}", data)
        return data

    @model_validator(mode="after")
    def _no_control_characters(self, info: ValidationInfo) -> Any:
        # One pass once the fields are valid (cheaper than a validator per field: an import
        # validates every row).
        if self._check_text and not _stored(info):
            found = self._find_text()
            if found is not None:
                _raise(found[0], found[1], self)
        return self
