"""core/text.py: which control characters a single-line and a multi-line text may hold, and
where in a nested value the first bad one is."""

from __future__ import annotations

import pytest

from core.text import control_character_error, find_control_character


@pytest.mark.parametrize(
    "text", ["", "Lena | Green Kitchen", "Zoë O'Brien", "café\u00a0au lait", "\x7f"]
)
@pytest.mark.parametrize("multiline", [False, True])
def test_text_without_c0_controls_is_fine(text: str, multiline: bool) -> None:
    assert control_character_error(text, multiline=multiline) is None


@pytest.mark.parametrize("character", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_only_in_multi_line_text(character: str) -> None:
    assert control_character_error(f"a{character}b", multiline=True) is None
    message = control_character_error(f"a{character}b")
    assert message is not None and f"U+{ord(character):04X}" in message
    assert "one line" in message


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)])
@pytest.mark.parametrize("multiline", [False, True])
def test_every_other_c0_control_is_refused(code: int, multiline: bool) -> None:
    message = control_character_error(f"ab{chr(code)}", multiline=multiline)
    assert message is not None
    assert f"control character (U+{code:04X}) at position 3" in message


@pytest.mark.parametrize(
    ("value", "multiline", "path"),
    [
        ("ok", False, None),
        ("a\x00", False, ()),
        (["ok", "b\x00"], False, (1,)),
        ({"age": ["x", "\x01"]}, False, ("age", 1)),
        ({"notes": "one\ntwo"}, True, None),
        ({"notes": "one\ntwo"}, False, ("notes",)),
        ({"k\x00": "v"}, True, ()),  # a key is one line, even in multi-line text
        ((1, 2.5, None, True), False, None),
    ],
)
def test_find_names_the_path(value: object, multiline: bool, path: tuple | None) -> None:
    found = find_control_character(value, multiline=multiline)
    assert (found[0] if found else None) == path
