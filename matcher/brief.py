"""A campaign brief: what a recruiter wants, parsed from free text and overridable by the API.

:func:`parse_brief` reads what recruiters usually write in one or two sentences, in English,
Spanish, French or German: the objective, the target audience (age, gender, countries,
interests), the budget and its currency, platforms, languages, competitor brands and brand
safety exclusions. Anything it cannot find stays empty; explicit fields passed by the API
win over parsed ones (:meth:`Brief.merge`).

Objective rule: a word right after a goal marker ("goal: awareness", "objetivo: ventas",
"Ziel: Reichweite") wins; otherwise a *goal word* (conversions, sales, awareness, reach,
community, reviews, PR) wins over a *context word* (launch, new product, niche); within the
same level the first one in the text wins. So "vegan skincare launch ..., conversions" is a
conversions brief.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from core.errors import InvalidInputError

__all__ = [
    "AGE_BANDS",
    "BRAND_SAFETY_CATEGORIES",
    "Brief",
    "Objective",
    "TargetAudience",
    "age_band_weights",
    "parse_brief",
]


class Objective(StrEnum):
    AWARENESS = "awareness"
    LAUNCH = "launch"
    PR = "pr"
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


@dataclass(frozen=True)
class Brief:
    """A campaign brief. ``budget`` is in ``currency`` (ISO 4217); None when not stated."""

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

    def merge(self, **overrides: object) -> Brief:
        """This brief with the explicitly given fields replaced; None means "not given".

        Lists become tuples, ``objective`` may be a string, ``target`` a mapping.

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
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]  # values checked by _coerce


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
    if name in {"text", "currency"}:
        if not isinstance(value, str):
            raise InvalidInputError.for_field(name, "expected a string")
        return value.upper() if name == "currency" else value
    if name == "brand_safety":
        cats = _str_tuple(value, name, lower=True)
        for c in cats:
            if c not in BRAND_SAFETY_CATEGORIES:
                raise InvalidInputError.for_field(
                    "brand_safety",
                    f"unknown category {c!r}; use one of {list(BRAND_SAFETY_CATEGORIES)}",
                )
        return cats
    if name == "countries":
        return tuple(c.upper() for c in _str_tuple(value, name))
    if name in {"platforms", "languages"}:
        return _str_tuple(value, name, lower=True)
    return _str_tuple(value, name)


# --------------------------------------------------------------------------------------------
# Lexicons. Terms are matched case-insensitively on word boundaries; write accented and
# unaccented spellings where people use both.

_GOAL_MARKERS = (
    r"goal|goals|objective|objectives|aim|kpi|kpis|target kpi|we want to|focus on|focused on"
    r"|objetivo|objetivos|meta|objectif|objectifs|but|ziel|ziele|zielsetzung"
)

# objective -> (level, terms); level 2 = goal word, 1 = context word
_OBJECTIVE_TERMS: dict[Objective, tuple[int, tuple[str, ...]]] = {
    Objective.CONVERSIONS: (
        2,
        (
            "conversion",
            "conversions",
            "sales",
            "sell",
            "selling",
            "roi",
            "roas",
            "purchases",
            "signups",
            "sign-ups",
            "installs",
            "leads",
            "performance",
            "ventas",
            "conversiones",
            "vender",
            "ventes",
            "vendre",
            "verkäufe",
            "verkauf",
            "umsatz",
            "abverkauf",
            "konversionen",
        ),
    ),
    Objective.AWARENESS: (
        2,
        (
            "awareness",
            "brand awareness",
            "reach",
            "visibility",
            "impressions",
            "reconocimiento",
            "visibilidad",
            "alcance",
            "notoriété",
            "notoriete",
            "visibilité",
            "bekanntheit",
            "reichweite",
            "sichtbarkeit",
            "markenbekanntheit",
        ),
    ),
    Objective.COMMUNITY: (
        2,
        (
            "community",
            "community building",
            "loyalty",
            "ambassadors",
            "ambassador program",
            "comunidad",
            "fidelización",
            "communauté",
            "communaute",
            "fidélisation",
            "gemeinschaft",
            "markenbotschafter",
        ),
    ),
    Objective.TRUSTED_REVIEWS: (
        2,
        (
            "review",
            "reviews",
            "testimonials",
            "honest opinions",
            "trusted",
            "trust",
            "credibility",
            "reseñas",
            "opiniones",
            "avis",
            "témoignages",
            "bewertungen",
            "testberichte",
            "erfahrungsberichte",
            "rezensionen",
        ),
    ),
    Objective.PR: (
        2,
        (
            "pr",
            "press",
            "earned media",
            "publicity",
            "buzz",
            "relaciones públicas",
            "prensa",
            "relations presse",
            "presse",
            "pressearbeit",
            "öffentlichkeitsarbeit",
        ),
    ),
    Objective.LAUNCH: (
        1,
        (
            "launch",
            "launching",
            "launches",
            "release",
            "new product",
            "debut",
            "lanzamiento",
            "lanzar",
            "nuevo producto",
            "lancement",
            "lancer",
            "nouveau produit",
            "markteinführung",
            "produkteinführung",
            "neueinführung",
            "einführung",
        ),
    ),
    Objective.NICHE_PRODUCT: (
        1,
        (
            "niche",
            "specialist",
            "specialized",
            "specialised",
            "enthusiasts",
            "hobbyists",
            "nicho",
            "especializado",
            "créneau",
            "spécialisé",
            "nische",
            "nischenprodukt",
        ),
    ),
}

# ISO code -> names and demonyms in EN / ES / FR / DE (lower case). Two-letter codes and the
# usual abbreviations are matched separately, upper case only ("US", not "us").
_COUNTRY_TERMS: dict[str, tuple[str, ...]] = {
    "US": (
        "united states",
        "usa",
        "america",
        "american",
        "americans",
        "estados unidos",
        "estadounidense",
        "estadounidenses",
        "états-unis",
        "etats-unis",
        "américain",
        "américaine",
        "américains",
        "américaines",
        "vereinigte staaten",
        "vereinigten staaten",
        "amerikanisch",
        "amerikanische",
        "amerikanischen",
        "amerikaner",
        "amerikanerinnen",
    ),
    "GB": (
        "united kingdom",
        "great britain",
        "britain",
        "british",
        "england",
        "english market",
        "reino unido",
        "británico",
        "británica",
        "británicos",
        "royaume-uni",
        "britannique",
        "britanniques",
        "angleterre",
        "großbritannien",
        "grossbritannien",
        "vereinigtes königreich",
        "britisch",
        "britische",
        "britischen",
        "briten",
    ),
    "CA": (
        "canada",
        "canadian",
        "canadians",
        "canadá",
        "canadiense",
        "canadienses",
        "canadien",
        "canadienne",
        "canadiens",
        "kanada",
        "kanadisch",
        "kanadische",
        "kanadier",
    ),
    "AU": (
        "australia",
        "australian",
        "australians",
        "australiano",
        "australiana",
        "australie",
        "australien",
        "australienne",
        "australisch",
        "australische",
        "australier",
    ),
    "DE": (
        "germany",
        "german",
        "germans",
        "alemania",
        "alemán",
        "alemana",
        "alemanes",
        "allemagne",
        "allemand",
        "allemande",
        "allemands",
        "deutschland",
        "deutsche",
        "deutschen",
        "deutscher",
    ),
    "FR": (
        "france",
        "french",
        "francia",
        "francés",
        "francesa",
        "franceses",
        "français",
        "française",
        "françaises",
        "frankreich",
        "französisch",
        "französische",
        "französischen",
        "franzosen",
    ),
    "ES": (
        "spain",
        "spanish market",
        "spaniards",
        "españa",
        "espana",
        "español",
        "española",
        "españoles",
        "espagne",
        "espagnol",
        "espagnole",
        "espagnols",
        "spanien",
        "spanisch",
        "spanische",
        "spanischen",
        "spanier",
    ),
    "IT": (
        "italy",
        "italian",
        "italians",
        "italia",
        "italiano",
        "italiana",
        "italianos",
        "italie",
        "italien",
        "italienne",
        "italiens",
        "italienisch",
        "italienische",
        "italiener",
    ),
    "MX": (
        "mexico",
        "méxico",
        "mexican",
        "mexicans",
        "mexicano",
        "mexicana",
        "mexicanos",
        "mexique",
        "mexicain",
        "mexicaine",
        "mexiko",
        "mexikanisch",
        "mexikanische",
    ),
    "BR": (
        "brazil",
        "brazilian",
        "brasil",
        "brasileño",
        "brasileña",
        "brésil",
        "brésilien",
        "brésilienne",
        "brasilien",
        "brasilianisch",
        "brasilianische",
    ),
    "AR": (
        "argentina",
        "argentinian",
        "argentine",
        "argentino",
        "argentinos",
        "argentinas",
        "argentin",
        "argentinien",
        "argentinisch",
    ),
    "CO": (
        "colombia",
        "colombian",
        "colombiano",
        "colombiana",
        "colombianos",
        "colombie",
        "kolumbien",
    ),
    "CL": ("chile", "chilean", "chileno", "chilena", "chilenos", "chili", "chilien", "chilenisch"),
    "NL": (
        "netherlands",
        "holland",
        "dutch",
        "países bajos",
        "holanda",
        "neerlandés",
        "pays-bas",
        "néerlandais",
        "niederlande",
        "niederländisch",
        "niederländische",
    ),
    "BE": ("belgium", "belgian", "bélgica", "belga", "belgique", "belge", "belgien"),
    "CH": ("switzerland", "swiss", "suiza", "suizo", "suisse", "schweiz", "schweizer"),
    "AT": (
        "austria",
        "austrian",
        "austriaco",
        "autriche",
        "autrichien",
        "österreich",
        "österreichisch",
        "österreichische",
        "österreicher",
    ),
    "PT": ("portugal", "portuguese", "portugués", "portugais", "portugiesisch"),
    "IE": ("ireland", "irish", "irlanda", "irlandés", "irlande", "irlandais", "irland"),
    "SE": ("sweden", "swedish", "suecia", "sueco", "suède", "suédois", "schweden", "schwedisch"),
    "PL": ("poland", "polish", "polonia", "polaco", "pologne", "polonais", "polen", "polnisch"),
    "JP": ("japan", "japanese", "japón", "japonés", "japon", "japonais", "japanisch"),
    "IN": ("india", "indian market", "inde", "indien"),
}
_COUNTRY_CODES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "EEUU", "EE.UU.", "EE. UU."),
    "GB": ("UK", "U.K.", "GB"),
    "DE": ("DE",),
    "FR": ("FR",),
    "ES": ("ES",),
    "IT": ("IT",),
    "MX": ("MX",),
    "CA": ("CA",),
    "AU": ("AU",),
    "BR": ("BR",),
    "NL": ("NL",),
}
_REGIONS: dict[str, tuple[str, ...]] = {
    "dach": ("DE", "AT", "CH"),
    "latam": ("MX", "BR", "AR", "CO", "CL"),
    "latinoamérica": ("MX", "BR", "AR", "CO", "CL"),
    "benelux": ("BE", "NL"),
}

_GENDER_TERMS: dict[str, tuple[str, ...]] = {
    "female": (
        "women",
        "woman",
        "female",
        "females",
        "girls",
        "ladies",
        "moms",
        "mums",
        "mothers",
        "mujeres",
        "mujer",
        "chicas",
        "mamás",
        "madres",
        "femmes",
        "femme",
        "mamans",
        "frauen",
        "mütter",
        "mädchen",
    ),
    "male": (
        "men",
        "man",
        "male",
        "males",
        "guys",
        "dads",
        "fathers",
        "hombres",
        "chicos",
        "papás",
        "hommes",
        "homme",
        "papas",
        "männer",
        "väter",
        "jungs",
    ),
}

_LANGUAGE_PATTERNS: dict[str, tuple[str, ...]] = {
    "en": (
        r"english[- ]speaking",
        r"in english",
        r"anglophone",
        r"en inglés",
        r"auf englisch",
        r"englischsprachig\w*",
    ),
    "es": (
        r"spanish[- ]speaking",
        r"in spanish",
        r"hispanohablantes?",
        r"en español",
        r"hispanophones?",
        r"en espagnol",
        r"auf spanisch",
        r"spanischsprachig\w*",
    ),
    "fr": (
        r"french[- ]speaking",
        r"in french",
        r"francophones?",
        r"en français",
        r"en francés",
        r"auf französisch",
        r"französischsprachig\w*",
    ),
    "de": (
        r"german[- ]speaking",
        r"in german",
        r"germanophones?",
        r"en allemand",
        r"en alemán",
        r"auf deutsch",
        r"deutschsprachig\w*",
    ),
    "pt": (r"portuguese[- ]speaking", r"in portuguese", r"lusophones?", r"en portugués"),
    "it": (r"italian[- ]speaking", r"in italian", r"en italiano", r"auf italienisch"),
}

_PLATFORM_TERMS: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram", "insta", "ig", "reels", "instagram reels"),
    "tiktok": ("tiktok", "tik tok", "tiktoks"),
    "youtube": ("youtube", "yt", "youtube shorts", "youtubers", "youtuber"),
    "x": ("twitter", "tweets", "x/twitter"),
    "twitch": ("twitch", "streamers"),
    "linkedin": ("linkedin",),
    "facebook": ("facebook", "fb"),
    "pinterest": ("pinterest",),
    "snapchat": ("snapchat",),
    "podcast": ("podcast", "podcasts", "podcasters"),
    "blog": ("blog", "blogs", "bloggers", "blogueros", "blogueurs", "blogger"),
}

_SAFETY_TERMS: dict[str, tuple[str, ...]] = {
    "alcohol": ("alcohol", "booze", "drinking", "alcool", "alkohol"),
    "gambling": (
        "gambling",
        "betting",
        "casino",
        "apuestas",
        "juegos de azar",
        "jeux d'argent",
        "paris sportifs",
        "glücksspiel",
        "wetten",
    ),
    "profanity": (
        "profanity",
        "swearing",
        "cursing",
        "palabrotas",
        "groserías",
        "grossièretés",
        "jurons",
        "schimpfwörter",
        "fluchen",
    ),
    "violence": ("violence", "violent content", "violencia", "gewalt"),
    "politics": ("politics", "political", "política", "politique", "politik", "politisch"),
    "adult": (
        "adult content",
        "nsfw",
        "nudity",
        "sexual content",
        "contenido adulto",
        "contenu adulte",
        "nacktheit",
        "erotik",
    ),
    "drugs": ("drugs", "cannabis", "weed", "drogas", "drogues", "drogen"),
}
_NEGATIONS = (
    r"no|not|avoid|avoiding|without|exclude|excluding|never|free of|nothing about"
    r"|sin|evitar|nada de|pas de|pas d'|sans|éviter|aucun|aucune|kein|keine|keinen|ohne|vermeiden"
)
_ALL_SAFE = (
    "family-friendly",
    "family friendly",
    "kid-safe",
    "kids-safe",
    "brand-safe",
    "brand safe",
    "apto para familias",
    "para toda la familia",
    "familial",
    "tout public",
    "familienfreundlich",
    "kinderfreundlich",
    "markensicher",
)
_FAMILY_CATEGORIES = ("alcohol", "gambling", "profanity", "violence", "adult", "drugs")

_COMPETITOR_MARKERS = (
    r"competitors?|competing brands?|rivals?|competidores?|competencia|concurrents?"
    r"|concurrence|wettbewerber|konkurrenten|konkurrenz|mitbewerber"
)

_INTEREST_MARKERS = (
    r"who (?:care|cares|are passionate|is passionate) about|passionate about|interested in"
    r"|who (?:love|loves|like|likes|enjoy|enjoys)|into|fans of|who follow|lovers of"
    r"|interesad[oa]s en|apasionad[oa]s (?:por|de)|que aman|amantes de|fans de"
    r"|intéressée?s par|passionnée?s (?:par|de)|qui aiment|amateurs de"
    r"|interessiert an|begeistert von|die sich für|fans von|liebhaber von"
)
_INTEREST_SPLIT = re.compile(
    r"\s*(?:,|/|&|\band\b|\bor\b|\by\b|\bo\b|\bet\b|\bou\b|\bund\b|\boder\b)\s*"
)
_INTEREST_STOP = re.compile(
    r"\s+(?:interessieren|interessiert|begeistern)\b.*$"
    r"|\s+(?:in|en|im|au|aux|on|for|para|pour|für)\s+.*$"
)

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "us$": "USD"}
_CURRENCY_WORDS = {
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "dólares": "USD",
    "dolares": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "pounds": "GBP",
    "livres": "GBP",
    "pfund": "GBP",
    "libras": "GBP",
}
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "mil": 1e3,
    "tsd": 1e3,
    "tsd.": 1e3,
    "tausend": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "millones": 1e6,
    "mio": 1e6,
    "mio.": 1e6,
    "millionen": 1e6,
}

_NUM = r"\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT = r"(?:k|thousand|mil|tsd\.?|tausend|mm|m|millions?|millones|mio\.?|millionen)\b"
_SYMBOL = r"us\$|\$|€|£"
_CODE = r"usd|eur|gbp|dollars?|dólares|dolares|euros?|pounds|livres|pfund|libras"
_BUDGET_RE = re.compile(
    rf"(?P<pre>{_SYMBOL}|\b(?:{_CODE})\b)\s?(?P<n1>{_NUM})\s?(?P<m1>{_MULT})?"
    rf"|(?P<n2>{_NUM})\s?(?P<m2>{_MULT})?\s?(?P<post>{_SYMBOL}|\b(?:{_CODE})\b)"
    rf"|\b(?:budget|presupuesto|budget de|etat|budget von)\s*(?:of|de|von|:|is|ist|est)?\s*"
    rf"(?P<n3>{_NUM})\s?(?P<m3>{_MULT})?\s?(?P<post3>{_SYMBOL}|\b(?:{_CODE})\b)?",
    re.IGNORECASE,
)

# Generations as birth years; ages follow from the year the brief is read.
_GENERATIONS: dict[str, tuple[int, int]] = {
    "gen z": (1997, 2012),
    "generation z": (1997, 2012),
    "generación z": (1997, 2012),
    "génération z": (1997, 2012),
    "zoomers": (1997, 2012),
    "millennials": (1981, 1996),
    "millennial": (1981, 1996),
    "milenials": (1981, 1996),
    "millenials": (1981, 1996),
    "gen y": (1981, 1996),
    "generation y": (1981, 1996),
    "gen x": (1965, 1980),
    "generation x": (1965, 1980),
    "boomers": (1946, 1964),
    "baby boomers": (1946, 1964),
}
_FIXED_AGES: dict[str, tuple[int, int]] = {
    "teens": (13, 17),
    "teenagers": (13, 17),
    "teen": (13, 17),
    "adolescentes": (13, 17),
    "adolescents": (13, 17),
    "ados": (13, 17),
    "jugendliche": (13, 17),
    "teenager": (13, 17),
    "students": (18, 24),
    "college students": (18, 24),
    "estudiantes": (18, 24),
    "étudiants": (18, 24),
    "studenten": (18, 24),
    "studierende": (18, 24),
    "young adults": (18, 29),
    "seniors": (60, 64),
    "retirees": (60, 64),
}
_RANGE_RE = re.compile(
    r"\b(?:aged?\s+|ages\s+|entre\s+|de\s+|zwischen\s+)?(1[3-9]|[2-6]\d)\s*"
    r"(?:-|–|—|to|a|à|y|et|bis|und)\s*(1[3-9]|[2-6]\d)\b(?!\s*%)"
)
_OVER_RE = re.compile(
    r"\b(?:over|above|older than|más de|mayores de|plus de|über|ueber|ab)\s+(\d{2})\b"
    r"|\b(\d{2})\s*\+(?!\d)"
)
_UNDER_RE = re.compile(
    r"\b(?:under|below|younger than|menos de|menores de|moins de|unter)\s+(\d{2})\b"
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _term_regex(terms: Iterable[str]) -> re.Pattern[str]:
    alts = sorted({_fold(t) for t in terms}, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alts)
    return re.compile(rf"(?<![\w@#-])(?:{body})(?![\w-])")


_OBJECTIVE_RES = {obj: (lvl, _term_regex(terms)) for obj, (lvl, terms) in _OBJECTIVE_TERMS.items()}
_COUNTRY_RES = {cc: _term_regex(terms) for cc, terms in _COUNTRY_TERMS.items()}
_CODE_RES = {
    cc: re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(c) for c in codes) + r")(?![\w$])")
    for cc, codes in _COUNTRY_CODES.items()
}
_REGION_RE = _term_regex(_REGIONS)
_GENDER_RES = {g: _term_regex(terms) for g, terms in _GENDER_TERMS.items()}
_PLATFORM_RES = {p: _term_regex(terms) for p, terms in _PLATFORM_TERMS.items()}
_LANGUAGE_RES = {
    lang: re.compile(r"(?<!\w)(?:" + "|".join(pats) + r")(?!\w)")
    for lang, pats in _LANGUAGE_PATTERNS.items()
}
_SAFETY_RES = {
    cat: re.compile(
        rf"(?<!\w)(?:{_NEGATIONS})(?:\s+|(?<='))(?:\w+\s+){{0,3}}?"
        rf"(?:{'|'.join(re.escape(_fold(t)) for t in terms)})(?!\w)"
    )
    for cat, terms in _SAFETY_TERMS.items()
}
_ALL_SAFE_RE = _term_regex(_ALL_SAFE)
_GOAL_RE = re.compile(rf"(?<!\w)(?:{_GOAL_MARKERS})\s*(?::|=|-|is|es|est|ist|to)?\s*")
_COMPETITOR_RE = re.compile(
    rf"(?<!\w)(?:{_COMPETITOR_MARKERS})\s*(?:\([^)]*\)\s*)?"
    r"(?::|=|are|include|like|such as|como|comme|wie|sind|son|sont)?\s*"
    r"(?P<list>[^.;\n]+)",
    re.IGNORECASE,
)
_NOT_WITH_RE = re.compile(
    r"(?:not|never|no creators? who (?:worked|work) with|who haven't worked with"
    r"|who have not worked with)\s+(?:with\s+)?"
    r"(?P<list>[A-Z][\w&'-]*(?:\s*(?:,|or|and)\s*[A-Z][\w&'-]*)*)"
)
_INTEREST_RE = re.compile(rf"(?<!\w)(?:{_INTEREST_MARKERS})\s+(?P<list>[^.;:\n()]+)")


def age_band_weights(low: int, high: int) -> tuple[tuple[str, float], ...]:
    """The audience age bands that overlap ``[low, high]`` (years, inclusive), each with the
    share of the band covered (1.0 when the range covers the whole band)."""
    out = []
    for band, b_low, b_high in AGE_BANDS:
        overlap = min(high, b_high) - max(low, b_low) + 1
        if overlap > 0:
            out.append((band, round(overlap / (b_high - b_low + 1), 3)))
    return tuple(out)


def _parse_objective(folded: str, original: str) -> Objective | None:
    for m in _GOAL_RE.finditer(folded):
        tail = folded[m.end() : m.end() + 40]
        for obj, (_, rx) in _OBJECTIVE_RES.items():
            hit = rx.match(tail)
            if hit and not (obj is Objective.PR and "PR" not in original):
                return obj
    # "pr" only counts when written upper case ("PR push")
    level2 = _first_objective_checked(folded, original, 2)
    return level2 or _first_objective_checked(folded, original, 1)


def _first_objective_checked(folded: str, original: str, level: int) -> Objective | None:
    best: tuple[int, Objective] | None = None
    for obj, (lvl, rx) in _OBJECTIVE_RES.items():
        if lvl != level:
            continue
        for m in rx.finditer(folded):
            if obj is Objective.PR and m.group(0) == "pr" and original[m.start() : m.end()] != "PR":
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), obj)
            break
    return best[1] if best else None


def _parse_countries(folded: str, original: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    for cc, rx in _COUNTRY_RES.items():
        m = rx.search(folded)
        if m:
            found.append((m.start(), cc))
    for cc, rx in _CODE_RES.items():
        m = rx.search(original)
        if m:
            found.append((m.start(), cc))
    for m in _REGION_RE.finditer(folded):
        found.extend((m.start(), cc) for cc in _REGIONS[m.group(0)])
    # language phrases ("Spanish-speaking") name a language, not a country
    lang_spans = [m.span() for rx in _LANGUAGE_RES.values() for m in rx.finditer(folded)]
    kept = [(pos, cc) for pos, cc in found if not any(a <= pos < b for a, b in lang_spans)]
    return tuple(dict.fromkeys(cc for _, cc in sorted(kept)))


def _parse_ages(folded: str, year: int) -> tuple[tuple[str, float], ...]:
    weights: dict[str, float] = {}

    def add(low: int, high: int) -> None:
        for band, w in age_band_weights(low, high):
            weights[band] = max(weights.get(band, 0.0), w)

    for m in _RANGE_RE.finditer(folded):
        low, high = int(m.group(1)), int(m.group(2))
        if low < high:
            add(low, high)
    for m in _OVER_RE.finditer(folded):
        low = int(m.group(1) or m.group(2))
        if 13 <= low <= 70:
            inclusive = m.group(2) is not None or m.group(0).startswith("ab")
            add(low if inclusive else low + 1, 64)
    for m in _UNDER_RE.finditer(folded):
        high = int(m.group(1))
        if 14 <= high <= 70:
            add(13, high - 1)
    for name, (born_from, born_to) in _GENERATIONS.items():
        if _term_regex([name]).search(folded):
            add(max(13, year - born_to), min(64, year - born_from))
    for name, (low, high) in _FIXED_AGES.items():
        if _term_regex([name]).search(folded):
            add(low, high)
    order = [b for b, _, _ in AGE_BANDS]
    return tuple(sorted(weights.items(), key=lambda kv: order.index(kv[0])))


def _parse_genders(folded: str) -> tuple[str, ...]:
    return tuple(g for g, rx in _GENDER_RES.items() if rx.search(folded))


_CONJUNCTION = re.compile(r"\s(?:and|or|y|o|et|ou|und|oder|&)\s")


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


def _parse_interests(folded: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _INTEREST_RE.finditer(folded):
        chunk = _INTEREST_STOP.sub("", _interest_chunk(m.group("list").strip()))
        for part in _INTEREST_SPLIT.split(chunk):
            words = part.strip(" '\"").split()
            if not words or len(words) > 4:
                continue
            term = " ".join(words)
            if not _is_budget_or_noise(term):
                out.append(term)
    return tuple(dict.fromkeys(out))


def _is_budget_or_noise(term: str) -> bool:
    if re.search(r"\d", term):
        return True
    if any(rx.fullmatch(term) for _, rx in _OBJECTIVE_RES.values()):
        return True
    if any(rx.fullmatch(term) for rx in _COUNTRY_RES.values()):
        return True
    return any(rx.fullmatch(term) for rx in _PLATFORM_RES.values())


def _to_number(raw: str) -> float:
    s = re.sub(r"[\s\u00a0\u202f]", "", raw)
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


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    t = token.lower()
    return _CURRENCY_SYMBOLS.get(t) or _CURRENCY_WORDS.get(t)


def _parse_budget(original: str) -> tuple[float | None, str | None]:
    best: tuple[float, str | None] | None = None
    for m in _BUDGET_RE.finditer(original):
        if m.group("n1"):
            raw, mult, cur = m.group("n1"), m.group("m1"), _currency_of(m.group("pre"))
        elif m.group("n2"):
            raw, mult, cur = m.group("n2"), m.group("m2"), _currency_of(m.group("post"))
        else:
            raw, mult, cur = m.group("n3"), m.group("m3"), _currency_of(m.group("post3"))
        amount = _to_number(raw) * _MULTIPLIERS.get((mult or "").lower(), 1.0)
        # the first amount with a currency wins; a bare "budget 20000" only without one
        if best is None or (best[1] is None and cur is not None):
            best = (amount, cur)
        if cur is not None:
            break
    if best is None:
        return None, None
    return best


def _parse_languages(folded: str) -> tuple[str, ...]:
    found = []
    for lang, rx in _LANGUAGE_RES.items():
        m = rx.search(folded)
        if m:
            found.append((m.start(), lang))
    return tuple(lang for _, lang in sorted(found))


def _parse_platforms(folded: str) -> tuple[str, ...]:
    found = []
    for platform, rx in _PLATFORM_RES.items():
        m = rx.search(folded)
        if m:
            found.append((m.start(), platform))
    return tuple(dict.fromkeys(p for _, p in sorted(found)))


def _parse_competitors(original: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _COMPETITOR_RE.finditer(original):
        chunk = m.group("list")
        for part in re.split(
            r"\s*(?:,|/|;|\band\b|\bor\b|\by\b|\bo\b|\bet\b|\bou\b|\bund\b|\boder\b)\s*", chunk
        ):
            name = part.strip(" '\"()")
            if name and len(name.split()) <= 3:
                out.append(name)
    for m in _NOT_WITH_RE.finditer(original):
        for part in re.split(r"\s*(?:,|\bor\b|\band\b)\s*", m.group("list")):
            if part.strip():
                out.append(part.strip())
    return tuple(dict.fromkeys(out))


def _parse_brand_safety(folded: str) -> tuple[str, ...]:
    cats: list[str] = [cat for cat, rx in _SAFETY_RES.items() if rx.search(folded)]
    if _ALL_SAFE_RE.search(folded):
        cats.extend(_FAMILY_CATEGORIES)
    return tuple(c for c in BRAND_SAFETY_CATEGORIES if c in cats)


def parse_brief(text: str, *, year: int | None = None) -> Brief:
    """Read a free-text brief (EN/ES/FR/DE); what is not found stays empty.

    Args:
        text: the recruiter's brief.
        year: the year generations ("Gen Z", "millennials") are aged against; default the
            current UTC year.
    """
    year = year if year is not None else datetime.now(UTC).year
    folded = _fold(text)
    original = unicodedata.normalize("NFC", text)
    countries = _parse_countries(folded, original)
    budget, currency = _parse_budget(original)
    return Brief(
        text=text,
        objective=_parse_objective(folded, original),
        target=TargetAudience(
            age=_parse_ages(folded, year),
            genders=_parse_genders(folded),
            countries=countries,
            interests=_parse_interests(folded),
        ),
        budget=budget,
        currency=currency,
        platforms=_parse_platforms(folded),
        countries=countries,
        languages=_parse_languages(folded),
        competitor_brands=_parse_competitors(original),
        brand_safety=_parse_brand_safety(folded),
    )
