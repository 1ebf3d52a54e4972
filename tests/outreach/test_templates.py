"""Every built-in template renders with realistic contexts and passes the compliance gate."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from compliance.types import Jurisdiction
from outreach.contexts import CONTRACT_KINDS, STEPS
from outreach.environment import ENVIRONMENT, TEMPLATE_NAMES, render, template_spec
from outreach.gate import gate_document, gate_email
from outreach.render import render_brief, render_contract, render_email
from tests.outreach._factories import (
    BRIEF_VARIANTS,
    EMAIL_VARIANTS,
    brief_for,
    contract_for,
    email_for,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "outreach" / "templates"


def test_template_names_match_the_files() -> None:
    files = sorted(p.name for p in TEMPLATES.glob("*.j2"))
    assert files == sorted(TEMPLATE_NAMES)


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_names_follow_the_convention(name: str) -> None:
    spec = template_spec(name)
    assert name.endswith(f".{spec.format}.j2")
    assert name.startswith(spec.kind)


def test_autoescape_is_on_for_html_only() -> None:
    assert (
        ENVIRONMENT.get_template("email_intro.html.j2")
        .render(_vars("email", "<b>"))
        .count("&lt;b&gt;")
    )
    text = ENVIRONMENT.get_template("email_intro.txt.j2").render(_vars("email", "<b>"))
    assert "<b>" in text and "&lt;" not in text


def _vars(kind: str, name: str) -> dict[str, object]:
    import dataclasses

    ctx = dataclasses.replace(email_for("intro", "us_instagram"), creator_display_name=name)
    return ctx.template_vars()


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("variant", EMAIL_VARIANTS)
def test_every_email_renders_and_passes_the_gate(step: str, variant: str) -> None:
    ctx = email_for(step, variant)  # type: ignore[arg-type]
    email = render_email(ctx, check=False)
    result = gate_email(ctx, text=email.text, html=email.html)
    assert result.allowed, result.findings
    assert ctx.creator_display_name in email.subject
    assert ctx.campaign_name in email.text
    assert "\n" not in email.subject


@pytest.mark.parametrize("variant", BRIEF_VARIANTS)
def test_every_brief_renders_and_passes_the_gate(variant: str) -> None:
    ctx = brief_for(variant)
    markdown = render_brief(ctx, "md", check=False)
    result = gate_document("brief", markdown, ctx.jurisdictions, ctx.platforms)
    assert result.allowed, result.findings
    # every example caption was checked, and every section is there
    assert markdown.count("Example caption:") == len(ctx.example_captions)
    for heading in (
        "Objective",
        "Key messages",
        "Deliverables",
        "Timeline",
        "Dos and don'ts",
        "Disclosure obligations",
        "Hashtags and handles",
        "Approval process",
        "Reporting",
    ):
        assert f". {heading}\n" in markdown


@pytest.mark.parametrize("variant", BRIEF_VARIANTS)
def test_briefs_give_the_disclosure_per_platform_and_jurisdiction(variant: str) -> None:
    ctx = brief_for(variant)
    markdown = render_brief(ctx, "md")
    table = markdown.split("### How to disclose on each platform", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) - 1 == len(ctx.platforms) * len(ctx.jurisdictions)


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("kind", CONTRACT_KINDS)
def test_every_contract_renders_and_passes_the_gate(kind: str, jurisdiction: Jurisdiction) -> None:
    ctx = contract_for(kind, jurisdiction)  # type: ignore[arg-type]
    markdown = render_contract(ctx, "md", check=False)
    result = gate_document("contract", markdown, ctx.jurisdictions, ctx.platforms)
    assert result.allowed, result.findings


@pytest.mark.parametrize("kind", CONTRACT_KINDS)
def test_contracts_have_every_numbered_section(kind: str) -> None:
    markdown = render_contract(contract_for(kind, Jurisdiction.US), "md")  # type: ignore[arg-type]
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert [h.split(" ", 2)[1] for h in headings] == [f"{n}." for n in range(1, 16)]
    for words in (
        "Parties",
        "Term",
        "Deliverables",
        "Approval and revisions",
        "Compensation and payment",
        "Usage rights",
        "Content ownership and licence",
        "Exclusivity",
        "Disclosure obligations",
        "morality",
        "Termination",
        "Renewal",
        "Governing law",
        "Signatures",
    ):
        assert any(words.lower() in h.lower() for h in headings), words


def test_ambassador_contract_runs_twelve_months_and_states_cadence() -> None:
    ctx = contract_for("ambassador", Jurisdiction.EU)
    markdown = render_contract(ctx, "md")
    assert ctx.term_months == 12
    assert "ends on 14 January 2027, a term of 12 months" in markdown
    assert f"Cadence: {ctx.cadence}." in markdown
    assert "never renews automatically" in markdown


def test_gifting_contract_pays_no_fee_but_requires_disclosure() -> None:
    markdown = render_contract(contract_for("gifting", Jurisdiction.UK), "md")
    assert "No fee is payable" in markdown
    assert "must be disclosed under Section 9 although no money is paid" in markdown
    assert "| Instalment |" not in markdown


def test_contract_revision_rounds_and_usage_come_from_the_context() -> None:
    import dataclasses

    ctx = dataclasses.replace(contract_for("sponsored_post", Jurisdiction.US), revision_rounds=4)
    markdown = render_contract(ctx, "md")
    assert "up to 4 round(s) of reasonable revisions" in markdown
    assert "The licence includes paid amplification" in markdown
    no_paid = dataclasses.replace(
        ctx, usage_rights=dataclasses.replace(ctx.usage_rights, paid_amplification=False)
    )
    assert "does not include paid amplification" in render_contract(no_paid, "md")


class _Missing:
    """A context that lacks one variable the template uses."""

    def __init__(self, vars_: dict[str, object], drop: str) -> None:
        self._vars = {k: v for k, v in vars_.items() if k != drop}

    def template_vars(self) -> dict[str, object]:
        return self._vars


@pytest.mark.parametrize("drop", ["unsubscribe_url", "postal_address_lines", "brand"])
def test_strict_undefined_catches_a_missing_email_variable(drop: str) -> None:
    ctx = email_for("intro", "us_instagram")
    with pytest.raises(jinja2.UndefinedError, match=drop):
        render("email_intro.txt.j2", _Missing(ctx.template_vars(), drop))


@pytest.mark.parametrize("drop", ["disclosure_body", "example_captions"])
def test_strict_undefined_catches_a_missing_brief_variable(drop: str) -> None:
    with pytest.raises(jinja2.UndefinedError, match=drop):
        render("brief.md.j2", _Missing(brief_for("us_ca_video").template_vars(), drop))


def test_strict_undefined_catches_a_missing_attribute() -> None:
    with pytest.raises(jinja2.UndefinedError, match="fee_total"):
        ENVIRONMENT.from_string("{{ compensation.fee_total }}").render(
            email_for("intro", "us_instagram").template_vars()
        )
