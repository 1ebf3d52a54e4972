"""Brief parsing: a table of briefs as recruiters write them, in EN/ES/FR/DE."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.errors import InvalidInputError
from matcher.brief import (
    ITEM_KINDS,
    Brief,
    Objective,
    TargetAudience,
    age_band_weights,
    niche_terms,
    parse_brief,
)

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


# --------------------------------------------------------------------------------------------
# Reading the brief span by span (issue 15 item 4): what is recognised is an item, never a
# niche term. Each case: brief, terms that must be niche terms, terms that must never be.

NICHE_CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "eco-friendly running shoes for women 25-34 in the US, awareness, $15k",
        ("ecofriendly", "running", "shoes"),
        ("friendly", "eco", "25", "34", "15k", "women", "us", "awareness"),
    ),
    (
        "Looking for creators who talk about sustainability, budget 8000 USD",
        ("sustainability",),
        ("looking", "creators", "budget", "8000", "usd"),
    ),
    (
        "vegan sunscreen with SPF 50, pH 5.5 cleanser, a 10-step routine, 500 ml bottles",
        ("vegan", "sunscreen", "cleanser", "routine", "bottles"),
        ("spf", "50", "ph", "5", "10", "step", "500", "ml"),
    ),
    (
        "dog-friendly travel vlogs, Gen-Z audience, kid-safe toys, plant-based recipes",
        ("dogfriendly", "travel", "vlogs", "toys", "plantbased", "recipes"),
        ("friendly", "dog", "gen", "z", "kid", "safe", "plant", "based", "audience"),
    ),
    (
        "Buscamos creadoras de fitness en España, mujeres de 18 a 24 años, 15.000 €",
        ("fitness",),
        ("buscamos", "creadoras", "espana", "mujeres", "18", "24", "anos", "15", "000"),
    ),
    (
        "Nous cherchons des créatrices beauté en France, femmes 25–34 ans, budget 5 000 €",
        ("beaute",),
        ("cherchons", "createurs", "createrices", "france", "femmes", "25", "34", "ans", "5"),
    ),
    (
        "Wir suchen Creator für nachhaltige Mode, Frauen zwischen 25 und 34, Budget 10.000 Euro",
        ("nachhaltige", "mode"),
        ("suchen", "creator", "frauen", "zwischen", "25", "34", "budget", "10", "euro"),
    ),
    (
        "meal prep and trail running content, launching 2027-03-01, Q3 push, in March",
        ("meal", "prep", "trail", "running"),
        ("2027", "03", "01", "q3", "march", "launching", "content"),
    ),
    (
        "skincare micro-influencers, 10 creators, at least 3% engagement, TikTok only",
        ("skincare",),
        ("micro", "influencers", "10", "3", "engagement", "tiktok", "only"),
    ),
    (
        "home workout creators, no unboxing channels, not pure streamers",
        ("home", "workout"),
        ("unboxing", "streamers", "pure", "channels"),
    ),
    (
        "Hey! Wir sind eine vegane Proteinriegel-Marke und suchen Fitness-Creator, 15.000 Euro",
        ("vegane", "proteinriegel", "fitness"),
        ("hey", "wir", "marke", "creator", "proteinriegelmarke", "fitnesscreator", "euro"),
    ),
    (
        "Somos una marca de cosmética natural, presupuesto total 12.000 € para 8 creadoras",
        ("cosmetica", "natural"),
        ("somos", "marca", "presupuesto", "total", "12", "8", "creadoras"),
    ),
]


@pytest.mark.parametrize(
    ("text", "wanted", "never"), NICHE_CASES, ids=[t[:40] for t, _, _ in NICHE_CASES]
)
def test_only_the_niche_is_left_for_retrieval(
    text: str, wanted: tuple[str, ...], never: tuple[str, ...]
) -> None:
    terms = parse_brief(text, year=2026).niche_terms()
    for term in wanted:
        assert term in terms, (term, terms)
    for term in never:
        assert term not in terms, (term, terms)


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("eco-friendly running shoes", ("eco-friendly", "ecofriendly", "running shoes")),
        ("meal prep for busy parents", ("meal prep", "busy parents")),
        ("trail running in the Alps", ("trail running",)),
        ("skin care for sensitive skin", ("skin care", "sensitive skin")),
        ("zero waste living", ("zero waste",)),
        ("eco friendly cleaning products", ("eco friendly", "eco-friendly", "ecofriendly")),
        ("rutinas de cuidado de la piel", ("cuidado de la piel",)),
        ("chaussures de course pour le trail", ("chaussures de course",)),
        ("plant-based Rezepte für Familien", ("plant-based", "plantbased")),
    ],
)
def test_phrases_stay_together(text: str, phrases: tuple[str, ...]) -> None:
    found = parse_brief(text).niche_phrases
    for phrase in phrases:
        assert phrase in found, (phrase, found)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("eco-friendly running shoes", ("ecofriendly", "running", "shoes")),
        ("eco friendly shoes", ("ecofriendly", "shoes")),
        ("Cruelty-free, sugar-free", ("crueltyfree", "sugarfree")),
        ("cosmétiques zéro-déchet", ("cosmetiques", "zerodechet")),
        ("calculator, free app", ("calculator", "free", "app")),  # a comma parts the pair
        ("COVID-19 vaccines in 2021", ("covid", "vaccines")),
        ("the best of the best", ("best",)),
        ("", ()),
    ],
)
def test_niche_terms_keep_compounds_whole(text: str, terms: tuple[str, ...]) -> None:
    assert niche_terms(text) == terms


@pytest.mark.parametrize(
    ("text", "value", "bands"),
    [
        ("women 25-34 in the US", "25-34", ("25-34",)),
        ("mujeres de 18 a 24 años en México", "18-24", ("18-24",)),
        ("femmes 25–34 ans", "25-34", ("25-34",)),
        ("Frauen zwischen 25 und 34 Jahren", "25-34", ("25-34",)),
        ("aged 18 to 24", "18-24", ("18-24",)),
        ("readers over 45", "46+", ("45-54", "55+")),
        ("plus de 45 ans", "46+", ("45-54", "55+")),
        ("ab 18", "18+", ("18-24", "25-34", "35-44", "45-54", "55+")),
        ("21+ only", "21+", ("18-24", "25-34", "35-44", "45-54", "55+")),
        ("gamers under 25", "13-24", ("13-17", "18-24")),
    ],
)
def test_age_ranges_are_items(text: str, value: str, bands: tuple[str, ...]) -> None:
    brief = parse_brief(text, year=2026)
    assert [i.value for i in brief.understood if i.kind == "age"] == [value]
    assert tuple(band for band, _ in brief.target.age) == bands


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$15k", 15_000, "USD"),
        ("15.000 €", 15_000, "EUR"),
        ("EUR 5,000", 5_000, "EUR"),
        ("£2,500 a month for 6 months", 15_000, "GBP"),
        ("budget 8000 USD", 8_000, "USD"),
        ("presupuesto de 20 mil euros", 20_000, "EUR"),
        ("Budget: 12 000 €", 12_000, "EUR"),
        ("CAD 35k to spend", 35_000, "CAD"),
        ("$20-30k", 30_000, "USD"),
        ("10.000 Euro Budget", 10_000, "EUR"),
        ("$500 per creator", None, None),  # a rate, not the budget
    ],
)
def test_money(text: str, amount: float | None, currency: str | None) -> None:
    brief = parse_brief(f"yoga mats, {text}")
    assert (brief.budget, brief.currency) == (amount, currency)
    assert brief.niche_text == "yoga mats"
    kinds = [i.kind for i in brief.understood]
    assert kinds == (["budget"] if amount is not None else ["money"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("launching 2027-03-01", "2027-03-01"),
        ("lancement en mars 2027", "2027-03"),
        ("Q3", "Q3"),
        ("Q3 2027", "2027-Q3"),
        ("Start im März", "--03"),
        ("by 15 June 2027", "2027-06-15"),
        ("ahead of spring", "spring"),
        ("im Sommer 2027", "summer 2027"),
        ("lanzamiento en el tercer trimestre", "Q3"),
        ("next month", "next month"),
    ],
)
def test_dates_are_items(text: str, value: str) -> None:
    brief = parse_brief(f"running shoes, {text}")
    assert [i.value for i in brief.understood if i.kind == "date"] == [value]
    assert brief.niche_text == "running shoes"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("you may need help", "help"),
        ("we march on", "march"),
        ("summer stadium tour", "summer"),
        ("winter driving tips", "winter"),
    ],
)
def test_words_that_are_not_dates(text: str, word: str) -> None:
    brief = parse_brief(text)
    assert [i for i in brief.understood if i.kind == "date"] == []
    assert word in brief.niche_terms()


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("SPF 50 sunscreen", "measurement", "spf 50"),
        ("pH 5.5 cleanser", "measurement", "ph 5.5"),
        ("10-step routine", "measurement", "10 step"),
        ("500 ml bottles", "measurement", "500 ml"),
        ("40L backpack", "measurement", "40 l"),
        ("2-in-1 shampoo", "measurement", "2-in-1"),
        ("rutina de 10 pasos", "measurement", "10 pasos"),
        ("crème SPF 30", "measurement", "spf 30"),
        ("30% recycled plastic", "number", "30%"),
        ("3 Instagram reels", "deliverable", "3 reels"),
        ("14-day battery", "duration", "P14D"),
        ("in the first 72 hours", "duration", "PT72H"),
        ("10k-100k followers", "followers", "10000-100000"),
        ("over 50,000 followers", "followers", ">=50000"),
    ],
)
def test_numbers_and_measurements(text: str, kind: str, value: str) -> None:
    brief = parse_brief(text)
    assert (kind, value) in [(i.kind, i.value) for i in brief.understood]
    assert not re.search(r"\d", brief.niche_text), brief.niche_text


@pytest.mark.parametrize(
    ("text", "tiers"),
    [
        ("micro-influencers", ("micro",)),
        ("nano and micro creators", ("nano", "micro")),
        ("nano and micro", ("nano", "micro")),
        ("big names for the launch", ("macro", "mega")),
        ("mid-tier creators", ("mid",)),
        ("celebrities only", ("mega",)),
        ("microinfluencers de moda", ("micro",)),
        ("10 micro-influenceuses", ("micro",)),
        ("Mikro-Influencer aus Berlin", ("micro",)),
        ("petits créateurs", ("nano", "micro")),
        ("micro USB cables", ()),
        ("the mega sale", ()),
        ("celebrity challenge videos", ()),
    ],
)
def test_tier_wishes(text: str, tiers: tuple[str, ...]) -> None:
    assert parse_brief(text).tiers == tiers


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("10 creators", 10),
        ("5-8 micro-influencers", 5),
        ("up to 12 creators", 12),
        ("a dozen creators", 12),
        ("cinco creadoras de fitness", 5),
        ("20 créateurs", 20),
        ("zehn Influencer", 10),
        ("3 female fitness creators", 3),
        ("2 posts per creator", None),
        ("10k followers", None),
        ("25-34 creators", 25),
    ],
)
def test_creator_counts(text: str, count: int | None) -> None:
    assert parse_brief(text).creators_wanted == count


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("at least 3% engagement", 0.03),
        ("engagement rate above 4.5%", 0.045),
        ("ER 3%+", 0.03),
        ("al menos un 3% de engagement", 0.03),
        ("taux d'engagement d'au moins 2 %", 0.02),
        ("mindestens 2,5 % Engagement", 0.025),
        ("30% recycled plastic", None),
    ],
)
def test_engagement_wishes(text: str, rate: float | None) -> None:
    assert parse_brief(text).min_engagement == pytest.approx(rate)


@pytest.mark.parametrize(
    ("text", "only", "platforms"),
    [
        ("TikTok only", ("tiktok",), ("tiktok",)),
        ("only on Instagram", ("instagram",), ("instagram",)),
        ("Instagram and TikTok only", ("instagram", "tiktok"), ("instagram", "tiktok")),
        ("YouTube-only", ("youtube",), ("youtube",)),
        ("solo en TikTok", ("tiktok",), ("tiktok",)),
        ("uniquement sur YouTube", ("youtube",), ("youtube",)),
        ("nur auf Instagram", ("instagram",), ("instagram",)),
        ("on TikTok and YouTube", (), ("tiktok", "youtube")),
        ("no TikTok", (), ()),
    ],
)
def test_platform_wishes(text: str, only: tuple[str, ...], platforms: tuple[str, ...]) -> None:
    brief = parse_brief(f"fitness creators, {text}")
    assert (brief.only_platforms, brief.platforms) == (only, platforms)


@pytest.mark.parametrize(
    ("text", "excluded", "safety"),
    [
        ("no unboxing channels", ("unboxing",), ()),
        ("not pure streamers", ("streamers",), ()),
        ("Avoid: prank channels, reaction videos", ("prank", "reaction videos"), ()),
        (
            "no channels that post leaked songs or pirated clips",
            ("leaked songs", "pirated clips"),
            (),
        ),
        ("sin canales de unboxing", ("unboxing",), ()),
        ("pas de chaînes de unboxing", ("unboxing",), ()),
        ("keine Unboxing-Kanäle", ("unboxing",), ()),
        ("pas de comptes qui font uniquement du unboxing", ("unboxing",), ()),
        ("keine Creator, die mit Konkurrenzmarken arbeiten", (), ()),
        ("no alcohol", (), ("alcohol",)),
        ("Not: gambling", (), ("gambling",)),
        ("with no parabens", (), ()),  # describes the product, not a wish
        ("no more than 5 creators", (), ()),
    ],
)
def test_negative_wishes(text: str, excluded: tuple[str, ...], safety: tuple[str, ...]) -> None:
    brief = parse_brief(f"skincare, {text}")
    assert brief.excluded_topics == excluded
    assert brief.brand_safety == safety
    assert brief.niche_text.startswith("skincare")
    for topic in excluded:
        assert topic not in brief.niche_text.lower()


def test_a_negative_wish_does_not_exclude_the_niche() -> None:
    brief = parse_brief("fitness tracker. Not: fitness influencers who never explain the tech")
    assert brief.excluded_topics == ()
    assert "fitness" in brief.niche_terms()


def test_negated_audience_words_are_not_targets() -> None:
    brief = parse_brief("energy drink, 18-30, no under-18 audiences, not on TikTok")
    assert tuple(band for band, _ in brief.target.age) == ("18-24", "25-34")
    assert brief.platforms == ()


@pytest.mark.parametrize(
    ("text", "names", "exclusions"),
    [
        ("competitors: Nike, Adidas", ("Nike", "Adidas"), ()),
        ("competitors: Nike, rivals: Adidas", ("Nike", "Adidas"), ()),
        ("Wettbewerber: Nivea und Dove", ("Nivea", "Dove"), ()),
        ("no creators who worked with Glossier", ("Glossier",), ()),
        ("no creators sponsored by rival wearable brands", (), ("rival wearable brands",)),
        ("sin creadores que trabajen con otras marcas", (), ("otras marcas",)),
        ("keine Creator, die mit Konkurrenzmarken arbeiten", (), ("konkurrenzmarken arbeiten",)),
        ("rival wearable brands make watches", (), ()),
    ],
)
def test_competitors(text: str, names: tuple[str, ...], exclusions: tuple[str, ...]) -> None:
    brief = parse_brief(text)
    assert brief.competitor_brands == names
    got = tuple(i.value for i in brief.understood if i.kind == "competitor_exclusion")
    assert got == exclusions


@pytest.mark.parametrize(
    ("text", "objective"),
    [
        ("running shoes, launch buzz", Objective.LAUNCH),
        ("running shoes, mass reach", Objective.AWARENESS),
        ("running shoes, awareness", Objective.AWARENESS),
        ("running shoes, trusted reviews", Objective.TRUSTED_REVIEWS),
        ("running shoes, sales", Objective.CONVERSIONS),
        ("running shoes, sign-ups", Objective.CONVERSIONS),
        ("running shoes, community building", Objective.COMMUNITY),
        ("zapatillas de running, notoriedad", Objective.AWARENESS),
        ("chaussures de running, ventes", Objective.CONVERSIONS),
        ("Laufschuhe, Reichweite", Objective.AWARENESS),
        ("Objective: launch buzz + conversions", Objective.LAUNCH),
        ("we'd like to reach more women. Objective: free-trial conversions", Objective.CONVERSIONS),
    ],
)
def test_objective_words_leave_the_niche(text: str, objective: Objective) -> None:
    brief = parse_brief(text)
    assert brief.objective is objective
    for item in brief.understood:
        if item.kind == "objective":
            assert item.text.lower() not in brief.niche_text.lower()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("golf launch monitors", "launch monitors"),
        ("comedians doing impressions, sketches", "impressions"),
        ("honest reviews of trail shoes", "reviews"),
        ("campaign trail coverage", "campaign trail"),
        ("budget travel hacks", "budget travel"),
    ],
)
def test_goal_and_filler_words_that_are_topics_stay(text: str, kept: str) -> None:
    assert kept in parse_brief(text).niche_text


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("nail polish swatches", None),
        ("French press coffee", None),
        ("Tour de France analysis", None),
        ("Mexican street food tours", None),
        ("Polish creators", "PL"),
        ("creadores en Francia", "FR"),
        ("US-based creators", "US"),
        ("creadores en EE.UU.", "US"),
    ],
)
def test_country_words_in_niche_phrases(text: str, country: str | None) -> None:
    brief = parse_brief(text)
    assert brief.countries == ((country,) if country else ())


def test_every_item_points_at_its_words() -> None:
    for text, _, _ in NICHE_CASES:
        brief = parse_brief(text, year=2026)
        assert brief.understood
        for item in brief.understood:
            assert item.kind in ITEM_KINDS
            assert item.source == "brief"
            assert item.text == text[item.start : item.end]


def test_the_issue_brief_is_read_whole() -> None:
    brief = parse_brief("eco-friendly running shoes for women 25-34 in the US, awareness, $15k")
    read = [(i.kind, i.value, i.text) for i in brief.understood]
    assert read == [
        ("gender", "female", "women"),
        ("age", "25-34", "25-34"),
        ("country", "US", "US"),
        ("objective", "awareness", "awareness"),
        ("budget", "15000 USD", "$15k"),
    ]
    assert brief.niche_text == "eco-friendly running shoes"


@pytest.mark.parametrize(
    ("brief", "search_text"),
    [
        (parse_brief("eco-friendly running shoes for women, $15k"), "eco-friendly running shoes"),
        (parse_brief("women 25-34 in the US, $15k"), ""),
        (Brief(text="trail running"), "trail running"),
    ],
)
def test_search_text(brief: Brief, search_text: str) -> None:
    assert brief.search_text == search_text


class TestMergeNewFields:
    def test_new_fields_merge(self) -> None:
        brief = parse_brief("running shoes").merge(
            creators_wanted=5, tiers=["Micro"], min_engagement=0.02, only_platforms=["TikTok"]
        )
        assert (brief.creators_wanted, brief.tiers, brief.min_engagement) == (5, ("micro",), 0.02)
        assert brief.only_platforms == ("tiktok",)

    def test_a_new_text_is_read_again(self) -> None:
        brief = parse_brief("running shoes, $5k").merge(text="yoga mats for women")
        assert brief.niche_text == "yoga mats"
        assert [i.kind for i in brief.understood] == ["gender"]
        assert brief.budget == 5_000  # the other fields keep their values

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"creators_wanted": 0}, "creators_wanted"),
            ({"creators_wanted": 2.5}, "creators_wanted"),
            ({"tiers": ["huge"]}, "tiers"),
            ({"min_engagement": 3}, "min_engagement"),
            ({"understood": ["age 25"]}, "understood"),
        ],
    )
    def test_bad_values_name_the_field(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInputError) as exc:
            Brief().merge(**overrides)
        assert exc.value.errors[0].field == field


# The examples of the kinds table in docs/matcher-scoring.md ("The brief").
DOCUMENTED: list[tuple[str, str, str]] = [
    ("US-based creators", "country", "US"),
    ("creadores en EE.UU.", "country", "US"),
    ("DACH", "country", "AT"),
    ("deutschsprachige Creator", "language", "de"),
    ("English content", "language", "en"),
    ("hispanohablantes", "language", "es"),
    ("en français", "language", "fr"),
    ("presupuesto de 20 mil euros", "budget", "20000 EUR"),
    ("CAD 35k", "budget", "35000 CAD"),
    ("$500 per creator", "money", "500 USD per creator"),
    ("mujeres interesadas en fútbol", "interest", "fútbol"),
    ("family-friendly", "brand_safety", "alcohol"),
    ("teens", "age", "13-17"),
    ("students", "age", "18-24"),
    ("Gen Z", "generation", "14-29"),
    ("all genders", "gender", "all"),
    ("moms", "gender", "female"),
    ("for 6 months", "duration", "P6M"),
    ("up to 12 creators", "creator_count", "12"),
    ("Wettbewerber: Nivea", "competitor", "Nivea"),
    ("kein Glücksspiel", "brand_safety", "gambling"),
    ("celebrities", "tier", "mega"),
    ("petits créateurs", "tier", "nano"),
]


@pytest.mark.parametrize(("text", "kind", "value"), DOCUMENTED)
def test_documented_readings(text: str, kind: str, value: str) -> None:
    items = [(i.kind, i.value) for i in parse_brief(text, year=2026).understood]
    assert (kind, value) in items
