"""Text without control characters: the one rule every text input is checked against.

PostgreSQL cannot store NUL (U+0000) in text, and the other C0 control characters
(U+0001-U+001F) have no place in a name, a handle or a caption: they hide text from people,
break CSV and e-mail headers, and make two equal-looking values differ. So every text that
comes in (request bodies, query and path parameters, page forms, import rows, posts to
check) is refused with a 422 naming the field when it holds one:

- **single-line** text (names, handles, e-mails, ids, codes, URLs, the default) may hold no
  C0 control character at all, not even a tab or a line break;
- **multi-line** text (bios, briefs, captions, transcripts, notes, reasons, templates,
  addresses) may hold tab, line feed and carriage return, and no other.

DEL (U+007F) and the C1 controls are left alone: they are rare, harmless to the databases,
and a few legacy encodings put real characters there.

:func:`control_character_error` is the rule for one text, :func:`find_control_character`
for the strings inside a value. ``core/textmodel.py`` applies them to every string of a
pydantic model; a field is multi-line when its annotation carries :data:`MULTILINE`
(``Annotated[str, MULTILINE]``, or the alias :data:`MultilineStr`). This module imports
nothing but the standard library and ``core.patterns`` (the same classes, for the API
document), so the pure compliance checker uses it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from core.patterns import CONTROL, CONTROL_BUT_WHITESPACE

__all__ = [
    "MULTILINE",
    "Found",
    "MultilineStr",
    "control_character_error",
    "find_control_character",
    "forbidden_pattern",
]

# The document publishes the rule as core.patterns.LINE and LINES (the same classes).
_ANY_CONTROL = re.compile(f"[{CONTROL}]")
_NOT_WHITESPACE = re.compile(f"[{CONTROL_BUT_WHITESPACE}]")
_NAMES = {0x09: "a tab", 0x0A: "a line break", 0x0D: "a line break"}


@dataclass(frozen=True)
class _Multiline:
    """The marker of multi-line text in ``Annotated[str, MULTILINE]``."""


MULTILINE = _Multiline()
MultilineStr = Annotated[str, MULTILINE]


def forbidden_pattern(*, multiline: bool = False) -> re.Pattern[str]:
    """The characters a text may not hold: a fast ``search`` for code that checks a lot."""
    return _NOT_WHITESPACE if multiline else _ANY_CONTROL


def control_character_error(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``text`` (None when nothing is).

    Args:
        text: the value as it came in.
        multiline: True where tab, line feed and carriage return are allowed.

    Returns:
        A message for the user that names the character, or None.
    """
    found = (_NOT_WHITESPACE if multiline else _ANY_CONTROL).search(text)
    if found is None:
        return None
    code = ord(found.group())
    what = _NAMES.get(code, "a control character")
    if code in _NAMES:
        return f"must be one line without control characters: it contains {what} (U+{code:04X})"
    allowed = "; tab and line breaks are fine" if multiline else ""
    return f"contains {what} (U+{code:04X}) at position {found.start() + 1}{allowed}"


Found = tuple[tuple[str | int, ...], str]


def find_control_character(
    value: object,
    *,
    multiline: bool = False,
    other: Callable[[object], Found | None] | None = None,
) -> Found | None:
    """The first text in ``value`` (a string, or strings inside lists, tuples, sets and dicts)
    that breaks the rule, as ``(path, message)``: the path leads from ``value`` to the text
    (``()`` for ``value`` itself, ``(0,)``, ``("age", 1)``). Dict keys are single-line text.
    Any other object is handed to ``other`` (which knows, say, pydantic models), or skipped."""
    forbidden = forbidden_pattern(multiline=multiline)
    if isinstance(value, str):
        if forbidden.search(value) is None:
            return None
        return (), _message(value, multiline)
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and _ANY_CONTROL.search(key) is not None:
                return (), f"a key {_message(key, False)}"
        pairs: Iterable[tuple[str | int, object]] = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        pairs = enumerate(value)
    else:
        return None if other is None or value is None else other(value)
    for name, item in pairs:
        if isinstance(item, str):
            if forbidden.search(item) is None:
                continue
            return (name,), _message(item, multiline)
        if item is None or isinstance(item, bool | int | float):
            continue
        found = find_control_character(item, multiline=multiline, other=other)
        if found is not None:
            return (name, *found[0]), found[1]
    return None


def _message(text: str, multiline: bool) -> str:
    message = control_character_error(text, multiline=multiline)
    assert message is not None  # only called for text the pattern found a character in
    return message
