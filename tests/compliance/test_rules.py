"""One table per rule code: cases that must fire and cases that must not."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.checker import check_post
from compliance.rules import RULES
from tests.compliance._factories import post

LONG = (
    "I have been testing this every single morning for the past six weeks and honestly my "
    "routine has never felt this easy or this quick, full details below. "
)

# (code, caption, kwargs, fires)
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    # NO_DISCLOSURE
    ("NO_DISCLOSURE", "New shoes! #adidas #adventure #roadtrip #ads4you", {}, True),
    ("NO_DISCLOSURE", "Obsessed with this lip oil", {"mc": "free_product"}, True),
    ("NO_DISCLOSURE", "Our team launched the new bottle", {"mc": "employee", "j": "CA"}, True),
    ("NO_DISCLOSURE", "#ad new shoes", {}, False),
    ("NO_DISCLOSURE", "New shoes! #adidas", {"mc": "none", "brand": None}, False),
    ("NO_DISCLOSURE", "New shoes", {"platform_label": True}, False),
    ("NO_DISCLOSURE", "#gifted new shoes", {"mc": "free_product"}, False),
    # AMBIGUOUS_TERM
    ("AMBIGUOUS_TERM", "Loving these #sp #spon", {}, True),
    ("AMBIGUOUS_TERM", "Thanks to Lumora for making this possible!", {"j": "UK"}, True),
    ("AMBIGUOUS_TERM", "Desk gadgets #aff #collab", {"mc": "affiliate"}, True),
    ("AMBIGUOUS_TERM", "Merci @lumora pour ce coffret", {"j": "CA"}, True),
    ("AMBIGUOUS_TERM", "#ad thanks @lumora", {}, False),
    ("AMBIGUOUS_TERM", "#LumoraPartner new serum", {}, False),
    ("AMBIGUOUS_TERM", "Shoutout to my friend for the cake", {"mc": "none", "brand": None}, False),
    # BURIED_IN_HASHTAGS
    ("BURIED_IN_HASHTAGS", "Great run #running #fitness #ad #shoes #morning", {}, True),
    ("BURIED_IN_HASHTAGS", "Yoga #yoga #ad #wellness #sunset", {}, True),
    ("BURIED_IN_HASHTAGS", "#ad #spring #fashion #ootd #style #trending", {"j": "UK"}, True),
    ("BURIED_IN_HASHTAGS", "Yoga #ad #yoga #wellness #sunset", {}, False),
    ("BURIED_IN_HASHTAGS", "#ad Yoga #yoga #wellness #sunset #calm #ad", {}, False),
    ("BURIED_IN_HASHTAGS", "Yoga #yoga #wellness #ad", {}, False),
    # NOT_UPFRONT
    ("NOT_UPFRONT", LONG + "#ad", {}, True),
    ("NOT_UPFRONT", LONG + "(Ad)", {"j": "UK"}, True),
    (
        "NOT_UPFRONT",
        "[title] Review\n[description] links",
        {
            "platform": "youtube",
            "media": "video",
            "transcript": "[00:00] Today the Lumora serum. [05:00] ok. [09:00] This video was sponsored by Lumora.",
        },
        True,
    ),
    ("NOT_UPFRONT", "#ad " + LONG, {}, False),
    ("NOT_UPFRONT", LONG + "#ad", {"platform": "x", "media": "text"}, False),
    ("NOT_UPFRONT", LONG + "#ad", {"media": "story"}, False),
    (
        "NOT_UPFRONT",
        "[title] Review\n[description] links",
        {
            "platform": "youtube",
            "media": "video",
            "transcript": "[00:00] This video is sponsored by Lumora. [05:00] The Lumora serum.",
        },
        False,
    ),
    # PROFILE_ONLY
    ("PROFILE_ONLY", "Spring haul! Partnerships are listed in my bio.", {}, True),
    ("PROFILE_ONLY", "Smoothie time, see my bio for disclosures", {"j": "CA"}, True),
    ("PROFILE_ONLY", "Desk setup. Brand deals listed in my profile.", {"j": "UK"}, True),
    ("PROFILE_ONLY", "#ad Spring haul! Partnerships are listed in my bio.", {}, False),
    ("PROFILE_ONLY", "Link in bio for the recipe", {}, False),
    # LINK_ONLY
    ("LINK_ONLY", "Routine. Disclosures: https://linktr.ee/jess/disclosures", {}, True),
    ("LINK_ONLY", "Tap the link in bio for disclosures. Top 5 tools!", {}, True),
    ("LINK_ONLY", "New trainers! See my disclosure page for details.", {"j": "UK"}, True),
    ("LINK_ONLY", "#ad Routine. Disclosures: https://linktr.ee/jess/disclosures", {}, False),
    ("LINK_ONLY", "Recipe at https://jess.blog/soup", {}, False),
    # NOT_IN_MEDIUM
    (
        "NOT_IN_MEDIUM",
        "[title] Morning\n[description] Sponsored by Lumora.",
        {"platform": "youtube", "media": "video", "transcript": "[00:00] I use the Lumora serum."},
        True,
    ),
    (
        "NOT_IN_MEDIUM",
        "Show notes: sponsored by Lumora.",
        {"platform": "podcast", "media": "audio", "transcript": "[00:00] Lumora is great."},
        True,
    ),
    (
        "NOT_IN_MEDIUM",
        LONG + "#ad",
        {"media": "reel", "j": "CA", "transcript": "[00:00] Styling the Lumora look."},
        True,
    ),
    (
        "NOT_IN_MEDIUM",
        "[title] Morning (sponsored by Lumora)\n[description] hi",
        {"platform": "youtube", "media": "video", "j": "UK", "transcript": "[00:00] Lumora."},
        False,
    ),
    (
        "NOT_IN_MEDIUM",
        "#ad morning",
        {"platform": "tiktok", "media": "video", "j": "UK", "transcript": "[00:00] Lumora."},
        False,
    ),
    # VIDEO_NOT_SPOKEN
    (
        "VIDEO_NOT_SPOKEN",
        "#ad smoothie",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] every morning I make this smoothie",
        },
        True,
    ),
    (
        "VIDEO_NOT_SPOKEN",
        "[title] Tour\n[description] hi",
        {
            "platform": "youtube",
            "media": "video",
            "transcript": "[00:00] [on-screen: Sponsored by Lumora] Welcome to my tour of the studio.",
        },
        True,
    ),
    (
        "VIDEO_NOT_SPOKEN",
        "#ad trail test",
        {"media": "reel", "transcript": "[00:00] Let's see if these shoes survive the mud."},
        True,
    ),
    (
        "VIDEO_NOT_SPOKEN",
        "#ad smoothie",
        {
            "platform": "tiktok",
            "media": "video",
            "j": "UK",
            "transcript": "[00:00] every morning I make this",
        },
        False,
    ),
    (
        "VIDEO_NOT_SPOKEN",
        "#ad smoothie",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] This is an ad. Every morning I make this",
        },
        False,
    ),
    # VIDEO_NOT_SHOWN
    (
        "VIDEO_NOT_SHOWN",
        "[title] Skincare\n[description] thanks",
        {
            "platform": "youtube",
            "media": "video",
            "transcript": "[00:00] This video is sponsored by Lumora.",
        },
        True,
    ),
    (
        "VIDEO_NOT_SHOWN",
        "[title] Budget\n[description] Sponsored by Lumora.",
        {
            "platform": "youtube",
            "media": "video",
            "transcript": "[00:00] Today's video is sponsored by Lumora.",
        },
        True,
    ),
    (
        "VIDEO_NOT_SHOWN",
        LONG + "#ad",
        {
            "platform": "facebook",
            "media": "video",
            "transcript": "[00:00] Quick note, this is an ad for Lumora.",
        },
        True,
    ),
    (
        "VIDEO_NOT_SHOWN",
        "#ad skincare",
        {
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] This video is sponsored by Lumora.",
        },
        False,
    ),
    (
        "VIDEO_NOT_SHOWN",
        "[title] Skincare\n[description] thanks",
        {
            "platform": "youtube",
            "media": "video",
            "j": "CA",
            "transcript": "[00:00] This video is sponsored by Lumora.",
        },
        False,
    ),
    # LIVE_NOT_REPEATED
    (
        "LIVE_NOT_REPEATED",
        "Sunday stream",
        {
            "platform": "twitch",
            "media": "live",
            "transcript": "[00:00:30] This stream is sponsored by Lumora. [00:50:00] next [01:45:00] bye",
        },
        True,
    ),
    (
        "LIVE_NOT_REPEATED",
        "live",
        {
            "platform": "tiktok",
            "media": "live",
            "j": "CA",
            "transcript": "[00:00:00] this live is sponsored by Lumora. [00:40:00] more [01:20:00] bye",
        },
        True,
    ),
    (
        "LIVE_NOT_REPEATED",
        "[title] marathon\n[description] hi",
        {
            "platform": "youtube",
            "media": "live",
            "transcript": "[00:00:00] sponsored by Lumora [00:20:00] sponsored by Lumora [01:30:00] on [02:00:00] bye",
        },
        True,
    ),
    (
        "LIVE_NOT_REPEATED",
        "live",
        {
            "platform": "twitch",
            "media": "live",
            "transcript": "[00:00] sponsored by Lumora [07:00] ok [14:00] bye",
        },
        False,
    ),
    (
        "LIVE_NOT_REPEATED",
        "live",
        {
            "platform": "twitch",
            "media": "live",
            "transcript": "[00:00:00] [on-screen persistent: Sponsored by Lumora] hi [01:30:00] bye",
        },
        False,
    ),
    (
        "LIVE_NOT_REPEATED",
        "live",
        {
            "platform": "twitch",
            "media": "live",
            "transcript": "[00:00:00] sponsored by Lumora [00:25:00] sponsored by Lumora [00:50:00] sponsored by Lumora [01:10:00] bye",
        },
        False,
    ),
    # PLATFORM_LABEL_ONLY
    ("PLATFORM_LABEL_ONLY", "Three ways to style the trench", {"platform_label": True}, True),
    ("PLATFORM_LABEL_ONLY", "morning routine", {"platform_label": True, "j": "UK"}, True),
    (
        "PLATFORM_LABEL_ONLY",
        "#gifted blanket",
        {"platform_label": True, "mc": "free_product", "j": "CA"},
        True,
    ),
    ("PLATFORM_LABEL_ONLY", "#ad three ways", {"platform_label": True}, False),
    (
        "PLATFORM_LABEL_ONLY",
        "Meine Abendroutine mit dem Serum",
        {"platform_label": True, "j": "EU"},
        False,
    ),
    # LANGUAGE_MISMATCH
    (
        "LANGUAGE_MISMATCH",
        "#ad Mis nuevas zapatillas para correr, me encantan y las uso todos los días.",
        {},
        True,
    ),
    (
        "LANGUAGE_MISMATCH",
        "#ad Ma nouvelle veste d'hiver, elle est parfaite pour le froid.",
        {"j": "CA"},
        True,
    ),
    (
        "LANGUAGE_MISMATCH",
        "Publicidad: my new running shoes are the comfiest I have ever owned.",
        {},
        True,
    ),
    (
        "LANGUAGE_MISMATCH",
        "#ad Meine neue Yogamatte ist endlich da und ich liebe sie.",
        {"j": "EU"},
        True,
    ),
    (
        "LANGUAGE_MISMATCH",
        "Publicidad | Mis nuevas zapatillas para correr, me encantan.",
        {},
        False,
    ),
    (
        "LANGUAGE_MISMATCH",
        "#ad Mis nuevas zapatillas para correr, me encantan y las uso.",
        {"j": "UK"},
        False,
    ),
    ("LANGUAGE_MISMATCH", "#ad Zapatillas 🔥", {}, False),
    # GIFTED_MISLABEL
    ("GIFTED_MISLABEL", "#gifted Loving my new helmet!", {}, True),
    (
        "GIFTED_MISLABEL",
        "Gifted by @lumora: palette ltk.app/abc",
        {"mc": "affiliate", "j": "UK"},
        True,
    ),
    ("GIFTED_MISLABEL", "PR product from Lumora", {"j": "CA"}, True),
    ("GIFTED_MISLABEL", "#gifted Loving my new helmet!", {"mc": "free_product"}, False),
    ("GIFTED_MISLABEL", "#ad #gifted Loving my new helmet!", {}, False),
    # UK_GIFTED_NEEDS_AD
    ("UK_GIFTED_NEEDS_AD", "#gifted softest blanket", {"mc": "free_product", "j": "UK"}, True),
    (
        "UK_GIFTED_NEEDS_AD",
        "Gifted by @lumora - smoothie mix",
        {"mc": "free_product", "j": "UK"},
        True,
    ),
    (
        "UK_GIFTED_NEEDS_AD",
        "PR product alert: new lip oil",
        {"mc": "free_product", "j": "UK"},
        True,
    ),
    (
        "UK_GIFTED_NEEDS_AD",
        "Ad – gifted by Lumora. Blanket",
        {"mc": "free_product", "j": "UK"},
        False,
    ),
    ("UK_GIFTED_NEEDS_AD", "#AdGifted blanket", {"mc": "free_product", "j": "UK"}, False),
    ("UK_GIFTED_NEEDS_AD", "#gifted softest blanket", {"mc": "free_product", "j": "CA"}, False),
    # UK_NON_AD_LABEL
    ("UK_NON_AD_LABEL", "#sponsored My honest review.", {"j": "UK"}, True),
    ("UK_NON_AD_LABEL", "Paid partnership with @lumora: routine", {"j": "UK"}, True),
    (
        "UK_NON_AD_LABEL",
        "I earn a commission from links in this post",
        {"j": "UK", "mc": "affiliate"},
        True,
    ),
    ("UK_NON_AD_LABEL", "Ad | #sponsored My honest review.", {"j": "UK"}, False),
    ("UK_NON_AD_LABEL", "#sponsored My honest review.", {"j": "US"}, False),
    ("UK_NON_AD_LABEL", "#sponsored My honest review.", {"j": "UK", "mc": "free_product"}, False),
    # FR_MANDATORY_LABEL
    (
        "FR_MANDATORY_LABEL",
        "#sponso Ma routine du matin avec le café, je l'adore.",
        {"j": "EU"},
        True,
    ),
    (
        "FR_MANDATORY_LABEL",
        "Partenariat rémunéré avec Lumora : ma crème préférée pour la plage.",
        {"j": "EU"},
        True,
    ),
    (
        "FR_MANDATORY_LABEL",
        "Ma routine du soir avec le sérum, je l'adore",
        {"j": "EU", "platform_label": True},
        True,
    ),
    (
        "FR_MANDATORY_LABEL",
        "Ma routine sport",
        {
            "j": "EU",
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] Publicité : je teste les baskets. [00:30] On y va pour la course !",
        },
        True,
    ),
    (
        "FR_MANDATORY_LABEL",
        "PUBLICITE | Ma routine du soir avec le sérum, je l'adore",
        {"j": "EU"},
        False,
    ),
    (
        "FR_MANDATORY_LABEL",
        "#CollaborationCommerciale Ma routine du soir avec le sérum, je l'adore",
        {"j": "EU"},
        False,
    ),
    (
        "FR_MANDATORY_LABEL",
        "Partenariat rémunéré avec Lumora : ma crème préférée pour la plage.",
        {"j": "CA"},
        False,
    ),
    (
        "FR_MANDATORY_LABEL",
        "Ma routine sport",
        {
            "j": "EU",
            "platform": "tiktok",
            "media": "video",
            "transcript": "[00:00] [on-screen persistent: Publicité] je teste les baskets pour la course",
        },
        False,
    ),
    # DISCLOSURE_CONTRADICTED
    ("DISCLOSURE_CONTRADICTED", "#ad not really an ad lol jk", {}, True),
    ("DISCLOSURE_CONTRADICTED", "This is not sponsored, I just love it", {}, True),
    ("DISCLOSURE_CONTRADICTED", "Ad | no one paid me to say this", {"j": "UK"}, True),
    ("DISCLOSURE_CONTRADICTED", "Keine Werbung, ich finde die Schuhe toll.", {"j": "EU"}, True),
    (
        "DISCLOSURE_CONTRADICTED",
        "Not sponsored, I bought it myself",
        {"mc": "none", "brand": None},
        False,
    ),
    (
        "DISCLOSURE_CONTRADICTED",
        "#gifted, not sponsored: love the palette",
        {"mc": "free_product"},
        False,
    ),
    ("DISCLOSURE_CONTRADICTED", "#ad the best serum, no joke needed", {}, False),
    # NOT_BONA_FIDE_USER
    ("NOT_BONA_FIDE_USER", "#ad Haven't tried it yet but it's a game changer", {}, True),
    (
        "NOT_BONA_FIDE_USER",
        "Still in the box but I recommend it",
        {"mc": "none", "brand": None},
        True,
    ),
    (
        "NOT_BONA_FIDE_USER",
        "Publicidad | Todavía no lo he probado, pero os lo recomiendo.",
        {"j": "EU"},
        True,
    ),
    ("NOT_BONA_FIDE_USER", "#ad Used it for three months and I recommend it", {}, False),
    ("NOT_BONA_FIDE_USER", "#ad Haven't opened it yet, review next week", {}, False),
    # UNSUBSTANTIATED_CLAIM
    ("UNSUBSTANTIATED_CLAIM", "#ad This tea melts fat", {}, True),
    ("UNSUBSTANTIATED_CLAIM", "Lose 10 lbs in a week!", {}, True),
    (
        "UNSUBSTANTIATED_CLAIM",
        "This supplement reverses diabetes",
        {"mc": "none", "brand": None},
        True,
    ),
    ("UNSUBSTANTIATED_CLAIM", "Werbung: Dieser Tee verbrennt Fett im Schlaf", {"j": "EU"}, True),
    ("UNSUBSTANTIATED_CLAIM", "#ad This tea tastes great", {}, False),
    ("UNSUBSTANTIATED_CLAIM", "#ad I lost my keys in a week of travel", {}, False),
    # POSSIBLE_UNDISCLOSED_CONNECTION
    (
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        "use my code SAM20 for 20% off!",
        {"mc": "none", "brand": None},
        True,
    ),
    (
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        "My kitchen: amzn.to/3abc",
        {"mc": "none", "brand": None},
        True,
    ),
    (
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        "Outfit ltk.app/xyz, link in bio to shop",
        {"mc": "none", "brand": None},
        True,
    ),
    (
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        "#ad use my code SAM20",
        {"mc": "none", "brand": None},
        False,
    ),
    (
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        "Link in bio for the recipe",
        {"mc": "none", "brand": None},
        False,
    ),
    ("POSSIBLE_UNDISCLOSED_CONNECTION", "use my code SAM20", {"mc": "paid"}, False),
]


@pytest.mark.parametrize(
    ("code", "caption", "kwargs", "fires"),
    CASES,
    ids=[f"{c[0]}-{i}-{'fires' if c[3] else 'quiet'}" for i, c in enumerate(CASES)],
)
def test_rule_table(code: str, caption: str, kwargs: dict[str, Any], fires: bool) -> None:
    result = check_post(post(caption, **kwargs), score=False)
    assert (code in result.reasons) is fires, result.reasons


def test_every_registered_code_has_cases_that_fire_and_that_do_not() -> None:
    for code in RULES:
        outcomes = {fires for c, _, _, fires in CASES if c == code}
        assert outcomes == {True, False}, code


def test_registry_metadata_is_complete() -> None:
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.summary and rule.source and rule.jurisdictions
        assert rule.check.__doc__


@pytest.mark.parametrize(
    ("caption", "kwargs", "verdict"),
    [
        ("#ad new shoes", {}, "compliant"),
        ("#sponsored review", {"j": "UK"}, "needs_review"),
        ("new shoes", {}, "non_compliant"),
        ("#ad This tea melts fat", {}, "needs_review"),
        ("This tea melts fat", {}, "non_compliant"),
        ("This tea melts fat", {"mc": "none", "brand": None}, "needs_review"),
        ("new shoes", {"mc": "none", "brand": None}, "compliant"),
    ],
)
def test_verdict_logic(caption: str, kwargs: dict[str, Any], verdict: str) -> None:
    assert check_post(post(caption, **kwargs), score=False).verdict.value == verdict


def test_claim_severity_is_hard_only_with_no_disclosure() -> None:
    hard = check_post(post("This tea melts fat"), score=False)
    review = check_post(post("#ad This tea melts fat"), score=False)
    sev = {f.code: f.severity.value for f in hard.findings}
    assert sev["UNSUBSTANTIATED_CLAIM"] == "hard"
    assert {f.code: f.severity.value for f in review.findings}["UNSUBSTANTIATED_CLAIM"] == "review"


def test_language_mismatch_is_review_in_eu_and_hard_in_us() -> None:
    text = "#ad Meine neue Yogamatte ist endlich da und ich liebe sie, sie ist so weich."
    eu = {f.code: f.severity.value for f in check_post(post(text, j="EU"), score=False).findings}
    us = {f.code: f.severity.value for f in check_post(post(text, j="US"), score=False).findings}
    assert eu["LANGUAGE_MISMATCH"] == "review"
    assert us["LANGUAGE_MISMATCH"] == "hard"


def test_eu_french_assumption_is_recorded() -> None:
    result = check_post(
        post("Publicité | Ma routine du soir avec le sérum, je l'adore", j="EU"), score=False
    )
    assert result.language == "fr"
    assert any("France" in a for a in result.assumptions)
