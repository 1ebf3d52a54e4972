"""A campaign brief: what a recruiter wants, parsed from free text and overridable by the API.

:func:`parse_brief` reads what recruiters write, in English, Spanish, French or German, span
by span. Every thing it recognises is recorded as an :class:`UnderstoodItem` on
``Brief.understood`` (kind, normalised value, the words it came from and where): countries,
languages, platforms (and "X only" wishes), ages and generations, genders, the budget and other
money, how many creators, tier wishes, a minimum engagement, the objective, dates, durations,
measurements and plain numbers, negative wishes, competitors and brand-safety wishes. What is
left once those spans and the filler ("looking for", "creators", "budget", connective words)
are cut is the niche: ``Brief.niche_text``, in the brief's own words, is what retrieval should
search, and ``Brief.niche_phrases`` are its multi-word phrases and compounds kept whole. So in
"eco-friendly running shoes for women 25-34 in the US, awareness, $15k" the niche is
"eco-friendly running shoes": "25" and "34" are an age range, "$15k" the budget, and
"eco-friendly" one unit (:func:`niche_terms` gives "ecofriendly", never "friendly").

Explicit fields passed by the API win over parsed ones (:meth:`Brief.merge`). The word lists
live in :mod:`matcher.brief_lexicon`; the parser tokenises a brief once and looks every term
up by its words, so a brief of 100 words reads in well under a millisecond.

Objective rule: a word in a goal clause ("goal: awareness", "objetivo: ventas", "Ziel:
Reichweite", "the objective is ...") wins; otherwise a *goal word* (conversions, sales,
awareness, reach, community, reviews, PR, launch buzz) wins over a *context word* (launch, new
product, niche); within the same level the first one in the text wins. So "vegan skincare
launch ..., conversions" is a conversions brief.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import cast

from core.errors import InvalidInputError
from core.tiers import Tier
from matcher import brief_lexicon as lx

__all__ = [
    "AGE_BANDS",
    "BRAND_SAFETY_CATEGORIES",
    "ITEM_KINDS",
    "Brief",
    "Objective",
    "TargetAudience",
    "UnderstoodItem",
    "age_band_weights",
    "niche_terms",
    "parse_brief",
]


class Objective(StrEnum):
    AWARENESS = "awareness"
    LAUNCH = "launch"
    PR = "pr"
    CONSIDERATION = "consideration"
    CONVERSIONS = "conversions"
    COMMUNITY = "community"
    NICHE_PRODUCT = "niche_product"
    TRUSTED_REVIEWS = "trusted_reviews"


# The audience age bands of the creator record; 55+ is taken as 55-64 when overlapping ranges.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("13-17", 13, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55+", 55, 64),
)

BRAND_SAFETY_CATEGORIES: tuple[str, ...] = (
    "alcohol",
    "gambling",
    "profanity",
    "violence",
    "politics",
    "adult",
    "drugs",
)

GENDERS: tuple[str, ...] = ("female", "male", "other")

# What an UnderstoodItem can be. ``value`` is always a string:
ITEM_KINDS: tuple[str, ...] = (
    "objective",  # an Objective value; "unknown" for a goal clause with no known goal word
    "country",  # ISO 3166-1 alpha-2
    "language",  # ISO 639-1
    "platform",  # a platform named in the brief
    "platform_only",  # a platform the brief restricts itself to ("TikTok only")
    "age",  # "25-34", "46+", "13-24" (years, inclusive)
    "generation",  # the ages a generation has in the brief's year, "14-29"
    "gender",  # female / male / all
    "budget",  # "15000 USD" (the campaign budget)
    "money",  # any other amount: "500 USD per creator"
    "creator_count",  # "5"
    "tier",  # a core.tiers value
    "followers",  # ">=10000", "<=50000", "10000-100000"
    "engagement",  # the minimum engagement rate as a fraction, "0.03"
    "date",  # "2027-03-01", "2027-03", "--03" (a month without a year), "Q3", "2027"
    "duration",  # ISO 8601: "P6M", "PT72H"
    "measurement",  # "spf 50", "500 ml", "10 step"
    "deliverable",  # "3 posts"
    "number",  # any other number, "30%"
    "brand_safety",  # a BRAND_SAFETY_CATEGORIES value
    "competitor",  # a competitor brand name
    "competitor_exclusion",  # "another nail brand": creators tied to any competitor
    "exclude",  # a negative content wish: the topic to avoid ("unboxing")
    "interest",  # an audience interest (these stay in the niche text)
)


@dataclass(frozen=True)
class UnderstoodItem:
    """One thing read from the brief.

    ``kind`` is one of :data:`ITEM_KINDS`; ``value`` its normalised value; ``text`` the words
    it came from; ``start``/``end`` their offsets in the NFC form of the brief text (the text
    itself for anything typed on a keyboard), both 0 for an item that does not come from the
    text; ``source`` says where the item comes from (``"brief"`` for the parser).
    """

    kind: str
    value: str
    text: str
    start: int
    end: int
    source: str = "brief"


@dataclass(frozen=True)
class TargetAudience:
    """Who the brand wants to reach.

    ``age`` pairs an audience age band (``"25-34"``) with the share of it the brief targets
    (1.0 for a fully covered band); ``genders`` are ``female``/``male``/``other``;
    ``countries`` ISO 3166-1 alpha-2; ``interests`` lower-case free text.
    """

    age: tuple[tuple[str, float], ...] = ()
    genders: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()

    @property
    def age_weights(self) -> dict[str, float]:
        return dict(self.age)

    def is_empty(self) -> bool:
        return not (self.age or self.genders or self.countries or self.interests)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> TargetAudience:
        """Build from an API body: ``{age: {"25-34": 1} | ["25-34"], genders, countries,
        interests}``.

        Raises:
            InvalidInputError: naming ``target.<field>`` for an unknown band, gender or key.
        """
        known = {"age", "genders", "countries", "interests"}
        for key in data:
            if key not in known:
                raise InvalidInputError.for_field(
                    f"target.{key}", f"unknown field; use one of {sorted(known)}"
                )
        bands = {b for b, _, _ in AGE_BANDS}
        raw_age = data.get("age") or {}
        age_items: list[tuple[str, float]]
        if isinstance(raw_age, Mapping):
            age_items = [(str(k), float(v)) for k, v in raw_age.items()]
        elif isinstance(raw_age, Iterable) and not isinstance(raw_age, str):
            age_items = [(str(k), 1.0) for k in raw_age]
        else:
            raise InvalidInputError.for_field("target.age", "expected a list or an object")
        for band, weight in age_items:
            if band not in bands:
                raise InvalidInputError.for_field(
                    "target.age", f"unknown age band {band!r}; use one of {sorted(bands)}"
                )
            if weight < 0:
                raise InvalidInputError.for_field("target.age", "weights must be >= 0")
        genders = _str_tuple(data.get("genders"), "target.genders", lower=True)
        for g in genders:
            if g not in GENDERS:
                raise InvalidInputError.for_field(
                    "target.genders", f"unknown gender {g!r}; use one of {list(GENDERS)}"
                )
        return cls(
            age=tuple(age_items),
            genders=genders,
            countries=tuple(c.upper() for c in _str_tuple(data.get("countries"), "countries")),
            interests=_str_tuple(data.get("interests"), "target.interests", lower=True),
        )


def _str_tuple(value: object, name: str, *, lower: bool = False) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInputError.for_field(name, "expected a list of strings")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidInputError.for_field(name, "expected a list of strings")
        out.append(item.strip().lower() if lower else item.strip())
    return tuple(dict.fromkeys(s for s in out if s))


# Fields that describe the text itself: re-read when merge() is given a new text.
_READING_FIELDS = ("understood", "niche_text", "niche_phrases", "excluded_topics")


@dataclass(frozen=True)
class Brief:
    """A campaign brief. ``budget`` is in ``currency`` (ISO 4217); None when not stated.

    ``creators_wanted`` is how many creators the brief asks for (the lower bound of a range),
    so cost can be judged per creator; ``tiers`` the tiers it asks for explicitly
    (:class:`core.tiers.Tier` values); ``min_engagement`` a minimum engagement rate as a
    fraction (0.03 for "at least 3%"); ``only_platforms`` the platforms of an "X only" wish
    (also in ``platforms``); ``excluded_topics`` the topics of negative wishes ("no unboxing
    channels" -> "unboxing"). ``niche_text`` is the brief without everything recognised and
    without filler, ``niche_phrases`` its phrases and compounds, ``understood`` every item
    read (see the module docstring).
    """

    text: str = ""
    objective: Objective | None = None
    target: TargetAudience = field(default_factory=TargetAudience)
    budget: float | None = None
    currency: str | None = None
    platforms: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    competitor_brands: tuple[str, ...] = ()
    brand_safety: tuple[str, ...] = ()
    creators_wanted: int | None = None
    tiers: tuple[str, ...] = ()
    min_engagement: float | None = None
    only_platforms: tuple[str, ...] = ()
    excluded_topics: tuple[str, ...] = ()
    niche_text: str = ""
    niche_phrases: tuple[str, ...] = ()
    understood: tuple[UnderstoodItem, ...] = ()

    def niche_terms(self) -> tuple[str, ...]:
        """The niche text as lexical terms, compounds whole (see :func:`niche_terms`)."""
        return niche_terms(self.niche_text)

    @property
    def search_text(self) -> str:
        """What retrieval should search: the niche text of a read brief (empty when the brief
        names only targets: "women 25-34 in the US, $15k"), the whole text of a brief that
        was built without reading it."""
        return self.niche_text if (self.niche_text or self.understood) else self.text

    def merge(self, **overrides: object) -> Brief:
        """This brief with the explicitly given fields replaced; None means "not given".

        Lists become tuples, ``objective`` may be a string, ``target`` a mapping. A new
        ``text`` is read again for the fields that describe it (``understood``,
        ``niche_text``, ``niche_phrases``, ``excluded_topics``) unless those are given too;
        the other fields keep their values.

        Raises:
            InvalidInputError: for an unknown field or a value of the wrong kind.
        """
        names = {f.name for f in dataclasses.fields(self)}
        changes: dict[str, object] = {}
        for name, value in overrides.items():
            if name not in names:
                raise InvalidInputError.for_field(name, "unknown brief field")
            if value is None:
                continue
            changes[name] = _coerce(name, value)
        new_text = changes.get("text")
        if isinstance(new_text, str) and new_text != self.text:
            reread = parse_brief(new_text)
            for name in _READING_FIELDS:
                changes.setdefault(name, getattr(reread, name))
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]  # values checked by _coerce


_TIER_VALUES = tuple(t.value for t in Tier)


def _coerce(name: str, value: object) -> object:
    if name == "objective":
        try:
            return Objective(str(value))
        except ValueError:
            raise InvalidInputError.for_field(
                "objective",
                f"unknown objective {value!r}; use one of {[o.value for o in Objective]}",
            ) from None
    if name == "target":
        if isinstance(value, TargetAudience):
            return value
        if isinstance(value, Mapping):
            return TargetAudience.from_mapping(value)
        raise InvalidInputError.for_field("target", "expected an object")
    if name == "budget":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InvalidInputError.for_field("budget", "expected a number >= 0")
        return float(value)
    if name == "creators_wanted":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInputError.for_field(name, "expected a whole number >= 1")
        return value
    if name == "min_engagement":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidInputError.for_field(name, "expected a fraction between 0 and 1")
        return float(value)
    if name in {"text", "currency", "niche_text"}:
        if not isinstance(value, str):
            raise InvalidInputError.for_field(name, "expected a string")
        return value.upper() if name == "currency" else value
    if name == "understood":
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise InvalidInputError.for_field(name, "expected a list of understood items")
        items = tuple(value)
        if not all(isinstance(i, UnderstoodItem) for i in items):
            raise InvalidInputError.for_field(name, "expected a list of understood items")
        return items
    if name == "brand_safety":
        cats = _str_tuple(value, name, lower=True)
        for c in cats:
            if c not in BRAND_SAFETY_CATEGORIES:
                raise InvalidInputError.for_field(
                    "brand_safety",
                    f"unknown category {c!r}; use one of {list(BRAND_SAFETY_CATEGORIES)}",
                )
        return cats
    if name == "tiers":
        tiers = _str_tuple(value, name, lower=True)
        for t in tiers:
            if t not in _TIER_VALUES:
                raise InvalidInputError.for_field(
                    "tiers", f"unknown tier {t!r}; use one of {list(_TIER_VALUES)}"
                )
        return tiers
    if name == "countries":
        return tuple(c.upper() for c in _str_tuple(value, name))
    if name in {"platforms", "languages", "only_platforms", "excluded_topics", "niche_phrases"}:
        return _str_tuple(value, name, lower=True)
    return _str_tuple(value, name)


def age_band_weights(low: int, high: int) -> tuple[tuple[str, float], ...]:
    """The audience age bands that overlap ``[low, high]`` (years, inclusive), each with the
    share of the band covered (1.0 when the range covers the whole band)."""
    out = []
    for band, b_low, b_high in AGE_BANDS:
        overlap = min(high, b_high) - max(low, b_low) + 1
        if overlap > 0:
            out.append((band, round(overlap / (b_high - b_low + 1), 3)))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Text helpers


def _lower(text: str) -> str:
    """Lower case with the same length as ``text``, so offsets carry over; curly
    apostrophes made straight."""
    low = text.lower()
    if len(low) != len(text):  # "İ" lowers to two characters
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.replace("\u2019", "'")


@functools.lru_cache(maxsize=16384)
def _plain(word: str) -> str:
    """Case- and accent-folded, as the lexical index spells words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _key(matched: str) -> str:
    return " ".join(matched.split())


def _alts(terms: Iterable[str]) -> str:
    """A regex alternation of ``terms``, longest first; a space matches any whitespace."""
    alts = sorted({_lower(t) for t in terms}, key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)


def _tokens(low: str) -> list[tuple[int, int, str]]:
    """The reading tokens of ``low`` as (start, end, word)."""
    toks = [(m.start(), m.end(), m.group()) for m in _WORDS.finditer(low)]
    if "'" not in low:
        return toks
    out: list[tuple[int, int, str]] = []
    for start, end, word in toks:
        if "'" in word:
            head, _, rest = word.partition("'")
            if head in _ELISIONS:  # "d'engagement" -> "d'", "engagement"
                cut = start + len(head) + 1
                out.append((start, cut, head + "'"))
                out.append((cut, end, rest))
                continue
        elif word in _ELISIONS and low.startswith("'", end):  # "pas d'"
            out.append((start, end + 1, word + "'"))
            continue
        out.append((start, end, word))
    return out


def _term_words(term: str) -> list[str]:
    return [w for _s, _e, w in _tokens(_lower(term))]


def _firsts(terms: Iterable[str]) -> frozenset[str]:
    """The first words of ``terms``: where a pattern that starts with one of them can start."""
    return frozenset(words[0] for t in terms if (words := _term_words(t)))


# Reading tokens: words with their inner hyphens and apostrophes ("eco-friendly", "women's",
# "creator:innen"); a French elision is a token of its own ("d'" + "engagement", see _tokens).
_WORDS = re.compile(r"\w+(?:[-'\u2010]\w+|[:*]innen)*")
_ELISIONS = frozenset({"l", "d", "j", "n", "s", "c", "m", "t", "qu"})
# Niche tokens: apostrophes separate ("women's" -> "women", "s").
_TOKEN = re.compile(r"\w+(?:[-\u2010]\w+)*")
_NUM = r"\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_STOP = lx.STOP_WORDS
_DIGITS = "0123456789"


def _to_number(raw: str) -> float:
    s = re.sub(r"[\s\u00a0\u202f']", "", raw)
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        groups = s.split(sep)
        grouped = len(groups) > 2 or len(groups[-1]) == 3
        s = s.replace(sep, "" if grouped else ".")
    return float(s)


def _fmt(amount: float) -> str:
    return f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"


# --------------------------------------------------------------------------------------------
# The lexicon: every term of every kind in one table keyed by its words, so a brief is looked
# up word by word in one pass (big regex alternations cost a scan of the text each).


@dataclass(frozen=True)
class _Term:
    start: int  # character offsets
    end: int
    first: int  # token indexes: [first, last)
    last: int
    value: object


class _Lexicon:
    def __init__(self, entries: Iterable[tuple[str, str, object]]) -> None:
        self.table: dict[str, list[tuple[str, object]]] = {}
        self.longest: dict[str, int] = {}  # first word -> most words in a term
        for category, term, value in entries:
            words = _term_words(term)
            if not words:
                continue
            key = " ".join(words)
            slot = self.table.setdefault(key, [])
            if all(c != category for c, _ in slot):
                slot.append((category, value))
            self.longest[words[0]] = max(self.longest.get(words[0], 0), len(words))

    def annotate(
        self, low: str, toks: list[tuple[int, int, str]], joins: list[bool]
    ) -> dict[str, list[_Term]]:
        """The longest term of each category at each token, left to right, without overlaps
        within a category (as ``re.finditer`` would)."""
        found: dict[str, list[_Term]] = {}
        cat_end: dict[str, int] = {}
        longest, table = self.longest, self.table
        n = len(toks)
        for i, (start, _end, word) in enumerate(toks):
            most = longest.get(word)
            if most is None or (start and low[start - 1] in "@#"):
                continue
            keys = [word]
            k = i
            while len(keys) < most and k + 1 < n and joins[k]:
                k += 1
                keys.append(f"{keys[-1]} {toks[k][2]}")
            seen: set[str] = set()
            for length in range(len(keys), 0, -1):
                entries = table.get(keys[length - 1])
                if entries is None:
                    continue
                end = toks[i + length - 1][1]
                for category, value in entries:
                    if category in seen or start < cat_end.get(category, 0):
                        continue
                    seen.add(category)
                    cat_end[category] = end
                    term = _Term(start, end, i, i + length, value)
                    found.setdefault(category, []).append(term)
        return found


def _entries() -> Iterator[tuple[str, str, object]]:
    for term, obj, level, cls in lx.OBJECTIVE_TERMS:
        yield "objective", term, (Objective(obj), level, cls)
    for cc, terms in lx.COUNTRY_TERMS.items():
        for t in terms:
            yield "country", t, cc
            yield "country", t + "-based", cc
    for t, ccs in lx.REGIONS.items():
        yield "region", t, ccs
    for t in lx.NOT_PLACES:
        yield "not_place", t, None
    for t in lx.CUISINE_NOUNS:
        yield "cuisine", t, None
    for lang, terms in lx.LANGUAGE_TERMS.items():
        for t in terms:
            yield "language", t, lang
    for g, terms in lx.GENDER_TERMS.items():
        for t in terms:
            yield "gender", t, (g, False)
    for g, terms in lx.PARENT_TERMS.items():
        for t in terms:
            yield "gender", t, (g, True)
    for t, years in lx.GENERATIONS.items():
        yield "life_stage", t, ("generation", years)
    for t, ages in lx.FIXED_AGES.items():
        yield "life_stage", t, ("age", ages)
    for t in lx.ALL_AGES:
        yield "life_stage", t, ("all", None)
    for p, terms in lx.PLATFORM_TERMS.items():
        for t in terms:
            yield "platform", t, p
    for t, tiers in lx.TIER_PHRASES.items():
        yield "tier_phrase", t, tiers
    for cat, terms in lx.SAFETY_TERMS.items():
        for t in terms:
            yield "safety_term", t, cat
    for t in lx.SAFETY_NEGATIONS:
        yield "safety_neg", t, None
    for t in lx.ALL_SAFE:
        yield "all_safe", t, None
    for t in lx.NEGATIONS_AT_CLAUSE_START:
        yield "neg_clause", t, None
    for t in lx.NEGATIONS_ANYWHERE:
        yield "neg_any", t, None
    for t in lx.NOT_NEGATIONS:
        yield "not_negation", t, None
    for t in lx.NEGATION_SOFTENERS:
        yield "softener", t, None
    for t in lx.GOAL_LABELS:
        yield "goal_label", t, None
    for t in lx.GOAL_LABELS_WITH_VERB:
        yield "goal_label_verb", t, None
    for t in lx.GOAL_LEADS:
        yield "goal_lead", t, None
    for t in lx.LABELS:
        yield "label", t, None
    for t in lx.FILLER:
        yield "filler", t, None
    for t in lx.CONTEXT_FILLER:
        yield "context_filler", t, None
    for t in lx.RELATIVE_DATES:
        yield "relative_date", t, None
    for t in lx.MONTHS:
        yield "month", t, None
    for t in lx.COMPETITOR_MARKERS:
        yield "competitor_marker", t, None
    for t in lx.INTEREST_MARKERS:
        yield "interest_marker", t, None


_LEXICON = _Lexicon(_entries())
_GOAL_VERBS = frozenset(lx.GOAL_VERBS)
_CAPITALISED_ONLY = frozenset(lx.CAPITALISED_ONLY)
_OBJ_LOOKUP: dict[str, tuple[Objective, int, str]] = {
    _key(_lower(t)): (Objective(obj), level, cls) for t, obj, level, cls in lx.OBJECTIVE_TERMS
}
_COUNTRY_LOOKUP = {_key(_lower(t)): cc for cc, terms in lx.COUNTRY_TERMS.items() for t in terms}
_PLATFORM_LOOKUP = {_key(_lower(t)): p for p, terms in lx.PLATFORM_TERMS.items() for t in terms}
_SAFETY_LOOKUP = {_key(_lower(t)): cat for cat, terms in lx.SAFETY_TERMS.items() for t in terms}
_CODE_LOOKUP = {c: cc for cc, codes in lx.COUNTRY_CODES.items() for c in codes}
_CODE_RE = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(c) for c in sorted(_CODE_LOOKUP, key=len, reverse=True))
    + r")(?:-based)?(?![\w$])"
)
_LANGUAGE_PREFIXES = tuple(lx.LANGUAGE_PREFIXES.items())
_LANGUAGE_STEMS = tuple(lx.LANGUAGE_PREFIXES)

# --------------------------------------------------------------------------------------------
# Patterns for things with numbers. Each runs only where it can start (a digit, a currency
# symbol or one of its lead words): see _scan.

_NUMBER_WORDS = {_key(_lower(w)): n for w, n in lx.NUMBER_WORDS.items()}
_NW = _alts(_NUMBER_WORDS)

_TIER_LOOKUP = {_key(_lower(w)): t for t, words in lx.TIER_WORDS.items() for w in words}
_TIER_STEMS = tuple(sorted({w.split("-")[0].split()[0] for w in _TIER_LOOKUP}))
_TW = _alts(_TIER_LOOKUP)
_TSEP = r"\s*-?\s*(?:,|/|&|and|or|y|o|et|ou|und|oder|to|a|bis|-)\s*"
_TIER_RE = re.compile(
    rf"(?P<list>(?:{_TW})(?:{_TSEP}(?:{_TW}))*)(?:\s*-?\s*(?P<noun>{_alts(lx.TIER_NOUNS)}))?(?!\w)"
    rf"|(?:influencers|creadores|influenceurs|créateurs|creators)\s+"
    rf"(?P<list2>(?:{_TW})(?:{_TSEP}(?:{_TW}))*)(?!\w)"
)
_TIER_REVERSED = frozenset({"influencers", "creadores", "influenceurs", "créateurs", "creators"})
_TIER_WORD_RE = re.compile(rf"(?<![\w])(?:{_TW})(?![^\W_])")

_COUNT_LEADS = (
    "between",
    "entre",
    "zwischen",
    "up to",
    "at least",
    "around",
    "about",
    "approx",
    "roughly",
    "some",
    "hasta",
    "al menos",
    "unos",
    "unas",
    "alrededor de",
    "jusqu'à",
    "au moins",
    "environ",
    "bis zu",
    "mindestens",
    "etwa",
    "ca",
    "circa",
)
_COUNT_RE = re.compile(
    r"(?<![\w@#$€£.,-])(?:(?P<between>between|entre|zwischen)\s+)?"
    r"(?:(?P<q>up to|at least|around|about|approx\.?|roughly|some|hasta|al menos|unos|unas"
    r"|alrededor de|jusqu'à|au moins|environ|bis zu|mindestens|etwa|ca\.|circa)\s*)?"
    rf"(?P<a>\d{{1,3}}|{_NW})(?:\s*(?:-|–|to|a|à|bis|or|o|ou|oder|and|y|et|und)\s*(?P<b>\d{{1,3}}|{_NW}))?"
    r"(?P<plus>\s*\+)?\s+"
    r"(?P<mid>(?:[^\W\d_][\w':-]*\s+){0,3}?)"
    rf"(?P<noun>(?:(?:{_TW})\s*-?\s*)?(?:{_alts(lx.CREATOR_NOUNS)}))(?!\w)"
)
_COUNT_STARTERS = _firsts([*_COUNT_LEADS, *_NUMBER_WORDS])
_LIST_WORDS = frozenset({"and", "or", "y", "o", "et", "ou", "und", "oder"})
_NOT_BETWEEN_COUNT = frozenset(lx.NOT_BETWEEN_COUNT)
_UP_TO = ("up to", "hasta", "bis zu", "jusqu'à")

_FN = r"(?:\d{1,3}(?:[.,' ]\d{3})+|\d+(?:[.,]\d+)?)\s?(?:k|m|mil|tsd\.?|mio\.?)?(?![\w])"
_FOLLOW = _alts(lx.FOLLOWER_NOUNS)
_FOLLOWER_LEADS = (
    "under",
    "below",
    "less than",
    "fewer than",
    "max",
    "maximum",
    "up to",
    "menos de",
    "moins de",
    "unter",
    "bis zu",
    "hasta",
    "over",
    "above",
    "more than",
    "at least",
    "min",
    "minimum",
    "más de",
    "plus de",
    "über",
    "mindestens",
    "ab",
)
_FOLLOWERS_RE = re.compile(
    r"(?<![\w$€£.,-])(?:(?:between|entre|zwischen|from|de|von)\s+)?"
    rf"(?P<a>{_FN})\s*(?:-|–|to|a|à|and|y|et|und|bis)\s*(?P<b>{_FN})\s*(?:{_FOLLOW})(?!\w)"
    rf"|(?<![\w])(?P<q>{_alts(_FOLLOWER_LEADS)})\.?"
    rf"\s*(?P<c>{_FN})\s*\+?\s*(?:{_FOLLOW})(?!\w)"
    rf"|(?<![\w$€£.,-])(?P<d>{_FN})\s*(?P<plus>\+)?\s*(?:{_FOLLOW})(?!\w)"
)
_FOLLOWER_STARTERS = _firsts(
    [*_FOLLOWER_LEADS, "between", "entre", "zwischen", "from", "de", "von"]
)
_FOLLOWER_NUMBER_RE = re.compile(r"(?P<n>.*?)\s?(?P<m>k|m|mil|tsd\.?|mio\.?)?$")
_FOLLOWER_MAX = ("under", "below", "less than", "fewer than", "max", "maximum", "up to")

_ENG = _alts(lx.ENGAGEMENT_WORDS)
_ATL = _alts(lx.AT_LEAST)
_PCT = r"(?P<{n}>\d+(?:[.,]\d+)?)\s?%"
_ENGAGEMENT_RE = re.compile(
    rf"(?<![\w])(?:(?:{_ATL})\.?\s*)?{_PCT.format(n='p1')}\s*\+?\s*(?:(?:of|de|d'|an)\s*)?"
    rf"(?:{_ENG})(?!\w)"
    rf"|(?<![\w])(?:{_ENG})\s*(?:(?:{_ATL}|of|de|del|du|von|:|is|est|ist|>=?|≥)\.?\s*){{0,3}}"
    rf"{_PCT.format(n='p2')}\s*\+?(?:\s*(?:or (?:more|higher|above)|o más|ou plus|oder mehr))?"
)
_ENGAGEMENT_STARTERS = _firsts([*lx.AT_LEAST, *lx.ENGAGEMENT_WORDS])

_SYMBOLS = sorted(lx.CURRENCY_SYMBOLS, key=len, reverse=True)
_SYM = "|".join(re.escape(s) for s in _SYMBOLS)
_CUR = rf"(?:{_SYM}|\b(?:{_alts(lx.CURRENCY_WORDS)})\b)"
_MULT = (
    r"(?:k|thousand|grand|mil|tsd\.?|tausend|mm|m|millions?|millón|millones|mio\.?|millionen)"
    r"(?![\w])"
)
_RANGE = r"\s?(?:-|–|to|a|à|bis)\s?"


def _amount(n: str) -> str:
    return rf"(?P<{n}>{_NUM})(?:\s?(?P<{n}m>{_MULT}))?"


_MONEY_RE = re.compile(
    rf"(?P<pre>{_CUR})\s?{_amount('a1')}(?:{_RANGE}(?:{_SYM})?\s?{_amount('a2')})?"
    rf"|(?<![\w.,]){_amount('b1')}(?:{_RANGE}{_amount('b2')})?\s?(?P<post>{_CUR})"
    rf"|(?:{_alts(lx.BUDGET_WORDS)})\s*(?:of|de|von|:|is|ist|est|=)?\s*"
    rf"(?<![\w.,]){_amount('c1')}(?:\s?(?P<post3>{_CUR}))?(?![\w%])"
)
_MONEY_STARTERS = _firsts([*lx.CURRENCY_WORDS, *lx.BUDGET_WORDS])
_SYMBOL_RE = re.compile(r"[$€£¥₹]")
_PERIOD_RE = re.compile(
    r"\s*(?:(?:a|per|/|each|every|al|por|par|pro|im|le|au)\s*"
    rf"(?P<unit>{_alts(lx.PERIOD_WORDS)})\b"
    r"|(?P<adv>monthly|weekly|mensuales?|mensuels?|mensual|monatlich|wöchentlich))"
)
_SPAN_OF_RE = re.compile(
    r"\s*,?\s*(?:for|over|during|durante|pendant|sur|für|über)\s+"
    rf"(?P<n>\d+|{_NW})\s+"
    r"(?P<unit>months?|meses|mois|monaten?|weeks?|semanas|semaines|wochen)\b"
)
_PER_UNIT_RE = re.compile(
    r"\s*(?:per|/|each|a|an|por|par|pro|je)\s*"
    rf"(?P<unit>{_alts(lx.PER_UNIT_WORDS)})(?:s|es)?\b"
)

_MONTH_LOOKUP = {_lower(m): n for m, n in lx.MONTHS.items()}
_AMBIGUOUS_MONTHS = frozenset(lx.AMBIGUOUS_MONTHS)
_MONTH_RE = re.compile(
    r"(?:(?<![\w.,])(?P<d1>[0-3]?\d)(?:st|nd|rd|th|er|\.|º)?\s+(?:of\s+|de\s+)?)?"
    rf"(?<![\w@#-])(?P<mon>{_alts(_MONTH_LOOKUP)})\.?(?!\w|-\w)"
    r"(?:\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?![\d.,]))?"
    r"(?:,?\s+(?:de\s+|del\s+|of\s+)?(?P<y>(?:19|20)\d\d)(?!\d))?"
)
_DATE_LEADS = frozenset(_key(_lower(t)) for t in lx.DATE_LEADS)
_ISO_DATE_RE = re.compile(
    r"(?<![\d.,/-])(?P<y>(?:19|20)\d\d)-(?P<m>0?[1-9]|1[0-2])(?:-(?P<d>0?[1-9]|[12]\d|3[01]))?"
    r"(?![\d.,/-]\d)"
)
_NUM_DATE_RE = re.compile(
    r"(?<![\d.,/])(?P<a>[0-3]?\d)[./](?P<b>[01]?\d)[./](?P<y>(?:19|20)\d\d|\d\d)(?![\d.,/]\d|\d)"
)
_QUARTER_RE = re.compile(
    r"(?<![\w])(?P<q>q[1-4]|h[12])(?:\s*(?:-|–|/|to|and|&)\s*(?P<q2>q[1-4]|h[12]))?"
    r"(?:\s*/?\s*(?P<y>(?:19|20)\d\d|'\d\d|fy\d\d))?(?!\w)"
    rf"|(?:the\s+)?(?P<w>{_alts(lx.QUARTER_WORDS)})(?:\s+(?:of\s+|de\s+|del\s+)?"
    r"(?P<wy>(?:19|20)\d\d))?(?!\w)"
)
_QUARTER_STARTERS = frozenset({"q1", "q2", "q3", "q4", "h1", "h2", "the"}) | _firsts(
    lx.QUARTER_WORDS
)
_SEASON_CANON = {
    "spring": "spring",
    "primavera": "spring",
    "printemps": "spring",
    "frühling": "spring",
    "frühjahr": "spring",
    "summer": "summer",
    "verano": "summer",
    "été": "summer",
    "sommer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "otoño": "autumn",
    "automne": "autumn",
    "herbst": "autumn",
    "winter": "winter",
    "invierno": "winter",
    "hiver": "winter",
}
_SEASON_RE = re.compile(
    rf"(?:(?:{_alts(lx.SEASON_LEADS)})\s*)(?<=[\s'])(?P<s>{_alts(lx.SEASONS)})"
    r"(?:\s+(?P<y>(?:19|20)\d\d))?(?!\w)"
    rf"|(?P<s2>{_alts(lx.SEASONS)})\s+(?P<y2>(?:19|20)\d\d)(?!\w)"
)
_SEASON_STARTERS = _firsts([*lx.SEASON_LEADS, *lx.SEASONS])
_YEAR_RE = re.compile(r"(?<![\w$€£.,/-])(?P<y>(?:19[5-9]|20\d)\d)(?![\w%]|[.,]\d)")

_DURATION_LOOKUP = {_lower(u): d for u, d in lx.DURATION_UNITS.items()}
_DURATION_LEADS = (
    "for",
    "over",
    "during",
    "within",
    "in the first",
    "in the last",
    "in the past",
    "in the next",
    "the first",
    "the last",
    "the past",
    "the next",
    "last",
    "past",
    "next",
    "first",
    "durante",
    "pendant",
    "sur",
    "für",
    "über",
    "innerhalb von",
    "en los últimos",
    "dans les",
    "in den letzten",
)
_DURATION_RE = re.compile(
    rf"(?<![\w.,])(?:(?:{_alts(_DURATION_LEADS)})\s+)?"
    rf"(?P<n>\d+(?:[.,]\d+)?|{_NW})\s*-?\s*"
    rf"(?P<u>{_alts(_DURATION_LOOKUP)})(?!\w)"
)
_DURATION_STARTERS = _firsts([*_DURATION_LEADS, *_NUMBER_WORDS])

_AGE_UNIT = rf"(?:\s*-?\s*(?:{_alts(lx.AGE_UNITS)})(?!\w))?"
_AGE_RANGE_RE = re.compile(
    r"(?<![\w$€£.,/-])(?:(?:aged?|ages?|edad(?:es)?|de|entre|zwischen|von|âgée?s?\s+de|from)\s+)?"
    r"(?P<a>1[3-9]|[2-7]\d)\s*(?:-|–|—|to|a|à|y|et|bis|und)\s*(?P<b>1[4-9]|[2-9]\d)"
    rf"(?![\d%]|[.,]\d|\s*%){_AGE_UNIT}(?!\w)"
)
_AGE_OVER_RE = re.compile(
    r"(?<![\w$€£.,/-])(?P<q>over|above|older than|aged|más de|mayores de|plus de|über|ueber|ab)"
    rf"\s+(?P<a>\d\d)(?![\d%]|[.,]\d|\s*%){_AGE_UNIT}(?!\w)"
    r"(?!\s*(?:of|de|d'|an)\s+(?:experience|expérience|experiencia|erfahrung))"
    rf"|(?<![\w$€£.,/-])(?P<b>\d\d)\s*\+(?!\d){_AGE_UNIT}"
)
_AGE_UNDER_RE = re.compile(
    r"(?<![\w-])(?:under|below|younger than|menos de|menores de|moins de|unter)[\s-]+"
    rf"(?P<a>\d\d)s?(?![\d%]|[.,]\d){_AGE_UNIT}(?!\w)"
)
_AGE_STARTERS = frozenset(lx.AGE_LEADS)
_UNDER_STARTERS = frozenset(lx.AGE_UNDER_LEADS)

_UNITS_BEFORE = frozenset(u.rstrip(".") for u in lx.UNITS_BEFORE)
_MEASURE_BEFORE_RE = re.compile(
    rf"(?P<u>{_alts(lx.UNITS_BEFORE)})\s?(?P<n>\d+(?:[.,]\d+)?)\s*\+?(?![\d\w])"
)
_MEASURE_AFTER_RE = re.compile(
    rf"(?<![\w.,])(?P<n>\d+(?:[.,]\d+)?)\s?(?:-\s?)?(?P<u>{_alts(lx.UNITS_AFTER)})(?!\w)"
)
_DELIVERABLE_RE = re.compile(
    rf"(?<![\w.,$€£])(?P<n>\d{{1,3}}|{_NW})\s*(?:x\s*)?"
    r"(?P<mid>(?:[^\W\d_][\w-]*\s+){0,2}?)"
    rf"(?P<u>{_alts(lx.DELIVERABLE_NOUNS)})(?!\w)"
)
_DELIVERABLE_STARTERS = _firsts(_NUMBER_WORDS)
_PERCENT_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?\s?%")
_NUMBER_RE = re.compile(r"(?<![\w])\d[\d.,:/']*(?:st|nd|rd|th|er|e|º|ª|s|k|m|x|h)?\+?(?!\w)")
_DIGIT_RE = re.compile(r"\d")

_PLATFORM_ALT = _alts(_PLATFORM_LOOKUP)
_PLIST = rf"(?:{_PLATFORM_ALT})(?:\s*(?:,|/|&|\+|and|or|y|o|et|ou|und|oder)\s*(?:{_PLATFORM_ALT}))*"
_ONLY_RE = re.compile(
    rf"(?:{_alts(lx.ONLY_BEFORE)})\s+(?P<a>{_PLIST})(?!\w)"
    rf"|(?P<b>{_PLIST})\s*(?:{_alts(lx.ONLY_AFTER)})(?!\w)"
)
_PLATFORM_RE = re.compile(rf"(?<![\w-])(?:{_PLATFORM_ALT})(?!\w|-\w)")
_ONLY_STARTERS = _firsts(lx.ONLY_BEFORE)
_PLATFORM_STEMS = _firsts(_PLATFORM_LOOKUP)

_COMPETITOR_TAIL_RE = re.compile(
    r"\s*(?:\([^)]*\)\s*)?"
    r"(?:(?P<sep>:|=|\bare\b|\binclude\b|\bincluding\b|\blike\b|\bsuch as\b|\bcomo\b|\bcomme\b"
    r"|\bwie\b|\bsind\b|\bson\b|\bsont\b)\s*)?"
    r"(?P<list>[^.;\n]{1,300})",  # a list of names, not a whole essay
    re.IGNORECASE,
)
_NOT_WITH_RE = re.compile(
    r"(?:not|never|no creators? who (?:worked|work) with|who haven't worked with"
    r"|who have not worked with)\s+(?:with\s+)?"
    r"(?P<list>[A-Z][\w&'-]*(?:\s*(?:,|or|and)\s*[A-Z][\w&'-]*)*)"
)
_NOT_WITH_STARTERS = frozenset({"not", "never", "no", "who"})
_LIST_SPLIT = re.compile(
    r"\s*(?:,|/|;|\band\b|\bor\b|\by\b|\bo\b|\bet\b|\bou\b|\bund\b|\boder\b)\s*"
)
_INTEREST_LIST_RE = re.compile(r"\s+(?P<list>[^.;:\n()]{1,300})")
_INTEREST_SPLIT = re.compile(
    r"\s*(?:,|/|&|\band\b|\bor\b|\by\b|\bo\b|\bet\b|\bou\b|\bund\b|\boder\b)\s*"
)
_INTEREST_STOP = re.compile(
    r"\s+(?:interessieren|interessiert|begeistern)\b.*$"
    r"|\s+(?:in|en|im|au|aux|on|for|para|pour|für)\s+.*$"
)
_CONJUNCTION = re.compile(r"\s(?:and|or|y|o|et|ou|und|oder|&)\s")

_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n|[()]|\s[-–—•]\s")
_CLAUSE_END = re.compile(r"[,.!?;:](?=\s|$)|\n|[()]|\s[-–—•]\s")
_CLAUSE_START_CHARS = frozenset(".;:!?(\n•,/-–—")
_STRETCH_END = re.compile(r"[,.;:!?()\n+&]")
_LIST_REACH = 300
_RELATIVE_AFTER_COMMA = re.compile(r",\s+(?:who|that|which|die|der|das|welche|que|qui)\b")
_OXFORD = re.compile(r",\s+(?:or|and|nor|ni|o|ou|oder|und|y|et)\s")
_MONEYISH = re.compile(r"[\d$€£¥₹]")
_COLON = re.compile(r"\s*:")
_GOAL_COLON = re.compile(r"\s*[:=]")
_COMMA_RE = re.compile(",")
_NEW_CLAUSE_RE = re.compile(
    rf"\s*(?:(?:and|but|y|pero|et|mais|und|aber)\s+)?(?:{_alts(lx.NEW_CLAUSE_OPENERS)})(?!\w)"
)
_KPI_LEAD_RE = re.compile(
    r"\s*(?:then|and then|measured|tracked|via|through|with|plus|using|puis|ensuite|luego|"
    r"después|medido|mesuré|dann|gemessen|über)\b"
)
_PIECE_SPLIT = re.compile(
    r"\s*(?:,|;|/|&|\bor\b|\band\b|\bnor\b|\bni\b|\bo\b|\bou\b|\boder\b|\bund\b|\by\b|\bet\b)\s*"
)
_TIE_RE = re.compile(
    rf"(?:{_alts(lx.COMPETITOR_TIES)})\s+"
    r"(?:(?:a|an|the|any|one of|one|el|la|los|las|un|une|le|les|ein|eine|einem|einer)\s+)?"
    rf"(?P<what>(?:{_alts(lx.COMPETITOR_KINDS)})\w*\b.*)"  # "Konkurrenzmarken"
)
# words a negative wish's topic does not start with ("channels that focus on cheats")
_TOPIC_LEAD = frozenset(_plain(w) for w in lx.TOPIC_LEADS)
_RELATIVES = frozenset({"that", "who", "which", "whose", "que", "qui", "die", "der", "welche"})
_FILLER_TAILS = frozenset(lx.FILLER_TAILS)
_COMPOUND_TAILS = frozenset(lx.COMPOUND_TAILS)
_CONNECTORS = frozenset({"de", "del", "du", "des", "d", "di"})
_CONNECTOR_TAILS = frozenset({"la", "las", "los", "le", "les", "l"})
# a niche stretch: words with nothing but spaces or apostrophes between them
_STRETCH = re.compile(r"\w+(?:(?:[-\u2010]|[ \t\u00a0']+)\w+)*")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'-]*)")
_NUMBERISH = re.compile(r"\d+(?:[.,]\d+)?(?:k|m|x|st|nd|rd|th|s|ml|l|g|kg|h|%)?")


# --------------------------------------------------------------------------------------------
# The reader


@dataclass
class _Hit:
    kind: str
    value: str
    start: int
    end: int
    keep: bool = False  # stays in the niche text
    cuts: tuple[tuple[int, int], ...] | None = None  # what leaves it (default: the span)
    item: bool = True  # recorded on Brief.understood
    decides: bool = False  # the objective word the objective comes from


class _Reading:
    """The parser's working state for one brief: the text, its tokens, the lexicon terms
    found in it, what is claimed and every hit so far."""

    def __init__(self, norm: str, year: int) -> None:
        self.norm = norm
        self.low = low = _lower(norm)
        self.year = year
        self.taken = bytearray(len(norm))  # characters claimed by an item
        self.hits: list[_Hit] = []
        self.negatives: list[tuple[int, int]] = []
        self.neg_mask = bytearray(len(norm))  # 1 inside a negative wish
        self.goal_clauses: list[tuple[int, int]] = []
        self.clause_of: list[int] = []  # per character: the goal clause it is in, or -1
        self.toks = _tokens(low)
        self.tok_ends = [e for _s, e, _w in self.toks]
        # where sentences and clauses end, for bisecting (see _sentence_end, _clause_end)
        self.sentence_ends = [m.start() for m in _SENTENCE_END.finditer(low)]
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(low)]
        toks = self.toks
        # whether token i and i + 1 form one phrase: whitespace between, or an elision
        self.joins = [
            (low[a[1] : b[0]].isspace() or (a[2].endswith("'") and a[1] == b[0]))
            for a, b in itertools.pairwise(toks)
        ]
        self.found = _LEXICON.annotate(low, toks, self.joins)
        self.positions: dict[str, list[int]] = {}
        for start, _end, word in toks:
            self.positions.setdefault(word, []).append(start)
            if "-" in word:  # "under-18", "q3-q4": a pattern may start at the first part
                self.positions.setdefault(word.split("-", 1)[0], []).append(start)
        self.words = frozenset(self.positions)
        self.digit_starts = [s for s, _e, w in toks if w[0] in _DIGITS]
        self.symbol_starts: list[int] = []
        for m in _SYMBOL_RE.finditer(low):
            p = m.start()
            self.symbol_starts.append(p)
            for prefix in ("us", "ca", "au", "c", "a", "r"):  # "us$", "c$", ...
                q = p - len(prefix)
                if q >= 0 and low[q:p] == prefix and (q == 0 or not low[q - 1].isalnum()):
                    self.symbol_starts.append(q)
                    break

    def terms(self, category: str) -> list[_Term]:
        return self.found.get(category, [])

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) < 0

    def add(self, hit: _Hit, *, claim: bool = True) -> None:
        self.hits.append(hit)
        if claim:
            self.taken[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)

    def cut(self, start: int, end: int) -> None:
        """Leave ``[start, end)`` out of the niche text without recording an item."""
        if end > start:
            self.hits.append(_Hit("", "", start, end, item=False))

    def in_negative(self, pos: int) -> bool:
        return self.neg_mask[pos] == 1

    def add_negative(self, start: int, stop: int) -> None:
        self.negatives.append((start, stop))
        self.neg_mask[start:stop] = b"\x01" * (stop - start)

    def add_goal_clause(self, start: int, stop: int) -> None:
        if not self.clause_of:
            self.clause_of = [-1] * len(self.norm)
        index = len(self.goal_clauses)
        self.goal_clauses.append((start, stop))
        self.clause_of[start:stop] = [index] * (stop - start)

    def goal_clause_at(self, pos: int) -> int:
        """The index of the goal clause ``pos`` is in, or -1."""
        return self.clause_of[pos] if self.clause_of else -1

    def scan(
        self,
        rx: re.Pattern[str],
        starters: frozenset[str] = frozenset(),
        *,
        digits: bool = True,
        symbols: bool = False,
        extra: Iterable[int] = (),
        text: str | None = None,
    ) -> list[re.Match[str]]:
        """``rx.finditer`` over the brief, tried only where it can start: at digits, currency
        symbols, the given lead words and the ``extra`` positions."""
        candidates = list(extra)
        if digits:
            candidates.extend(self.digit_starts)
        if symbols:
            candidates.extend(self.symbol_starts)
        for word in starters & self.words:
            candidates.extend(self.positions[word])
        if not candidates:
            return []
        candidates.sort()
        subject = self.low if text is None else text
        out: list[re.Match[str]] = []
        last = -1
        for pos in candidates:
            if pos < last:
                continue
            m = rx.match(subject, pos)
            if m is not None and m.end() > pos:
                out.append(m)
                last = m.end()
        return out


def _sentence_end(r: _Reading, pos: int) -> int:
    i = bisect.bisect_left(r.sentence_ends, pos)
    return r.sentence_ends[i] if i < len(r.sentence_ends) else len(r.low)


def _clause_end(r: _Reading, pos: int) -> int:
    i = bisect.bisect_left(r.clause_ends, pos)
    return r.clause_ends[i] if i < len(r.clause_ends) else len(r.low)


# ---- negative wishes and goal clauses (scopes) ---------------------------------------------


def _at_clause_start(r: _Reading, term: _Term, softeners: set[int]) -> bool:
    """Whether a negation opens a clause: only softeners ("please", "and") stand between it
    and the start of the text or a punctuation mark."""
    k = term.first - 1
    while k >= 0 and k in softeners and r.joins[k]:
        k -= 1
    before = r.low[r.toks[k][1] if k >= 0 else 0 : r.toks[k + 1][0]].rstrip(" \t")
    if not before:
        return k < 0  # the start of the text, or a word right before ("with no UV lamp")
    return before[-1] in _CLAUSE_START_CHARS


def _negative_scopes(r: _Reading) -> None:
    low = r.low
    not_negations = {t.start: t.end for t in r.terms("not_negation")}
    markers: list[tuple[int, int, bool]] = [(t.start, t.end, True) for t in r.terms("neg_any")]
    softeners = {i for t in r.terms("softener") for i in range(t.first, t.last)}
    for t in r.terms("neg_clause"):
        if not_negations.get(t.start, 0) > t.end or not _at_clause_start(r, t, softeners):
            continue
        if not t.end < len(low) or low[t.end] in " \t\n:" or low[t.end - 1] == "'":
            markers.append((t.start, t.end, False))
    markers.sort(key=lambda m: (m[0], -m[1]))  # the longest marker at a position
    covered = -1
    for start, end, explicit in markers:
        if start < covered:
            continue
        label = _COLON.match(low, end)
        body = label.end() if label else end
        sentence = _sentence_end(r, body)
        if label or explicit:
            # a list: to the end of the sentence, unless a comma opens another wish
            stop = sentence
            for comma in _COMMA_RE.finditer(low, body, sentence):
                piece_end = low.find(",", comma.end(), sentence)
                piece = low[comma.end() : piece_end if piece_end >= 0 else sentence]
                if _MONEYISH.search(piece) or _NEW_CLAUSE_RE.match(piece):
                    stop = comma.start()
                    break
        else:
            stop = _clause_end(r, body)
            # "keine Creator, die mit ... arbeiten": a relative clause belongs to the wish
            while stop < sentence and low[stop] == "," and _RELATIVE_AFTER_COMMA.match(low, stop):
                stop = _clause_end(r, stop + 1)
            if stop < sentence and low[stop] == ",":
                # "no cheats, mods or gambling": a list ends within a few hundred characters
                oxford = _OXFORD.search(low, stop, min(sentence, stop + _LIST_REACH))
                if oxford is not None and not _MONEYISH.search(low, stop, oxford.start()):
                    stop = _clause_end(r, oxford.end())
        if stop > body:
            r.add_negative(start, stop)
            covered = stop


def _goal_clauses(r: _Reading) -> None:
    low = r.low
    starts: list[tuple[int, int]] = []
    for t in r.terms("goal_label"):
        colon = _GOAL_COLON.match(low, t.end)
        if colon:
            starts.append((t.start, colon.end()))
    for t in r.terms("goal_label_verb"):
        if t.last < len(r.toks) and r.joins[t.last - 1] and r.toks[t.last][2] in _GOAL_VERBS:
            starts.append((t.start, r.toks[t.last][1]))
    goal_words = [t.start for t in r.terms("objective")]
    covered = -1
    for start, body in sorted(starts):
        if r.in_negative(start) or start < covered:
            continue
        stop = _clause_end(r, body)
        sentence = _sentence_end(r, body)
        while stop < sentence and low[stop] == ",":
            nxt = _clause_end(r, stop + 1)
            piece = low[stop + 1 : nxt]
            i = bisect.bisect_right(goal_words, stop)
            if _KPI_LEAD_RE.match(piece) or (i < len(goal_words) and goal_words[i] < nxt):
                stop = nxt
            else:
                break
        r.add_goal_clause(start, stop)
        r.cut(start, stop)
        covered = stop


# ---- money, engagement, followers, counts ---------------------------------------------------


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    t = token.lower()
    return lx.CURRENCY_SYMBOLS.get(t) or lx.CURRENCY_WORDS.get(t)


def _read_money(r: _Reading) -> tuple[float | None, str | None]:
    low = r.low
    budget: tuple[float, str | None, _Hit] | None = None
    for m in r.scan(_MONEY_RE, _MONEY_STARTERS, symbols=True):
        if not r.free(m.start(), m.end()):
            continue
        prefix, cur_group = next(
            (p, g) for p, g in (("a", "pre"), ("b", "post"), ("c", "post3")) if m.group(f"{p}1")
        )
        raw1, mult1 = m.group(f"{prefix}1"), m.group(f"{prefix}1m")
        raw2 = m.group(f"{prefix}2") if prefix != "c" else None
        mult2 = m.group(f"{prefix}2m") if prefix != "c" else None
        currency = _currency_of(m.group(cur_group))
        factor2 = lx.MULTIPLIERS.get((mult2 or "").rstrip("."), 1.0)
        factor1 = lx.MULTIPLIERS.get((mult1 or "").rstrip("."), factor2 if raw2 else 1.0)
        amount = _to_number(raw1) * factor1
        value = _fmt(amount)
        if raw2:
            upper = _to_number(raw2) * factor2
            value = f"{_fmt(amount)}-{_fmt(upper)}"
            amount = upper  # a budget range: what may be spent at most
        end = m.end()
        suffix = ""
        per_unit = False
        period = _PERIOD_RE.match(low, end)
        if period:
            end = period.end()
            unit = lx.PERIOD_WORDS.get(period.group("unit") or "", "")
            adverb = period.group("adv") or ""
            unit = unit or ("week" if adverb.startswith(("week", "wöch")) else "month")
            span_of = _SPAN_OF_RE.match(low, end)
            if span_of:
                end = span_of.end()
                raw = span_of.group("n")
                count = int(raw) if raw.isdigit() else _NUMBER_WORDS[_key(raw)]
                amount *= count
                value = _fmt(amount)
                suffix = f" ({_fmt(amount / count)} a {unit} for {count} {unit}s)"
            else:
                suffix = f" per {unit}"
        else:
            per = _PER_UNIT_RE.match(low, end)
            if per:
                end = per.end()
                per_unit = True
                suffix = f" per {per.group('unit')}"
        shown = f"{value} {currency}" if currency else value
        hit = _Hit("money", shown + suffix, m.start(), end)
        r.add(hit)
        if per_unit:
            continue
        # the first amount with a currency is the budget; a bare "budget 20000" only without one
        if budget is None or (budget[1] is None and currency is not None):
            budget = (amount, currency, hit)
    if budget is None:
        return None, None
    budget[2].kind = "budget"
    return budget[0], budget[1]


def _read_engagement(r: _Reading) -> float | None:
    found: float | None = None
    for m in r.scan(_ENGAGEMENT_RE, _ENGAGEMENT_STARTERS):
        if not r.free(m.start(), m.end()):
            continue
        share = _to_number(m.group("p1") or m.group("p2")) / 100
        if not 0 < share <= 1:
            continue
        r.add(_Hit("engagement", f"{share:g}", m.start(), m.end()))
        if found is None:
            found = share
    return found


def _follower_number(raw: str) -> int:
    m = _FOLLOWER_NUMBER_RE.match(raw.strip())
    assert m is not None  # the pattern matches any string
    return int(_to_number(m.group("n")) * lx.MULTIPLIERS.get((m.group("m") or "").rstrip("."), 1.0))


def _read_followers(r: _Reading) -> None:
    for m in r.scan(_FOLLOWERS_RE, _FOLLOWER_STARTERS):
        if not r.free(m.start(), m.end()):
            continue
        if m.group("a"):
            value = f"{_follower_number(m.group('a'))}-{_follower_number(m.group('b'))}"
        elif m.group("c"):
            n = _follower_number(m.group("c"))
            value = f"<={n}" if m.group("q").startswith(_FOLLOWER_MAX) else f">={n}"
        else:
            n = _follower_number(m.group("d"))
            value = f">={n}" if m.group("plus") else str(n)
        r.add(_Hit("followers", value, m.start(), m.end()))


def _count_value(raw: str) -> int:
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[_key(raw)]


def _read_counts(r: _Reading) -> int | None:
    wanted: int | None = None
    for m in r.scan(_COUNT_RE, _COUNT_STARTERS):
        if m.group("plus"):
            number_end = m.end("plus")
        else:
            number_end = m.end("b") if m.group("b") else m.end("a")
        if not r.free(m.start(), number_end) or r.in_negative(m.start()):
            continue
        mid = [_plain(w.strip(":")) for w in m.group("mid").split()]
        if any((w in _STOP and w not in _LIST_WORDS) or w in _NOT_BETWEEN_COUNT for w in mid):
            continue
        a = _count_value(m.group("a"))
        b = _count_value(m.group("b")) if m.group("b") else None
        # a range gives its lower bound (the fewest creators the brief settles for)
        count = b if b is not None and (m.group("q") or "") in _UP_TO else a
        if count < 1:
            continue
        cuts = ((m.start(), number_end), (m.start("noun"), m.end("noun")))
        r.add(_Hit("creator_count", str(count), m.start(), m.end(), cuts=cuts), claim=False)
        r.taken[m.start() : number_end] = b"\x01" * (number_end - m.start())
        if wanted is None:
            wanted = count
    return wanted


# ---- dates, durations, ages ----------------------------------------------------------------


def _date_lead_before(r: _Reading, pos: int) -> bool:
    """Whether a date lead ("in", "by", "en", "im", "early") stands right before ``pos``."""
    i = bisect.bisect_right(r.tok_ends, pos)
    before = r.toks[max(0, i - 2) : i]
    if not before or not r.low[before[-1][1] : pos].isspace():
        return False
    words = [t[2] for t in before]
    return words[-1] in _DATE_LEADS or " ".join(words) in _DATE_LEADS


def _read_dates(r: _Reading) -> None:
    low, norm = r.low, r.norm
    for m in r.scan(_ISO_DATE_RE):
        if r.free(m.start(), m.end()):
            y, mo, d = m.group("y"), int(m.group("m")), m.group("d")
            value = f"{y}-{mo:02d}" + (f"-{int(d):02d}" if d else "")
            r.add(_Hit("date", value, m.start(), m.end()))
    for m in r.scan(_NUM_DATE_RE):
        if not r.free(m.start(), m.end()):
            continue
        a, b, y = int(m.group("a")), int(m.group("b")), m.group("y")
        year = y if len(y) == 4 else f"20{y}"
        if a > 12 and 1 <= b <= 12:
            value = f"{year}-{b:02d}-{a:02d}"
        elif b > 12 and 1 <= a <= 12:
            value = f"{year}-{a:02d}-{b:02d}"
        elif 1 <= a <= 12 and 1 <= b <= 12:
            value = m.group(0)  # 03/04: whether the day or the month comes first is unknowable
        else:
            continue
        r.add(_Hit("date", value, m.start(), m.end()))
    months = [t.start for t in r.terms("month")]
    for m in r.scan(_MONTH_RE, extra=months):
        if not r.free(m.start(), m.end()):
            continue
        mon = m.group("mon")
        day = m.group("d1") or m.group("d2")
        year = m.group("y")
        lead = _date_lead_before(r, m.start("mon"))
        capital = norm[m.start("mon")].isupper()
        if mon in _AMBIGUOUS_MONTHS or len(mon) <= 3:
            if not (day or year or (capital and lead) or (mon in ("mai", "mars") and lead)):
                continue
        elif not (day or year or lead):
            continue
        if day and not 1 <= int(day) <= 31:
            continue
        month = _MONTH_LOOKUP[mon]
        start = m.start() if m.group("d1") else m.start("mon")
        if year:
            value = f"{year}-{month:02d}" + (f"-{int(day):02d}" if day else "")
        else:
            value = f"--{month:02d}" + (f"-{int(day):02d}" if day else "")
        r.add(_Hit("date", value, start, m.end()))
    for m in r.scan(_QUARTER_RE, _QUARTER_STARTERS, digits=False):
        if not r.free(m.start(), m.end()):
            continue
        if m.group("w"):
            q = lx.QUARTER_WORDS[_key(m.group("w"))]
            value = f"{m.group('wy')}-{q}" if m.group("wy") else q
        else:
            q = m.group("q").upper() + (f"-{m.group('q2').upper()}" if m.group("q2") else "")
            y = m.group("y")
            if y and y.startswith("'"):
                y = f"20{y[1:]}"
            value = f"{y}-{q}" if y and not y.startswith("fy") else q
        r.add(_Hit("date", value, m.start(), m.end()))
    for m in r.scan(_SEASON_RE, _SEASON_STARTERS, digits=False):
        if not r.free(m.start(), m.end()):
            continue
        season = _SEASON_CANON[m.group("s") or m.group("s2")]
        year = m.group("y") or m.group("y2")
        r.add(_Hit("date", f"{season} {year}" if year else season, m.start(), m.end()))
    for t in r.terms("relative_date"):
        if r.free(t.start, t.end):
            r.add(_Hit("date", _key(low[t.start : t.end]), t.start, t.end))


def _read_durations(r: _Reading, *, years: bool) -> None:
    for m in r.scan(_DURATION_RE, _DURATION_STARTERS):
        unit = _DURATION_LOOKUP[m.group("u")]
        if (unit == "Y") != years or not r.free(m.start(), m.end()):
            continue
        raw = m.group("n")
        n = (raw if raw[0] in _DIGITS else str(_NUMBER_WORDS[_key(raw)])).replace(",", ".")
        r.add(_Hit("duration", f"PT{n}H" if unit == "H" else f"P{n}{unit}", m.start(), m.end()))


def _read_ages(r: _Reading) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []

    def add(start: int, end: int, first: int, last: int, value: str, *, kind: str = "age") -> None:
        keep = kind == "age_keep"
        r.add(_Hit("age" if keep else kind, value, start, end, keep=keep))
        if not r.in_negative(start):
            ranges.append((first, last))

    for m in r.scan(_AGE_RANGE_RE, _AGE_STARTERS):
        a, b = int(m.group("a")), int(m.group("b"))
        if a < b and r.free(m.start(), m.end()):
            add(m.start(), m.end(), a, b, f"{a}-{b}")
    for m in r.scan(_AGE_OVER_RE, _AGE_STARTERS):
        if not r.free(m.start(), m.end()):
            continue
        age = int(m.group("a") or m.group("b"))
        if not 13 <= age <= 70:
            continue
        inclusive = m.group("b") is not None or (m.group("q") or "") in ("ab", "aged")
        first = age if inclusive else age + 1
        add(m.start(), m.end(), first, 64, f"{first}+")
    for m in r.scan(_AGE_UNDER_RE, _UNDER_STARTERS, digits=False):
        high = int(m.group("a"))
        if 14 <= high <= 70 and r.free(m.start(), m.end()):
            add(m.start(), m.end(), 13, high - 1, f"13-{high - 1}")
    for t in r.terms("life_stage"):
        if not r.free(t.start, t.end):
            continue
        what, data = cast("tuple[str, tuple[int, ...] | None]", t.value)
        if what == "generation" and data is not None:
            born_from, born_to = data
            first, last = max(13, r.year - born_to), min(64, r.year - born_from)
            if first <= last:
                add(t.start, t.end, first, last, f"{first}-{last}", kind="generation")
        elif what == "age" and data is not None:
            first, last, keep = data
            add(t.start, t.end, first, last, f"{first}-{last}", kind="age_keep" if keep else "age")
        else:  # all ages: no age target
            r.add(_Hit("age", "all", t.start, t.end))
    return ranges


# ---- measurements and numbers --------------------------------------------------------------


def _read_measurements(r: _Reading) -> None:
    """Before ages: "SPF 50+" is not an age, nor is "30-50 ml"."""
    starters = [s for s, _e, w in r.toks if w.rstrip(_DIGITS) in _UNITS_BEFORE]
    for m in r.scan(_MEASURE_BEFORE_RE, extra=starters, digits=False):
        if r.free(m.start(), m.end()):
            unit = m.group("u").rstrip(".")
            r.add(_Hit("measurement", f"{unit} {m.group('n')}", m.start(), m.end()))
    for m in r.scan(_MEASURE_AFTER_RE):
        if r.free(m.start(), m.end()):
            unit = m.group("u")
            value = f"{m.group('n')}-{unit}" if unit == "in-1" else f"{m.group('n')} {unit}"
            r.add(_Hit("measurement", value, m.start(), m.end()))


def _read_numbers(r: _Reading) -> None:
    for m in r.scan(_DELIVERABLE_RE, _DELIVERABLE_STARTERS):
        number_end = m.end("n")
        if not r.free(m.start(), number_end):
            continue
        if any(_plain(w) in _STOP for w in m.group("mid").split()):
            continue
        raw = m.group("n")
        n = raw if raw[0] in _DIGITS else str(_NUMBER_WORDS[_key(raw)])
        cuts = ((m.start(), number_end), (m.start("u"), m.end("u")))
        r.add(
            _Hit("deliverable", f"{n} {m.group('u')}", m.start(), m.end(), cuts=cuts), claim=False
        )
        r.taken[m.start() : number_end] = b"\x01" * (number_end - m.start())
    for m in r.scan(_PERCENT_RE):
        if r.free(m.start(), m.end()):
            r.add(_Hit("number", _key(m.group(0)), m.start(), m.end()))
    for m in r.scan(_YEAR_RE):
        if r.free(m.start(), m.end()):
            r.add(_Hit("date", m.group("y"), m.start(), m.end()))
    for m in r.scan(_NUMBER_RE):
        if r.free(m.start(), m.end()):
            r.add(_Hit("number", m.group(0), m.start(), m.end()))


# ---- places, languages, audience, platforms, tiers -----------------------------------------


def _read_places(r: _Reading) -> None:
    low, norm = r.low, r.norm
    cuisine = {t.first for t in r.terms("cuisine")}
    for t in r.terms("not_place"):  # "Tour de France"
        if r.free(t.start, t.end):
            r.add(_Hit("", "", t.start, t.end, keep=True, item=False))
    for t in r.terms("language"):
        if r.free(t.start, t.end):
            r.add(_Hit("language", str(t.value), t.start, t.end))
    for start, end, word in r.toks:
        if word.startswith(_LANGUAGE_STEMS) and r.free(start, end):
            lang = next(lang for stem, lang in _LANGUAGE_PREFIXES if word.startswith(stem))
            r.add(_Hit("language", lang, start, end))
    for t in r.terms("region"):
        if r.free(t.start, t.end):
            for cc in cast("tuple[str, ...]", t.value):
                r.add(_Hit("country", cc, t.start, t.end))
    for t in r.terms("country"):
        if not r.free(t.start, t.end):
            continue
        name = _key(low[t.start : t.end]).removesuffix("-based")
        if name in _CAPITALISED_ONLY and not norm[t.start].isupper():
            continue
        if t.last in cuisine and r.joins[t.last - 1]:  # "Mexican street food": a niche
            r.add(_Hit("", "", t.start, t.end, keep=True, item=False))
            continue
        r.add(_Hit("country", str(t.value), t.start, t.end))
    # codes are short upper-case tokens: "US", "UK", "EE" of "EE.UU.", "US" of "US-based"
    starts = [s for s, _e, w in r.toks if norm[s].isupper() and len(w.split("-", 1)[0]) <= 4]
    for m in r.scan(_CODE_RE, extra=starts, digits=False, text=norm):
        if r.free(m.start(), m.end()):
            r.add(
                _Hit("country", _CODE_LOOKUP[m.group(0).removesuffix("-based")], m.start(), m.end())
            )


def _read_genders(r: _Reading) -> None:
    for t in r.terms("gender"):
        if r.free(t.start, t.end):
            gender, keep = cast("tuple[str, bool]", t.value)
            r.add(_Hit("gender", gender, t.start, t.end, keep=keep))


def _read_tiers(r: _Reading) -> None:
    for t in r.terms("tier_phrase"):
        if r.free(t.start, t.end):
            for tier in cast("tuple[str, ...]", t.value):
                r.add(_Hit("tier", tier, t.start, t.end))
    starts = [s for s, _e, w in r.toks if w.startswith(_TIER_STEMS) or w in _TIER_REVERSED]
    for m in r.scan(_TIER_RE, extra=starts, digits=False):
        if not r.free(m.start(), m.end()):
            continue
        listed = m.group("list") or m.group("list2")
        words = [_key(w.group(0)) for w in _TIER_WORD_RE.finditer(listed)]
        explicit = any(_TIER_LOOKUP[w] == "mid" and w != "mid" for w in words)
        if not (m.group("noun") or m.group("list2") or len(words) >= 2 or explicit):
            continue  # "micro" alone is a word ("micro USB"), not a wish
        for tier in dict.fromkeys(_TIER_LOOKUP[w] for w in words):
            r.add(_Hit("tier", tier, m.start(), m.end()))


def _read_platforms(r: _Reading) -> None:
    starts = [s for s, _e, w in r.toks if w.split("-")[0] in _PLATFORM_STEMS]
    for m in r.scan(_ONLY_RE, _ONLY_STARTERS, digits=False, extra=starts):
        if not r.free(m.start(), m.end()):
            continue
        listed = m.group("a") or m.group("b")
        names = [_PLATFORM_LOOKUP[_key(p.group(0))] for p in _PLATFORM_RE.finditer(listed)]
        for name in dict.fromkeys(names):
            r.add(_Hit("platform_only", name, m.start(), m.end()))
    for t in r.terms("platform"):
        if r.free(t.start, t.end):
            r.add(_Hit("platform", str(t.value), t.start, t.end))


def _read_safety(r: _Reading) -> None:
    negation_ends = {t.last - 1: t.start for t in r.terms("safety_neg")}
    for t in r.terms("safety_term"):
        # a negation at most three words before: "no alcohol", "sin contenido de apuestas"
        for k in range(t.first - 1, max(t.first - 5, -1), -1):
            if not r.joins[k]:
                break
            if k in negation_ends:
                r.add(_Hit("brand_safety", str(t.value), negation_ends[k], t.end), claim=False)
                break
    for t in r.terms("all_safe"):
        if r.free(t.start, t.end):
            for cat in lx.FAMILY_CATEGORIES:
                r.add(_Hit("brand_safety", cat, t.start, t.end))


def _read_competitors(r: _Reading) -> None:
    norm = r.norm
    covered = -1
    for t in r.terms("competitor_marker"):
        if t.start < covered:
            continue
        m = _COMPETITOR_TAIL_RE.match(norm, t.end)
        if m is None:
            continue
        chunk = m.group("list")
        start_list = m.start("list")
        named = m.group("sep") is not None
        end = start_list
        cursor = 0
        for part in _LIST_SPLIT.split(chunk):
            name = part.rpartition(":")[2].strip(" '\"()")  # "rivals: Adidas" -> "Adidas"
            pos = chunk.find(part, cursor)
            cursor = pos + len(part)
            if not name:
                continue
            if len(name.split()) > 3 or (not named and not name[:1].isupper()):
                break
            if _key(_lower(name)) in _PLATFORM_LOOKUP or name in _CODE_LOOKUP:
                continue
            at = start_list + pos + part.find(name)
            r.add(_Hit("competitor", name, at, at + len(name)), claim=False)
            end = at + len(name)
        if end > start_list:
            r.cut(t.start, end)
            covered = end
    for m in r.scan(_NOT_WITH_RE, _NOT_WITH_STARTERS, digits=False, text=norm):
        listed = m.group("list")
        cursor = 0
        for part in re.split(r"\s*(?:,|\bor\b|\band\b)\s*", listed):
            name = part.strip()
            if not name or _key(_lower(name)) in _PLATFORM_LOOKUP or name in _CODE_LOOKUP:
                continue
            pos = listed.find(name, cursor)
            cursor = pos + len(name)
            at = m.start("list") + pos
            r.add(_Hit("competitor", name, at, at + len(name)), claim=False)
            r.cut(m.start(), at + len(name))


def _read_interests(r: _Reading) -> tuple[str, ...]:
    low = r.low
    out: list[str] = []
    covered = -1
    for t in r.terms("interest_marker"):
        if t.start < covered:
            continue
        m = _INTEREST_LIST_RE.match(low, t.end)
        if m is None or r.in_negative(t.start):
            continue
        listed = m.group("list")
        chunk = _INTEREST_STOP.sub("", _interest_chunk(listed.strip()))
        base = m.start("list") + (len(listed) - len(listed.lstrip()))
        covered = base + len(chunk)
        cursor = 0
        found = False
        for part in _INTEREST_SPLIT.split(chunk):
            words = part.strip(" '\"").split()
            if not words or len(words) > 4:
                continue
            term = " ".join(words)
            pos = chunk.find(words[0], cursor)
            if pos < 0:
                continue
            cursor = pos + len(words[0])
            if _is_budget_or_noise(term):
                continue
            at = base + pos
            out.append(term)
            found = True
            end = min(at + len(part.strip(" '\"")), len(low))
            r.add(_Hit("interest", term, at, end, keep=True), claim=False)
        if found:
            r.cut(t.start, t.end)
    return tuple(dict.fromkeys(out))


def _interest_chunk(chunk: str) -> str:
    """The interest list at the start of ``chunk``: up to the first comma, unless the commas
    belong to an "a, b and c" list, which runs to the item after the conjunction."""
    comma = chunk.find(",")
    if comma < 0:
        return chunk
    conj = _CONJUNCTION.search(chunk)
    if conj is None or conj.start() < comma:
        return chunk[:comma]
    after = chunk.find(",", conj.end())
    return chunk if after < 0 else chunk[:after]


def _is_budget_or_noise(term: str) -> bool:
    if _DIGIT_RE.search(term):
        return True
    key = _key(term)
    return key in _OBJ_LOOKUP or key in _COUNTRY_LOOKUP or key in _PLATFORM_LOOKUP


def _read_filler(r: _Reading) -> None:
    for t in r.terms("filler"):
        r.cut(t.start, t.end)
    for t in r.terms("label"):
        colon = _COLON.match(r.low, t.end)
        if colon:
            r.cut(t.start, colon.end())
    for t in r.terms("context_filler"):
        if not _context_stays(r, t.end):
            r.cut(t.start, t.end)
    for start, end, word in r.toks:  # "ASMR-only", "Fitness-Influencer"
        dash = word.rfind("-")
        if dash > 0 and word[dash + 1 :] in _FILLER_TAILS:
            r.cut(start + dash, end)


# ---- objective ------------------------------------------------------------------------------


def _context_stays(r: _Reading, end: int) -> bool:
    """A context word ("launch") stays in the niche text when a content word follows it
    ("launch monitors"), not an item, filler or a stop word ("launch in the US")."""
    m = _NEXT_WORD.match(r.low, end)
    if m is None or not r.free(m.start(1), m.end(1)):
        return False
    word = m.group(1)
    return _plain(word) not in _STOP and (word,) not in _FILLER_WORDS


_FILLER_WORDS = frozenset(tuple(_term_words(t)) for t in lx.FILLER)


def _read_objective(r: _Reading) -> Objective | None:
    norm = r.norm
    leads = {t.last for t in r.terms("goal_lead")}  # the token right after a lead
    in_clause: _Hit | None = None
    after_lead: _Hit | None = None
    firsts: dict[int, _Hit] = {}
    clauses_seen: set[int] = set()  # a clause's first goal word decides
    for t in r.terms("objective"):
        start, end = t.start, t.end
        if not r.free(start, end) or r.in_negative(start):
            continue
        obj, level, cls = cast("tuple[Objective, int, str]", t.value)
        if obj is Objective.PR and norm[start:end].lower() == "pr" and norm[start:end] != "PR":
            continue
        clause = r.goal_clause_at(start)
        if clause >= 0 or cls == "strong":
            keep = False
        elif cls == "context":
            keep = _context_stays(r, end)
        else:  # weak words are decided per stretch below, "keep" words stay
            keep = True
        hit = _Hit("objective", obj.value, start, end, keep=keep)
        r.add(hit, claim=False)
        if clause >= 0 and clause not in clauses_seen and in_clause is None:
            in_clause = hit
        if clause >= 0:
            clauses_seen.add(clause)
        if t.first in leads and r.joins[t.first - 1]:
            after_lead = after_lead or hit
        firsts.setdefault(level, hit)
    _drop_objective_leftovers(r)
    chosen = in_clause or after_lead or firsts.get(2) or firsts.get(1)
    if chosen is not None:
        chosen.decides = True
    for index, (start, stop) in enumerate(r.goal_clauses):
        if index not in clauses_seen:
            r.add(_Hit("objective", "unknown", start, stop), claim=False)
    return Objective(chosen.value) if chosen else None


def _drop_objective_leftovers(r: _Reading) -> None:
    """Cut weak goal words that stand in a stretch of nothing but goal words ("..., sales,
    $5k"); the others stay in the niche text."""
    low = r.low
    kept = [h for h in r.hits if h.kind == "objective" and h.keep]
    if not kept:
        return
    cut = _cut_mask(r, len(low))
    goal_words = _spans_mask(len(low), ((h.start, h.end) for h in r.hits if h.kind == "objective"))
    bounds = [m.start() for m in _STRETCH_END.finditer(low)]
    alone_in: dict[int, bool] = {}  # per stretch: nothing but goal words in it
    for hit in kept:
        if _OBJ_LOOKUP[_key(low[hit.start : hit.end])][2] != "weak":
            continue
        i = bisect.bisect_left(bounds, hit.start)
        if i not in alone_in:
            a = bounds[i - 1] + 1 if i else 0
            b = bounds[i] if i < len(bounds) else len(low)
            alone_in[i] = all(
                cut[tok.start()] or goal_words[tok.start()] or _plain(tok.group(0)) in _STOP
                for tok in _TOKEN.finditer(low, a, b)
            )
        if alone_in[i]:
            hit.keep = False


def _spans_mask(n: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    mask = bytearray(n)
    for a, b in spans:
        mask[a:b] = b"\x01" * (b - a)
    return mask


def _cut_mask(r: _Reading, n: int) -> bytearray:
    mask = bytearray(n)
    for hit in r.hits:
        if hit.keep:
            continue
        for a, b in hit.cuts or ((hit.start, hit.end),):
            mask[a:b] = b"\x01" * (b - a)
    return mask


# ---- negative wishes: topics ---------------------------------------------------------------

# item kinds whose words are not part of a negative wish's topic
_NOT_TOPIC_KINDS = frozenset(
    {
        "competitor",
        "brand_safety",
        "age",
        "generation",
        "gender",
        "country",
        "language",
        "creator_count",
        "money",
        "budget",
        "date",
        "duration",
        "number",
        "measurement",
        "followers",
        "engagement",
        "deliverable",
    }
)


def _read_negative_topics(r: _Reading) -> None:
    low, norm = r.low, r.norm
    inner = _spans_mask(len(low), ((h.start, h.end) for h in r.hits if h.kind in _NOT_TOPIC_KINDS))
    marker_ends: dict[int, int] = {}
    for t in (*r.terms("neg_any"), *r.terms("neg_clause")):
        marker_ends[t.start] = max(marker_ends.get(t.start, 0), t.end)
    for start, stop in r.negatives:
        body = marker_ends.get(start, start)
        colon = _COLON.match(low, body)
        body = colon.end() if colon else body
        r.cut(start, stop)
        cursor = body
        for piece_m in [*_PIECE_SPLIT.finditer(low, body, stop), None]:
            piece_end = piece_m.start() if piece_m else stop
            a, b = cursor, piece_end
            cursor = piece_m.end() if piece_m else stop
            if b <= a:
                continue
            tie = _TIE_RE.search(low, a, b)
            if tie is not None:
                what = _key(low[tie.start("what") : b]).strip(" .")
                r.add(_Hit("competitor_exclusion", what, tie.start(), b), claim=False)
                continue
            words: list[tuple[int, int]] = []
            for tok in _TOKEN.finditer(low, a, b):
                s, e = tok.start(), tok.end()
                if inner[s]:
                    continue
                dash = tok.group(0).rfind("-")
                tail = dash > 0 and tok.group(0)[dash + 1 :] in _FILLER_TAILS
                words.append((s, s + dash if tail else e))
            # leading filler, relative pronouns and light verbs ("channels that focus on
            # cheats"); a relative clause after a head noun ("mods that break ..."); trailing
            # filler ("fitness influencers who ...")
            while words and _weak_topic_word(low[words[0][0] : words[0][1]]):
                words.pop(0)
            for i, (s, e) in enumerate(words[1:], start=1):
                if _plain(low[s:e]) in _RELATIVES:
                    words = words[:i]
                    break
            while words and _weak_topic_word(low[words[-1][0] : words[-1][1]], edge=True):
                words.pop()
            if not words:
                continue
            topic = _key(norm[words[0][0] : words[-1][1]].lower()).strip(" .,'")
            if not topic:
                continue
            if topic in _SAFETY_LOOKUP:
                r.add(
                    _Hit("brand_safety", _SAFETY_LOOKUP[topic], words[0][0], words[-1][1]),
                    claim=False,
                )
                continue
            r.add(_Hit("exclude", topic, words[0][0], words[-1][1]), claim=False)


def _weak_topic_word(word: str, *, edge: bool = False) -> bool:
    plain = _plain(word)
    if plain in _STOP or (word,) in _FILLER_WORDS:
        return True
    return not edge and plain in _TOPIC_LEAD


# ---- niche text, phrases, terms ------------------------------------------------------------


def _masked(norm: str, mask: bytearray) -> str:
    """``norm`` with the cut characters replaced by NUL (a boundary)."""
    out: list[str] = []
    pos = 0
    n = len(norm)
    while pos < n:
        start = mask.find(1, pos)
        if start < 0:
            out.append(norm[pos:])
            break
        out.append(norm[pos:start])
        end = mask.find(0, start)
        end = n if end < 0 else end
        out.append("\x00" * (end - start))
        pos = end
    return "".join(out)


@functools.lru_cache(maxsize=16384)
def _is_stop(token: str) -> bool:
    """A connective word, or a single letter ("e.g." leaves "e" and "g")."""
    plain = _plain(token)
    return plain in _STOP or (len(plain) == 1 and plain.isalpha())


_Tok = tuple[int, int, str]


def _niche(norm: str, mask: bytearray) -> tuple[str, tuple[str, ...]]:
    masked = _masked(norm, mask)
    chunks: list[str] = []
    phrases: list[str] = []
    for stretch in _STRETCH.finditer(masked):
        run: list[_Tok] = [
            (m.start(), m.end(), m.group())
            for m in _TOKEN.finditer(masked, stretch.start(), stretch.end())
        ]
        first, last = 0, len(run)
        while first < last and (_is_stop(run[first][2]) or run[first][2].isdigit()):
            first += 1
        while last > first and _is_stop(run[last - 1][2]):
            last -= 1
        if first == last:
            continue
        run = run[first:last]
        chunks.append(norm[run[0][0] : run[-1][1]])
        phrases.extend(_phrases(norm, run))
    return ", ".join(dict.fromkeys(chunks)), tuple(dict.fromkeys(phrases))


def _phrases(norm: str, run: list[_Tok]) -> Iterator[str]:
    """The multi-word phrases of a niche stretch: compounds (as written and joined), runs of
    content words (a Romance "de" may stand inside: "cuidado de la piel") and their adjacent
    pairs."""
    for _s, _e, word in run:
        if "-" in word or "\u2010" in word:
            text = word.lower()
            parts = text.replace("\u2010", "-").split("-")
            if all(p.isalpha() for p in parts):
                yield text
                yield "".join(parts)
    groups: list[list[_Tok]] = [[]]
    i = 0
    while i < len(run):
        word = run[i][2]
        if not _is_stop(word):
            groups[-1].append(run[i])
            i += 1
            continue
        if _plain(word) in _CONNECTORS and groups[-1]:
            j = i + 1
            while j < len(run) and _plain(run[j][2]) in _CONNECTOR_TAILS:
                j += 1
            if j < len(run) and not _is_stop(run[j][2]):
                groups[-1].extend(run[i:j])
                i = j
                continue
        groups.append([])
        i += 1
    for group in groups:
        content = [k for k, t in enumerate(group) if not _is_stop(t[2])]
        if len(content) < 2:
            continue
        if len(content) <= 4:
            yield _key(norm[group[0][0] : group[-1][1]].lower())
        for x, y in itertools.pairwise(content):
            if y != x + 1:  # joined by a connector: "cuidado de la piel"
                yield _key(norm[group[x][0] : group[y][1]].lower())
                continue
            a, b = group[x][2].lower(), group[y][2].lower()
            yield f"{a} {b}"
            if b in _COMPOUND_TAILS:
                yield f"{a}-{b}"
                yield f"{a}{b}"


def niche_terms(text: str) -> tuple[str, ...]:
    """``text`` as lexical terms: case- and accent-folded words without stop words or
    numbers, a hyphenated compound as one joined term ("eco-friendly" -> "ecofriendly") and so
    a pair written apart ("eco friendly"); never a compound's pieces."""
    out: list[str] = []
    low = _lower(text)
    matches = list(_TOKEN.finditer(low))
    tokens = [t.group(0) for t in matches]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        parts = re.split(r"[-\u2010]", tok)
        if (
            nxt is not None
            and nxt in _COMPOUND_TAILS
            and tok.isalpha()
            and not _is_stop(tok)
            and low[matches[i].end() : matches[i + 1].start()].isspace()
        ):
            out.append(_plain(tok + nxt))
            i += 2
            continue
        i += 1
        if len(parts) > 1 and all(p.isalpha() for p in parts):
            out.append(_plain("".join(parts)))
            continue
        for part in parts:
            plain = _plain(part)
            if plain and plain not in _STOP and not _NUMBERISH.fullmatch(plain):
                out.append(plain)
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------


def parse_brief(text: str, *, year: int | None = None) -> Brief:
    """Read a free-text brief (EN/ES/FR/DE); what is not found stays empty.

    Args:
        text: the recruiter's brief.
        year: the year generations ("Gen Z", "millennials") are aged against; default the
            current UTC year.
    """
    year = year if year is not None else datetime.now(UTC).year
    norm = unicodedata.normalize("NFC", text)
    r = _Reading(norm, year)
    _negative_scopes(r)
    _goal_clauses(r)
    # things with numbers first, most specific first: "$15k" before "15k", "SPF 50+" and
    # "10 creators" before an age
    budget, currency = _read_money(r)
    min_engagement = _read_engagement(r)
    _read_followers(r)
    _read_tiers(r)
    creators_wanted = _read_counts(r)
    _read_dates(r)
    _read_durations(r, years=False)
    _read_measurements(r)
    age_ranges = _read_ages(r)
    _read_durations(r, years=True)
    _read_numbers(r)
    _read_places(r)
    _read_genders(r)
    _read_platforms(r)
    _read_safety(r)
    _read_competitors(r)
    _read_filler(r)
    objective = _read_objective(r)
    interests = _read_interests(r)
    _read_negative_topics(r)
    niche_text, phrases = _niche(norm, _cut_mask(r, len(norm)))
    excluded = _keep_exclusions_apart(r, niche_text)
    return _assemble(
        r,
        text,
        objective=objective,
        age_ranges=age_ranges,
        interests=interests,
        budget=budget,
        currency=currency,
        creators_wanted=creators_wanted,
        min_engagement=min_engagement,
        excluded=excluded,
        niche_text=niche_text,
        phrases=phrases,
    )


def _keep_exclusions_apart(r: _Reading, niche_text: str) -> tuple[str, ...]:
    """The excluded topics, without those the niche asks for: "Not: fitness influencers who
    never explain the tech" in a fitness-tracker brief excludes no topic."""
    wanted = set(niche_terms(niche_text))
    topics: list[str] = []
    for hit in r.hits:
        if hit.kind != "exclude":
            continue
        if set(niche_terms(hit.value)) <= wanted:
            hit.item = False
        else:
            topics.append(hit.value)
    return tuple(dict.fromkeys(topics))


# Kinds that a negative wish absorbs: "no TikTok" is not a platform wish.
_POSITIVE_KINDS = frozenset(
    {"country", "language", "platform", "platform_only", "tier", "gender", "age", "generation"}
)


def _assemble(
    r: _Reading,
    text: str,
    *,
    objective: Objective | None,
    age_ranges: list[tuple[int, int]],
    interests: tuple[str, ...],
    budget: float | None,
    currency: str | None,
    creators_wanted: int | None,
    min_engagement: float | None,
    excluded: tuple[str, ...],
    niche_text: str,
    phrases: tuple[str, ...],
) -> Brief:
    hits = sorted(
        (
            h
            for h in r.hits
            if h.item
            and not (h.kind in _POSITIVE_KINDS and r.in_negative(h.start))
            # an objective word left in the niche text is shown only when it decides
            and not (h.kind == "objective" and h.keep and not h.decides)
        ),
        key=lambda h: (h.start, h.end),
    )
    by_kind: dict[str, list[str]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h.value)

    def values(*kinds: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.value for h in hits if h.kind in kinds))

    weights: dict[str, float] = {}
    for low_age, high_age in age_ranges:
        for band, w in age_band_weights(low_age, high_age):
            weights[band] = max(weights.get(band, 0.0), w)
    order = [b for b, _, _ in AGE_BANDS]
    age = tuple(sorted(weights.items(), key=lambda kv: order.index(kv[0])))
    countries = values("country")
    genders = tuple(g for g in ("female", "male") if g in by_kind.get("gender", []))
    safety = set(by_kind.get("brand_safety", []))
    items = tuple(
        UnderstoodItem(h.kind, h.value, r.norm[h.start : h.end], h.start, h.end)
        for h in _dedupe(hits)
    )
    return Brief(
        text=text,
        objective=objective,
        target=TargetAudience(age=age, genders=genders, countries=countries, interests=interests),
        budget=budget,
        currency=currency,
        platforms=values("platform", "platform_only"),
        countries=countries,
        languages=values("language"),
        competitor_brands=values("competitor"),
        brand_safety=tuple(c for c in BRAND_SAFETY_CATEGORIES if c in safety),
        creators_wanted=creators_wanted,
        tiers=values("tier"),
        min_engagement=min_engagement,
        only_platforms=values("platform_only"),
        excluded_topics=excluded,
        niche_text=niche_text,
        niche_phrases=phrases,
        understood=items,
    )


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    seen: set[tuple[str, str, int, int]] = set()
    out = []
    for h in hits:
        key = (h.kind, h.value, h.start, h.end)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out
