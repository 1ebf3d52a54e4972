"""Regular expressions that the API document publishes and the code enforces.

Each is written so that the engines that read it agree: JSON Schema validators (ECMA 262,
often Rust's regex crate), pydantic (Rust's regex crate) and Python's ``re``. So no ``\\s``,
``\\w`` or ``\\d`` (each engine has its own idea of whitespace and word characters beyond
ASCII), only explicit classes; and Python code matches them with ``fullmatch`` (Python's ``$``
also matches before a final newline, the others' does not).
"""

from __future__ import annotations

__all__ = [
    "EMAIL",
    "HTTP_URL",
    "LINE",
    "LINES",
    "LINES_NOT_BLANK",
    "LINE_NOT_BLANK",
    "PYTHON_WHITESPACE",
    "SPACE",
    "TEXT_BLOCK",
    "TEXT_LINE",
]

# The rule of core/text.py: single-line text holds no C0 control character; multi-line text
# may hold tab, line feed and carriage return, and no other. (Classes, for the patterns here
# and for core/text.py's own checks.)
CONTROL = r"\x00-\x1f"
CONTROL_BUT_WHITESPACE = r"\x00-\x08\x0b\x0c\x0e-\x1f"
LINE = rf"^[^{CONTROL}]*$"
LINES = rf"^[^{CONTROL_BUT_WHITESPACE}]*$"

# An e-mail address as outreach writes to it: no spaces, controls, quotes or angle brackets
# (they would break the address header), a dot in the domain and a TLD of letters.
_ADDRESS_CHAR = r"[^@\x00-\x20\x7f-\x9f<>\"]"
EMAIL = rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\.[A-Za-z]{{2,}}$"

# The characters Python's ``str.strip()`` and ``str.isspace()`` take for whitespace.
PYTHON_WHITESPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Python's whitespace that is no control character (a class's contents, for a line's spaces).
SPACE = r" \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# A line, or lines, with some text besides whitespace (what survives ``strip()``).
_VISIBLE = rf"[^{CONTROL}{PYTHON_WHITESPACE}]"
LINE_NOT_BLANK = rf"^[^{CONTROL}]*{_VISIBLE}[^{CONTROL}]*$"
LINES_NOT_BLANK = rf"^[^{CONTROL_BUT_WHITESPACE}]*{_VISIBLE}[^{CONTROL_BUT_WHITESPACE}]*$"

# Text that outreach puts in a document (outreach.contexts): some text besides whitespace,
# no control characters, no DEL; a line has no line breaks (nor tabs: core/text.py's rule of
# one line), a block may have tabs and "\n" (and "\r\n").
_LINE_CHAR = r"[^\x00-\x1f\x7f]"
_VISIBLE_CHAR = rf"[^\x00-\x1f\x7f{PYTHON_WHITESPACE}]"
TEXT_LINE = rf"^{_LINE_CHAR}*{_VISIBLE_CHAR}{_LINE_CHAR}*$"
_BLOCK_PART = r"(?:[^\x00-\x08\x0b-\x1f\x7f]|\r\n)"
TEXT_BLOCK = rf"^{_BLOCK_PART}*{_VISIBLE_CHAR}{_BLOCK_PART}*$"

# A webhook's URL as far as a pattern can say (webhooks/egress.py checks the rest: the host,
# its addresses): http or https, a host, no whitespace (Python's) or control characters.
_URL_CHAR = rf"[^{CONTROL}{PYTHON_WHITESPACE}]"
HTTP_URL = rf"^https?://[^{CONTROL}{PYTHON_WHITESPACE}/?#]+{_URL_CHAR}*$"
