"""Token matching (D1-D5) and evidence offsets."""

from __future__ import annotations

import pytest

from compliance.lexicon import Kind
from compliance.scan import build_context
from tests.compliance._factories import post


@pytest.mark.parametrize(
    ("caption", "is_label"),
    [
        ("#ad new shoes", True),
        ("#AD new shoes", True),
        ("Ad: new shoes", True),
        ("AD | new shoes", True),
        ("new shoes [ad]", True),
        ("new shoes (#ad)", True),
        ("this video is an ad for shoes", True),
        ("#advert new shoes", True),
        ("Advertisement feature: shoes", True),
        ("#adidas new shoes", False),
        ("#adventure new shoes", False),
        ("#adorable new shoes", False),
        ("#ads4you new shoes", False),
        ("#roadtrip new shoes", False),
        ("#Adtastic new shoes", False),
        ("add cinnamon to coffee", False),
        ("Ad-free weekend", False),
        ("I saw an ad on TV", False),
    ],
)
def test_ad_whole_token(caption: str, is_label: bool) -> None:
    ctx = build_context(post(caption))
    assert bool(ctx.labels) is is_label, [ctx.evidence(lb.span).text for lb in ctx.labels]


@pytest.mark.parametrize(
    ("caption", "lang", "kind"),
    [
        ("Publicidad | sol", "es", Kind.CLEAR),
        ("#publi sol", "es", Kind.CLEAR),
        ("Patrocinado por @solenne", "es", Kind.CLEAR),
        ("Colaboración pagada con Solenne", "es", Kind.CLEAR),
        ("Publicité | soleil", "fr", Kind.CLEAR),
        ("Collaboration commerciale avec X", "fr", Kind.CLEAR),
        ("#commandité soleil", "fr", Kind.CLEAR),
        ("Werbung | Sonne", "de", Kind.CLEAR),
        ("Anzeige: Sonne", "de", Kind.CLEAR),
        ("Bezahlte Werbepartnerschaft mit X", "de", Kind.CLEAR),
        ("#gifted sun", "en", Kind.GIFT),
        ("gifted by @lumora", "en", Kind.GIFT),
        ("Ad – gifted by Lumora", "en", Kind.GIFT),
        ("#AdGifted", "en", Kind.GIFT),
    ],
)
def test_label_languages_and_kinds(caption: str, lang: str, kind: Kind) -> None:
    ctx = build_context(post(caption))
    assert [(lb.lang, lb.kind) for lb in ctx.labels] == [(lang, kind)]


def test_pub_hashtag_is_a_label_only_in_canada() -> None:
    assert build_context(post("#pub soirée", j="CA")).labels
    assert not build_context(post("#pub night out", j="UK")).labels


@pytest.mark.parametrize(
    "caption",
    [
        "#sp",
        "#spon",
        "#collab",
        "#partner",
        "#ambassador",
        "thanks @lumora",
        "Danke",
        "Merci",
        "Gracias",
        "shoutout",
        "#partnership",
        "#partenariat",
        "#colab",
        "#aff",
        "#affiliate",
        "#PR",
        "PR haul",
        "#freebie",
        "#supported",
        "#sponso",
    ],
)
def test_ambiguous_terms(caption: str) -> None:
    ctx = build_context(post(f"{caption} new serum"))
    assert not ctx.labels
    assert ctx.ambiguous


def test_brand_qualified_partner_tag_must_name_the_brand() -> None:
    assert build_context(post("#LumoraPartner", brand="Lumora")).labels
    assert not build_context(post("#SummitPartner", brand="Lumora")).labels
    assert not build_context(post("#BrandAmbassador", brand=None)).labels


def test_negated_label_is_not_a_label() -> None:
    ctx = build_context(post("This is not sponsored"))
    assert not ctx.labels
    assert ctx.negations


@pytest.mark.parametrize(
    ("caption", "transcript"),
    [
        ("Crème — Publicité : ma routine préférée ✨ #adidas #ad", None),
        ("Ünïcödé text then #gifted and Sponsored by Lumora", None),
        (
            "[title] Review 😀 sponsored by Lumora\n[description] Thanks Lumora for sponsoring",
            "[00:00] [on-screen: Ad] Héllo, this video is sponsored by Lumora [01:00] bye",
        ),
        ("Lose 10 lbs in a week! use my code SAVE20 amzn.to/x", None),
    ],
)
def test_evidence_offsets_point_into_the_original_text(
    caption: str, transcript: str | None
) -> None:
    from compliance.checker import check_post

    p = post(caption, transcript=transcript, platform="youtube", media="video")
    result = check_post(p, score=False)
    ctx = build_context(p)
    spans = [lb.span for lb in ctx.labels + ctx.ambiguous] + list(ctx.commercial + ctx.claims)
    assert spans
    for span in spans:
        ev = ctx.evidence(span)
        source = caption if ev.source == "caption" else transcript
        assert source is not None
        assert source[ev.start : ev.end] == ev.text
    for finding in result.findings:
        for ev in finding.evidence:
            source = caption if ev.source == "caption" else transcript
            assert source is not None
            assert source[ev.start : ev.end] == ev.text


def test_transcript_regions_and_times() -> None:
    ctx = build_context(
        post(
            "x",
            media="video",
            transcript="[01:02:03] [on-screen persistent: Ad] hello [on-screen: #ad] this is an ad",
        )
    )
    regions = [(lb.region, lb.seconds) for lb in ctx.labels]
    assert regions == [("persistent", 3723.0), ("on_screen", 3723.0), ("spoken", 3723.0)]


def test_youtube_title_is_visual_and_description_is_not() -> None:
    ctx = build_context(
        post("[title] #ad review\n[description] #ad more", platform="youtube", media="video")
    )
    assert [(lb.region, lb.visual) for lb in ctx.labels] == [
        ("title", True),
        ("description", False),
    ]
