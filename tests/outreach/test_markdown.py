"""The Markdown subset: parsing, escaping, HTML."""

from __future__ import annotations

import pytest

from outreach.markdown import (
    Heading,
    ListBlock,
    Paragraph,
    Run,
    Table,
    escape_markdown,
    parse,
    to_html,
)


def test_blocks_of_the_subset() -> None:
    blocks = parse(
        "# Title\n\nOne line\nsame paragraph\\\nafter a break\n\n- a\n- **b**\n\n"
        "3. three\n4. four\n\n| A | B |\n|---|---|\n| 1 | 2 \\| 3 |\n"
    )
    assert blocks[0] == Heading(1, (Run("Title"),))
    assert blocks[1] == Paragraph(
        (Run("One line"), Run(" "), Run("same paragraph", line_break=True), Run("after a break"))
    )
    assert blocks[2] == ListBlock(False, 1, ((Run("a"),), (Run("b", bold=True),)))
    assert blocks[3] == ListBlock(True, 3, ((Run("three"),), (Run("four"),)))
    assert blocks[4] == Table(((Run("A"),), (Run("B"),)), (((Run("1"),), (Run("2 | 3"),)),))


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("**bold** text", "<p><strong>bold</strong> text</p>"),
        ("**unclosed text", "<p>**unclosed text</p>"),
        ("a <b>tag</b> & more", "<p>a &lt;b&gt;tag&lt;/b&gt; &amp; more</p>"),
        ("\\*not bold\\*", "<p>*not bold*</p>"),
        ('say "hi"', "<p>say &quot;hi&quot;</p>"),
        ("#ad is not a heading", "<p>#ad is not a heading</p>"),
        ("1.1 is not a list", "<p>1.1 is not a list</p>"),
        ("[link](javascript:alert(1))", "<p>[link](javascript:alert(1))</p>"),
    ],
)
def test_inline_html(source: str, html: str) -> None:
    body = to_html(source).split("<body>\n", 1)[1].split("\n</body>", 1)[0]
    assert body == html


@pytest.mark.parametrize(
    "text",
    [
        "**x**",
        "a | b",
        "# heading",
        "- item",
        "1. item",
        "> quote",
        "back\\slash",
        "<script>",
        "[x](y)",
        "#ad stays",
    ],
)
def test_escaped_text_round_trips_as_plain_text(text: str) -> None:
    blocks = parse(escape_markdown(text))
    assert blocks == [Paragraph((Run(text),))]


def test_escape_leaves_hashtags_alone() -> None:
    assert escape_markdown("#ad Loving it") == "#ad Loving it"
    assert escape_markdown("# Loving it") == "\\# Loving it"


def test_escaped_cells_stay_in_their_column() -> None:
    row = f"| {escape_markdown('a | b')} | c |"
    table = parse(f"| x | y |\n|---|---|\n{row}\n")[0]
    assert isinstance(table, Table)
    assert table.rows[0] == ((Run("a | b"),), (Run("c"),))


def test_html_title_is_escaped() -> None:
    assert "<title>&lt;T&gt;</title>" in to_html("# <T>\n")
