"""Brief parsing: a table of briefs as recruiters write them, in EN/ES/FR/DE."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import InvalidInputError
from matcher.brief import Brief, Objective, TargetAudience, age_band_weights, parse_brief

# (brief, expected fields); only the listed fields are checked
BRIEFS: list[tuple[str, dict[str, Any]]] = [
    (
        "vegan skincare launch in the US, women 25-34 who care about sustainability, "
        "conversions, $20k",
        {
            "objective": Objective.CONVERSIONS,
            "countries": ("US",),
            "genders": ("female",),
            "age": ("25-34",),
            "interests": ("sustainability",),
            "budget": (20_000, "USD"),
        },
    ),
    (
        "Launching a protein bar for American men 18-24 on TikTok and YouTube",
        {
            "objective": Objective.LAUNCH,
            "countries": ("US",),
            "genders": ("male",),
            "age": ("18-24",),
            "platforms": ("tiktok", "youtube"),
            "budget": (None, None),
        },
    ),
    (
        "Brand awareness in the UK and Ireland, Gen Z, budget £8,500 on Instagram",
        {
            "objective": Objective.AWARENESS,
            "countries": ("GB", "IE"),
            "age": ("13-17", "18-24", "25-34"),
            "budget": (8_500, "GBP"),
            "platforms": ("instagram",),
        },
    ),
    (
        "Honest reviews of our running shoes by Canadian and Australian runners, $1.5k",
        {
            "objective": Objective.TRUSTED_REVIEWS,
            "countries": ("CA", "AU"),
            "budget": (1_500, "USD"),
        },
    ),
    (
        "Community building for millennials interested in cooking and travel, family-friendly",
        {
            "objective": Objective.COMMUNITY,
            "age": ("25-34", "35-44", "45-54"),
            "interests": ("cooking", "travel"),
            "brand_safety": ("alcohol", "gambling", "profanity", "violence", "adult", "drugs"),
        },
    ),
    (
        "PR push for our new sneaker in Germany, competitors: Nike, Adidas",
        {
            "objective": Objective.PR,
            "countries": ("DE",),
            "competitors": ("Nike", "Adidas"),
        },
    ),
    (
        "Niche product for specialist coffee enthusiasts in Italy, EUR 5,000",
        {"objective": Objective.NICHE_PRODUCT, "countries": ("IT",), "budget": (5_000, "EUR")},
    ),
    (
        "Goal: awareness. New product launch for teens in the US, no alcohol",
        {
            "objective": Objective.AWARENESS,
            "age": ("13-17",),
            "countries": ("US",),
            "brand_safety": ("alcohol",),
        },
    ),
    # Spanish
    (
        "Lanzamiento de una bebida en España y México, mujeres de 18 a 24, presupuesto 20.000 €",
        {
            "objective": Objective.LAUNCH,
            "countries": ("ES", "MX"),
            "genders": ("female",),
            "age": ("18-24",),
            "budget": (20_000, "EUR"),
        },
    ),
    (
        "Ventas para hombres argentinos y colombianos interesados en fútbol, sin apuestas",
        {
            "objective": Objective.CONVERSIONS,
            "countries": ("AR", "CO"),
            "genders": ("male",),
            "interests": ("fútbol",),
            "brand_safety": ("gambling",),
        },
    ),
    (
        "Campaña en Estados Unidos para hispanohablantes, reseñas de productos, 3.000 dólares",
        {
            "objective": Objective.TRUSTED_REVIEWS,
            "countries": ("US",),
            "languages": ("es",),
            "budget": (3_000, "USD"),
        },
    ),
    # French
    (
        "Notoriété pour une marque de cosmétiques en France, femmes de 25 à 34 ans, "
        "budget EUR 5,000, pas d'alcool",
        {
            "objective": Objective.AWARENESS,
            "countries": ("FR",),
            "genders": ("female",),
            "age": ("25-34",),
            "budget": (5_000, "EUR"),
            "brand_safety": ("alcohol",),
        },
    ),
    (
        "Lancement en Belgique et en Suisse pour les mamans, 12 000 €",
        {
            "objective": Objective.LAUNCH,
            "countries": ("BE", "CH"),
            "genders": ("female",),
            "budget": (12_000, "EUR"),
        },
    ),
    (
        "Des avis de créateurs allemands et espagnols sur YouTube, concurrents : Sephora",
        {
            "objective": Objective.TRUSTED_REVIEWS,
            "countries": ("DE", "ES"),
            "platforms": ("youtube",),
            "competitors": ("Sephora",),
        },
    ),
    # German
    (
        "Ziel: Reichweite. Deutsche Frauen über 45, Budget 15.000 Euro auf YouTube, "
        "Wettbewerber: Nivea, Dove",
        {
            "objective": Objective.AWARENESS,
            "countries": ("DE",),
            "genders": ("female",),
            "age": ("45-54", "55+"),
            "budget": (15_000, "EUR"),
            "platforms": ("youtube",),
            "competitors": ("Nivea", "Dove"),
        },
    ),
    (
        "Abverkauf in Österreich und der Schweiz, Männer 25 bis 34, 10k €, kein Glücksspiel",
        {
            "objective": Objective.CONVERSIONS,
            "countries": ("AT", "CH"),
            "genders": ("male",),
            "age": ("25-34",),
            "budget": (10_000, "EUR"),
            "brand_safety": ("gambling",),
        },
    ),
    (
        "Produkteinführung in Frankreich für Studenten, deutschsprachig",
        {
            "objective": Objective.LAUNCH,
            "countries": ("FR",),
            "age": ("18-24",),
            "languages": ("de",),
        },
    ),
    (
        "Spanish-speaking moms in the US over 45 on Pinterest",
        {
            "countries": ("US",),
            "languages": ("es",),
            "genders": ("female",),
            "age": ("45-54", "55+"),
            "platforms": ("pinterest",),
            "objective": None,
        },
    ),
]


def _check(brief: Brief, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        if key == "objective":
            assert brief.objective == value
        elif key == "countries":
            assert brief.countries == value
            assert brief.target.countries == value
        elif key == "genders":
            assert brief.target.genders == value
        elif key == "age":
            assert tuple(band for band, _ in brief.target.age) == value
        elif key == "interests":
            assert brief.target.interests == value
        elif key == "budget":
            assert (brief.budget, brief.currency) == value
        elif key == "competitors":
            assert brief.competitor_brands == value
        else:
            assert getattr(brief, key) == value, key


@pytest.mark.parametrize(("text", "expected"), BRIEFS, ids=[t[:40] for t, _ in BRIEFS])
def test_parse_brief(text: str, expected: dict[str, Any]) -> None:
    brief = parse_brief(text, year=2026)
    assert brief.text == text
    _check(brief, expected)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$20k", 20_000),
        ("20.000 €", 20_000),
        ("EUR 5,000", 5_000),
        ("€2,5k", 2_500),
        ("$1,234.50", 1_234.5),
        ("1.234,50 €", 1_234.5),
        ("20 000 euros", 20_000),
        ("$2M", 2_000_000),
    ],
)
def test_budget_formats(text: str, amount: float) -> None:
    assert parse_brief(f"budget {text}").budget == pytest.approx(amount)


def test_us_pronoun_is_not_a_country() -> None:
    assert parse_brief("help us reach women who love yoga").countries == ()


def test_age_band_weights_cover_partial_bands() -> None:
    assert age_band_weights(18, 30) == (("18-24", 1.0), ("25-34", 0.6))


def test_generation_ages_follow_the_year() -> None:
    young = parse_brief("Gen Z", year=2026).target.age_weights
    later = parse_brief("Gen Z", year=2036).target.age_weights
    assert "13-17" in young and "13-17" not in later


class TestMerge:
    def test_explicit_fields_override_parsed_ones(self) -> None:
        brief = parse_brief("launch in the US, $20k").merge(
            objective="awareness", budget=5000, countries=["de"], platforms=["TikTok"]
        )
        assert brief.objective is Objective.AWARENESS
        assert brief.budget == 5000.0
        assert brief.countries == ("DE",)
        assert brief.platforms == ("tiktok",)
        assert brief.currency == "USD"  # not overridden

    def test_none_means_not_given(self) -> None:
        brief = parse_brief("conversions, $20k").merge(budget=None, objective=None)
        assert brief.budget == 20_000
        assert brief.objective is Objective.CONVERSIONS

    def test_target_from_a_mapping(self) -> None:
        brief = Brief().merge(target={"age": ["25-34"], "genders": ["female"]})
        assert brief.target == TargetAudience(age=(("25-34", 1.0),), genders=("female",))

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"objective": "influence"}, "objective"),
            ({"budget": -5}, "budget"),
            ({"colour": "red"}, "colour"),
            ({"brand_safety": ["tobacco"]}, "brand_safety"),
            ({"target": {"age": ["20-30"]}}, "target.age"),
            ({"target": {"genders": ["robot"]}}, "target.genders"),
        ],
    )
    def test_bad_overrides_name_the_field(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInputError) as exc:
            Brief().merge(**overrides)
        assert exc.value.errors[0].field == field
