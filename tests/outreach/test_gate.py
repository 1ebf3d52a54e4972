"""The compliance gate: documents, e-mails, the needs_review policy and DraftBlockedError."""

from __future__ import annotations

import dataclasses

import pytest

from compliance.disclosure_text import disclosure_section
from compliance.types import Jurisdiction, Severity, Verdict
from core.errors import ConflictError, InvalidInputError
from outreach.gate import DraftBlockedError, ensure_allowed, gate_document, gate_email
from outreach.render import render_brief, render_contract, render_email
from outreach.sample_data import sample_contract, sample_email
from tests.outreach._factories import brief_for, contract_for

NO_DISCLOSURE = """# {{ title }}

## 1. Parties

{{ brand.legal_name }} and {{ creator.legal_name }}.

## 2. Payment

{{ compensation.display }}
"""


class TestContractOverrideWithoutDisclosure:
    def test_render_contract_is_blocked_with_the_missing_section_named(self) -> None:
        ctx = sample_contract("sponsored_post")
        with pytest.raises(DraftBlockedError) as exc:
            render_contract(ctx, "md", {"contract_sponsored_post.md.j2": NO_DISCLOSURE})
        err = exc.value
        assert [f.code for f in err.findings] == ["DOC_MISSING_DISCLOSURE_SECTION"]
        assert "disclosure section" in err.findings[0].message
        assert "Disclosure" in err.findings[0].message
        assert err.errors[0].field == "DOC_MISSING_DISCLOSURE_SECTION"
        assert err.status == 422 and err.code == "draft_blocked"
        assert isinstance(err, InvalidInputError) and not isinstance(err, ConflictError)

    def test_each_format_is_blocked(self) -> None:
        ctx = sample_contract("ambassador")
        for fmt in ("md", "html", "docx"):
            with pytest.raises(DraftBlockedError):
                render_contract(ctx, fmt, {"contract_ambassador.md.j2": NO_DISCLOSURE})  # type: ignore[call-overload]

    def test_check_false_renders_it_for_a_preview(self) -> None:
        ctx = sample_contract("sponsored_post")
        text = render_contract(
            ctx, "md", {"contract_sponsored_post.md.j2": NO_DISCLOSURE}, check=False
        )
        assert "## 2. Payment" in text


def test_an_override_that_drops_one_required_phrase_is_blocked() -> None:
    ctx = contract_for("sponsored_post", Jurisdiction.US)
    source = "# Deal\n\n## Disclosure obligations\n\nThe creator must disclose the material connection.\n"
    with pytest.raises(DraftBlockedError) as exc:
        render_contract(ctx, "md", {"contract_sponsored_post.md.j2": source})
    codes = {f.code for f in exc.value.findings}
    assert codes == {"DOC_MISSING_REQUIRED_PHRASE"}
    assert any("say it and show it" in f.message for f in exc.value.findings)


def test_needs_review_blocks_too() -> None:
    # UK: "#sponsored" is a label but not the recommended "Ad": a review finding.
    ctx = dataclasses.replace(
        brief_for("uk_short_form"), example_captions=("#sponsored My new serum @lumoraskin",)
    )
    markdown = render_brief(ctx, "md", check=False)
    result = gate_document("brief", markdown, ctx.jurisdictions, ctx.platforms)
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert {f.severity for f in result.findings} == {Severity.REVIEW}
    assert not result.allowed
    with pytest.raises(DraftBlockedError):
        render_brief(ctx, "md")


def test_a_non_compliant_example_caption_blocks_a_brief_with_its_line() -> None:
    ctx = dataclasses.replace(
        brief_for("us_ca_video"), example_captions=("Loving my new shoes @trailhound #sp",)
    )
    with pytest.raises(DraftBlockedError) as exc:
        render_brief(ctx, "html")
    markdown = render_brief(ctx, "md", check=False)
    lines = markdown.splitlines()
    for finding in exc.value.findings:
        assert finding.line is not None
        assert "Example caption:" in lines[finding.line - 1]
    # one finding per fault (rules note 9): "#sp" as the only label is AMBIGUOUS_TERM alone
    assert "AMBIGUOUS_TERM" in {f.code for f in exc.value.findings}
    assert "NO_DISCLOSURE" not in {f.code for f in exc.value.findings}


def test_findings_of_several_jurisdictions_are_merged() -> None:
    result = gate_document("contract", "# Deal\n\nNothing.\n", ["US", "UK", "EU"], ["instagram"])
    assert [f.code for f in result.findings] == ["DOC_MISSING_DISCLOSURE_SECTION"]
    assert result.findings[0].jurisdictions == ("US", "UK", "EU")


def test_a_section_for_one_jurisdiction_does_not_cover_another() -> None:
    text = "# Deal\n\n" + disclosure_section(Jurisdiction.US, ["instagram"])
    assert gate_document("contract", text, "US", ["instagram"]).allowed
    both = gate_document("contract", text, ["US", "UK"], ["instagram"])
    assert not both.allowed
    assert all(f.jurisdictions == ("UK",) for f in both.findings)


def test_gate_document_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidInputError):
        gate_document("brief", "x", [], [])
    with pytest.raises(InvalidInputError):
        gate_document("brief", "x", "FR", [])


def test_ensure_allowed_returns_an_allowed_result() -> None:
    result = gate_document("brief", render_brief(brief_for("ca_live"), "md"), "CA", ["twitch"])
    assert ensure_allowed(result) is result


class TestEmailGate:
    def test_rendered_emails_pass(self) -> None:
        ctx = sample_email()
        email = render_email(ctx)
        assert gate_email(ctx, text=email.text, html=email.html).allowed

    @pytest.mark.parametrize("part", ["text", "html"])
    def test_a_part_without_the_postal_address_is_blocked(self, part: str) -> None:
        ctx = sample_email()
        email = render_email(ctx)
        text = email.text.replace("Portland, OR 97209", "") if part == "text" else email.text
        html = email.html.replace("Portland, OR 97209", "") if part == "html" else email.html
        result = gate_email(ctx, text=text, html=html)
        assert [(f.code, f.part) for f in result.findings] == [
            ("EMAIL_MISSING_POSTAL_ADDRESS", part)
        ]
        assert "Portland, OR 97209" in result.findings[0].message

    def test_an_html_part_with_the_url_only_as_text_is_blocked(self) -> None:
        ctx = sample_email()
        email = render_email(ctx)
        html = email.html.replace('href="', 'data-x="')
        result = gate_email(ctx, text=email.text, html=html)
        assert result.codes == ("EMAIL_MISSING_UNSUBSCRIBE",)

    def test_an_email_override_without_unsubscribe_is_blocked(self) -> None:
        ctx = sample_email("followup2")
        source = "Subject: hi\n\n{{ postal_address_lines|join('\\n') }}\n"
        with pytest.raises(DraftBlockedError) as exc:
            render_email(ctx, {"email_followup2.txt.j2": source})
        assert exc.value.result.codes == ("EMAIL_MISSING_UNSUBSCRIBE",)
        assert exc.value.findings[0].part == "text"

    def test_a_failing_example_caption_in_an_email_is_blocked(self) -> None:
        ctx = dataclasses.replace(
            sample_email(), example_caption="Loving my new shoes thanks @trailhound"
        )
        with pytest.raises(DraftBlockedError) as exc:
            render_email(ctx)
        # "thanks @brand" as the only label: AMBIGUOUS_TERM alone (rules note 9)
        assert exc.value.result.codes == ("AMBIGUOUS_TERM",)
        finding = next(f for f in exc.value.findings if f.code == "AMBIGUOUS_TERM")
        text = render_email(ctx, check=False).text
        assert text.splitlines()[finding.line - 1].startswith("Example caption:")

    def test_no_part_at_all_is_an_input_error(self) -> None:
        with pytest.raises(InvalidInputError):
            gate_email(sample_email(), text=None, html=None)


def test_gate_results_serialise() -> None:
    result = gate_document("contract", "# x\n", "US")
    data = result.to_dict()
    assert data["allowed"] is False and data["verdict"] == "non_compliant"
    assert data["findings"][0]["code"] == "DOC_MISSING_DISCLOSURE_SECTION"
    assert data["findings"][0]["jurisdictions"] == ["US"]
