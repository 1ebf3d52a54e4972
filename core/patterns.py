"""Regular expressions that the API document publishes and the code enforces.

Each is written so that the engines that read it agree: JSON Schema validators (ECMA 262,
often Rust's regex crate), pydantic (Rust's regex crate) and Python's ``re``. So no ``\\s``,
``\\w`` or ``\\d`` (each engine has its own idea of whitespace and word characters beyond
ASCII), only explicit classes; and Python code matches them with ``fullmatch`` (Python's ``$``
also matches before a final newline, the others' does not).
"""

from __future__ import annotations

__all__ = ["EMAIL", "NOT_BLANK", "PYTHON_WHITESPACE", "TEXT_BLOCK", "TEXT_LINE"]

# An e-mail address as outreach writes to it: no spaces, controls, quotes or angle brackets
# (they would break the address header), a dot in the domain and a TLD of letters.
_ADDRESS_CHAR = r"[^@\x00-\x20\x7f-\x9f<>\"]"
EMAIL = rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.[A-Za-z]{{2,}}$"

# The characters Python's ``str.strip()`` and ``str.isspace()`` take for whitespace.
PYTHON_WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Some text besides whitespace (what survives ``strip()``), anywhere in the string.
NOT_BLANK = rf"[^{PYTHON_WHITESPACE}]"

# Text that outreach puts in a document (outreach.contexts): some text besides whitespace,
# no control characters but the tab; a line has no line breaks, a block may have "\n" (and
# "\r\n").
_LINE_CHAR = r"[^\x00-\x08\x0a-\x1f\x7f]"
_VISIBLE_CHAR = rf"[^\x00-\x1f\x7f{PYTHON_WHITESPACE}]"
TEXT_LINE = rf"^{_LINE_CHAR}*{_VISIBLE_CHAR}{_LINE_CHAR}*$"
_BLOCK_PART = r"(?:[^\x00-\x08\x0b-\x1f\x7f]|\r\n)"
TEXT_BLOCK = rf"^{_BLOCK_PART}*{_VISIBLE_CHAR}{_BLOCK_PART}*$"
