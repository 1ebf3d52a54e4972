"""The e-mail with a compliance check's suggested fix: its context, both parts, the gate and
an organisation's override of it."""

from __future__ import annotations

import dataclasses

import pytest

from compliance.types import Jurisdiction, Media
from core.errors import InvalidInputError
from outreach.contexts import ComplianceFixContext, FixFinding
from outreach.environment import TEMPLATE_NAMES, validate_override
from outreach.gate import DraftBlockedError, gate_email
from outreach.render import render_compliance_fix
from outreach.sample_data import sample_compliance_fix


def fix(**changes: object) -> ComplianceFixContext:
    return dataclasses.replace(sample_compliance_fix(), **changes)  # type: ignore[arg-type]


def test_both_parts_carry_the_fix_the_explanations_and_can_spam() -> None:
    ctx = fix()
    email = render_compliance_fix(ctx)
    assert email.subject == "Please update the ad disclosure on your Instagram post for Trailhound"
    assert ctx.suggested_caption is not None
    for part in (email.text, email.html):
        assert ctx.findings[0].explanation in part
        assert "the United States" in part
        for line in ctx.postal_address_lines:
            assert line in part
    assert ctx.unsubscribe_url in email.text
    assert f'href="{ctx.unsubscribe_url.replace("&", "&amp;")}"' in email.html
    assert ctx.suggested_caption in email.text
    assert ctx.caption in email.text
    assert gate_email(ctx, text=email.text, html=email.html).allowed


def test_every_finding_is_explained() -> None:
    findings = (
        FixFinding("NO_DISCLOSURE", "A material connection must be disclosed.", "No label."),
        FixFinding("NOT_UPFRONT", "The disclosure must be seen without clicking more.", "Late."),
    )
    email = render_compliance_fix(fix(findings=findings))
    assert "- A material connection must be disclosed. No label.\n" in email.text
    assert "- The disclosure must be seen without clicking more. Late.\n" in email.text
    assert email.html.count("<li><strong>") == 2


def test_without_a_suggested_caption_it_asks_for_a_change_to_the_post() -> None:
    email = render_compliance_fix(fix(suggested_caption=None))
    assert "Please replace the caption" not in email.text
    assert "A new caption cannot fix these points" in email.text


@pytest.mark.parametrize(("media", "noted"), [(Media.REEL, True), (Media.IMAGE, False)])
def test_video_posts_are_told_a_caption_does_not_fix_the_recording(
    media: Media, noted: bool
) -> None:
    email = render_compliance_fix(fix(media=media))
    assert ("say and show the disclosure there" in email.text) is noted


def test_canada_reads_without_an_article() -> None:
    email = render_compliance_fix(fix(jurisdiction=Jurisdiction.CA))
    assert "the advertising rules of Canada," in email.text


def test_html_escapes_what_the_creator_and_the_post_bring() -> None:
    email = render_compliance_fix(
        fix(creator_display_name="<b>Mia</b>", caption="<script>x</script> #ad")
    )
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<b>Mia</b>" not in email.html
    assert "<script>x</script>" in email.text  # text is text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": ()}, "findings"),
        ({"reply_to": "not-an-address"}, "reply_to"),
        ({"brand": "Trail\nhound"}, "brand"),
        ({"suggested_caption": "x" * 20_001}, "suggested_caption"),
        ({"media": "hologram"}, "media"),
    ],
)
def test_a_bad_context_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        fix(**changes)
    assert raised.value.errors[0].field == field


def test_an_override_without_the_unsubscribe_link_is_blocked() -> None:
    assert "email_compliance_fix.txt.j2" in TEMPLATE_NAMES
    source = "Subject: Fix your post\n\nHi {{ creator_display_name }}, {{ suggested_caption }}\n"
    preview = validate_override("email_compliance_fix.txt.j2", source)
    assert not preview.gate.allowed
    assert {f.code for f in preview.gate.findings} == {
        "EMAIL_MISSING_POSTAL_ADDRESS",
        "EMAIL_MISSING_UNSUBSCRIBE",
    }
    with pytest.raises(DraftBlockedError):
        render_compliance_fix(fix(), {"email_compliance_fix.txt.j2": source})


def test_an_override_is_used_when_it_passes_the_gate() -> None:
    source = (
        "Subject: A quick fix, {{ creator_display_name }}\n\n{{ suggested_caption }}\n"
        "{% for line in postal_address_lines %}{{ line }}\n{% endfor %}{{ unsubscribe_url }}\n"
    )
    assert validate_override("email_compliance_fix.txt.j2", source).gate.allowed
    email = render_compliance_fix(fix(), {"email_compliance_fix.txt.j2": source})
    assert email.subject == "A quick fix, Mia Fernández"
