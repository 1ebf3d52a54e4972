"""The scoring components of one creator record, with their reasons: what the catalog's
columns are built from (engagement against the tier benchmark, the cost of a post, brand-
safety keyword hits, past collaborations) and what explains a result (audience, cost,
brand safety and competitor conflicts in words). Each returns a :class:`ComponentScore`: a
score in [0, 1], or None when the data to judge is missing, with human-readable reasons.

How the components combine into one score, vectorised over every candidate, is
:mod:`matcher.scorer`; formulas and constants are documented in ``docs/matcher-scoring.md``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from core.errors import InvalidInputError
from core.money import FX_TO_USD
from core.tiers import TIER_BENCHMARKS, Tier
from matcher.brief import AGE_BANDS, Objective, TargetAudience
from matcher.features import creator_features, format_count, format_pct

__all__ = [
    "AUDIENCE_DIMENSION_WEIGHTS",
    "BRAND_SAFETY_KEYWORDS",
    "FX_TO_USD",
    "ComponentScore",
    "Contribution",
    "Explanation",
    "audience_fit",
    "brand_needle",
    "brand_safety",
    "conflicts",
    "cost_efficiency",
    "engagement_quality",
    "recent_competitor_mentions",
    "safety_categories_for",
    "safety_hit_counts",
]


@dataclass(frozen=True)
class ComponentScore:
    """One component's verdict: ``score`` in [0, 1] or None when unknown."""

    name: str
    score: float | None
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


# ---------------------------------------------------------------------------- audience fit

# The weight of each audience dimension in audience_fit (renormalised over those present).
AUDIENCE_DIMENSION_WEIGHTS: dict[str, float] = {
    "age": 0.3,
    "gender": 0.25,
    "countries": 0.3,
    "interests": 0.15,
}
_GENDER_WORDS = {"female": "women", "male": "men", "other": "other genders"}


def _shares(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, float] = {}
    for k, v in value.items():
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 and math.isfinite(v):
            out[str(k)] = float(v)
    return out


def _js_similarity(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """1 - the Jensen-Shannon distance (base 2) of two distributions, in [0, 1].

    Plain Python: the distributions have a handful of buckets, where numpy's per-call
    overhead cost more than the arithmetic (this runs for every candidate of every match).
    """
    sp, sq = sum(p.values()), sum(q.values())
    jsd = 0.0
    for k in set(p) | set(q):
        a, b = p.get(k, 0.0) / sp, q.get(k, 0.0) / sq
        m = (a + b) / 2
        if a > 0:
            jsd += a * math.log2(a / m)
        if b > 0:
            jsd += b * math.log2(b / m)
    return _clip(1.0 - math.sqrt(max(0.0, jsd / 2)))


def _dimension(
    target: Mapping[str, float], audience: Mapping[str, float], *, open_ended: bool
) -> tuple[float, float, float]:
    """(score, coverage, similarity): coverage is the audience share inside the target,
    similarity 1 - JS distance; the score is their mean. ``open_ended`` audiences (top
    countries only) get an ``other`` bucket for the unlisted rest."""
    aud = dict(audience)
    total = sum(aud.values())
    if open_ended and total < 1.0:
        aud["\0other"] = 1.0 - total
    total = sum(aud.values())
    coverage = sum(share for key, share in aud.items() if key in target) / total
    similarity = _js_similarity(target, aud)
    return (coverage + similarity) / 2, coverage, similarity


def _norm(word: str) -> str:
    w = unicodedata.normalize("NFKD", word.casefold())
    w = "".join(c for c in w if not unicodedata.combining(c)).strip()
    return w[:-1] if len(w) > 3 and w.endswith("s") else w


def audience_fit(target: TargetAudience, audience: Mapping[str, Any] | None) -> ComponentScore:
    """How well the creator's audience matches the brief's target audience.

    Each dimension the target names and the audience reports (age, gender, countries) scores
    the mean of the audience share inside the target (coverage) and 1 - the Jensen-Shannon
    distance between the two distributions; interests score the share of target interests the
    audience has. Dimensions are combined with :data:`AUDIENCE_DIMENSION_WEIGHTS` over those
    present. No audience data, or a target that names nothing: score None.
    """
    if target.is_empty():
        return ComponentScore("audience_fit", None, ("the brief names no target audience",))
    if not isinstance(audience, Mapping) or not any(
        audience.get(k) for k in ("age", "gender", "countries", "interests")
    ):
        return ComponentScore("audience_fit", None, ("no audience data",))

    scores: dict[str, float] = {}
    coverages: dict[str, float] = {}
    reasons: list[str] = []
    missing: list[str] = []

    age = _shares(audience.get("age"))
    # Bands weighted 0 are no target (all of them 0: no age target at all).
    t_age = {band: w for band, w in target.age if w > 0}
    if t_age:
        if age:
            scores["age"], coverages["age"], _ = _dimension(t_age, age, open_ended=False)
            label = _age_label(t_age)
            reasons.append(f"{format_pct(coverages['age'])} of the audience is {label}")
        else:
            missing.append("age")

    gender = _shares(audience.get("gender"))
    if target.genders:
        if gender:
            t_gender = dict.fromkeys(target.genders, 1.0)
            scores["gender"], coverages["gender"], _ = _dimension(
                t_gender, gender, open_ended=False
            )
            words = " and ".join(_GENDER_WORDS.get(g, g) for g in target.genders)
            reasons.append(f"{format_pct(coverages['gender'])} {words}")
        else:
            missing.append("gender")

    countries = {k.upper(): v for k, v in _shares(audience.get("countries")).items()}
    if target.countries:
        if countries:
            t_countries = dict.fromkeys((c.upper() for c in target.countries), 1.0)
            scores["countries"], coverages["countries"], _ = _dimension(
                t_countries, countries, open_ended=True
            )
            reasons.append(f"{format_pct(coverages['countries'])} in {', '.join(t_countries)}")
        else:
            missing.append("countries")

    raw_interests = audience.get("interests")
    interests = (
        {_norm(i): i for i in raw_interests if isinstance(i, str)}
        if isinstance(raw_interests, list)
        else {}
    )
    if target.interests:
        if interests:
            matched = [i for i in target.interests if _norm(i) in interests]
            scores["interests"] = len(matched) / len(target.interests)
            if matched:
                reasons.append("audience interests include " + ", ".join(matched))
            else:
                reasons.append("audience interests do not include " + ", ".join(target.interests))
        else:
            missing.append("interests")

    if "age" in coverages and "gender" in coverages and len(target.genders) == 1:
        joint = coverages["age"] * coverages["gender"]
        reasons.insert(
            0,
            f"about {format_pct(joint)} of the audience is "
            f"{_GENDER_WORDS.get(target.genders[0], target.genders[0])} "
            f"{_age_label(dict(target.age))} (estimated from the age and gender shares)",
        )
    if not scores:
        return ComponentScore(
            "audience_fit",
            None,
            (f"no audience data on {', '.join(missing)}",),
            {"missing": missing},
        )
    if missing:
        reasons.append(f"no {', '.join(missing)} data; scored on {', '.join(scores)} only")
    total = sum(AUDIENCE_DIMENSION_WEIGHTS[d] for d in scores)
    score = sum(AUDIENCE_DIMENSION_WEIGHTS[d] * s for d, s in scores.items()) / total
    return ComponentScore(
        "audience_fit",
        score,
        tuple(reasons),
        {"dimensions": scores, "coverage": coverages, "missing": missing},
    )


def _age_label(bands: Mapping[str, float]) -> str:
    order = [b for b, _, _ in AGE_BANDS]
    keys = sorted((b for b in bands if b in order), key=order.index)
    if not keys:
        return "in the target age"
    lows = [lo for b, lo, _ in AGE_BANDS if b in keys]
    his = [hi for b, _, hi in AGE_BANDS if b in keys]
    contiguous = [order.index(k) for k in keys] == list(
        range(order.index(keys[0]), order.index(keys[-1]) + 1)
    )
    if contiguous:
        if keys[-1] == "55+":
            return f"{min(lows)}+"
        return f"{min(lows)}-{max(his)}"
    return " or ".join(keys)


# ------------------------------------------------------------------------ engagement quality


def engagement_quality(record: Mapping[str, Any]) -> ComponentScore:
    """The engagement rate against the creator's tier and platform benchmark.

    Piecewise linear in log(rate): a quarter of the benchmark's low end scores 0, the low end
    0.5, the high end 0.9, twice the high end 1.0.
    """
    f = creator_features(record)
    if f.engagement_rate is None:
        return ComponentScore("engagement_quality", None, ("engagement unknown",))
    if f.tier is None or f.benchmark is None:
        return ComponentScore(
            "engagement_quality",
            None,
            (f"engagement {format_pct(f.engagement_rate)}; follower count unknown, no benchmark",),
        )
    low, high = f.benchmark
    rate = f.engagement_rate
    score = _log_interp(rate, [(low / 4, 0.0), (low, 0.5), (high, 0.9), (2 * high, 1.0)])
    where = (
        f"above the {f.tier.value} benchmark"
        if rate > high
        else f"within the {f.tier.value} benchmark"
        if rate >= low
        else f"below the {f.tier.value} benchmark"
    )
    platform = f" on {f.platform}" if f.platform else ""
    computed = " (computed from likes and comments)" if f.engagement_rate_computed else ""
    reason = (
        f"engagement {format_pct(rate)}{computed}, {where}{platform} "
        f"{format_pct(low)}-{format_pct(high)}"
    )
    return ComponentScore(
        "engagement_quality",
        score,
        (reason,),
        {"engagement_rate": rate, "benchmark": (low, high), "tier": f.tier.value},
    )


def _log_interp(x: float, points: Sequence[tuple[float, float]]) -> float:
    if x <= 0:
        return points[0][1]
    xs = [math.log(p[0]) for p in points]
    ys = [p[1] for p in points]
    return float(np.interp(math.log(x), xs, ys))


# --------------------------------------------------------------------------- cost efficiency

# Fixed conversion rates to USD (core.money), an assumption stated in the reasons.

# A representative follower count per tier (geometric mid of the bounds; mega assumed 3M)
# to turn the per-post cost benchmark into a cost per engagement / per 1,000 followers.
_TIER_TYPICAL_FOLLOWERS: dict[Tier, float] = {
    Tier.EMERGING: 500.0,
    Tier.NANO: math.sqrt(1e3 * 1e4),
    Tier.MICRO: math.sqrt(1e4 * 1e5),
    Tier.MID: math.sqrt(1e5 * 5e5),
    Tier.MACRO: math.sqrt(5e5 * 1e6),
    Tier.MEGA: 3e6,
}
# Which rate stands for "a post" on each platform, in order of preference.
_RATE_KEYS: dict[str, tuple[str, ...]] = {
    "youtube": ("video", "short", "post"),
    "tiktok": ("short", "video", "post"),
    "twitch": ("video", "post"),
    "podcast": ("post", "video"),
}
_REACH_OBJECTIVES = frozenset({Objective.AWARENESS, Objective.LAUNCH, Objective.PR})


def _money(amount: float) -> str:
    return f"${amount:,.0f}" if amount >= 10 else f"${amount:,.2f}"


def cost_efficiency(record: Mapping[str, Any], objective: Objective | None) -> ComponentScore:
    """Cost per engagement (or per 1,000 followers for awareness, launch and PR) against the
    tier benchmark: the same ratio as the benchmark scores 0.5, 4x cheaper 1.0, 4x dearer 0.

    The cost per post comes from ``rates`` (converted to USD at :data:`FX_TO_USD`), else from
    the midpoint of the tier's cost benchmark, and the reasons say which.
    """
    f = creator_features(record)
    if f.tier is None or f.followers is None:
        return ComponentScore("cost_efficiency", None, ("follower count unknown",))
    bench = TIER_BENCHMARKS[f.tier]
    reasons: list[str] = []
    cost, source = _cost_per_post(record, f.platform)
    if cost is None:
        cost = sum(bench.cost_per_post_usd) / 2
        lo, hi = bench.cost_per_post_usd
        reasons.append(
            f"no rates; estimated {_money(cost)} a post from the {f.tier.value} benchmark "
            f"({_money(lo)}-{_money(hi)})"
        )
        source = "benchmark"
    elif source.startswith("rates."):
        reasons.append(f"{_money(cost)} a post ({source})")
    else:
        reasons.append(source)
    if cost <= 0:
        return ComponentScore(
            "cost_efficiency", 1.0, (*reasons, "free"), {"cost_per_post_usd": 0.0}
        )
    typical = _TIER_TYPICAL_FOLLOWERS[f.tier]
    bench_cost = sum(bench.cost_per_post_usd) / 2
    details: dict[str, Any] = {"cost_per_post_usd": cost, "cost_source": source}
    if objective in _REACH_OBJECTIVES:
        cpm = cost / f.followers * 1000 if f.followers else math.inf
        bench_cpm = bench_cost / typical * 1000
        ratio = bench_cpm / cpm if cpm > 0 else 4.0
        details.update(cost_per_1000_followers=cpm, benchmark=bench_cpm)
        reasons.append(
            f"{_money(cpm)} per 1,000 followers ({f.tier.value} typical {_money(bench_cpm)})"
        )
    else:
        engagements = (
            (f.avg_likes or 0.0) + (f.avg_comments or 0.0)
            if f.avg_likes is not None or f.avg_comments is not None
            else (f.engagement_rate or 0.0) * f.followers
        )
        if engagements <= 0:
            return ComponentScore(
                "cost_efficiency",
                None,
                (*reasons, "engagements per post unknown"),
                details,
            )
        cpe = cost / engagements
        bench_cpe = bench_cost / (sum(bench.engagement_rate) / 2 * typical)
        ratio = bench_cpe / cpe
        details.update(engagements_per_post=engagements, cost_per_engagement=cpe)
        details["benchmark"] = bench_cpe
        reasons.append(
            f"~{format_count(engagements)} engagements a post, {_money(cpe)} per engagement "
            f"({f.tier.value} typical {_money(bench_cpe)})"
        )
    score = _clip(0.5 + 0.25 * math.log2(ratio)) if ratio > 0 else 0.0
    return ComponentScore("cost_efficiency", score, tuple(reasons), details)


def _cost_per_post(record: Mapping[str, Any], platform: str | None) -> tuple[float | None, str]:
    rates = record.get("rates")
    if not isinstance(rates, Mapping):
        return None, ""
    currency = str(rates.get("currency") or "USD").upper()
    for key in (*_RATE_KEYS.get(platform or "", ("post", "video", "short")), "story"):
        amount = rates.get(key)
        if isinstance(amount, int | float) and not isinstance(amount, bool) and amount >= 0:
            if currency not in FX_TO_USD:
                return None, ""
            usd = float(amount) * FX_TO_USD[currency]
            if currency == "USD":
                return usd, f"rates.{key}"
            return usd, (
                f"{_money(usd)} a post (rates.{key}: {amount:,.0f} {currency}"
                f" at a fixed {FX_TO_USD[currency]} USD/{currency}, an assumption)"
            )
    return None, ""


# ------------------------------------------------------------------------------ brand safety

# Keywords per category in EN / ES / FR / DE, matched case- and accent-insensitively on word
# boundaries; a trailing ``*`` matches any ending (``beer*`` -> beers).
BRAND_SAFETY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "alcohol": (
        "alcohol",
        "beer*",
        "wine*",
        "vodka",
        "whisk*y",
        "tequila",
        "rum",
        "gin",
        "cocktail*",
        "booze",
        "drunk",
        "hangover",
        "cerveza*",
        "vino*",
        "borracho*",
        "resaca",
        "bière*",
        "vin",
        "vins",
        "ivre",
        "gueule de bois",
        "bier",
        "wein",
        "schnaps",
        "betrunken",
        "kater",
        "alcool",
        "alkohol",
    ),
    "gambling": (
        "casino*",
        "betting",
        "bet365",
        "poker",
        "slots",
        "sportsbook",
        "gambling",
        "apuesta*",
        "apostar",
        "tragamonedas",
        "paris sportifs",
        "jeux d'argent",
        "glücksspiel",
        "wette*",
        "spielothek",
        "sportwette*",
    ),
    "profanity": (
        "fuck*",
        "shit*",
        "bitch*",
        "asshole*",
        "motherfucker*",
        "mierda",
        "joder",
        "puta*",
        "cabrón",
        "coño",
        "merde",
        "putain",
        "connard*",
        "salope*",
        "scheiße",
        "scheisse",
        "arschloch",
        "fotze",
        "wichser",
    ),
    "violence": (
        "gun",
        "guns",
        "shooting",
        "murder*",
        "gore",
        "arma",
        "armas",
        "disparo*",
        "asesinato*",
        "matar",
        "fusil*",
        "meurtre*",
        "tuer",
        "waffe*",
        "mord",
        "töten",
        "schießerei",
    ),
    "politics": (
        "election*",
        "democrat*",
        "republican*",
        "trump",
        "biden",
        "vote for",
        "elecciones",
        "votar",
        "élection*",
        "politique",
        "voter pour",
        "wahlen",
        "partei",
        "afd",
        "cdu",
        "spd",
    ),
    "adult": (
        "onlyfans",
        "nsfw",
        "xxx",
        "porn*",
        "nude*",
        "desnud*",
        "nackt",
        "erotik",
    ),
    "drugs": (
        "weed",
        "cannabis",
        "marijuana",
        "cocaine",
        "lsd",
        "mdma",
        "ecstasy",
        "drugs",
        "420",
        "marihuana",
        "cocaína",
        "drogas",
        "porro*",
        "drogue*",
        "cocaïne",
        "drogen",
        "kokain",
        "kiffen",
    ),
}
# Each category with a hit costs 0.4, plus 0.1 per further hit (up to 0.7).
_SAFETY_BASE_PENALTY = 0.4
_SAFETY_EXTRA_PENALTY = 0.1
_SAFETY_MAX_PENALTY = 0.7


# Every combining mark (accents and the like) -> None, for str.translate: stripping them
# after NFKD is then one C-level pass instead of a Python generator over the characters.
# The last combining mark is U+1E94A (Unicode 15); tests check none lies above the range.
_COMBINING_END = 0x1F000
_COMBINING = {cp: None for cp in range(_COMBINING_END) if unicodedata.combining(chr(cp))}


def _fold(text: str) -> str:
    if text.isascii():  # most captions: nothing to strip, and this path is C-speed
        return text.casefold()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_COMBINING)


def _keyword_regex(words: Iterable[str]) -> re.Pattern[str]:
    alts = []
    for w in words:
        star = w.endswith("*")
        body = re.escape(_fold(w.rstrip("*"))).replace(r"\*", r"\w*").replace(r"\ ", r"\s+")
        alts.append(body + (r"\w*" if star else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")


_SAFETY_RES: dict[str, re.Pattern[str]] = {
    cat: _keyword_regex(words) for cat, words in BRAND_SAFETY_KEYWORDS.items()
}
# Every category in one regex, one named group each: a text is scanned once for all of them.
_SAFETY_UNION: re.Pattern[str] = re.compile(
    r"(?<!\w)(?:"
    + "|".join(
        f"(?P<{cat}>" + regex.pattern.removeprefix(r"(?<!\w)(?:").removesuffix(r")(?!\w)") + ")"
        for cat, regex in _SAFETY_RES.items()
    )
    + r")(?!\w)"
)


def _texts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(where, text) pairs: the bio and each recent post."""
    out: list[tuple[str, str]] = []
    bio = record.get("bio")
    if isinstance(bio, str) and bio.strip():
        out.append(("bio", bio))
    posts = record.get("recent_posts")
    if isinstance(posts, list):
        for i, post in enumerate(posts):
            if isinstance(post, Mapping) and isinstance(post.get("text"), str):
                out.append((f"post {i + 1}", post["text"]))
    return out


SAFETY_CATEGORY_ORDER: tuple[str, ...] = tuple(BRAND_SAFETY_KEYWORDS)


def safety_hit_counts(record: Mapping[str, Any]) -> tuple[int, ...] | None:
    """Keyword hits per brand-safety category (:data:`SAFETY_CATEGORY_ORDER`) in the bio
    and recent posts; None when there is no text to check."""
    texts = _texts(record)
    if not texts:
        return None
    counts = dict.fromkeys(SAFETY_CATEGORY_ORDER, 0)
    for _where, text in texts:
        for match in _SAFETY_UNION.finditer(_fold(text)):
            if match.lastgroup in counts:
                counts[match.lastgroup] += 1
    return tuple(counts.values())


def safety_categories_for(brief_text: str) -> tuple[str, ...]:
    """The brand-safety categories worth checking for a brief: all of them but those the
    brief itself asks for (a brief for a politics podcast does not penalise politics)."""
    folded = _fold(brief_text)
    return tuple(cat for cat, regex in _SAFETY_RES.items() if not regex.search(folded))


def brand_safety(
    record: Mapping[str, Any],
    categories: Iterable[str] | None = None,
    *,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> ComponentScore:
    """Brand-unsafe words in the bio and recent posts.

    Args:
        categories: the categories to check (default: all of ``keywords``).
        keywords: category -> words, replacing :data:`BRAND_SAFETY_KEYWORDS`.

    Raises:
        InvalidInputError: for a category that has no keywords (field ``brand_safety``).
    """
    lexicon = BRAND_SAFETY_KEYWORDS if keywords is None else keywords
    cats = list(lexicon) if categories is None else list(dict.fromkeys(categories))
    for cat in cats:
        if cat not in lexicon:
            raise InvalidInputError.for_field(
                "brand_safety", f"unknown category {cat!r}; use one of {sorted(lexicon)}"
            )
    texts = _texts(record)
    if not texts:
        return ComponentScore("brand_safety", None, ("no bio or posts to check",))
    if not cats:
        return ComponentScore("brand_safety", None, ("no brand safety categories requested",))
    regexes = _SAFETY_RES if keywords is None else {c: _keyword_regex(lexicon[c]) for c in cats}
    folded = [(where, _fold(text)) for where, text in texts]  # once, not once per category
    # (category -> matched words, places, count); one pass of the union regex per text when
    # the default lexicon is used, else one pass per category.
    found_by_cat: dict[str, tuple[dict[str, None], dict[str, None], list[int]]] = {
        cat: ({}, {}, [0]) for cat in cats
    }
    for where, text in folded:
        if keywords is None:
            matches = [(m.lastgroup or "", m.group()) for m in _SAFETY_UNION.finditer(text)]
        else:
            matches = [(cat, w) for cat in cats for w in regexes[cat].findall(text)]
        for cat, word in matches:
            if cat in found_by_cat:
                words_, places_, count_ = found_by_cat[cat]
                words_[word] = None
                places_[where] = None
                count_[0] += 1
    score = 1.0
    reasons: list[str] = []
    hits_by_cat: dict[str, list[str]] = {}
    for cat in cats:
        words, places, counter = found_by_cat[cat]
        count = counter[0]
        if count:
            hits_by_cat[cat] = list(words)
            score *= 1 - min(
                _SAFETY_MAX_PENALTY, _SAFETY_BASE_PENALTY + _SAFETY_EXTRA_PENALTY * (count - 1)
            )
            quoted = ", ".join(f"'{w}'" for w in list(words)[:5])
            where_txt = ", ".join(list(places)[:3]) + (" ..." if len(places) > 3 else "")
            reasons.append(f"{cat}: {quoted} in {where_txt}")
    if not reasons:
        reasons.append(f"no {', '.join(cats)} keywords in the bio or {len(texts)} texts checked")
    return ComponentScore(
        "brand_safety", score, tuple(reasons), {"matches": hits_by_cat, "checked": cats}
    )


# --------------------------------------------------------------------------------- conflicts

CONFLICT_WINDOW_DAYS = 90
# A competitor collaboration listed in brands_mentioned (undated) scores this.
_PAST_COLLABORATION_SCORE = 0.5
# A post older than the window still costs a little.
_OLD_MENTION_SCORE = 0.9


def _brand_pattern(brand: str) -> re.Pattern[str]:
    # "Green Bowl" also matches greenbowl, @greenbowl, #green_bowl
    parts = [re.escape(p) for p in re.split(r"[\s_\-.]+", _fold(brand)) if p]
    return re.compile(r"(?<![\w])[@#]?" + r"[\s_\-.]?".join(parts) + r"(?!\w)")


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _latest_mention(
    posts: Sequence[object], rx: re.Pattern[str], now: datetime
) -> tuple[datetime | None, bool]:
    """The latest dated post matching ``rx`` and whether an undated one matched."""
    latest: datetime | None = None
    undated = False
    for post in posts:
        if not isinstance(post, Mapping) or not isinstance(post.get("text"), str):
            continue
        if not rx.search(_fold(post["text"])):
            continue
        posted = _parse_time(post.get("posted_at"))
        if posted is None:
            undated = True
            continue
        if posted.tzinfo is None:
            posted = posted.replace(tzinfo=now.tzinfo)
        if latest is None or posted > latest:
            latest = posted
    return latest, undated


def recent_competitor_mentions(
    record: Mapping[str, Any],
    competitor_brands: Iterable[str],
    now: datetime,
    *,
    window_days: int = CONFLICT_WINDOW_DAYS,
) -> tuple[tuple[str, datetime], ...]:
    """(brand, post time) of each competitor the creator posted about within ``window_days``
    of ``now``: the campaign's "mentioned a competitor recently" exclusion. Undated posts and
    past collaborations do not count here; :func:`conflicts` scores them."""
    posts = record.get("recent_posts") if isinstance(record.get("recent_posts"), list) else []
    window = timedelta(days=window_days)
    found = []
    for brand in dict.fromkeys(b for b in competitor_brands if b.strip()):
        latest, _undated = _latest_mention(posts or [], _brand_pattern(brand), now)
        if latest is not None and now - latest <= window:
            found.append((brand, latest))
    return tuple(found)


def brand_needle(brand: str) -> str:
    """A lower-case ASCII substring of every text :func:`conflicts` matches for ``brand``,
    for a cheap database prefilter ("" when there is none, e.g. a brand name without ASCII
    letters: then every creator is checked). The prefilter compares the stored text
    lower-cased but not accent-folded, so a post that spells an accent-free brand name with
    accents ("Oréal" for "Oreal") passes it unnoticed; :func:`conflicts` still scores it."""
    parts = [p for p in re.split(r"[\s_\-.]+", _fold(brand)) if p]
    runs = [run for p in parts for run in re.findall(r"[a-z0-9]+", p)]
    return max(runs, key=len, default="")


def conflicts(
    record: Mapping[str, Any],
    competitor_brands: Iterable[str],
    now: datetime,
    *,
    window_days: int = CONFLICT_WINDOW_DAYS,
) -> ComponentScore:
    """Competitor mentions: a post within ``window_days`` scores 0-0.2 (0 for today), a past
    collaboration in ``brands_mentioned`` 0.5, an older post 0.9; none 1.0. No competitors
    given, or nothing to check: None.

    Args:
        now: timezone-aware; post times without an offset are taken as UTC.
    """
    brands = [b for b in dict.fromkeys(competitor_brands) if b.strip()]
    if not brands:
        return ComponentScore("conflicts", None, ("no competitor brands given",))
    posts = record.get("recent_posts") if isinstance(record.get("recent_posts"), list) else []
    mentioned = record.get("brands_mentioned")
    mentioned_list = (
        [m for m in mentioned if isinstance(m, str)] if isinstance(mentioned, list) else []
    )
    if not posts and not mentioned_list:
        return ComponentScore("conflicts", None, ("no posts or past collaborations to check",))
    window = timedelta(days=window_days)
    score = 1.0
    reasons: list[str] = []
    found: list[dict[str, Any]] = []
    for brand in brands:
        rx = _brand_pattern(brand)
        latest, undated = _latest_mention(posts or [], rx, now)
        if latest is not None:
            age = now - latest
            on = latest.date().isoformat()
            if age <= window:
                s = 0.2 * max(0.0, age / window)
                reasons.append(f"mentioned {brand} on {on}")
            else:
                s = _OLD_MENTION_SCORE
                reasons.append(f"mentioned {brand} on {on} (over {window_days} days ago)")
            score = min(score, s)
            found.append({"brand": brand, "posted_on": on})
        elif undated:
            score = min(score, _PAST_COLLABORATION_SCORE)
            reasons.append(f"mentioned {brand} in an undated post")
            found.append({"brand": brand, "posted_on": None})
        if any(rx.fullmatch(_fold(m)) for m in mentioned_list):
            score = min(score, _PAST_COLLABORATION_SCORE)
            reasons.append(f"has worked with {brand}")
            found.append({"brand": brand, "collaboration": True})
    if not reasons:
        reasons.append(f"no mention of {', '.join(brands)}")
    return ComponentScore("conflicts", score, tuple(reasons), {"mentions": found})


# ------------------------------------------------------------------------- explanations


@dataclass(frozen=True)
class Contribution:
    """One component's part of the final score; ``weight`` is after renormalisation."""

    name: str
    score: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """How a final score came about: known components, unknown ones, and all reasons."""

    score: float | None
    contributions: tuple[Contribution, ...]
    unknown: tuple[str, ...]
    reasons: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=dict)
    # What a recruiter must see: unknown data, costs over the budget, red flags.
    flags: tuple[str, ...] = ()
