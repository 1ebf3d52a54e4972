"""Contexts for outreach tests: several creators, platforms and jurisdictions (US, UK, CA,
EU), built from the realistic samples with the fields that matter changed."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from compliance.types import Jurisdiction, Platform
from outreach.contexts import (
    BriefContext,
    Compensation,
    ContractContext,
    ContractKind,
    Deliverable,
    EmailContext,
    PostRef,
    Step,
)
from outreach.personalise import example_caption
from outreach.sample_data import sample_brief, sample_contract, sample_email

JURISDICTIONS = list(Jurisdiction)


def email_for(step: Step, variant: str) -> EmailContext:
    base = sample_email(step)
    if variant == "us_instagram":
        return base
    if variant == "uk_tiktok":
        return dataclasses.replace(
            base,
            sender_name="Priya Anand",
            sender_company="Lumora Skin Ltd",
            sender_postal_address="Lumora Skin Ltd\n14 Hanbury Street\nLondon E1 6QR\nUnited Kingdom",
            reply_to="priya@lumora.example",
            brand="Lumora Skin",
            campaign_name="Vitamin C Serum launch",
            creator_display_name="Elle Brooks",
            handle="@ellebrooksbeauty",
            platform=Platform.TIKTOK,
            niche="skincare",
            reasons=("Skincare routines for sensitive skin, 4 posts a week",),
            compensation=Compensation(Decimal("400"), "GBP", "per video"),
            deliverables=(Deliverable(Platform.TIKTOK, "video (20-45 s)", 2),),
            unsubscribe_url="https://lumora.example/u/elle?x=1&y=2",
            recent_post=None,
            jurisdiction=Jurisdiction.UK,
            example_caption=example_caption(Jurisdiction.UK, "My new morning serum", "lumoraskin"),
        )
    if variant == "ca_youtube":
        return dataclasses.replace(
            base,
            creator_display_name="Jordan Tremblay",
            handle="jtremblay",
            platform=Platform.YOUTUBE,
            niche="bikepacking",
            reasons=(),
            deliverables=(Deliverable(Platform.YOUTUBE, "integrated segment (60-90 s)", 1),),
            recent_post=PostRef(
                "Three days on the Route Verte", "https://youtube.example/watch?v=abc"
            ),
            jurisdiction=Jurisdiction.CA,
            example_caption=None,
        )
    if variant == "eu_podcast":
        return dataclasses.replace(
            base,
            sender_company="Velo Nord",
            brand="Velo Nord",
            sender_postal_address="Velo Nord Cycling Teoranta\nUnit 4, Sandyford Business Park\nDublin D18 K2X3\nIreland",
            creator_display_name="Lukas Hoffmann",
            handle="lukasrides",
            platform=Platform.PODCAST,
            niche="cycling",
            compensation=Compensation(Decimal("900"), "EUR", "per episode"),
            deliverables=(Deliverable(Platform.PODCAST, "host-read ad (60 s)", 3),),
            jurisdiction=Jurisdiction.EU,
            example_caption=example_caption(
                Jurisdiction.EU, "This episode is brought to you by Velo Nord", "velonord"
            ),
        )
    raise ValueError(variant)


EMAIL_VARIANTS = ["us_instagram", "uk_tiktok", "ca_youtube", "eu_podcast"]


def brief_for(variant: str) -> BriefContext:
    base = sample_brief()
    if variant == "us_ca_video":
        return base
    if variant == "uk_short_form":
        return dataclasses.replace(
            base,
            brand="Lumora Skin",
            brand_handle="lumoraskin",
            deliverables=(
                Deliverable(Platform.TIKTOK, "video", 2, date(2026, 3, 1)),
                Deliverable(Platform.INSTAGRAM, "carousel", 1),
            ),
            jurisdictions=(Jurisdiction.UK,),
            platforms=(),
            example_captions=(
                example_caption(
                    Jurisdiction.UK, "My new vitamin C serum, two weeks in", "lumoraskin"
                ),
            ),
        )
    if variant == "eu_audio_video":
        return dataclasses.replace(
            base,
            deliverables=(
                Deliverable(Platform.YOUTUBE, "review", 1),
                Deliverable(Platform.PODCAST, "host-read ad", 2),
            ),
            jurisdictions=(Jurisdiction.EU,),
            platforms=(),
            example_captions=(
                example_caption(
                    Jurisdiction.EU, "Riding the new Velo Nord gravel bike", "velonord"
                ),
            ),
        )
    if variant == "ca_live":
        return dataclasses.replace(
            base,
            deliverables=(Deliverable(Platform.TWITCH, "live-stream segment", 2),),
            jurisdictions=(Jurisdiction.CA,),
            platforms=(),
            example_captions=("#ad Playing the new Trailhound trail game live @trailhound",),
        )
    raise ValueError(variant)


BRIEF_VARIANTS = ["us_ca_video", "uk_short_form", "eu_audio_video", "ca_live"]


def contract_for(kind: ContractKind, jurisdiction: Jurisdiction) -> ContractContext:
    return dataclasses.replace(sample_contract(kind), jurisdictions=(jurisdiction,))
