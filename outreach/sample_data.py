"""Realistic sample contexts: override previews, ``docs/samples`` and tests render these.

The people, companies and addresses are invented; links use the reserved ``.example``
domain. Dates are fixed so that the samples are reproducible.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.types import Jurisdiction, Media, Platform
from outreach.contexts import (
    BriefContext,
    Compensation,
    ComplianceFixContext,
    ContractContext,
    ContractKind,
    Deliverable,
    EmailContext,
    Exclusivity,
    FixFinding,
    Instalment,
    Milestone,
    Party,
    PostRef,
    Step,
    UsageRights,
)

__all__ = ["sample_brief", "sample_compliance_fix", "sample_contract", "sample_email"]

_TRAILHOUND_ADDRESS = (
    "Trailhound Outfitters Inc.\n2200 NW Alder Street, Suite 400\nPortland, OR 97209\nUnited States"
)


def sample_email(step: Step = "intro") -> EmailContext:
    """An e-mail from a running-gear brand to a trail-running creator on Instagram (US)."""
    return EmailContext(
        sender_name="Dana Whitfield",
        sender_company="Trailhound Outfitters",
        sender_postal_address=_TRAILHOUND_ADDRESS,
        reply_to="dana.whitfield@trailhound.example",
        brand="Trailhound",
        campaign_name="Spring Trail Series 2026",
        creator_display_name="Mia Fernández",
        handle="miaruns.trails",
        platform=Platform.INSTAGRAM,
        niche="trail running",
        reasons=(
            "Posts about trail running and ultramarathons in the Pacific Northwest",
            "5.8% engagement over the last 30 posts, above the micro-tier median",
            "Audience 71% in the United States, mostly aged 25-34",
        ),
        compensation=Compensation(Decimal("650"), "USD", "per post"),
        deliverables=(
            Deliverable(Platform.INSTAGRAM, "Reel (30-60 s)", 2, date(2026, 4, 15)),
            Deliverable(Platform.INSTAGRAM, "Story set (3 frames)", 1, date(2026, 4, 22)),
        ),
        unsubscribe_url="https://outreach.trailhound.example/unsubscribe?c=mia-8f3a2c&t=Qm9x",
        step=step,
        recent_post=PostRef(
            text="Sunrise loop on Dog Mountain: 11 km, 850 m of climbing and one very muddy "
            "descent. Still the best way to start a Saturday.",
            url="https://www.instagram.example/p/C9xTrail42/",
        ),
        jurisdiction=Jurisdiction.US,
        example_caption="#ad Testing the new Trailhound Ridge 3 on my favourite muddy loop "
        "@trailhound",
    )


def sample_brief() -> BriefContext:
    """A brief for a spring campaign on Instagram, TikTok and YouTube in the US and Canada."""
    return BriefContext(
        campaign_name="Spring Trail Series 2026",
        brand="Trailhound",
        brand_handle="trailhound",
        objective="Introduce the Ridge 3 trail shoe to runners who are moving from road to "
        "trail, and drive sign-ups for the Spring Trail Series group runs.",
        key_messages=(
            "The Ridge 3 grips on wet rock and mud without feeling heavy on the road",
            "Recycled-mesh upper; 30% lighter than the Ridge 2",
            "Free Spring Trail Series group runs in 12 cities, open to every level",
        ),
        deliverables=(
            Deliverable(Platform.INSTAGRAM, "Reel (30-60 s)", 2, date(2026, 4, 15)),
            Deliverable(Platform.TIKTOK, "video (20-45 s)", 1, date(2026, 4, 20)),
            Deliverable(Platform.YOUTUBE, "integrated segment (60-90 s)", 1, date(2026, 4, 30)),
        ),
        timeline=(
            Milestone("Shoes delivered to creators", date(2026, 3, 20)),
            Milestone("Drafts due for approval", date(2026, 4, 8)),
            Milestone("Publishing window opens", date(2026, 4, 13)),
            Milestone("Publishing window closes", date(2026, 4, 30)),
            Milestone("Results report due", date(2026, 5, 14)),
        ),
        dos=(
            "Show the shoe on a real trail, in real conditions",
            "Share your honest experience, including anything you did not like",
            "Mention the free group runs and link to trailhound.example/series",
        ),
        donts=(
            "Do not claim the shoe prevents injuries or improves race times",
            "Do not show competitor products in the same post",
            'Do not hide the disclosure among hashtags or after the "more" cut-off',
        ),
        jurisdictions=(Jurisdiction.US, Jurisdiction.CA),
        hashtags=("#TrailhoundRidge", "#SpringTrailSeries"),
        handles=("@trailhound", "@trailhound.run"),
        approval_process=(
            "Upload the draft (video, caption and on-screen text) to the shared folder",
            "Trailhound replies within 3 business days with approval or one set of changes",
            "Publish only the approved version, with the disclosure exactly as approved",
        ),
        reporting_requirements=(
            "Reach, impressions and views per post at 7 and 30 days",
            "Likes, comments, shares and saves per post",
            "Link clicks and uses of your discount code",
            "Screenshots of the native analytics for each post",
        ),
        example_captions=(
            "#ad Loving my new Trailhound Ridge 3 on this morning's muddy loop @trailhound",
            "#ad Road to trail in one shoe: my first 50 km in the Ridge 3 "
            "@trailhound #SpringTrailSeries",
        ),
        contact_name="Dana Whitfield",
        contact_email="dana.whitfield@trailhound.example",
        creator_display_name="Mia Fernández",
    )


def _sponsored_post() -> ContractContext:
    return ContractContext(
        kind="sponsored_post",
        reference="TH-2026-0142",
        brand_name="Trailhound",
        brand=Party(
            "Trailhound Outfitters Inc.",
            "2200 NW Alder Street, Suite 400\nPortland, OR 97209\nUnited States",
            signatory_name="Dana Whitfield",
            signatory_title="Head of Creator Partnerships",
        ),
        creator=Party(
            "Mia Fernández Ortega", "1187 SE Salmon Street\nPortland, OR 97214\nUnited States"
        ),
        creator_handle="miaruns.trails",
        campaign_name="Spring Trail Series 2026",
        effective_date=date(2026, 3, 2),
        deliverables=(
            Deliverable(Platform.INSTAGRAM, "Reel (30-60 s)", 2, date(2026, 4, 15)),
            Deliverable(Platform.TIKTOK, "video (20-45 s)", 1, date(2026, 4, 20)),
        ),
        compensation=Compensation(Decimal("1950"), "USD", "flat fee"),
        payment_schedule=(
            Instalment("On signature", Decimal("975"), "within 15 days of the Effective Date"),
            Instalment(
                "On publication of the last item",
                Decimal("975"),
                "within 30 days of the Creator's invoice",
            ),
        ),
        usage_rights=UsageRights(
            6,
            ("the Brand's own social media accounts", "the Brand's website and e-mail newsletters"),
            paid_amplification=True,
            territory="the United States and Canada",
        ),
        jurisdictions=(Jurisdiction.US,),
        governing_law="the State of Oregon",
        venue="Multnomah County, Oregon",
        exclusivity=Exclusivity("trail and running footwear", 2),
        revision_rounds=2,
        approval_days=3,
    )


def _gifting() -> ContractContext:
    return ContractContext(
        kind="gifting",
        reference="LUM-UK-0087",
        brand_name="Lumora Skin",
        brand=Party(
            "Lumora Skin Ltd",
            "14 Hanbury Street\nLondon E1 6QR\nUnited Kingdom",
            signatory_name="Priya Anand",
            signatory_title="Influencer Marketing Manager",
        ),
        creator=Party("Eleanor Brooks", "Flat 3, 27 Victoria Road\nLeeds LS6 1DR\nUnited Kingdom"),
        creator_handle="ellebrooksbeauty",
        campaign_name="Vitamin C Serum launch",
        effective_date=date(2026, 2, 9),
        deliverables=(),
        compensation=Compensation(Decimal("84"), "GBP", "retail value of the gifted products"),
        payment_schedule=(),
        usage_rights=UsageRights(
            3,
            ("the Brand's Instagram and TikTok accounts",),
            paid_amplification=False,
            territory="the United Kingdom",
        ),
        jurisdictions=(Jurisdiction.UK,),
        governing_law="England and Wales",
        venue="England and Wales",
        revision_rounds=1,
        gifted_products=(
            "Lumora Vitamin C Brightening Serum, 30 ml (retail £46)",
            "Lumora Daily Barrier Moisturiser, 50 ml (retail £38)",
        ),
        platforms=(Platform.INSTAGRAM, Platform.TIKTOK),
    )


def _ambassador() -> ContractContext:
    return ContractContext(
        kind="ambassador",
        reference="VLO-EU-AMB-2026-07",
        brand_name="Velo Nord",
        brand=Party(
            "Velo Nord Cycling Teoranta",
            "Unit 4, Sandyford Business Park\nDublin D18 K2X3\nIreland",
            signatory_name="Ciarán Byrne",
            signatory_title="Marketing Director",
        ),
        creator=Party("Lukas Hoffmann", "Schanzenstraße 41\n20357 Hamburg\nGermany"),
        creator_handle="lukasrides",
        campaign_name="Velo Nord Ambassador Programme 2026",
        effective_date=date(2026, 1, 15),
        deliverables=(
            Deliverable(Platform.YOUTUBE, "integrated segment (60-90 s)", 1),
            Deliverable(Platform.INSTAGRAM, "Reel", 2),
            Deliverable(Platform.INSTAGRAM, "Story set", 4),
        ),
        cadence="one YouTube segment, two Instagram Reels and four Instagram Story sets in "
        "each calendar month, spread across the month",
        compensation=Compensation(Decimal("2400"), "EUR", "per month"),
        payment_schedule=(
            Instalment(
                "Monthly retainer (12 instalments of EUR 2,400.00)",
                Decimal("28800"),
                "monthly in arrears, within 15 days of the end of each calendar month",
            ),
        ),
        usage_rights=UsageRights(
            12,
            ("the Brand's social media accounts", "the Brand's website", "in-store displays"),
            paid_amplification=True,
            territory="the European Economic Area",
        ),
        jurisdictions=(Jurisdiction.EU,),
        governing_law="Ireland",
        venue="Ireland",
        exclusivity=Exclusivity("bicycles, e-bikes and cycling apparel", 12),
        content_owner="creator",
        revision_rounds=2,
        approval_days=5,
        termination_notice_days=60,
        renewal_notice_days=45,
    )


def sample_contract(kind: ContractKind = "sponsored_post") -> ContractContext:
    """A sponsored-post (US), gifting (UK) or ambassador (EU) contract."""
    if kind == "gifting":
        return _gifting()
    if kind == "ambassador":
        return _ambassador()
    return _sponsored_post()


def sample_compliance_fix() -> ComplianceFixContext:
    """The suggested fix of a check of a Reel whose #ad is buried in hashtags (US)."""
    return ComplianceFixContext(
        sender_name="Dana Whitfield",
        sender_company="Trailhound Outfitters",
        sender_postal_address=_TRAILHOUND_ADDRESS,
        reply_to="dana.whitfield@trailhound.example",
        creator_display_name="Mia Fernández",
        handle="miaruns.trails",
        platform=Platform.INSTAGRAM,
        media=Media.REEL,
        jurisdiction=Jurisdiction.US,
        caption="Muddy miles in the new Ridge 3 from @trailhound, grippy on every descent! "
        "#trailrunning #ultra #pnw #mud #ad #running",
        findings=(
            FixFinding(
                "BURIED_IN_HASHTAGS",
                "The disclosure must not sit inside a block of hashtags.",
                'The label "#ad" sits inside a block of hashtags, where people skip it.',
            ),
        ),
        unsubscribe_url="https://outreach.trailhound.example/unsubscribe?c=mia-8f3a2c&t=Qm9x",
        brand="Trailhound",
        post_reference="ig-2026-04-18-ridge3",
        suggested_caption="#ad | Muddy miles in the new Ridge 3 from @trailhound, grippy on "
        "every descent! #trailrunning #ultra #pnw #mud #running",
    )
