"""The demo roster: made-up creators that look like a real agency's database.

:func:`generate_roster` yields creator records in the interchange format
(docs/creator-record.md). Record ``i`` is drawn from its own ``random.Random(f"{seed}:{i}")``
and depends otherwise only on the handles taken by records ``0..i-1``, so the first ``k``
records are the same for every ``n >= k`` and every run. :func:`roster_truth` gives the hidden
ground truth of each record (niche, tier, fraud, virtual) for tests and evaluation; nothing in
a record says that it is a bought-follower profile, its numbers do.

Only the standard library is used. A record costs 0.1-0.2 ms of one core, so 5,000 take
about a second and 100,000 about 10-25 s (the import benchmark streams them).
"""

from __future__ import annotations

import base64
import bisect
import math
import random
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from core.tiers import TIER_BENCHMARKS, Tier, tier_bounds
from creators.record import Platform
from demo import content

__all__ = [
    "CATEGORIES",
    "DEMO_NOW",
    "PLATFORMS",
    "RECENT_DAYS",
    "generate_roster",
    "roster_truth",
]

# Timestamps are relative to this instant, so the roster does not change with the clock.
DEMO_NOW = datetime(2026, 11, 1, tzinfo=UTC)
_NOW_TS = int(DEMO_NOW.timestamp())
# Recent posts fall within this many days before DEMO_NOW.
RECENT_DAYS = 120

# Every platform of the creator record, in the record's order.
PLATFORMS: tuple[str, ...] = tuple(p.value for p in Platform)
CATEGORIES: tuple[str, ...] = content.CATEGORIES

T = TypeVar("T")

_VIRTUAL_RATE = 0.003
_FRAUD_RATE = 0.01

# --- the shape of the roster -----------------------------------------------------------------

_PLATFORM_SHARE: dict[str, float] = {
    "instagram": 34,
    "tiktok": 24,
    "youtube": 14,
    "linkedin": 5,
    "facebook": 4,
    "x": 4,
    "twitch": 3.5,
    "pinterest": 3,
    "podcast": 3,
    "blog": 3,
    "snapchat": 2.5,
}
_FRAUD_PLATFORM_SHARE: dict[str, float] = {
    "instagram": 60,
    "tiktok": 20,
    "youtube": 6,
    "x": 7,
    "facebook": 7,
}
_VIRTUAL_PLATFORM_SHARE: dict[str, float] = {"instagram": 55, "tiktok": 30, "youtube": 15}
_VIRTUAL_NICHES: tuple[str, ...] = ("fashion", "beauty", "gaming", "music", "tech", "travel")

_NICHE_BASE: dict[str, float] = {
    "beauty": 8,
    "skincare": 6,
    "fitness": 8,
    "food": 9,
    "vegan": 3.5,
    "travel": 7,
    "gaming": 7,
    "tech": 5,
    "parenting": 6,
    "fashion": 8,
    "pets": 4,
    "finance": 4,
    "b2b": 0.5,
    "home-diy": 4,
    "outdoors": 3,
    "music": 4,
    "books": 3,
    "sustainability": 3,
    "wellness": 4,
    "sports": 4,
    "education": 3,
    "automotive": 2.5,
}
# Platforms with a niche mix of their own; the others scale _NICHE_BASE (below).
_PLATFORM_NICHES: dict[str, dict[str, float]] = {
    "linkedin": {
        "b2b": 55,
        "finance": 10,
        "tech": 10,
        "education": 8,
        "sustainability": 4,
        "wellness": 3,
        "fitness": 2,
        "travel": 2,
        "parenting": 2,
        "books": 2,
        "food": 1,
        "automotive": 1,
    },
    "twitch": {
        "gaming": 70,
        "music": 8,
        "tech": 6,
        "sports": 5,
        "education": 3,
        "fitness": 2,
        "food": 2,
        "books": 2,
        "automotive": 2,
    },
    "podcast": {
        "finance": 12,
        "b2b": 10,
        "wellness": 12,
        "books": 6,
        "education": 8,
        "sports": 8,
        "parenting": 8,
        "tech": 8,
        "music": 5,
        "fitness": 5,
        "food": 4,
        "travel": 4,
        "sustainability": 4,
        "gaming": 4,
        "pets": 2,
        "automotive": 2,
        "beauty": 2,
    },
    "blog": {
        "travel": 16,
        "food": 16,
        "parenting": 10,
        "home-diy": 10,
        "finance": 8,
        "books": 6,
        "tech": 6,
        "vegan": 5,
        "sustainability": 5,
        "fashion": 5,
        "wellness": 5,
        "outdoors": 4,
        "pets": 3,
        "education": 3,
        "b2b": 3,
        "skincare": 2,
        "beauty": 2,
        "automotive": 2,
    },
    "pinterest": {
        "home-diy": 20,
        "food": 18,
        "fashion": 15,
        "beauty": 10,
        "parenting": 8,
        "travel": 8,
        "wellness": 6,
        "vegan": 4,
        "skincare": 4,
        "fitness": 4,
        "sustainability": 3,
        "pets": 2,
        "books": 2,
        "education": 2,
    },
}
_PLATFORM_NICHE_SCALE: dict[str, dict[str, float]] = {
    "youtube": {
        "gaming": 2,
        "tech": 2.5,
        "education": 2,
        "automotive": 2,
        "music": 1.5,
        "fashion": 0.6,
        "b2b": 0.4,
    },
    "tiktok": {
        "beauty": 1.2,
        "fashion": 1.2,
        "gaming": 1.2,
        "education": 1.2,
        "books": 1.3,
        "home-diy": 0.8,
        "b2b": 0.1,
    },
    "instagram": {
        "travel": 1.4,
        "fashion": 1.3,
        "food": 1.2,
        "fitness": 1.2,
        "gaming": 0.4,
        "b2b": 0.1,
    },
    "x": {
        "tech": 3,
        "finance": 3,
        "gaming": 2,
        "sports": 3,
        "b2b": 4,
        "education": 1.5,
        "beauty": 0.3,
        "fashion": 0.3,
    },
    "facebook": {
        "parenting": 2,
        "food": 2,
        "home-diy": 2,
        "pets": 2,
        "automotive": 2,
        "outdoors": 1.5,
        "gaming": 0.5,
        "b2b": 0.3,
    },
    "snapchat": {
        "beauty": 1.5,
        "fashion": 1.5,
        "sports": 1.5,
        "music": 1.5,
        "finance": 0.3,
        "b2b": 0,
    },
}
# Secondary niches a creator of a niche plausibly also covers.
_RELATED: dict[str, tuple[str, ...]] = {
    "beauty": ("skincare", "fashion", "wellness"),
    "skincare": ("beauty", "vegan", "sustainability", "wellness"),
    "fitness": ("wellness", "food", "sports", "outdoors"),
    "food": ("vegan", "travel", "parenting", "wellness"),
    "vegan": ("food", "sustainability", "skincare", "wellness", "fitness"),
    "travel": ("outdoors", "food", "books", "fashion"),
    "gaming": ("tech", "music"),
    "tech": ("gaming", "education", "finance", "automotive"),
    "parenting": ("food", "education", "home-diy", "wellness"),
    "fashion": ("beauty", "sustainability", "travel"),
    "pets": ("outdoors", "home-diy", "parenting"),
    "finance": ("education", "b2b", "tech"),
    "b2b": ("tech", "finance", "education"),
    "home-diy": ("sustainability", "parenting", "fashion"),
    "outdoors": ("travel", "fitness", "sustainability", "sports"),
    "music": ("gaming", "education", "fashion"),
    "books": ("education", "wellness", "travel"),
    "sustainability": ("vegan", "fashion", "home-diy", "outdoors", "skincare"),
    "wellness": ("fitness", "vegan", "books", "skincare"),
    "sports": ("fitness", "outdoors", "wellness"),
    "education": ("books", "tech", "finance"),
    "automotive": ("tech", "travel", "outdoors"),
}

_LANGUAGE_SHARE: dict[str, float] = {"en": 60, "es": 15, "fr": 13, "de": 12}
_LANGUAGE_COUNTRIES: dict[str, dict[str, float]] = {
    "en": {"US": 55, "GB": 20, "CA": 10, "AU": 10, "IE": 5},
    "es": {"ES": 40, "MX": 35, "AR": 13, "CO": 12},
    "fr": {"FR": 75, "BE": 12, "CA": 13},
    "de": {"DE": 75, "AT": 13, "CH": 12},
}

_TIER_SHARE: dict[Tier, float] = {
    Tier.EMERGING: 3,
    Tier.NANO: 40,
    Tier.MICRO: 40,
    Tier.MID: 12,
    Tier.MACRO: 3,
    Tier.MEGA: 2,
}
# Bought followers inflate the count, so fraud-like profiles sit in the bigger tiers.
_FRAUD_TIER_SHARE: dict[Tier, float] = {Tier.MICRO: 40, Tier.MID: 40, Tier.MACRO: 12, Tier.MEGA: 8}
_EMERGING_FLOOR = 120
_MEGA_CEILING = 30_000_000
# Platforms where tens of millions of followers would not be credible.
_SMALL_PLATFORMS = frozenset({"linkedin", "twitch", "pinterest", "snapchat", "podcast", "blog"})
_SMALL_MEGA_CEILING = 3_000_000

# Share of women among the creators of a niche and (before noise) among their audience.
_FEMALE: dict[str, float] = {
    "beauty": 0.86,
    "skincare": 0.82,
    "fitness": 0.52,
    "food": 0.62,
    "vegan": 0.68,
    "travel": 0.58,
    "gaming": 0.24,
    "tech": 0.28,
    "parenting": 0.84,
    "fashion": 0.78,
    "pets": 0.66,
    "finance": 0.32,
    "b2b": 0.42,
    "home-diy": 0.64,
    "outdoors": 0.44,
    "music": 0.5,
    "books": 0.72,
    "sustainability": 0.68,
    "wellness": 0.76,
    "sports": 0.28,
    "education": 0.54,
    "automotive": 0.16,
}
_PLATFORM_FEMALE_SHIFT: dict[str, float] = {
    "pinterest": 0.12,
    "linkedin": -0.05,
    "twitch": -0.1,
    "x": -0.06,
}

# Audience age shares by niche, in the order of _AGE_BANDS.
_AGE_BANDS: tuple[str, ...] = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
_GENDERS: tuple[str, ...] = ("female", "male", "other")
_AGE: dict[str, tuple[float, ...]] = {
    "beauty": (0.08, 0.36, 0.33, 0.14, 0.06, 0.03),
    "skincare": (0.04, 0.26, 0.40, 0.18, 0.08, 0.04),
    "fitness": (0.03, 0.30, 0.38, 0.18, 0.07, 0.04),
    "food": (0.02, 0.17, 0.32, 0.25, 0.14, 0.10),
    "vegan": (0.03, 0.30, 0.38, 0.17, 0.08, 0.04),
    "travel": (0.02, 0.24, 0.36, 0.20, 0.11, 0.07),
    "gaming": (0.18, 0.40, 0.28, 0.10, 0.03, 0.01),
    "tech": (0.06, 0.30, 0.35, 0.18, 0.08, 0.03),
    "parenting": (0.01, 0.10, 0.45, 0.32, 0.09, 0.03),
    "fashion": (0.08, 0.38, 0.32, 0.13, 0.06, 0.03),
    "pets": (0.04, 0.24, 0.32, 0.20, 0.12, 0.08),
    "finance": (0.02, 0.30, 0.40, 0.17, 0.08, 0.03),
    "b2b": (0.0, 0.07, 0.36, 0.31, 0.18, 0.08),
    "home-diy": (0.01, 0.12, 0.33, 0.28, 0.15, 0.11),
    "outdoors": (0.02, 0.18, 0.34, 0.24, 0.13, 0.09),
    "music": (0.12, 0.36, 0.28, 0.13, 0.07, 0.04),
    "books": (0.09, 0.37, 0.31, 0.13, 0.06, 0.04),
    "sustainability": (0.03, 0.28, 0.40, 0.17, 0.08, 0.04),
    "wellness": (0.02, 0.22, 0.38, 0.22, 0.10, 0.06),
    "sports": (0.10, 0.32, 0.30, 0.15, 0.08, 0.05),
    "education": (0.20, 0.38, 0.22, 0.11, 0.06, 0.03),
    "automotive": (0.04, 0.24, 0.32, 0.21, 0.12, 0.07),
}
_FRAUD_AGE: tuple[float, ...] = (0.14, 0.46, 0.24, 0.09, 0.05, 0.02)
# How each platform's users lean younger or older than the niche.
_AGE_TILT: dict[str, tuple[float, ...]] = {
    "instagram": (0.8, 1.1, 1.1, 0.95, 0.9, 0.8),
    "tiktok": (1.8, 1.3, 0.9, 0.7, 0.5, 0.4),
    "youtube": (1.2, 1.1, 1.0, 0.95, 0.9, 0.8),
    "x": (0.4, 1.0, 1.2, 1.1, 1.0, 0.9),
    "twitch": (1.5, 1.4, 1.0, 0.6, 0.3, 0.2),
    "linkedin": (0.0, 0.6, 1.2, 1.2, 1.1, 0.8),
    "facebook": (0.3, 0.6, 1.0, 1.3, 1.5, 1.8),
    "pinterest": (0.5, 0.9, 1.1, 1.2, 1.1, 1.0),
    "snapchat": (2.0, 1.4, 0.8, 0.5, 0.3, 0.2),
    "podcast": (0.2, 0.8, 1.3, 1.2, 1.0, 0.8),
    "blog": (0.2, 0.7, 1.1, 1.2, 1.2, 1.1),
}

# Where the rest of an audience lives, by home country (or "CC-ll" for one language).
_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "US": ("CA", "GB", "MX", "AU", "IN", "BR", "PH"),
    "GB": ("US", "IE", "AU", "CA", "DE", "NL"),
    "CA": ("US", "GB", "IN", "AU", "PH"),
    "CA-fr": ("FR", "US", "BE", "CH", "MA"),
    "AU": ("NZ", "US", "GB", "CA", "IN"),
    "IE": ("GB", "US", "AU", "CA", "DE"),
    "ES": ("MX", "AR", "CO", "US", "FR", "PT"),
    "MX": ("US", "ES", "CO", "AR", "GT", "CL"),
    "AR": ("ES", "UY", "CL", "MX", "US", "PY"),
    "CO": ("MX", "ES", "US", "VE", "EC", "PE"),
    "FR": ("BE", "CH", "CA", "MA", "LU", "DE"),
    "BE": ("FR", "NL", "LU", "CH", "CA"),
    "DE": ("AT", "CH", "NL", "PL", "US"),
    "AT": ("DE", "CH", "IT", "HU"),
    "CH": ("DE", "FR", "AT", "IT", "LI"),
}
# The home country's share of the audience (low, high); small countries share a language
# with a big neighbour, yet home stays the largest single country (two neighbours of at most
# 0.9 x home each can take the rest when home >= _HOME_FLOOR).
_HOME_SHARE: dict[str, tuple[float, float]] = {
    "US": (0.55, 0.85),
    "GB": (0.45, 0.75),
    "CA": (0.4, 0.6),
    "AU": (0.45, 0.7),
    "IE": (0.4, 0.6),
    "ES": (0.45, 0.75),
    "MX": (0.45, 0.75),
    "AR": (0.5, 0.8),
    "CO": (0.45, 0.7),
    "FR": (0.55, 0.8),
    "BE": (0.4, 0.6),
    "DE": (0.55, 0.8),
    "AT": (0.4, 0.6),
    "CH": (0.38, 0.55),
}
_HOME_FLOOR = 0.38
# Bought followers come from click farms far from the creator's home.
_BOT_COUNTRIES: tuple[str, ...] = (
    "IN",
    "BR",
    "ID",
    "TR",
    "PH",
    "NG",
    "EG",
    "PK",
    "BD",
    "VN",
    "RU",
)
_FRAUD_INTERESTS: tuple[str, ...] = (
    "lifestyle",
    "fashion",
    "travel",
    "music",
    "fitness",
    "food",
    "entertainment",
)

_CURRENCY: dict[str, str] = {
    "GB": "GBP",
    "IE": "EUR",
    "ES": "EUR",
    "FR": "EUR",
    "BE": "EUR",
    "DE": "EUR",
    "AT": "EUR",
}
# Units of each currency per USD (rates are quoted from the USD benchmarks).
_FX: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}

# --- platform behaviour ---------------------------------------------------------------------

# Engagement relative to the tier benchmark (short video engages most, text feeds least).
_PLATFORM_ENGAGEMENT: dict[str, float] = {
    "instagram": 1.0,
    "tiktok": 1.45,
    "youtube": 0.7,
    "x": 0.45,
    "twitch": 0.8,
    "linkedin": 0.55,
    "facebook": 0.45,
    "pinterest": 0.5,
    "snapchat": 0.8,
    "podcast": 0.5,
    "blog": 0.4,
}
# Likes per comment (low, high).
_LIKES_PER_COMMENT: dict[str, tuple[float, float]] = {
    "linkedin": (8, 20),
    "x": (12, 35),
    "youtube": (25, 60),
}
_DEFAULT_LIKES_PER_COMMENT = (20.0, 60.0)
# Views per post as a fraction of followers, for platforms that count views.
_VIEWS: dict[str, tuple[float, float]] = {
    "instagram": (0.15, 0.6),
    "tiktok": (0.3, 2.5),
    "youtube": (0.08, 0.5),
    "x": (0.1, 0.6),
    "twitch": (0.02, 0.08),
    "facebook": (0.05, 0.3),
    "snapchat": (0.2, 0.8),
}
_POSTS_PER_MONTH: dict[str, tuple[float, float]] = {
    "instagram": (6, 25),
    "tiktok": (10, 45),
    "youtube": (2, 8),
    "x": (30, 150),
    "twitch": (8, 20),
    "linkedin": (4, 16),
    "facebook": (8, 30),
    "pinterest": (20, 120),
    "snapchat": (20, 60),
    "podcast": (2, 5),
    "blog": (2, 8),
}
_HASHTAG_COUNT: dict[str, tuple[int, int]] = {
    "instagram": (3, 8),
    "tiktok": (3, 6),
    "youtube": (1, 3),
    "x": (0, 2),
    "twitch": (0, 0),
    "linkedin": (2, 4),
    "facebook": (0, 3),
    "pinterest": (2, 5),
    "snapchat": (0, 2),
    "podcast": (0, 0),
    "blog": (0, 0),
}
# Price of a post relative to the tier's cost-per-post benchmark.
_PLATFORM_PRICE: dict[str, float] = {
    "instagram": 1.0,
    "tiktok": 0.85,
    "youtube": 1.3,
    "x": 0.6,
    "twitch": 0.9,
    "linkedin": 1.2,
    "facebook": 0.6,
    "pinterest": 0.6,
    "snapchat": 0.7,
    "podcast": 1.1,
    "blog": 0.8,
}
# Which deliverables a platform has: (post, story, video, short).
_FORMATS: dict[str, tuple[bool, bool, bool, bool]] = {
    "instagram": (True, True, False, True),
    "tiktok": (True, False, False, True),
    "youtube": (True, False, True, True),
    "x": (True, False, False, False),
    "twitch": (True, False, True, False),
    "linkedin": (True, False, True, False),
    "facebook": (True, True, True, True),
    "pinterest": (True, False, False, False),
    "snapchat": (False, True, False, True),
    "podcast": (True, False, False, False),
    "blog": (True, False, False, False),
}
_SPONSORED_RATE: dict[Tier, float] = {
    Tier.EMERGING: 0.03,
    Tier.NANO: 0.1,
    Tier.MICRO: 0.15,
    Tier.MID: 0.22,
    Tier.MACRO: 0.25,
    Tier.MEGA: 0.25,
}
_PAST_BRANDS: dict[Tier, tuple[int, int]] = {
    Tier.EMERGING: (0, 0),
    Tier.NANO: (0, 1),
    Tier.MICRO: (0, 2),
    Tier.MID: (1, 3),
    Tier.MACRO: (2, 4),
    Tier.MEGA: (2, 5),
}
# Handle rules: separators allowed and the longest handle the platform takes.
_HANDLE_RULES: dict[str, tuple[str, int]] = {
    "instagram": ("._", 30),
    "tiktok": ("._", 24),
    "youtube": ("._-", 30),
    "x": ("_", 15),
    "twitch": ("_", 25),
    "linkedin": ("-", 100),
    "facebook": (".", 50),
    "pinterest": ("_", 30),
    "snapchat": ("._-", 15),
    "podcast": ("-", 60),
    "blog": ("", 30),
}
_BIO_SEPARATORS: tuple[str, ...] = (" | ", " · ", " • ", "\n")
_BRANDS: dict[str, tuple[str, ...]] = {niche: content.brands_for(niche) for niche in CATEGORIES}


@dataclass(frozen=True)
class _Table:
    """A weighted choice: keys and their cumulative weights."""

    keys: tuple[Any, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[Any, float]) -> _Table:
        keys = tuple(k for k, w in weights.items() if w > 0)
        total = 0.0
        cum = []
        for k in keys:
            total += weights[k]
            cum.append(total)
        return cls(keys, tuple(cum))

    def pick(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _niche_weights(platform: str) -> dict[str, float]:
    if platform in _PLATFORM_NICHES:
        return _PLATFORM_NICHES[platform]
    scale = _PLATFORM_NICHE_SCALE.get(platform, {})
    return {niche: w * scale.get(niche, 1.0) for niche, w in _NICHE_BASE.items()}


_PLATFORMS_T = _Table.of(_PLATFORM_SHARE)
_FRAUD_PLATFORMS_T = _Table.of(_FRAUD_PLATFORM_SHARE)
_VIRTUAL_PLATFORMS_T = _Table.of(_VIRTUAL_PLATFORM_SHARE)
_NICHES_T = {p: _Table.of(_niche_weights(p)) for p in PLATFORMS}
_LANGUAGES_T = _Table.of(_LANGUAGE_SHARE)
_COUNTRIES_T = {lang: _Table.of(w) for lang, w in _LANGUAGE_COUNTRIES.items()}
_TIERS_T = _Table.of(_TIER_SHARE)
# Weights of the handle shapes in _handle_candidates, in order.
_HANDLE_SHAPES_T = _Table.of(dict(enumerate((20, 10, 20, 12, 8, 8, 8, 14))))
_FRAUD_TIERS_T = _Table.of(_FRAUD_TIER_SHARE)


# --- helpers ----------------------------------------------------------------------------------


@cache
def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``"Müller"`` -> ``"muller"``."""
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@cache
def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    # Random.choice and friends are pure Python and dominate the run time; these lean
    # versions draw from rng.random() only, which keeps every record reproducible.
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    """An integer in ``[low, high]``."""
    return low + int(rng.random() * (high - low + 1))


def _sample(rng: random.Random, seq: Sequence[T], count: int) -> list[T]:
    """``count`` distinct elements (fewer when ``seq`` is shorter): a partial shuffle."""
    pool = list(seq)
    size = len(pool)
    count = min(count, size)
    for i in range(count):
        j = i + int(rng.random() * (size - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:count]


_GENDERED = re.compile(r"<<([^|>]*)\|([^>]*)>>")


@cache
def _gendered(template: str, female: bool) -> str:
    """Resolve the ``<<female|male>>`` forms of a template (see demo.content)."""
    if "<<" not in template:
        return template
    return _GENDERED.sub(lambda m: m.group(1) if female else m.group(2), template)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@cache
def _iso_day(day: int) -> str:
    t = time.gmtime(day * 86_400)
    return f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}T"


def _iso_before_now(seconds: int) -> str:
    """ISO-8601 UTC of ``seconds`` before DEMO_NOW (far cheaper than datetime.strftime)."""
    day, second = divmod(_NOW_TS - seconds, 86_400)
    hour, second = divmod(second, 3_600)
    minute, second = divmod(second, 60)
    return f"{_iso_day(day)}{hour:02d}:{minute:02d}:{second:02d}Z"


def _digits(rng: random.Random, count: int) -> str:
    """A ``count``-digit decimal id."""
    return str(10 ** (count - 1) + rng.getrandbits(count * 3))


def _code(rng: random.Random, count: int) -> str:
    """A ``count``-character URL-safe id, like YouTube's or Instagram's."""
    return base64.urlsafe_b64encode(rng.randbytes(count)).decode("ascii")[:count]


def _shares(keys: Sequence[str], weights: list[float]) -> dict[str, float]:
    """Weights -> shares rounded to 4 decimals that sum to 1 (the rounding error goes to the
    largest share)."""
    total = sum(weights)
    shares = [round(w / total, 4) for w in weights]
    largest = shares.index(max(shares))
    shares[largest] = round(shares[largest] + 1.0 - sum(shares), 4)
    return dict(zip(keys, shares, strict=True))


def _money(amount: float) -> int:
    """A price as a creator would quote it: whole units, rounded to a plausible step."""
    for limit, step in ((100, 1), (1_000, 5), (10_000, 50)):
        if amount < limit:
            return max(step, round(amount / step) * step)
    return round(amount / 500) * 500


# --- one creator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """The hidden choices behind one record."""

    index: int
    platform: str
    niche: str
    categories: tuple[str, ...]
    language: str
    country: str
    locale: str
    tier: Tier
    followers: int
    female: bool
    fraud: bool
    virtual: bool


def _followers(rng: random.Random, tier: Tier, platform: str) -> int:
    low, high = tier_bounds(tier)
    low = max(low, _EMERGING_FLOOR)
    if high is None:
        high = _SMALL_MEGA_CEILING if platform in _SMALL_PLATFORMS else _MEGA_CEILING
    # Log-uniform within the tier; mega leans towards its lower end, as it does in life.
    position = rng.random() ** (1.8 if tier is Tier.MEGA else 1.0)
    count = int(math.exp(math.log(low) + position * (math.log(high) - math.log(low))))
    return min(max(count, low), high - 1)


def _plan(rng: random.Random, index: int) -> _Plan:
    virtual = rng.random() < _VIRTUAL_RATE
    fraud = not virtual and rng.random() < _FRAUD_RATE
    if virtual:
        platform: str = _VIRTUAL_PLATFORMS_T.pick(rng)
        niche = _choice(rng, _VIRTUAL_NICHES)
    else:
        platform = (_FRAUD_PLATFORMS_T if fraud else _PLATFORMS_T).pick(rng)
        niche = _NICHES_T[platform].pick(rng)
    roll = rng.random()
    extra_count = 0 if roll < 0.35 else 1 if roll < 0.8 else 2
    extras = _sample(rng, _RELATED[niche], min(extra_count, len(_RELATED[niche])))
    language: str = _LANGUAGES_T.pick(rng)
    country: str = _COUNTRIES_T[language].pick(rng)
    locale = f"{country}-{language}" if f"{country}-{language}" in content.CITIES else country
    tier: Tier = (_FRAUD_TIERS_T if fraud else _TIERS_T).pick(rng)
    followers = _followers(rng, tier, platform)
    female = rng.random() < (0.7 if virtual else _FEMALE[niche])
    return _Plan(
        index=index,
        platform=platform,
        niche=niche,
        categories=(niche, *extras),
        language=language,
        country=country,
        locale=locale,
        tier=tier,
        followers=followers,
        female=female,
        fraud=fraud,
        virtual=virtual,
    )


def _fit_handle(parts: list[str], sep: str, platform: str) -> str | None:
    allowed, longest = _HANDLE_RULES[platform]
    if sep and sep not in allowed:
        sep = allowed[:1]
    handle = sep.join(p for p in parts if p)
    return handle if 3 <= len(handle) <= longest else None


def _handle_candidates(
    rng: random.Random, plan: _Plan, first: str, last: str, display: str
) -> list[tuple[list[str], str]]:
    """Handle shapes to try in order; the first that the platform accepts wins."""
    f, lst = _ascii(first), _ascii(last)
    allowed = _HANDLE_RULES[plan.platform][0]
    sep = _choice(rng, (*allowed, "", "")) if allowed else ""
    if plan.virtual:
        name = [_ascii(part) for part in display.split()]
        virtual_shapes = [
            (name, sep),
            (["".join(name), _choice(rng, ("ai", "virtual", "official"))], sep),
            (["its" + "".join(name)], ""),
        ]
        rng.shuffle(virtual_shapes)
        return virtual_shapes
    if plan.platform == "linkedin":
        shape = rng.random()
        if shape < 0.45:
            return [([f, lst], "-")]
        if shape < 0.7:
            return [([f + lst], "")]
        return [([f, lst, _digits(rng, 3) + _choice(rng, "abcdef") + _digits(rng, 2)], "-")]
    if plan.platform in ("podcast", "blog"):
        slug = _slug(display)
        if plan.platform == "blog":
            return [([slug.replace("-", "")], ""), ([f + lst], "")]
        return [([slug], ""), ([_slug(f"{first} {last} podcast")], "")]
    word = _choice(rng, content.NICHE_VOCAB[plan.niche].handle_words)
    if plan.fraud:
        tag = _choice(rng, ("style", "life", "vibes", "official", "world", "daily"))
        return [
            ([f, tag + str(_randint(rng, 10, 9999))], sep),
            ([f + str(_randint(rng, 10, 99))], ""),
        ]
    adjective = _choice(rng, content.HANDLE_ADJECTIVES)
    mod = _choice(rng, content.HANDLE_MODS[plan.language])
    shapes: list[tuple[list[str], str]] = [
        ([f, word], sep),
        ([mod + f], ""),
        ([f, lst], sep),
        ([f, adjective + word], sep),
        ([adjective + word, f], sep),
        ([word + content.HANDLE_WITH[plan.language] + f], ""),
        ([f + lst + str(_randint(rng, 1, 99))], ""),
        ([f + lst[:1], word], sep),
    ]
    start: int = _HANDLE_SHAPES_T.pick(rng)
    # Fallbacks for short platforms (x, snapchat): shorter shapes first.
    return [shapes[start], ([f, lst[:1]], sep), ([f + word[:4]], ""), ([f[:10]], "")]


def _unique_handle(
    rng: random.Random,
    plan: _Plan,
    candidates: list[tuple[list[str], str]],
    taken: set[tuple[str, str]],
) -> str:
    allowed, longest = _HANDLE_RULES[plan.platform]
    base = ""
    for parts, sep in candidates:
        fitted = _fit_handle(parts, sep, plan.platform)
        if fitted is not None:
            base = fitted
            break
    if not base:  # nothing fitted: truncate the first shape
        base = "".join(candidates[0][0])[:longest] or "creator"
    handle = base
    tries = 0
    while (plan.platform, handle) in taken:
        tries += 1
        suffix = str(_randint(rng, 2, 99 if tries < 5 else 99_999))
        joiner = allowed[:1] if rng.random() < 0.4 else ""
        handle = base[: longest - len(suffix) - len(joiner)].rstrip("._-") + joiner + suffix
    taken.add((plan.platform, handle))
    return handle


def _display_name(
    rng: random.Random, plan: _Plan, first: str, last: str, slots: Mapping[str, str]
) -> str:
    text = content.NICHE_TEXT[plan.niche][plan.language]
    emoji = _choice(rng, content.NICHE_VOCAB[plan.niche].emojis)
    title = _choice(rng, text.show_titles)
    if plan.virtual:
        return _choice(rng, content.VIRTUAL_NAMES)
    if plan.platform == "podcast":
        return _choice(rng, content.PODCAST_PATTERNS[plan.language]).format(
            title=title, first=first
        )
    if plan.platform == "blog":
        return _choice(rng, content.SHOW_PATTERNS[plan.language]).format(title=title, first=first)
    if plan.platform == "linkedin":
        return f"{first} {last}"
    if plan.fraud:
        return _choice(rng, (f"{first} {emoji}", f"{first} {last}", f"{first} ✨"))
    roll = rng.random()
    if roll < (0.35 if plan.platform in ("youtube", "twitch") else 0.08):
        return _choice(rng, content.SHOW_PATTERNS[plan.language]).format(title=title, first=first)
    if roll < 0.48:
        return f"{first} {last}"
    if roll < 0.6:
        return f"{first} {last} {emoji}"
    if roll < 0.72:
        tagline = _gendered(_choice(rng, text.taglines), plan.female)
        return f"{first} | {_cap(tagline.format_map(slots))}"
    if roll < 0.84:
        return f"{first} {last[:1]}."
    return f"{first} {emoji}"


def _bio(rng: random.Random, plan: _Plan, slots: Mapping[str, str]) -> str:
    lang = plan.language
    text = content.NICHE_TEXT[plan.niche][lang]
    if plan.fraud:
        return _choice(rng, content.FRAUD_BIOS[lang])
    opening = _gendered(_choice(rng, text.bios), plan.female).format_map(slots)
    if rng.random() < 0.6:
        opening += " " + _choice(rng, content.NICHE_VOCAB[plan.niche].emojis)
    parts = [opening]
    if plan.virtual:
        studio = _choice(rng, content.VIRTUAL_STUDIOS)
        parts.insert(0, _choice(rng, content.VIRTUAL_BIOS[lang]).format(studio=studio))
    for extra in plan.categories[1:]:
        tagline = _gendered(_choice(rng, content.NICHE_TEXT[extra][lang].taglines), plan.female)
        parts.append(_cap(tagline.format_map(slots)))
    if rng.random() < 0.5 and slots["city"] not in opening:
        parts.append(f"📍 {slots['city']}")
    if rng.random() < 0.45:
        parts.append(_choice(rng, content.CTAS[lang]))
    return _choice(rng, _BIO_SEPARATORS).join(parts)


def _profile_url(rng: random.Random, platform: str, handle: str, country: str) -> str:
    if platform == "podcast":
        return f"https://podcasts.apple.com/{country.lower()}/podcast/{handle}/id{_digits(rng, 10)}"
    if platform == "blog":
        host = _choice(rng, ("substack.com", "wordpress.com"))
        return f"https://{handle}.{host}/"
    return {
        "instagram": f"https://www.instagram.com/{handle}/",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
        "x": f"https://x.com/{handle}",
        "twitch": f"https://www.twitch.tv/{handle}",
        "linkedin": f"https://www.linkedin.com/in/{handle}/",
        "facebook": f"https://www.facebook.com/{handle}",
        "pinterest": f"https://www.pinterest.com/{handle}/",
        "snapchat": f"https://www.snapchat.com/add/{handle}",
    }[platform]


def _post_url(
    rng: random.Random, platform: str, handle: str, profile_url: str, title: str, posted_at: str
) -> str:
    if platform == "instagram":
        return f"https://www.instagram.com/{_choice(rng, ('p', 'reel'))}/{_code(rng, 11)}/"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{handle}/video/{_digits(rng, 19)}"
    if platform == "youtube":
        kind = "shorts/" if rng.random() < 0.3 else "watch?v="
        return f"https://www.youtube.com/{kind}{_code(rng, 11)}"
    if platform == "x":
        return f"https://x.com/{handle}/status/{_digits(rng, 19)}"
    if platform == "twitch":
        return f"https://www.twitch.tv/videos/{_digits(rng, 10)}"
    if platform == "linkedin":
        return f"https://www.linkedin.com/feed/update/urn:li:activity:{_digits(rng, 19)}/"
    if platform == "facebook":
        return f"https://www.facebook.com/{handle}/posts/{_digits(rng, 16)}"
    if platform == "pinterest":
        return f"https://www.pinterest.com/pin/{_digits(rng, 18)}/"
    if platform == "snapchat":
        return f"https://www.snapchat.com/spotlight/{_code(rng, 22)}"
    if platform == "podcast":
        return f"{profile_url}?i={_digits(rng, 10)}"
    slug = _slug(title)[:60].strip("-") or "post"
    if "wordpress" in profile_url:
        return f"{profile_url}{posted_at[:10].replace('-', '/')}/{slug}/"
    return f"{profile_url}p/{slug}"


@dataclass(frozen=True)
class _Metrics:
    avg_likes: int
    avg_comments: int
    avg_views: int | None
    posts_per_month: float


def _metrics(rng: random.Random, plan: _Plan) -> _Metrics:
    followers = plan.followers
    if plan.fraud:
        rate = rng.uniform(0.0002, 0.002)
        # Bots either like without commenting or spam comments.
        per_comment = rng.uniform(1.2, 4.0) if rng.random() < 0.5 else rng.uniform(150, 600)
    else:
        low, high = TIER_BENCHMARKS[plan.tier].engagement_rate
        rate = rng.uniform(low, high) * _PLATFORM_ENGAGEMENT[plan.platform]
        rate *= rng.uniform(0.85, 1.15)
        per_comment = rng.uniform(
            *_LIKES_PER_COMMENT.get(plan.platform, _DEFAULT_LIKES_PER_COMMENT)
        )
    interactions = rate * followers
    comments = interactions / (per_comment + 1)
    views: int | None = None
    if plan.platform in _VIEWS:
        if plan.fraud:
            seen = followers * rng.uniform(0.003, 0.02)
        else:
            seen = max(followers * rng.uniform(*_VIEWS[plan.platform]), interactions * 8)
        views = round(max(seen, interactions * 3))
    ppm = round(rng.uniform(*_POSTS_PER_MONTH[plan.platform]), 1)
    return _Metrics(round(interactions - comments), round(comments), views, ppm)


@cache
def _hashtag_pool(
    niche: str, language: str, categories: tuple[str, ...], fraud: bool
) -> tuple[str, ...]:
    """Hashtags a post of ``niche`` draws from: the niche's own in the post's language, a few
    English ones (used everywhere), two from each of the creator's other niches; spam tags
    for fraud."""
    own = content.NICHE_TEXT[niche][language].hashtags
    if fraud:
        pool = content.FRAUD_HASHTAGS + own[:2]
    else:
        pool = own
        if language != "en":
            pool += content.NICHE_TEXT[niche]["en"].hashtags[:4]
        for other in categories:
            if other != niche:
                pool += content.NICHE_TEXT[other][language].hashtags[:2]
    return tuple(dict.fromkeys("#" + tag for tag in pool))


@cache
def _strides(size: int) -> tuple[int, ...]:
    return tuple(step for step in range(1, max(size, 2)) if math.gcd(step, size) == 1)


def _spread_pick(rng: random.Random, pool: Sequence[T], count: int) -> list[T]:
    """``count`` distinct elements of ``pool`` (fewer if it is shorter): a random start and
    a random stride coprime to the size visit distinct positions. Cheaper than _sample for
    the many small picks of hashtags."""
    size = len(pool)
    strides = _strides(size)
    start = int(rng.random() * size)
    stride = strides[int(rng.random() * len(strides))]
    return [pool[(start + i * stride) % size] for i in range(min(count, size))]


# Capitalised twins of every topic, item and product, so a post needs no string work to fill
# the "{Topic}"-style slots.
_Pairs = tuple[tuple[str, str], ...]


def _pairs(words: tuple[str, ...]) -> _Pairs:
    return tuple((word, _cap(word)) for word in words)


_SLOT_PAIRS: dict[tuple[str, str], tuple[_Pairs, _Pairs, _Pairs]] = {
    (niche, lang): (
        _pairs(text.topics),
        _pairs(text.items),
        _pairs(text.products or text.items),
    )
    for niche, by_language in content.NICHE_TEXT.items()
    for lang, text in by_language.items()
}
_SMALL_NUMBERS: tuple[str, ...] = ("3", "4", "5", "6", "7")
_DAY_COUNTS: tuple[str, ...] = ("7", "10", "14", "21", "30", "60", "90")


def _post_text(
    rng: random.Random,
    plan: _Plan,
    slots: dict[str, str],
    used: set[str],
    *,
    sponsored: bool,
    episode: int,
    position: int,
) -> tuple[str, str | None]:
    """One caption (title, show notes) in the creator's language and, for a sponsored post,
    the brand (a brand of the post's niche). ``position`` is 0 for the newest post; ``used``
    holds the templates the creator has used already, so a profile does not repeat itself."""
    rnd = rng.random  # the hot path: index with rnd() instead of calling helpers
    lang = plan.language
    niche = plan.niche
    if position and len(plan.categories) > 1 and rnd() < 0.15:
        # Now and then a post about a secondary niche; never the newest one.
        niche = _choice(rng, plan.categories[1:])
    text = content.NICHE_TEXT[niche][lang]
    topics, items, products = _SLOT_PAIRS[niche, lang]
    slots["topic"], slots["Topic"] = topics[int(rnd() * len(topics))]
    slots["item"], slots["Item"] = items[int(rnd() * len(items))]
    slots["product"], slots["Product"] = products[int(rnd() * len(products))]
    slots["n"] = _SMALL_NUMBERS[int(rnd() * 5)]
    slots["days"] = _DAY_COUNTS[int(rnd() * 7)]
    brand = None
    if sponsored:
        brand = _choice(rng, _BRANDS[niche])
        labels = content.SPONSOR_LABELS_GB if plan.country == "GB" else content.SPONSOR_LABELS[lang]
        slots["brand"] = brand
        slots["label"] = _choice(rng, labels).format(brand=brand)
        templates = content.SPONSORED_CAPTIONS[lang]
    elif plan.fraud and rnd() < 0.7:
        templates = content.FRAUD_CAPTIONS[lang]
    elif rnd() < 0.6:
        templates = text.captions
    else:
        templates = content.GENERIC_CAPTIONS[lang]
    template = templates[int(rnd() * len(templates))]
    for attempt in range(6):
        if template not in used:
            break
        if attempt == 2 and templates is text.captions:
            templates = content.GENERIC_CAPTIONS[lang]  # the niche's own have run out
        template = templates[int(rnd() * len(templates))]
    used.add(template)
    caption = _gendered(template, plan.female).format_map(slots)

    low, high = _HASHTAG_COUNT[plan.platform]
    count = low + int(rnd() * (high - low + 1))
    if count:
        pool = _hashtag_pool(niche, lang, plan.categories, plan.fraud)
        tags = " ".join(_spread_pick(rng, pool, count))
        caption += ("\n\n" if plan.platform == "instagram" else " ") + tags
    if plan.platform == "podcast":
        caption = content.EPISODE_PREFIX[lang].format(n=episode) + " " + caption
    elif plan.platform == "twitch" and rnd() < 0.3:
        caption = "🔴 " + caption
    return caption, brand


def _recent_posts(
    rng: random.Random,
    plan: _Plan,
    slots: dict[str, str],
    metrics: _Metrics,
    handle: str,
    profile_url: str,
) -> tuple[list[dict[str, Any]], list[str], int]:
    """The posts (newest first), the brands they were sponsored by, and the age of the newest
    post in seconds."""
    rnd = rng.random
    count = _randint(rng, 3, 8)
    window = RECENT_DAYS * 86_400
    span = min(window * 0.95, count * 30 / metrics.posts_per_month * rng.uniform(0.7, 1.3) * 86_400)
    newest = _randint(rng, 1_800, int(min(6 * 86_400, window - span)))
    ages = sorted([newest] + [newest + int(rnd() * span) for _ in range(count - 1)])
    sponsored_rate = 0.35 if plan.virtual else 0.2 if plan.fraud else _SPONSORED_RATE[plan.tier]
    episode = _randint(rng, 12, 240)
    avg_likes, avg_comments, avg_views = metrics.avg_likes, metrics.avg_comments, metrics.avg_views
    brands: list[str] = []
    posts = []
    used: set[str] = set()
    exp = math.exp
    urls: set[str] = set()
    for number, age in enumerate(ages):
        text, brand = _post_text(
            rng,
            plan,
            slots,
            used,
            sponsored=rnd() < sponsored_rate,
            episode=episode - number,
            position=number,
        )
        if brand is not None:
            brands.append(brand)
        posted_at = _iso_before_now(age)
        url = _post_url(rng, plan.platform, handle, profile_url, text, posted_at)
        if url in urls:  # two blog posts with one title: the blog adds a number
            url = f"{url.rstrip('/')}-{number + 1}"
        urls.add(url)
        # A log-normal-ish spread around the averages (a sum of uniforms stands in for the
        # Gaussian); sponsored posts do a little worse.
        spread = exp(0.7 * (rnd() + rnd() + rnd() - 1.5)) * (0.85 if brand else 1.0)
        posts.append(
            {
                "text": text,
                "posted_at": posted_at,
                "likes": round(avg_likes * spread),
                "comments": round(avg_comments * spread * exp(0.4 * (rnd() + rnd() - 1.0))),
                "views": None
                if avg_views is None
                else round(avg_views * spread * exp(0.4 * (rnd() + rnd() - 1.0))),
                "url": url,
            }
        )
    return posts, brands, newest


def _capped(shares: list[float], cap: float) -> list[float]:
    """Shares with none above ``cap``: the excess goes to the others in proportion (the
    home country must stay the largest; callers leave room for that)."""
    for _ in range(len(shares)):
        excess = sum(s - cap for s in shares if s > cap)
        if excess <= 1e-12:
            break
        room = sum(s for s in shares if s < cap)
        shares = [cap if s >= cap else s + excess * s / room for s in shares]
    return shares


@cache
def _age_weights(niche: str, platform: str, fraud: bool) -> tuple[float, ...]:
    base = _FRAUD_AGE if fraud else _AGE[niche]
    return tuple(share * tilt for share, tilt in zip(base, _AGE_TILT[platform], strict=True))


@cache
def _interest_pool(niche: str, extras: tuple[str, ...], fraud: bool) -> tuple[str, ...]:
    if fraud:
        return _FRAUD_INTERESTS
    pool = content.NICHE_VOCAB[niche].interests
    for extra in extras:
        pool += content.NICHE_VOCAB[extra].interests[:3]
    return tuple(dict.fromkeys(pool))


_PARTIAL_AUDIENCES: tuple[tuple[str, ...], ...] = (
    ("gender",),
    ("gender", "age"),
    ("countries",),
    ("age",),
)


def _audience(rng: random.Random, plan: _Plan) -> dict[str, Any] | None:
    rnd = rng.random
    roll = rnd()
    if roll < 0.08:
        return None
    exp = math.exp
    weights = _age_weights(plan.niche, plan.platform, plan.fraud)
    age = _shares(_AGE_BANDS, [w * exp(0.5 * (rnd() + rnd() - 1.0)) for w in weights])

    if plan.fraud:
        female = 0.3 + 0.4 * rnd()
    else:
        female = _FEMALE[plan.niche] + _PLATFORM_FEMALE_SHIFT.get(plan.platform, 0.0)
        female += (0.04 if plan.female else -0.04) + 0.1 * (rnd() + rnd() + rnd() - 1.5)
    female = min(max(female, 0.04), 0.96)
    other = 0.003 + 0.017 * rnd()
    gender = _shares(_GENDERS, [female, 1.0 - female - other, other])

    if plan.fraud:
        home = 0.05 + 0.2 * rnd()
        others = _sample(rng, _BOT_COUNTRIES, _randint(rng, 3, 6))
    else:
        low, high = _HOME_SHARE[plan.country]
        home = low + (high - low) * rnd()
        if plan.niche == "travel":  # travel content travels
            home = max(home * 0.85, _HOME_FLOOR)
        neighbours = _NEIGHBOURS[plan.locale]
        others = _sample(rng, neighbours, _randint(rng, 2, min(5, len(neighbours))))
    spread = sorted((exp(1.2 * (rnd() + rnd() - 1.0)) for _ in others), reverse=True)
    abroad = _capped([w * (1.0 - home) / sum(spread) for w in spread], home * 0.9)
    countries = _shares((plan.country, *others), [home, *abroad])

    pool = _interest_pool(plan.niche, plan.categories[1:], plan.fraud)
    interests = _sample(rng, pool, _randint(rng, 3, 6))

    full = {"age": age, "gender": gender, "countries": countries, "interests": interests}
    if roll < 0.18:  # a partial audience: what one platform export happened to include
        keep = _choice(rng, _PARTIAL_AUDIENCES)
        return {key: full[key] for key in keep}
    return full


def _rates(rng: random.Random, plan: _Plan) -> dict[str, Any] | None:
    if rng.random() < 0.15:
        return None
    low, high = TIER_BENCHMARKS[plan.tier].cost_per_post_usd
    low = max(low, 15.0)
    floor, ceiling = tier_bounds(plan.tier)
    floor = max(floor, _EMERGING_FLOOR)
    ceiling = ceiling or _MEGA_CEILING
    # Price follows the creator's position within the tier, on a log scale.
    position = math.log(plan.followers / floor) / math.log(ceiling / floor)
    position = min(max(position, 0.0), 1.0)
    post = low * (high / low) ** position * _PLATFORM_PRICE[plan.platform]
    post *= rng.uniform(0.8, 1.25)
    currency = _CURRENCY.get(plan.country, "USD")
    post *= _FX[currency]
    has_post, has_story, has_video, has_short = _FORMATS[plan.platform]
    story = post * rng.uniform(0.3, 0.5)
    video = post * rng.uniform(1.5, 2.5)
    short = post * rng.uniform(0.7, 1.1)
    return {
        "currency": currency,
        "post": _money(post) if has_post else None,
        "story": _money(story) if has_story and rng.random() < 0.9 else None,
        "video": _money(video) if has_video and rng.random() < 0.9 else None,
        "short": _money(short) if has_short and rng.random() < 0.9 else None,
    }


def _email(rng: random.Random, plan: _Plan, first: str, last: str, handle: str) -> str | None:
    if rng.random() > (0.6 if plan.fraud else 0.88):
        return None
    domain = _choice(rng, content.EMAIL_DOMAINS)
    local = handle.replace("-", ".").strip(".") or "hello"
    if plan.fraud:
        return f"promo.{local}@{domain}"
    return _choice(
        rng,
        (
            f"{_ascii(first)}.{_ascii(last)}@{domain}",
            f"hello.{local}@{domain}",
            f"collabs+{local}@{domain}",
            f"{local}.mgmt@{domain}",
            f"partnerships@{local.replace('.', '').replace('_', '')}.{domain}",
        ),
    )


def _creator(seed: int, index: int, taken: set[tuple[str, str]]) -> tuple[dict[str, Any], _Plan]:
    rng = random.Random(f"{seed}:{index}")
    plan = _plan(rng, index)
    lang = plan.language
    first = _choice(rng, content.FIRST_NAMES[lang]["female" if plan.female else "male"])
    last = _choice(rng, content.LAST_NAMES[lang])
    parent = content.PARENT_WORDS.get(f"{lang}-{plan.country}", content.PARENT_WORDS[lang])
    parent_word = parent[0 if plan.female else 1]
    pet = _choice(rng, content.PET_NAMES)
    slots: dict[str, str] = dict.fromkeys(content.SLOTS, "")
    slots.update(
        city=_choice(rng, content.CITIES[plan.locale]),
        parent=parent_word,
        Parent=_cap(parent_word),
        petname=pet,
        Petname=pet,
        company=_choice(rng, _BRANDS["b2b"]),
        first=first,
        code=f"{_ascii(first).upper()}{_choice(rng, (10, 15, 20))}",
    )

    display = _display_name(rng, plan, first, last, slots)
    handle = _unique_handle(rng, plan, _handle_candidates(rng, plan, first, last, display), taken)
    bio = _bio(rng, plan, slots)
    profile_url = _profile_url(rng, plan.platform, handle, plan.country)
    metrics = _metrics(rng, plan)
    posts, sponsors, newest = _recent_posts(rng, plan, slots, metrics, handle, profile_url)
    audience = _audience(rng, plan)
    rates = _rates(rng, plan)
    email = _email(rng, plan, first, last, handle)
    low, high = _PAST_BRANDS[plan.tier]
    past = _sample(rng, _BRANDS[_choice(rng, plan.categories)], _randint(rng, low, high))
    updated_at = _iso_before_now(_randint(rng, 0, newest))

    record: dict[str, Any] = {
        "platform": plan.platform,
        "handle": handle,
        "display_name": display,
        "bio": bio,
        "profile_url": profile_url,
        "country": plan.country,
        "language": lang,
        "followers": plan.followers,
        "avg_likes": metrics.avg_likes,
        "avg_comments": metrics.avg_comments,
        "avg_views": metrics.avg_views,
        "posts_per_month": metrics.posts_per_month,
    }
    if rng.random() >= 0.1:  # left out of ~10% of records so the importer computes it
        engaged = metrics.avg_likes + metrics.avg_comments
        record["engagement_rate"] = round(engaged / plan.followers, 5)
    record["categories"] = list(plan.categories)
    record["recent_posts"] = posts
    if audience is not None:
        record["audience"] = audience
    if rates is not None:
        record["rates"] = rates
    if email is not None:
        record["email"] = email
    record["is_virtual"] = plan.virtual
    record["brands_mentioned"] = list(dict.fromkeys([*sponsors, *past]))
    record["source"] = "demo"
    record["updated_at"] = updated_at
    return record, plan


def _roster(n: int, seed: int) -> Iterator[tuple[dict[str, Any], _Plan]]:
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    taken: set[tuple[str, str]] = set()
    for index in range(n):
        yield _creator(seed, index, taken)


def generate_roster(n: int = 5000, *, seed: int = 42) -> Iterator[dict[str, Any]]:
    """Yield ``n`` made-up creator records (plain JSON-compatible dicts in the interchange
    format), deterministic for ``(n, seed)``; the first ``k`` are the same for any ``n >= k``.

    Raises:
        ValueError: for a negative ``n``.
    """
    for record, _ in _roster(n, seed):
        yield record


def roster_truth(n: int = 5000, *, seed: int = 42) -> list[dict[str, Any]]:
    """The ground truth behind ``generate_roster(n, seed=seed)``, one dict per record in the
    same order: ``index``, ``platform``, ``handle``, ``niche`` (the primary category),
    ``categories``, ``language``, ``country``, ``tier`` (a :class:`Tier`), ``fraud`` (bought
    followers) and ``virtual``.

    Raises:
        ValueError: for a negative ``n``.
    """
    return [
        {
            "index": plan.index,
            "platform": plan.platform,
            "handle": record["handle"],
            "niche": plan.niche,
            "categories": list(plan.categories),
            "language": plan.language,
            "country": plan.country,
            "tier": plan.tier,
            "fraud": plan.fraud,
            "virtual": plan.virtual,
        }
        for record, plan in _roster(n, seed)
    ]
