"""Context validation: cheap checks that name the field at fault."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from compliance.types import Jurisdiction, Platform
from core.errors import InvalidInputError
from outreach.contexts import (
    BriefContext,
    Compensation,
    Deliverable,
    Instalment,
    Milestone,
    Party,
    PostRef,
    UsageRights,
    format_money,
)
from outreach.sample_data import sample_brief, sample_contract, sample_email


def _field(exc: pytest.ExceptionInfo[InvalidInputError]) -> str | None:
    return exc.value.errors[0].field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"creator_display_name": ""}, "creator_display_name"),
        ({"creator_display_name": "   "}, "creator_display_name"),
        ({"brand": "Trail\nBcc: victim@example.com"}, "brand"),
        ({"campaign_name": "Spring\x00"}, "campaign_name"),
        ({"reply_to": "not-an-email"}, "reply_to"),
        ({"unsubscribe_url": "javascript:alert(1)"}, "unsubscribe_url"),
        ({"unsubscribe_url": "https://x.example/u b"}, "unsubscribe_url"),
        ({"platform": "myspace"}, "platform"),
        ({"jurisdiction": "FR"}, "jurisdiction"),
        ({"step": "followup3"}, "step"),
        ({"deliverables": ()}, "deliverables"),
        ({"reasons": ("ok", "")}, "reasons[1]"),
        ({"sender_postal_address": ""}, "sender_postal_address"),
        ({"example_caption": "line one\nline two"}, "example_caption"),
    ],
)
def test_email_context_names_the_bad_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        dataclasses.replace(sample_email(), **changes)
    assert _field(exc) == field


def test_email_context_normalises() -> None:
    ctx = dataclasses.replace(
        sample_email(),
        handle="mia",
        platform="tiktok",
        reasons=["a", "b"],  # type: ignore[arg-type]
        deliverables=[Deliverable(Platform.TIKTOK, "video")],  # type: ignore[arg-type]
    )
    assert ctx.handle == "@mia"
    assert ctx.platform is Platform.TIKTOK
    assert ctx.reasons == ("a", "b")
    assert isinstance(ctx.deliverables, tuple)
    hash(ctx)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Compensation(Decimal("-1"), "USD", "per post"), "compensation.amount"),
        (lambda: Compensation(Decimal("NaN"), "USD", "per post"), "compensation.amount"),
        (lambda: Compensation(1.5, "USD", "per post"), "compensation.amount"),  # type: ignore[arg-type]
        (lambda: Compensation(Decimal(1), "XXY", "per post"), "compensation.currency"),
        (lambda: Compensation(Decimal(1), "USD", ""), "compensation.basis"),
        (lambda: Deliverable(Platform.X, "post", 0), "deliverables.count"),
        (lambda: Deliverable(Platform.X, ""), "deliverables.format"),
        (lambda: PostRef("text", "ftp://x.example"), "recent_post.url"),
        (lambda: Milestone("Go live", "2026-01-01"), "timeline.due_date"),  # type: ignore[arg-type]
        (lambda: Party("", "1 Road"), "party.legal_name"),
        (lambda: Instalment("x", Decimal("-5"), "now"), "payment_schedule.amount"),
        (lambda: UsageRights(6, (), True), "channels"),
        (lambda: UsageRights(6, ("web",), "yes"), "usage_rights.paid_amplification"),  # type: ignore[arg-type]
    ],
)
def test_value_objects_name_the_bad_field(build: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        build()  # type: ignore[operator]
    assert _field(exc) == field


def test_amounts_accept_int_and_str_as_decimals() -> None:
    assert Compensation(650, "USD", "per post").amount == Decimal(650)  # type: ignore[arg-type]
    assert Compensation("12.50", "EUR", "x").amount_display == "EUR 12.50"  # type: ignore[arg-type]
    assert format_money(Decimal("1234567.5"), "GBP") == "GBP 1,234,567.50"


class TestBrief:
    def test_platforms_default_to_the_deliverables(self) -> None:
        ctx = sample_brief()
        assert ctx.platforms == (Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE)

    def test_platforms_must_cover_the_deliverables(self) -> None:
        with pytest.raises(InvalidInputError) as exc:
            dataclasses.replace(sample_brief(), platforms=(Platform.INSTAGRAM,))
        assert _field(exc) == "platforms"
        assert "tiktok" in str(exc.value)

    @pytest.mark.parametrize(
        "name", ["key_messages", "dos", "donts", "example_captions", "timeline", "jurisdictions"]
    )
    def test_required_lists(self, name: str) -> None:
        with pytest.raises(InvalidInputError) as exc:
            dataclasses.replace(sample_brief(), **{name: ()})
        assert _field(exc) == name

    def test_template_vars_carry_the_disclosure_from_compliance(self) -> None:
        from compliance.disclosure_text import disclosure_section

        ctx = dataclasses.replace(sample_brief(), jurisdictions=(Jurisdiction.UK,))
        canonical = disclosure_section(Jurisdiction.UK, ctx.platforms)
        body = canonical.split("\n", 2)[2]  # without the heading line
        assert body.strip() in str(ctx.template_vars()["disclosure_body"])
        assert isinstance(ctx, BriefContext)


class TestContract:
    def test_ambassador_defaults_to_twelve_months(self) -> None:
        ctx = sample_contract("ambassador")
        assert ctx.term_months == 12
        assert ctx.end_date == date(2027, 1, 14)

    def test_other_kinds_default_to_three_months(self) -> None:
        ctx = sample_contract("sponsored_post")
        assert ctx.term_months == 3
        assert ctx.end_date == date(2026, 6, 1)

    def test_end_date_handles_month_ends(self) -> None:
        ctx = dataclasses.replace(
            sample_contract("sponsored_post"), effective_date=date(2026, 1, 31), term_months=1
        )
        assert ctx.end_date == date(2026, 2, 27)

    @pytest.mark.parametrize(
        ("kind", "changes", "field"),
        [
            ("ambassador", {"cadence": None}, "cadence"),
            ("gifting", {"gifted_products": ()}, "gifted_products"),
            (
                "gifting",
                {"payment_schedule": (Instalment("x", Decimal(1), "now"),)},
                "payment_schedule",
            ),
            ("sponsored_post", {"payment_schedule": ()}, "payment_schedule"),
            ("sponsored_post", {"deliverables": (), "platforms": ()}, "deliverables"),
            ("sponsored_post", {"kind": "loan"}, "kind"),
            ("sponsored_post", {"revision_rounds": -1}, "revision_rounds"),
            ("sponsored_post", {"term_months": 0}, "term_months"),
            ("sponsored_post", {"content_owner": "agency"}, "content_owner"),
            ("sponsored_post", {"jurisdictions": ()}, "jurisdictions"),
            ("sponsored_post", {"brand": Party("Brand Ltd", "1 Road")}, "brand.signatory_name"),
            (
                "sponsored_post",
                {"compensation": Compensation(Decimal(0), "USD", "flat")},
                "compensation.amount",
            ),
        ],
    )
    def test_rules_per_kind(self, kind: str, changes: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidInputError) as exc:
            dataclasses.replace(sample_contract(kind), **changes)  # type: ignore[arg-type]
        assert _field(exc) == field

    def test_schedule_total(self) -> None:
        ctx = sample_contract("sponsored_post")
        assert ctx.schedule_total == Decimal(1950)
        assert ctx.template_vars()["schedule_total"] == "USD 1,950.00"
