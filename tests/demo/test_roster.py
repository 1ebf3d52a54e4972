"""The demo roster: deterministic, valid, and realistic in the ways a recruiter would notice.

Most tests share one roster of 5,000 records (the default of ``creatormatch demo``) and its
ground truth; the statistical bounds are wide enough for any seed, narrow enough to fail when
a distribution is wrong.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import pytest

from core.tiers import TIER_BENCHMARKS, Tier, tier_for_followers
from creators.record import CreatorRecord
from demo import content
from demo.roster import (
    CATEGORIES,
    DEMO_NOW,
    PLATFORMS,
    RECENT_DAYS,
    generate_roster,
    roster_truth,
)

N = 5000
SEED = 42

Record = dict[str, Any]


@pytest.fixture(scope="module")
def roster() -> list[Record]:
    return list(generate_roster(N, seed=SEED))


@pytest.fixture(scope="module")
def truth() -> list[Record]:
    return roster_truth(N, seed=SEED)


@pytest.fixture(scope="module")
def honest(roster: list[Record], truth: list[Record]) -> list[Record]:
    """The records that are neither fraud-like nor virtual."""
    return [r for r, t in zip(roster, truth, strict=True) if not t["fraud"] and not t["virtual"]]


def share(records: list[Record], predicate: Any) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


def texts_of(record: Record) -> list[str]:
    return [record["bio"], record["display_name"], *(p["text"] for p in record["recent_posts"])]


def parse_utc(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


# --- determinism -----------------------------------------------------------------------------


class TestDeterminism:
    def test_same_seed_same_roster(self) -> None:
        assert list(generate_roster(300, seed=7)) == list(generate_roster(300, seed=7))

    def test_a_shorter_roster_is_a_prefix_of_a_longer_one(self) -> None:
        assert list(generate_roster(250, seed=7)) == list(generate_roster(700, seed=7))[:250]

    def test_another_seed_gives_another_roster(self) -> None:
        a = list(generate_roster(200, seed=1))
        b = list(generate_roster(200, seed=2))
        assert sum(x == y for x, y in zip(a, b, strict=True)) == 0
        assert {r["handle"] for r in a} != {r["handle"] for r in b}

    def test_the_default_is_5000_records_with_seed_42(self) -> None:
        defaults = inspect.signature(generate_roster).parameters
        assert (defaults["n"].default, defaults["seed"].default) == (5000, 42)
        assert list(islice(generate_roster(), 40)) == list(generate_roster(40, seed=42))

    def test_zero_and_negative_sizes(self) -> None:
        assert list(generate_roster(0)) == []
        with pytest.raises(ValueError, match="n must be >= 0"):
            list(generate_roster(-1))

    def test_records_are_plain_json(self, roster: list[Record]) -> None:
        for record in roster[:500]:
            assert json.loads(json.dumps(record)) == record


# --- the record format -----------------------------------------------------------------------


def test_every_record_validates_as_a_creator_record(roster: list[Record]) -> None:
    for record in roster:
        parsed = CreatorRecord.model_validate(record)
        assert parsed.handle == record["handle"]
        assert parsed.source == "demo"


def test_handles_are_unique_per_platform(roster: list[Record]) -> None:
    keys = Counter((r["platform"], r["handle"]) for r in roster)
    assert keys.most_common(1)[0][1] == 1


# (allowed characters, longest) of the platforms' own handle rules
HANDLE_RULES = {
    "instagram": (r"[a-z0-9._]", 30),
    "tiktok": (r"[a-z0-9._]", 24),
    "youtube": (r"[a-z0-9._-]", 30),
    "x": (r"[a-z0-9_]", 15),
    "twitch": (r"[a-z0-9_]", 25),
    "linkedin": (r"[a-z0-9-]", 100),
    "facebook": (r"[a-z0-9.]", 50),
    "pinterest": (r"[a-z0-9_]", 30),
    "snapchat": (r"[a-z0-9._-]", 15),
    "podcast": (r"[a-z0-9-]", 60),
    "blog": (r"[a-z0-9]", 30),
}


def test_handles_follow_the_platform_rules(roster: list[Record]) -> None:
    for record in roster:
        chars, longest = HANDLE_RULES[record["platform"]]
        handle = record["handle"]
        assert re.fullmatch(f"{chars}{{3,{longest}}}", handle), (record["platform"], handle)
        assert not handle.startswith((".", "_", "-")), handle
        assert not handle.endswith((".", "_", "-")), handle
        assert ".." not in handle, handle


PROFILE_URLS = {
    "instagram": "https://www.instagram.com/{h}/",
    "tiktok": "https://www.tiktok.com/@{h}",
    "youtube": "https://www.youtube.com/@{h}",
    "x": "https://x.com/{h}",
    "twitch": "https://www.twitch.tv/{h}",
    "linkedin": "https://www.linkedin.com/in/{h}/",
    "facebook": "https://www.facebook.com/{h}",
    "pinterest": "https://www.pinterest.com/{h}/",
    "snapchat": "https://www.snapchat.com/add/{h}",
}


def test_profile_urls_fit_the_platform(roster: list[Record]) -> None:
    for r in roster:
        url, handle = r["profile_url"], r["handle"]
        if r["platform"] == "podcast":
            assert re.fullmatch(
                rf"https://podcasts\.apple\.com/[a-z]{{2}}/podcast/{handle}/id\d{{10}}", url
            )
        elif r["platform"] == "blog":
            assert url in (f"https://{handle}.substack.com/", f"https://{handle}.wordpress.com/")
        else:
            assert url == PROFILE_URLS[r["platform"]].format(h=handle)


def test_categories_come_from_the_vocabulary(roster: list[Record], truth: list[Record]) -> None:
    assert len(CATEGORIES) >= 20
    assert all(c == c.lower() for c in CATEGORIES)
    for record, t in zip(roster, truth, strict=True):
        categories = record["categories"]
        assert 1 <= len(categories) <= 3
        assert len(set(categories)) == len(categories)
        assert set(categories) <= set(CATEGORIES)
        assert categories[0] == t["niche"]
    counts = Counter(len(r["categories"]) for r in roster)
    assert all(counts[k] > N * 0.1 for k in (1, 2, 3))


def test_emails_use_reserved_domains(roster: list[Record]) -> None:
    emails = [r["email"] for r in roster if "email" in r]
    assert 0.8 < len(emails) / N < 0.95
    for email in emails:
        assert re.fullmatch(r"[a-z0-9._+-]+@([a-z0-9-]+\.)?example\.(com|org|net)", email), email


def test_the_truth_lines_up_with_the_records(roster: list[Record], truth: list[Record]) -> None:
    assert len(truth) == N
    for i, (record, t) in enumerate(zip(roster, truth, strict=True)):
        assert t["index"] == i
        assert (t["platform"], t["handle"]) == (record["platform"], record["handle"])
        assert (t["language"], t["country"]) == (record["language"], record["country"])
        assert t["categories"] == record["categories"]
        assert t["tier"] is tier_for_followers(record["followers"])
        assert t["virtual"] is record["is_virtual"]


# --- shape of the roster ---------------------------------------------------------------------


def test_every_platform_is_present_in_realistic_shares(roster: list[Record]) -> None:
    counts = Counter(r["platform"] for r in roster)
    assert set(counts) == set(PLATFORMS)
    ranked = [platform for platform, _ in counts.most_common()]
    assert ranked[:3] == ["instagram", "tiktok", "youtube"]
    assert 0.28 < counts["instagram"] / N < 0.42
    assert 0.18 < counts["tiktok"] / N < 0.30
    for small in (
        "x",
        "twitch",
        "linkedin",
        "facebook",
        "pinterest",
        "snapchat",
        "podcast",
        "blog",
    ):
        assert 0.01 < counts[small] / N < 0.08, small


def test_linkedin_is_mostly_b2b(truth: list[Record]) -> None:
    linkedin = [t for t in truth if t["platform"] == "linkedin"]
    assert share(linkedin, lambda t: t["niche"] == "b2b") > 0.45
    elsewhere = [t for t in truth if t["platform"] in ("instagram", "tiktok")]
    assert share(elsewhere, lambda t: t["niche"] == "b2b") < 0.01


def test_twitch_is_mostly_gaming(truth: list[Record]) -> None:
    twitch = [t for t in truth if t["platform"] == "twitch"]
    assert share(twitch, lambda t: t["niche"] == "gaming") > 0.55


@pytest.mark.parametrize(
    ("tier", "low", "high"),
    [
        (Tier.EMERGING, 0.015, 0.05),
        (Tier.NANO, 0.36, 0.44),
        (Tier.MICRO, 0.36, 0.44),
        (Tier.MID, 0.09, 0.15),
        (Tier.MACRO, 0.018, 0.045),
        (Tier.MEGA, 0.01, 0.03),
    ],
)
def test_tiers_come_in_realistic_proportions(
    roster: list[Record], tier: Tier, low: float, high: float
) -> None:
    assert low <= share(roster, lambda r: tier_for_followers(r["followers"]) is tier) <= high


def test_followers_spread_across_each_tier(honest: list[Record]) -> None:
    micro = sorted(
        r["followers"] for r in honest if tier_for_followers(r["followers"]) is Tier.MICRO
    )
    # log-uniform within 10K-100K: the median is near sqrt(10K * 100K) ~ 31.6K
    assert 22_000 < statistics.median(micro) < 45_000
    assert micro[0] < 12_000
    assert micro[-1] > 90_000


# Countries each language may come from (French Canada included).
LANGUAGE_COUNTRIES = {
    "en": {"US", "GB", "CA", "AU", "IE"},
    "es": {"ES", "MX", "AR", "CO"},
    "fr": {"FR", "BE", "CA"},
    "de": {"DE", "AT", "CH"},
}


def test_language_matches_country(roster: list[Record]) -> None:
    for record in roster:
        assert record["country"] in LANGUAGE_COUNTRIES[record["language"]], record["handle"]


@pytest.mark.parametrize(
    ("language", "low", "high"),
    [("en", 0.55, 0.65), ("es", 0.12, 0.18), ("fr", 0.10, 0.16), ("de", 0.09, 0.15)],
)
def test_language_shares(roster: list[Record], language: str, low: float, high: float) -> None:
    assert low <= share(roster, lambda r: r["language"] == language) <= high


STOPWORDS = {
    "en": {"the", "and", "my", "for", "you", "with", "your", "of", "to", "in", "is", "i", "this"},
    "es": {"el", "la", "los", "las", "de", "que", "y", "en", "con", "para", "mi", "por", "del"},
    "fr": {"le", "la", "les", "de", "des", "et", "en", "avec", "pour", "mon", "du", "je", "sur"},
    "de": {"der", "die", "das", "und", "mit", "ich", "für", "ein", "eine", "zum", "im", "mein"},
}


def guess_language(text: str) -> str:
    words = re.findall(r"(?<![#@\w])[^\W\d_]+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    return max(scores, key=scores.__getitem__)


def test_texts_are_written_in_the_records_language(roster: list[Record]) -> None:
    agree = sum(guess_language(" ".join(texts_of(r))) == r["language"] for r in roster)
    assert agree / N > 0.98


# Words only a creator of that niche writing in that language would use.
NICHE_WORDS = [
    ("en", "skincare", ("skincare", "spf", "serum", "skin barrier", "cleanser")),
    ("en", "gaming", ("stream", "boss", "#gaming", "ranked", "speedrun")),
    ("es", "food", ("receta", "#cocinacasera", "sartén", "masa madre")),
    ("es", "finance", ("ahorro", "fondos indexados", "#finanzaspersonales", "presupuesto")),
    ("fr", "beauty", ("maquillage", "#tutomaquillage", "teintes", "soft glam")),
    ("fr", "travel", ("voyage", "#carnetdevoyage", "bagage", "touristes")),
    ("de", "skincare", ("hautpflege", "#hautpflege", "lsf", "hautbarriere")),
    ("de", "parenting", ("kinder", "#familienalltag", "brotdose", "kleinkind")),
]


@pytest.mark.parametrize(("language", "niche", "words"), NICHE_WORDS)
def test_captions_use_niche_words_in_each_language(
    roster: list[Record], truth: list[Record], language: str, niche: str, words: tuple[str, ...]
) -> None:
    group = [
        r
        for r, t in zip(roster, truth, strict=True)
        if r["language"] == language and t["niche"] == niche and not t["fraud"]
    ]
    assert len(group) >= 5, (language, niche)

    def uses_niche_words(record: Record) -> bool:
        captions = " ".join(p["text"] for p in record["recent_posts"]).lower()
        return any(word in captions for word in words)

    assert share(group, uses_niche_words) > 0.6


def test_captions_carry_the_niche_hashtags(honest: list[Record]) -> None:
    hashtags = {
        niche: {"#" + tag for text in content.NICHE_TEXT[niche].values() for tag in text.hashtags}
        for niche in CATEGORIES
    }
    for record in honest:
        if record["platform"] not in ("instagram", "tiktok"):
            continue
        tags = set(re.findall(r"#\w+", " ".join(p["text"] for p in record["recent_posts"])))
        assert tags & hashtags[record["categories"][0]], record["handle"]


def test_no_template_markup_leaks_into_texts(roster: list[Record]) -> None:
    for record in roster:
        for text in texts_of(record):
            assert not re.search(r"[{}]|<<|>>", text), text
            assert text == text.strip(), repr(text)
            assert "  " not in text, repr(text)


# --- recent posts ----------------------------------------------------------------------------

VIDEO_PLATFORMS = {"instagram", "tiktok", "youtube", "x", "twitch", "facebook", "snapchat"}


def test_recent_posts_are_recent_ordered_and_linked(roster: list[Record]) -> None:
    oldest = DEMO_NOW - timedelta(days=RECENT_DAYS)
    for record in roster:
        posts = record["recent_posts"]
        assert 3 <= len(posts) <= 8
        times = [parse_utc(p["posted_at"]) for p in posts]
        assert all(oldest <= t <= DEMO_NOW for t in times)
        assert times == sorted(times, reverse=True)
        updated = parse_utc(record["updated_at"])
        assert times[0] <= updated <= DEMO_NOW
        assert len({p["url"] for p in posts}) == len(posts)
        for post in posts:
            assert post["url"].startswith("https://")
            assert post["likes"] >= 0 and post["comments"] >= 0
            assert (post["views"] is None) == (record["platform"] not in VIDEO_PLATFORMS)


def test_a_creator_does_not_repeat_a_caption(honest: list[Record]) -> None:
    repeats = 0
    for record in honest:
        texts = [p["text"].split("\n\n")[0] for p in record["recent_posts"]]
        repeats += len(texts) != len(set(texts))
    assert repeats / len(honest) < 0.02


# Upfront labels in the post's language (docs/compliance-rules.md D2/D3).
LABELS = {
    "en": re.compile(r"(?<![\w])#?ad(?![\w])|sponsored|paid partnership", re.IGNORECASE),
    "es": re.compile(r"publicidad|#publi\b|patrocinado|colaboración pagada", re.IGNORECASE),
    "fr": re.compile(r"publicité|collaboration commerciale", re.IGNORECASE),
    "de": re.compile(r"anzeige|werbung|bezahlte werbepartnerschaft", re.IGNORECASE),
}


def test_sponsored_posts_disclose_upfront_in_the_posts_language(roster: list[Record]) -> None:
    sponsored_by_language: Counter[str] = Counter()
    for record in roster:
        brands = record["brands_mentioned"]
        for post in record["recent_posts"]:
            if not any(brand in post["text"] for brand in brands):
                continue
            sponsored_by_language[record["language"]] += 1
            fold = post["text"][:125]
            assert LABELS[record["language"]].search(fold), post["text"]
            if record["country"] == "GB":
                assert re.search(r"(?<![\w])#?ad(?![\w])", fold, re.IGNORECASE), post["text"]
    assert all(sponsored_by_language[lang] >= 30 for lang in LABELS), sponsored_by_language


def test_sponsored_posts_name_a_brand_of_the_creators_niches(roster: list[Record]) -> None:
    for record in roster:
        niches_brands = {b for c in record["categories"] for b in content.brands_for(c)}
        assert set(record["brands_mentioned"]) <= niches_brands, record["handle"]


# --- engagement ------------------------------------------------------------------------------

# How far a platform's engagement may sit from the tier benchmark (tiktok above, text feeds below).
ENGAGEMENT_SPAN = (0.3, 1.8)


def test_engagement_rate_is_computed_from_the_averages(roster: list[Record]) -> None:
    given = [r for r in roster if "engagement_rate" in r]
    assert 0.85 < len(given) / N < 0.95
    for r in given:
        expected = round((r["avg_likes"] + r["avg_comments"]) / r["followers"], 5)
        assert r["engagement_rate"] == expected


def test_engagement_follows_the_tier_benchmarks(honest: list[Record]) -> None:
    low_span, high_span = ENGAGEMENT_SPAN
    for r in honest:
        if r["followers"] < 10_000:  # small counts round too coarsely to compare
            continue
        low, high = TIER_BENCHMARKS[tier_for_followers(r["followers"])].engagement_rate
        rate = (r["avg_likes"] + r["avg_comments"]) / r["followers"]
        assert low * low_span <= rate <= high * high_span, (r["platform"], r["followers"], rate)


def test_engagement_falls_with_tier_and_rises_on_tiktok(honest: list[Record]) -> None:
    by_tier: dict[Tier | None, list[float]] = defaultdict(list)
    by_platform: dict[str, list[float]] = defaultdict(list)
    for r in honest:
        rate = (r["avg_likes"] + r["avg_comments"]) / r["followers"]
        by_tier[tier_for_followers(r["followers"])].append(rate)
        if tier_for_followers(r["followers"]) is Tier.MICRO:
            by_platform[r["platform"]].append(rate)
    medians = [statistics.median(by_tier[t]) for t in (Tier.NANO, Tier.MICRO, Tier.MID)]
    assert medians == sorted(medians, reverse=True)
    tiktok = statistics.median(by_platform["tiktok"])
    assert tiktok > statistics.median(by_platform["instagram"])
    for text_feed in ("linkedin", "facebook", "x"):
        assert statistics.median(by_platform[text_feed]) < statistics.median(
            by_platform["instagram"]
        )


def test_likes_per_comment_are_plausible(honest: list[Record]) -> None:
    for r in honest:
        if r["avg_comments"] >= 20:
            assert 5 <= r["avg_likes"] / r["avg_comments"] <= 75, r["handle"]


def test_views_only_where_the_platform_counts_them(roster: list[Record]) -> None:
    for r in roster:
        if r["platform"] in VIDEO_PLATFORMS:
            assert isinstance(r["avg_views"], int)
            assert r["avg_views"] >= r["avg_likes"]
        else:
            assert r["avg_views"] is None


# --- fraud and virtual creators ----------------------------------------------------------------


def test_a_few_fraud_like_profiles_with_engagement_far_below_their_tier(
    roster: list[Record], truth: list[Record]
) -> None:
    fraud = [r for r, t in zip(roster, truth, strict=True) if t["fraud"]]
    assert 0.005 * N <= len(fraud) <= 0.02 * N
    for r in fraud:
        tier = tier_for_followers(r["followers"])
        assert tier in (Tier.MICRO, Tier.MID, Tier.MACRO, Tier.MEGA)
        rate = (r["avg_likes"] + r["avg_comments"]) / r["followers"]
        assert rate < TIER_BENCHMARKS[tier].engagement_rate[0] / 5, (r["handle"], rate)


def test_fraud_is_separable_only_by_behaviour(
    roster: list[Record], truth: list[Record], honest: list[Record]
) -> None:
    # Nothing in a fraud-like record names it: the same fields, the same source ...
    fields = {key for r in roster for key in r}
    fraud = [r for r, t in zip(roster, truth, strict=True) if t["fraud"]]
    assert {key for r in fraud for key in r} <= fields
    assert {r["source"] for r in fraud} == {"demo"}
    # ... but its numbers give it away: every honest creator of 10K+ engages more.
    worst_fraud = max((r["avg_likes"] + r["avg_comments"]) / r["followers"] for r in fraud)
    best_honest_low = min(
        (r["avg_likes"] + r["avg_comments"]) / r["followers"]
        for r in honest
        if r["followers"] >= 10_000
    )
    assert worst_fraud < best_honest_low


def test_fraud_audiences_come_from_far_away(roster: list[Record], truth: list[Record]) -> None:
    fraud = [
        r
        for r, t in zip(roster, truth, strict=True)
        if t["fraud"] and "countries" in r.get("audience", {})
    ]
    assert fraud
    for r in fraud:
        assert r["audience"]["countries"][r["country"]] < 0.3


VIRTUAL_WORDS = re.compile(r"\bAI\b|\bIA\b|\bKI\b|virtu|digital|numérique|CGI", re.IGNORECASE)


def test_virtual_creators_exist_and_say_so(roster: list[Record]) -> None:
    virtual = [r for r in roster if r["is_virtual"]]
    assert 3 <= len(virtual) <= 0.01 * N
    for r in virtual:
        assert VIRTUAL_WORDS.search(r["bio"]), r["bio"]
    humans = [r for r in roster if not r["is_virtual"]]
    assert not any(
        re.search(r"\bAI-generated|KI-generiert|generado con IA", r["bio"]) for r in humans
    )


# --- audiences -------------------------------------------------------------------------------


def assert_distribution(shares: dict[str, float]) -> None:
    assert all(0.0 <= v <= 1.0 for v in shares.values()), shares
    assert math.isclose(sum(shares.values()), 1.0, abs_tol=0.001), shares


def test_audience_distributions_are_valid(roster: list[Record]) -> None:
    for r in roster:
        audience = r.get("audience")
        if audience is None:
            continue
        assert audience
        if "age" in audience:
            assert set(audience["age"]) == set(content_age_bands())
            assert_distribution(audience["age"])
        if "gender" in audience:
            assert set(audience["gender"]) == {"female", "male", "other"}
            assert_distribution(audience["gender"])
        if "countries" in audience:
            assert_distribution(audience["countries"])
            assert all(re.fullmatch(r"[A-Z]{2}", c) for c in audience["countries"])
        if "interests" in audience:
            assert 3 <= len(audience["interests"]) <= 6


def content_age_bands() -> tuple[str, ...]:
    return ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")


def test_some_audiences_are_missing_or_partial(roster: list[Record]) -> None:
    missing = share(roster, lambda r: "audience" not in r)
    partial = share(roster, lambda r: "audience" in r and len(r["audience"]) < 4)
    assert 0.05 < missing < 0.11
    assert 0.07 < partial < 0.13


def test_the_home_country_dominates(honest: list[Record]) -> None:
    for r in honest:
        countries = r.get("audience", {}).get("countries")
        if countries:
            assert max(countries, key=countries.__getitem__) == r["country"], r["handle"]


def mean_of(records: list[Record], niche: str, value: Any) -> float:
    picked = [
        value(r["audience"])
        for r in records
        if r["categories"][0] == niche
        and "gender" in r.get("audience", {})
        and "age" in r["audience"]
    ]
    assert len(picked) >= 20, niche
    return statistics.mean(picked)


def test_audiences_fit_the_niche(honest: list[Record]) -> None:
    def female(a: Record) -> float:
        return float(a["gender"]["female"])

    def young_adults(a: Record) -> float:
        return float(a["age"]["18-24"] + a["age"]["25-34"])

    def working_age(a: Record) -> float:
        return float(a["age"]["25-34"] + a["age"]["35-44"] + a["age"]["45-54"])

    assert mean_of(honest, "beauty", female) > 0.75
    assert mean_of(honest, "parenting", female) > 0.75
    assert mean_of(honest, "gaming", female) < 0.35
    assert mean_of(honest, "finance", female) < 0.42
    assert mean_of(honest, "gaming", young_adults) > 0.6
    assert mean_of(honest, "finance", young_adults) > 0.6
    assert mean_of(honest, "b2b", working_age) > 0.75


def test_a_vegan_skincare_brief_finds_relevant_creators(roster: list[Record]) -> None:
    """'Vegan skincare launch in the US, women 25-34 who care about sustainability'."""

    def fits(r: Record) -> bool:
        audience = r.get("audience", {})
        return (
            "skincare" in r["categories"]
            and bool({"vegan", "sustainability"} & set(r["categories"]))
            and r["country"] == "US"
            and audience.get("gender", {}).get("female", 0) > 0.6
            and audience.get("age", {}).get("25-34", 0) >= 0.3
        )

    matches = [r for r in roster if fits(r)]
    assert len(matches) >= 10
    words = re.compile(r"vegan|cruelty-free|plant-based|low-waste|sustainab", re.IGNORECASE)
    assert share(matches, lambda r: bool(words.search(" ".join(texts_of(r))))) > 0.9


# --- rates -----------------------------------------------------------------------------------

USD_PER = {"USD": 1.0, "EUR": 1 / 0.92, "GBP": 1 / 0.79}
CURRENCY = {
    "GB": "GBP",
    "IE": "EUR",
    "ES": "EUR",
    "FR": "EUR",
    "BE": "EUR",
    "DE": "EUR",
    "AT": "EUR",
}
# Deliverables a platform does not have are never priced.
NO_FORMAT = {
    "instagram": {"video"},
    "tiktok": {"story", "video"},
    "youtube": {"story"},
    "x": {"story", "video", "short"},
    "twitch": {"story", "short"},
    "linkedin": {"story", "short"},
    "facebook": set(),
    "pinterest": {"story", "video", "short"},
    "snapchat": {"post", "video"},
    "podcast": {"story", "video", "short"},
    "blog": {"story", "video", "short"},
}


def test_rates_follow_the_tier_benchmarks(roster: list[Record]) -> None:
    priced = [r for r in roster if "rates" in r]
    assert 0.8 < len(priced) / N < 0.9
    for r in priced:
        rates = r["rates"]
        assert rates["currency"] == CURRENCY.get(r["country"], "USD")
        for deliverable in NO_FORMAT[r["platform"]]:
            assert rates[deliverable] is None, (r["platform"], deliverable)
        if rates["post"] is None:
            continue
        low, high = TIER_BENCHMARKS[tier_for_followers(r["followers"])].cost_per_post_usd
        usd = rates["post"] * USD_PER[rates["currency"]]
        assert max(low, 15) * 0.45 <= usd <= high * 1.75, (r["followers"], r["platform"], usd)


def test_rates_rise_with_followers(roster: list[Record]) -> None:
    def median_post(tier: Tier) -> float:
        return statistics.median(
            r["rates"]["post"] * USD_PER[r["rates"]["currency"]]
            for r in roster
            if r.get("rates", {}).get("post") and tier_for_followers(r["followers"]) is tier
        )

    medians = [median_post(t) for t in (Tier.NANO, Tier.MICRO, Tier.MID, Tier.MACRO)]
    assert medians == sorted(medians)


# --- the vocabulary --------------------------------------------------------------------------


def test_every_niche_is_written_in_every_language() -> None:
    assert set(content.NICHE_TEXT) == set(content.NICHE_VOCAB) == set(CATEGORIES)
    for niche, by_language in content.NICHE_TEXT.items():
        assert set(by_language) == set(content.LANGUAGES), niche
        for lang, text in by_language.items():
            for field in ("taglines", "bios", "topics", "items", "captions", "hashtags"):
                values = getattr(text, field)
                assert len(values) >= 3, (niche, lang, field)
                assert len(set(values)) == len(values), (niche, lang, field)
            assert all(re.fullmatch(r"[^\s#]+", tag) for tag in text.hashtags), (niche, lang)


def all_templates() -> list[str]:
    templates = [
        *(t for by in content.GENERIC_CAPTIONS.values() for t in by),
        *(t for by in content.SPONSORED_CAPTIONS.values() for t in by),
        *(t for by in content.SPONSOR_LABELS.values() for t in by),
        *content.SPONSOR_LABELS_GB,
        *(t for by in content.FRAUD_CAPTIONS.values() for t in by),
        *(t for by in content.VIRTUAL_BIOS.values() for t in by),
        *(t for by in content.SHOW_PATTERNS.values() for t in by),
        *(t for by in content.PODCAST_PATTERNS.values() for t in by),
    ]
    for by_language in content.NICHE_TEXT.values():
        for text in by_language.values():
            templates += [*text.taglines, *text.bios, *text.captions]
    return templates


def test_templates_use_only_known_slots() -> None:
    slots = dict.fromkeys(content.SLOTS, "x")
    for template in all_templates():
        resolved = re.sub(r"<<([^|>]*)\|([^>]*)>>", r"\1", template)
        assert "<<" not in resolved and ">>" not in resolved, template
        assert "{" not in resolved.format(**slots), template


def test_brands_are_a_fixed_fictional_list() -> None:
    for niche in CATEGORIES:
        brands = content.brands_for(niche)
        assert len(brands) == len(set(brands)) >= 50, niche
    everything = {b.lower() for n in CATEGORIES for b in content.brands_for(n)}
    real = {"nike", "adidas", "sephora", "glossier", "l'oréal", "apple", "samsung", "red bull"}
    assert not everything & real
