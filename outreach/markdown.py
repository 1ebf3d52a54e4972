"""A small, safe Markdown subset for briefs and contracts, rendered to HTML and DOCX.

The subset (what the templates use, nothing more):

* ``#`` to ``######`` headings;
* paragraphs separated by blank lines; the lines of a paragraph are joined with a space,
  and a line ending in a backslash ends with a hard line break;
* bullet items (``- `` or ``* ``) and numbered items (``1. ``), one line each;
* tables: a ``| a | b |`` header row, a ``|---|---|`` separator, then rows;
* inline ``**bold**`` and backslash escapes of ASCII punctuation (``\\*``, ``\\|``).

Everything else is text. Every piece of text is HTML-escaped, so nothing in a document (a
creator's name included) can inject markup; there are no links, images or raw HTML.
:func:`escape_markdown` is the Jinja filter ``md`` that templates apply to free text.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

from docx import Document
from docx.shared import Pt
from docx.text.paragraph import Paragraph as DocxParagraph

__all__ = [
    "Block",
    "Heading",
    "ListBlock",
    "Paragraph",
    "Run",
    "Table",
    "escape_markdown",
    "parse",
    "plain_text",
    "to_docx",
    "to_html",
]

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+(.*)$")
_NUMBERED = re.compile(r"^[ \t]*(\d{1,9})\.[ \t]+(.*)$")
_TABLE_SEPARATOR = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"
)
_PUNCTUATION = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\"""
_ESCAPABLE = frozenset(_PUNCTUATION)
# Block markers that change a line's meaning at its start: "# h", "> q", "- item", "1. item".
_LEADING_MARKER = re.compile(r"^([ \t]*)(#{1,6}(?=[ \t]|$)|>|[-+](?=[ \t]|$)|\d+\.(?=[ \t]|$))")


@dataclass(frozen=True)
class Run:
    """A stretch of text, bold or not; ``text`` is plain (escapes resolved)."""

    text: str
    bold: bool = False
    line_break: bool = False  # a hard line break after this run


@dataclass(frozen=True)
class Heading:
    level: int
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]


Block = Heading | Paragraph | ListBlock | Table


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # "1." -> "1\." (a digit cannot be escaped, the dot can)
        return f"{indent}{marker[:-1]}\\."
    return f"{indent}\\{marker}"


def escape_markdown(text: object) -> str:
    """Escape ``text`` so the subset reads it as plain text (the ``md`` template filter).

    Backslashes, ``*``, ``|``, ``<``, ``[``, ``]`` and backticks are escaped anywhere, and a
    heading, list or quote marker at the start of the text is escaped too (``#ad`` is not a
    heading and stays as it is).
    """
    value = str(text)
    value = re.sub(r"([\\*|<\[\]`])", r"\\\1", value)
    return _LEADING_MARKER.sub(_escape_marker, value, count=1)


def _inline(text: str) -> tuple[Run, ...]:
    """Parse ``**bold**`` and backslash escapes; an unmatched ``**`` stays literal."""
    runs: list[Run] = []
    buf: list[str] = []
    bold = False
    open_at: int | None = None  # index in runs where the current bold started
    i = 0

    def flush() -> None:
        if buf:
            runs.append(Run("".join(buf), bold))
            buf.clear()

    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            buf.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i) and (bold or "**" in text[i + 2 :]):
            flush()
            bold = not bold
            open_at = len(runs) if bold else None
            i += 2
            continue
        buf.append(ch)
        i += 1
    flush()
    if bold and open_at is not None:
        # Unclosed bold: turn it back into literal text.
        tail = runs[open_at:]
        runs[open_at:] = [Run("**" + "".join(r.text for r in tail), False)]
    return tuple(runs)


def _paragraph_runs(lines: list[str]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for n, line in enumerate(lines):
        hard = line.endswith("\\") and not line.endswith("\\\\")
        content = line[:-1].rstrip() if hard else line.strip()
        parsed = list(_inline(content.strip()))
        if n < len(lines) - 1:
            if hard:
                if parsed:
                    last = parsed[-1]
                    parsed[-1] = Run(last.text, last.bold, True)
                else:
                    parsed.append(Run("", False, True))
            else:
                parsed.append(Run(" ", False))
        runs += parsed
    return tuple(runs)


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            buf.append(body[i : i + 2])
            i += 2
            continue
        if body[i] == "|":
            cells.append("".join(buf).strip())
            buf.clear()
        else:
            buf.append(body[i])
        i += 1
    cells.append("".join(buf).strip())
    return cells


def parse(markdown: str) -> list[Block]:
    """Parse the subset into blocks."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    i = 0

    def end_paragraph() -> None:
        if para:
            blocks.append(Paragraph(_paragraph_runs(para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            end_paragraph()
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            end_paragraph()
            blocks.append(Heading(len(heading.group(1)), _inline(heading.group(2))))
            i += 1
            continue
        if (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and _TABLE_SEPARATOR.match(lines[i + 1])
        ):
            end_paragraph()
            header = tuple(_inline(c) for c in _cells(line))
            rows: list[tuple[tuple[Run, ...], ...]] = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = [_inline(c) for c in _cells(lines[i])]
                cells = (cells + [()] * len(header))[: len(header)]
                rows.append(tuple(cells))
                i += 1
            blocks.append(Table(header, tuple(rows)))
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            end_paragraph()
            ordered = numbered is not None
            start = int(numbered.group(1)) if numbered else 1
            items: list[tuple[Run, ...]] = []
            while i < len(lines):
                item = _NUMBERED.match(lines[i]) if ordered else _BULLET.match(lines[i])
                if item is None:
                    break
                items.append(_inline(item.group(2 if ordered else 1).strip()))
                i += 1
            blocks.append(ListBlock(ordered, start, tuple(items)))
            continue
        para.append(line)
        i += 1
    end_paragraph()
    return blocks


def plain_text(runs: tuple[Run, ...]) -> str:
    """The runs' text without formatting (hard breaks become spaces)."""
    return "".join(r.text + (" " if r.line_break else "") for r in runs).strip()


def _html_runs(runs: tuple[Run, ...]) -> str:
    out: list[str] = []
    for run in runs:
        text = html.escape(run.text, quote=True)
        out.append(f"<strong>{text}</strong>" if run.bold and text else text)
        if run.line_break:
            out.append("<br>")
    return "".join(out)


_CSS = (
    "body{font-family:Georgia,'Times New Roman',serif;max-width:46rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.5;color:#1a1a1a}"
    "table{border-collapse:collapse;margin:1rem 0}"
    "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "h1,h2,h3{font-family:Helvetica,Arial,sans-serif}"
)


def to_html(markdown: str, *, title: str | None = None) -> str:
    """A complete, self-contained HTML5 document; ``title`` defaults to the first heading."""
    blocks = parse(markdown)
    if title is None:
        title = next((plain_text(b.runs) for b in blocks if isinstance(b, Heading)), "Document")
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_html_runs(block.runs)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{_html_runs(block.runs)}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
            items = "".join(f"<li>{_html_runs(item)}</li>" for item in block.items)
            body.append(f"<{tag}{start}>{items}</{tag}>")
        else:
            head = "".join(f"<th>{_html_runs(c)}</th>" for c in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_html_runs(c)}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _docx_runs(paragraph: DocxParagraph, runs: tuple[Run, ...], *, bold: bool = False) -> None:
    for run in runs:
        if run.text:
            added = paragraph.add_run(run.text)
            if run.bold or bold:
                added.bold = True
        if run.line_break:
            paragraph.add_run().add_break()


def to_docx(markdown: str, *, title: str | None = None, author: str | None = None) -> bytes:
    """A Word document (bytes) with the same headings, paragraphs, lists, bold and tables."""
    blocks = parse(markdown)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    if title is None:
        title = next((plain_text(b.runs) for b in blocks if isinstance(b, Heading)), None)
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    for block in blocks:
        if isinstance(block, Heading):
            heading = document.add_heading(level=min(block.level, 9))
            _docx_runs(heading, block.runs)
        elif isinstance(block, Paragraph):
            _docx_runs(document.add_paragraph(), block.runs)
        elif isinstance(block, ListBlock):
            for n, item in enumerate(block.items, start=block.start):
                if block.ordered:
                    # Numbers are written out: Word's own numbering would run on across lists.
                    paragraph = document.add_paragraph()
                    paragraph.add_run(f"{n}. ")
                else:
                    paragraph = document.add_paragraph(style="List Bullet")
                _docx_runs(paragraph, item)
        else:
            table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
            table.style = "Table Grid"
            for col, cell in enumerate(block.header):
                _docx_runs(table.cell(0, col).paragraphs[0], cell, bold=True)
            for r, row in enumerate(block.rows, start=1):
                for col, cell in enumerate(row):
                    _docx_runs(table.cell(r, col).paragraphs[0], cell)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
