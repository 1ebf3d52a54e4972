"""Suggested fixes: the rewritten caption passes the checker."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.checker import check_post
from compliance.fix import preferred_label
from compliance.types import Jurisdiction
from tests.compliance._factories import post

LONG = (
    "I have been testing this every single morning for the past six weeks and honestly my "
    "routine has never felt this easy or this quick, full details below. "
)


@pytest.mark.parametrize(
    ("caption", "kwargs", "starts_with"),
    [
        ("New shoes! #adidas #adventure", {}, "#ad"),
        ("Loving these #sp #spon", {}, "#ad"),
        ("Great run #running #fitness #ad #shoes #morning", {}, "#ad"),
        (LONG + "#ad", {}, "#ad"),
        ("Spring haul! Partnerships are listed in my bio.", {}, "#ad"),
        ("This is not sponsored, I just love it", {}, "#ad"),
        ("#sponsored honest review", {"j": "UK"}, "Ad"),
        (
            "#gifted blanket",
            {"j": "UK", "mc": "free_product", "brand": "Cozynest"},
            "Ad – gifted by Cozynest",
        ),
        ("#gifted helmet", {}, "#ad"),
        (
            "#ad Mis nuevas zapatillas para correr, me encantan y las uso todos los días.",
            {},
            "Publicidad",
        ),
        ("#sponso Ma routine du matin avec le café, je l'adore.", {"j": "EU"}, "Publicité"),
        ("#ad Ma nouvelle veste d'hiver, elle est parfaite pour le froid.", {"j": "CA"}, "#pub"),
        ("#ad Meine neue Yogamatte ist endlich da und ich liebe sie.", {"j": "EU"}, "Werbung"),
        (
            "Our team launched the new bottle",
            {"mc": "employee", "brand": "Hydrafy"},
            "#ad – I work for Hydrafy",
        ),
        ("use my code SAM20 for 20% off", {"mc": "none", "brand": None}, "#ad"),
        ("Three ways to style the trench", {"platform_label": True}, "#ad"),
    ],
)
def test_fix_is_compliant(caption: str, kwargs: dict[str, Any], starts_with: str) -> None:
    original = check_post(post(caption, **kwargs), score=False)
    assert original.verdict.value != "compliant"
    fix = original.suggested_fix
    assert fix is not None
    assert fix.startswith(starts_with)
    again = check_post(post(fix, **kwargs), score=False)
    assert again.verdict.value == "compliant", (fix, again.reasons)


def test_fix_removes_ambiguous_and_contradicting_tokens() -> None:
    fix = check_post(post("#ad not really an ad lol jk, love these #sp"), score=False).suggested_fix
    assert fix is not None
    assert "#sp" not in fix and "jk" not in fix and "not really" not in fix


def test_no_fix_when_compliant_or_content_only() -> None:
    assert check_post(post("#ad new shoes"), score=False).suggested_fix is None
    assert check_post(post("#ad this tea melts fat"), score=False).suggested_fix is None


def test_youtube_fix_goes_into_the_title() -> None:
    fix = check_post(
        post(
            "[title] Review\n[description] links",
            platform="youtube",
            media="video",
            transcript="[00:00] This video is sponsored by Lumora.",
        ),
        score=False,
    ).suggested_fix
    assert fix is not None and fix.startswith("[title] #ad")


@pytest.mark.parametrize(
    ("jurisdiction", "language", "label"),
    [
        (Jurisdiction.UK, "en", "Ad"),
        (Jurisdiction.US, "en", "#ad"),
        (Jurisdiction.CA, "en", "#ad"),
        (Jurisdiction.CA, "fr", "#pub"),
        (Jurisdiction.EU, "fr", "Publicité"),
        (Jurisdiction.EU, "de", "Werbung"),
        (Jurisdiction.EU, "es", "Publicidad"),
        (Jurisdiction.US, "es", "Publicidad"),
        (Jurisdiction.UK, "fr", "Ad · Publicité"),
    ],
)
def test_preferred_label(jurisdiction: Jurisdiction, language: str, label: str) -> None:
    assert preferred_label(jurisdiction, language) == label
