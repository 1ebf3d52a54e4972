"""render_email, render_brief and render_contract: formats, CAN-SPAM parts, escaping, DOCX."""

from __future__ import annotations

import dataclasses
import io

import docx
import pytest

from compliance.types import Jurisdiction
from core.errors import InvalidInputError
from outreach.contexts import STEPS, Party
from outreach.render import render_brief, render_contract, render_email
from outreach.sample_data import sample_brief, sample_contract, sample_email
from tests.outreach._factories import EMAIL_VARIANTS, contract_for, email_for

SCRIPT = "<script>alert('x')</script>"


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("variant", EMAIL_VARIANTS)
def test_text_and_html_carry_postal_address_and_unsubscribe(step: str, variant: str) -> None:
    ctx = email_for(step, variant)  # type: ignore[arg-type]
    email = render_email(ctx)
    for line in ctx.postal_address_lines:
        assert line in email.text
        assert line.replace("&", "&amp;") in email.html
    assert ctx.unsubscribe_url in email.text
    assert f'href="{ctx.unsubscribe_url.replace("&", "&amp;")}"' in email.html


def test_subject_comes_from_the_first_line_of_the_text_template() -> None:
    email = render_email(sample_email("followup2"))
    assert email.subject == (
        "Closing the loop: Trailhound x Mia Fernández (Spring Trail Series 2026)"
    )
    assert not email.text.startswith("Subject:")
    assert email.text.startswith("Hi Mia Fernández,")


def test_steps_render_different_emails() -> None:
    subjects = {render_email(sample_email(step)).subject for step in STEPS}
    assert len(subjects) == 3


def test_email_html_escapes_creator_provided_fields() -> None:
    ctx = dataclasses.replace(
        sample_email(), creator_display_name=SCRIPT, niche=f"{SCRIPT} running"
    )
    email = render_email(ctx)
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert SCRIPT in email.text  # plain text is not HTML: nothing to escape


def test_brief_html_escapes_creator_provided_fields() -> None:
    ctx = dataclasses.replace(sample_brief(), creator_display_name=SCRIPT)
    html = render_brief(ctx, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_contract_html_escapes_creator_provided_fields() -> None:
    ctx = dataclasses.replace(
        sample_contract("sponsored_post"),
        creator=Party(f"{SCRIPT} **Bold** | Pipe", f"<img src=x onerror=alert(1)>\n{SCRIPT}"),
    )
    html = render_contract(ctx, "html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    # Markdown in a creator's name stays literal text, and a pipe does not split a table cell.
    assert "**Bold** | Pipe" in html
    assert "<strong>Bold</strong>" not in html


def test_html_is_a_complete_document_titled_by_the_first_heading() -> None:
    html = render_contract(sample_contract("gifting"), "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Product Gifting Agreement</title>" in html
    assert "<h2>9. Disclosure obligations</h2>" in html
    assert html.count("<table>") == 2  # how to disclose, signatures: no deliverables, no payments
    assert "<table><thead><tr><th>Platform</th><th>Jurisdiction</th>" in html


@pytest.mark.parametrize("kind", ["sponsored_post", "gifting", "ambassador"])
def test_docx_opens_and_contains_the_disclosure_heading(kind: str) -> None:
    ctx = sample_contract(kind)  # type: ignore[arg-type]
    data = render_contract(ctx, "docx")
    assert isinstance(data, bytes) and data[:2] == b"PK"
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "9. Disclosure obligations" in headings
    assert "How to disclose on each platform" in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "must disclose the material connection" in body
    assert document.core_properties.title == ctx.title
    signatures = document.tables[-1]
    assert signatures.cell(1, 2).text == ctx.creator.legal_name


def test_brief_docx_keeps_bold_lists_and_tables() -> None:
    document = docx.Document(io.BytesIO(render_brief(sample_brief(), "docx")))
    bullets = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(p.text.startswith("Example caption: #ad") for p in bullets)
    brand = next(p for p in bullets if p.text.startswith("Brand:"))
    assert brand.runs[0].bold and brand.runs[0].text == "Brand:"
    assert any(p.text.startswith("1. Upload the draft") for p in document.paragraphs)
    deliverables = document.tables[0]
    assert [c.text for c in deliverables.rows[0].cells] == [
        "Platform",
        "Format",
        "Quantity",
        "Publish by",
    ]
    assert deliverables.cell(1, 0).text == "Instagram"


def test_docx_escapes_nothing_it_should_not() -> None:
    ctx = dataclasses.replace(sample_contract("gifting"), creator=Party(SCRIPT, "1 Road\nTown"))
    document = docx.Document(io.BytesIO(render_contract(ctx, "docx")))
    assert any(SCRIPT in p.text for p in document.paragraphs)  # Word shows it as text


def test_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidInputError) as exc:
        render_brief(sample_brief(), "pdf")  # type: ignore[call-overload]
    assert exc.value.errors[0].field == "fmt"


def test_markdown_html_and_docx_say_the_same_thing() -> None:
    ctx = contract_for("ambassador", Jurisdiction.US)
    markdown = render_contract(ctx, "md")
    html = render_contract(ctx, "html")
    document = docx.Document(io.BytesIO(render_contract(ctx, "docx")))
    for phrase in (
        "in every post",
        "say it and show it",
        "repeat the disclosure at least every 30 minutes",
    ):
        assert phrase in markdown
        assert phrase in html
        assert any(phrase in p.text for p in document.paragraphs)
