# ruff: noqa: E501  (regex tables read better unwrapped)
"""The regular expressions behind detection rules D1-D7 (compiled once, at import).

Every pattern runs on the *folded* text (lower case, accents stripped, curly quotes made
straight) whose characters line up one-to-one with the original, so a match's offsets are
offsets into the caption or transcript as written. A pattern may name a group ``t``: the
token is then that group, not the whole match.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "AD_FIELD",
    "ANTICIPATION",
    "BONA_FIDE_ADMISSION",
    "BONA_FIDE_ENDORSEMENT",
    "BRAND_QUALIFIED",
    "CLAIMS",
    "COMMERCIAL",
    "COMMERCIAL_CASED",
    "CONNECTION_FIELD",
    "DENIAL_FIELD",
    "GENERIC_QUALIFIERS",
    "HEALTH_FIELD",
    "HEAVY_USE",
    "JOKES",
    "LABELS",
    "LINK_REFS",
    "NEGATIONS",
    "NEGATION_FIELD",
    "NON_USE_FIELD",
    "PROFILE_REFS",
    "PROMO_CUES",
    "URLS",
    "Field",
    "Fields",
    "Kind",
    "LabelPattern",
    "fold",
    "required_text",
]

_B = r"(?<![\w#@])"  # token start: not inside a word, hashtag or mention
_E = r"(?![\w])"  # token end
_BRAND = r"@?[\w][\w.&'-]*"


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x250):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base != ch:
            table[code] = base
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    for ch in "’‘`´ʼ":
        table[ord(ch)] = "'"
    return table


_FOLD = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case, strip accents and straighten quotes, keeping one character per character."""
    return text.translate(_FOLD)


class Kind(StrEnum):
    CLEAR = "clear"  # D2 / D3
    GIFT = "gift"  # D5
    AMBIGUOUS = "ambiguous"  # D4
    TAG = "tag"  # a bare brand @-tag or brand hashtag: not a label, nor an attempt at one (note 9)


def required_text(pattern: str) -> tuple[str, ...]:
    """Strings one of which every match of ``pattern`` contains (empty: nothing known).

    Read from the parsed pattern: the longest run of literal characters that every match
    must go through, or, for an alternation, one run per alternative. Used to skip a pattern
    with a substring test (fast, in C) when the text cannot match it.
    """
    sre_c = importlib.import_module("re._constants")
    sre_parse = importlib.import_module("re._parser")

    def need(items: list[tuple[Any, Any]]) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        run = ""

        def keep(candidate: tuple[str, ...]) -> None:
            nonlocal best
            if candidate and (not best or min(map(len, candidate)) > min(map(len, best))):
                best = candidate

        for op, av in items:
            if op is sre_c.LITERAL:
                run += chr(av)
                continue
            keep((run,) if run else ())
            run = ""
            if op is sre_c.SUBPATTERN:
                keep(need(list(av[-1])))
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] >= 1:
                keep(need(list(av[2])))
            elif op is sre_c.BRANCH:
                alternatives = [need(list(alt)) for alt in av[1]]
                if all(alternatives):
                    keep(tuple(sorted({t for alt in alternatives for t in alt})))
        keep((run,) if run else ())
        return best

    found = need(list(sre_parse.parse(pattern)))
    return found if found and min(map(len, found)) >= 2 else ()


@dataclass(frozen=True)
class LabelPattern:
    """One way of writing a disclosure label."""

    kind: Kind
    lang: str
    regex: re.Pattern[str]
    has_ad: bool = False  # the token is ad / advert / advertisement / advertising
    fr_exact: bool = False  # "publicité" or "collaboration commerciale"
    ca_only: bool = False  # accepted only in Canada (#pub)
    connection: str | None = None  # the kind of tie a D2 sentence states (note 10 kinds)

    # substrings one of which a text must contain to match (see :func:`required_text`)
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", required_text(self.regex.pattern))


def _c(pattern: str) -> re.Pattern[str]:
    # The patterns run on folded (lower-case) text: no IGNORECASE, which makes Python's re
    # several times slower on long alternations.
    return re.compile(pattern, re.MULTILINE)


def _lp(
    kind: Kind,
    lang: str,
    pattern: str,
    connection: str | None = None,
    *,
    has_ad: bool = False,
    fr_exact: bool = False,
    ca_only: bool = False,
) -> LabelPattern:
    return LabelPattern(
        kind=kind,
        lang=lang,
        regex=_c(pattern),
        has_ad=has_ad,
        fr_exact=fr_exact,
        ca_only=ca_only,
        connection=connection,
    )


C, G, A = Kind.CLEAR, Kind.GIFT, Kind.AMBIGUOUS

LABELS: tuple[LabelPattern, ...] = (
    # --- D5 gift labels first: "Ad – gifted" is one gift token, not an "Ad" plus a gift.
    _lp(G, "en", _B + r"#?ad\s*[-–—:|]\s*gifted(?:\s+(?:by|from)\s+" + _BRAND + r")?", has_ad=True),
    _lp(G, "en", r"(?<![\w#])#adgifted" + _E, has_ad=True),
    _lp(G, "en", r"(?<![\w#])#gifted(?:by\w*)?" + _E),
    _lp(G, "en", _B + r"gifted\s+(?:to\s+me\s+)?(?:by|from)\s+" + _BRAND),
    _lp(G, "en", r"\b(?:was|were|been|is|are)\s+(?P<t>gifted)" + _E),
    _lp(G, "en", r"[\[(]\s*(?P<t>gifted)\s*[\])]"),
    _lp(G, "en", _B + r"gifted(?=\s*[:|])"),
    _lp(G, "en", _B + r"pr\s+products?" + _E),
    # --- D1 / D2 English
    _lp(C, "en", r"(?<![\w#])#ad" + _E, has_ad=True),
    _lp(C, "en", r"[\[(]\s*(?P<t>#?ad)\s*[\])]", has_ad=True),
    _lp(C, "en", _B + r"ad(?=[ \t]*[:|]|[ \t]+[-–—][ \t])", has_ad=True),
    _lp(
        C,
        "en",
        r"(?:^|\])[ \t]*(?P<t>ad)(?=[ \t]+\S|[ \t]*$)(?![ \t]+(?:hoc|infinitum|nauseam)\b)",
        has_ad=True,
    ),
    _lp(
        C,
        "en",
        r"\b(?:is|it's|its|was|are|this's)\s+(?:\w+ly\s+)?(?:an?\s+)?(?:paid\s+|sponsored\s+)?"
        r"(?P<t>ad)" + _E,
        has_ad=True,
    ),
    _lp(C, "en", r"(?<=:)[ \t]*(?P<t>#?ad)(?=[ \t]*\])", has_ad=True),
    _lp(C, "en", _B + r"paid\s+ad" + _E, has_ad=True),
    _lp(C, "en", _B + r"#?advert(?:isement)?(?:\s+feature)?" + _E, has_ad=True),
    _lp(C, "en", r"(?<![\w#])#advertising" + _E, has_ad=True),
    _lp(C, "en", _B + r"advertising(?=\s*[:|])", has_ad=True),
    _lp(C, "en", _B + r"#?sponsored(?:post|content)?(?:\s+by\s+" + _BRAND + r")?" + _E),
    # the same statement in other words: "X is sponsoring this stream", "today's sponsor, X"
    _lp(
        C,
        "en",
        _B + r"(?:is|are|was|were|'s|'re)\s+(?:\w+ly\s+)?(?:kindly\s+)?sponsoring" + _E,
        "payment",
    ),
    _lp(
        C,
        "en",
        _B
        + r"(?:our|my|today'?s|this\s+(?:video|episode|stream)'?s?)\s+(?:\w+\s+)?sponsors?"
        + _E
        + r"(?!\s+(?:is|was)\s+(?:not|nobody|no\s+one))",
        "payment",
    ),
    _lp(C, "en", _B + r"#?paid\s*partnership(?:\s+with\s+" + _BRAND + r")?"),
    _lp(C, "en", _B + r"(?:in\s+)?partnership\s+with\s+" + _BRAND),
    _lp(C, "en", _B + r"#?paid\s*promotion" + _E),
    _lp(
        C,
        "en",
        _B + r"(?:paid|pays|is\s+paying|are\s+paying|have\s+paid|has\s+paid)\s+me" + _E,
        "payment",
    ),
    _lp(C, "en", _B + r"paid\s+by\s+" + _BRAND, "payment"),
    _lp(
        C,
        "en",
        _B + r"(?:sent|gave|given)\s+(?:me\s+)?(?:this|these|it|them)(?:\s+\w+){0,4}?\s+"
        r"(?:for\s+free|free\s+of\s+charge|to\s+(?:try|review|test))" + _E,
        "free_product",
    ),
    _lp(C, "en", _B + r"i\s+(?:work|worked)\s+(?:for|at)\s+" + _BRAND, "employment"),
    _lp(C, "en", _B + r"i'?m\s+(?:an\s+)?employee\s+(?:of|at)\s+" + _BRAND, "employment"),
    _lp(C, "en", _B + r"(?:i'?m|i\s+am)\s+employed\s+by\s+" + _BRAND, "employment"),
    _lp(
        C,
        "en",
        _B + r"my\s+(?:sister|brother|mom|mum|mother|dad|father|wife|husband|cousin|aunt|uncle|son|"
        r"daughter|(?:best\s+)?friend|family|parents)(?:'s|')?\s+(?:owns|runs|founded|started|"
        r"company|business|brand|shop|store|bakery|label|own)" + _E,
        "family_friend",
    ),
    _lp(
        C,
        "en",
        _B + r"(?:owned|run|founded|made)\s+by\s+my\s+(?:sister|brother|mom|mum|mother|dad|father|"
        r"wife|husband|cousin|aunt|uncle|son|daughter|family|parents|(?:best\s+)?friend)" + _E,
        "family_friend",
    ),
    _lp(
        C,
        "en",
        _B + r"i\s+(?:may\s+|might\s+|will\s+|do\s+)?(?:earn|get|receive|make)\s+(?:a\s+)?"
        r"(?:small\s+)?commissions?" + _E,
        "affiliate",
    ),
    _lp(C, "en", _B + r"i\s+earn\s+from\s+qualifying\s+purchases", "affiliate"),
    _lp(C, "en", r"(?<![\w#])#commissionsearned" + _E, "affiliate"),
    _lp(
        C,
        "en",
        _B
        + r"(?:i'?m|i\s+am)\s+(?:a\s+|an\s+)?(?:paid\s+)?(?:brand\s+)?ambassador\s+for\s+"
        + _BRAND,
    ),
    _lp(C, "en", _B + r"brought\s+to\s+you\s+by" + _E),
    _lp(C, "en", _B + r"thanks?\s+(?:you\s+)?(?:to\s+)?" + _BRAND + r"\s+for\s+sponsoring" + _E),
    _lp(C, "en", _B + r"(?:i|we)(?:'ve|\s+have)?\s+partnered\s+with\s+" + _BRAND),
    # --- D3 Spanish
    _lp(C, "es", _B + r"#?publicidad" + _E),
    _lp(C, "es", r"(?<![\w#])#publi" + _E),
    _lp(C, "es", _B + r"#?patrocinad[oa](?:\s+por\s+" + _BRAND + r")?" + _E),
    _lp(
        C,
        "es",
        _B + r"(?:nos\s+|me\s+)?patrocinan?\s+(?:este|esta|el|la|mi|nuestro)" + _E,
        "payment",
    ),
    _lp(C, "es", _B + r"(?:nuestro|mi|el)\s+patrocinador" + _E, "payment"),
    _lp(C, "es", _B + r"#?colaboracion\s*pagada" + _E),
    # --- D3 French
    _lp(C, "fr", _B + r"#?publicite" + _E, fr_exact=True),
    _lp(C, "fr", _B + r"#?collaboration\s*commerciale" + _E, fr_exact=True),
    _lp(C, "fr", r"(?<![\w#])#pub" + _E, ca_only=True),
    _lp(C, "fr", r"(?<![\w#])#commandite" + _E),
    _lp(C, "fr", _B + r"sponsorisee?\s+par\s+" + _BRAND),
    _lp(C, "fr", _B + r"#?partenariat\s*remunere" + _E),
    _lp(C, "fr", _B + r"en\s+partenariat\s+avec\s+" + _BRAND),
    # --- D3 German
    _lp(C, "de", _B + r"#?werbung" + _E),
    _lp(C, "de", _B + r"#?anzeige" + _E),
    _lp(C, "de", _B + r"bezahlte\s+werbepartnerschaft" + _E),
    # --- D4 ambiguous terms
    _lp(
        A,
        "en",
        r"(?<![\w#])#(?:sp|spon|sponsor|sponso|collab|colab|collaboration|partner|ambassador|"
        r"partenaire|partnership|partenariat|aff|affiliate|affiliatelink|pr|freebie|supported|"
        r"thanks|thankyou|gesponsert|kooperation|colaboracion)" + _E,
    ),
    _lp(
        A,
        "en",
        _B + r"(?:thanks?|thank\s+you|merci|danke|gracias)\s+(?:so\s+much\s+)?"
        r"(?:to\s+|a\s+|an\s+)?@[\w.]+",
    ),
    _lp(
        A,
        "en",
        _B
        + r"thanks?\s+(?:you\s+)?to\s+"
        + _BRAND
        + r"\s+for\s+making\s+this\s+(?:possible|happen)",
    ),
    # "gracias a los batidos" is "thanks to" (a cause), not thanking anyone
    _lp(
        A,
        "en",
        _B + r"(?:danke|merci|gracias)" + _E + r"(?!\s+a\s+(?:el|la|los|las|este|esta|estos|estas|"
        r"mi|mis|su|sus|tu|tus|un|una)\s+(?![^.!?\n]*\bpor\b))"
        # thanking the audience ("merci à tous", "danke fürs Zuschauen") is not thanking a brand
        r"(?!\s+(?:a|an)\s+(?:todos|todas|tous|toutes|alle|allen|vous|euch)\b)"
        r"(?!\s+(?:d'avoir|furs|fur\s+(?:eure|euer|das)|pour\s+(?:vos|votre|tout|avoir)|"
        r"por\s+(?:ver|leer|seguir|estar|venir|vuestro|vuestros|todo)|for\s+(?:watching|reading))"
        r"\b)",
    ),
    _lp(A, "en", _B + r"shout\s*-?\s*out" + _E),
    _lp(A, "en", _B + r"pr\s+haul" + _E),
    _lp(A, "en", _B + r"affiliate\s+links?" + _E),
    _lp(A, "de", _B + r"gesponsert" + _E),
    _lp(A, "en", _B + r"in\s+collaboration\s+with\s+" + _BRAND),
    _lp(A, "es", _B + r"en\s+colaboracion\s+con\s+" + _BRAND),
    _lp(A, "de", _B + r"in\s+kooperation\s+mit\s+" + _BRAND),
)

# "#NikePartner", "#GlossierAmbassador", "#AcmeEmployee", "#Nikepartenaire" (D2 / D3)
BRAND_QUALIFIED = _c(
    r"(?<![\w#])#(?P<prefix>\w{2,}?)(?P<role>partner|ambassador|employee|partenaire)" + _E
)
GENERIC_QUALIFIERS = frozenset(
    {"brand", "paid", "official", "proud", "team", "global", "my", "the", "new", "best", "un", "a"}
)

# What a denial denies: a label, a payment or a sponsor (after "not", "no one ... ", ...).
_DENIED = (
    r"(?:an?\s+|a\s+paid\s+|paid\s+)?#?(?:ad|advert|advertisement|sponsored|sponsorship|paid|"
    r"promotion|promo|collab(?:oration)?|partnership|paid\s+partnership|brand\s+deal)"
)
NEGATIONS = tuple(
    _c(p)
    for p in (
        _B + r"(?:not|never|isn't|isnt|wasn't|wasnt|aren't|arent|ain't)\s+(?:\w+ly\s+|even\s+|"
        r"at\s+all\s+)?" + _DENIED + _E,
        r"(?<![\w#])#not(?:an)?(?:ad|sponsored|sponsoredpost)" + _E,
        _B + r"#?(?:un|non-?)sponsored" + _E,
        _B
        + r"(?:no\s*one|nobody|no\s+brand|no\s+company)(?:'s)?\s+(?:is\s+|has\s+|\w+ly\s+|ever\s+)?"
        r"(?:paid|paying|pays|sponsored|sponsoring|sponsors|sent|asked|gave)\s+(?:me|us)" + _E,
        _B + r"(?:i'?m|i\s+am|i\s+was|we'?re|we\s+are)\s+not\s+(?:being\s+|getting\s+)?"
        r"(?:paid|sponsored)" + _E,
        _B + r"no\s+#?(?:ads?|sponsors?|sponsorships?)" + _E,
        _B
        + r"(?:didn'?t|did\s+not|don'?t|do\s+not|never)\s+(?:\w+ly\s+|even\s+)?(?:get\s+|got\s+)?"
        r"(?:paid|pay\s+me|sponsor\s+(?:me|this))" + _E,
        _B + r"(?:not|never\s+been|no\s+longer)\s+(?:affiliated|partnered)\s+with" + _E,
        _B + r"no\s+(?:affiliation|partnership|collab|collaboration)" + _E,
        _B + r"no\s+(?:me|nos)\s+(?:han\s+|ha\s+)?(?:pagado|pagan|paga|patrocinan|patrocina)" + _E,
        _B + r"(?:je\s+ne\s+suis\s+pas|on\s+ne\s+m'a\s+pas)\s+(?:payee?|remuneree?|"
        r"sponsorisee?)" + _E,
        _B
        + r"(?:ich\s+werde\s+nicht|wurde\s+nicht|nicht)\s+(?:dafur\s+)?(?:bezahlt|gesponsert)"
        + _E,
        _B + r"no\s+(?:es|esta)?\s*(?:\w+\s+)?(?:una?\s+)?#?(?:publicidad|publi|patrocinado|"
        r"patrocinio|colaboracion(?:\s+pagada)?|pagado|anuncio)" + _E,
        _B + r"nadie\s+(?:me|nos)\s+(?:ha\s+)?(?:paga|pago|pagado|patrocina|patrocinado)" + _E,
        _B + r"sin\s+patrocinio" + _E,
        _B + r"(?:pas|ni|non)\s+(?:de\s+(?:la\s+)?|une?\s+|du\s+tout\s+)?#?(?:pub|publicite|sponso|"
        r"sponsorise|collaboration\s+commerciale|partenariat|collab|remuneree?|payee?|"
        r"placement\s+de\s+produit)" + _E,
        _B + r"personne\s+ne\s+m'a\s+(?:paye|payee|sponsorise|sponsorisee)" + _E,
        _B + r"personne\s+ne\s+me\s+(?:paie|paye|sponsorise)" + _E,
        _B + r"(?:keine|kein|nicht)\s+(?:bezahlte\s+)?#?(?:werbung|anzeige|gesponsert|kooperation|"
        r"bezahlt)" + _E,
        _B + r"niemand\s+(?:hat\s+mich|bezahlt\s+mich|sponsert\s+mich)" + _E,
    )
)
# "#ad jk", "es broma", "je rigole", "nur Spaß", and a label taken back ("lol not really").
# An intensifier that denies the joke ("I'm not kidding", "no es broma", "kein Scherz", "sans
# blague") is not one: it makes the statement stronger.
JOKES = _c(
    r"(?<![\w])(?<!not )(?<!no )(?<!n't )(?<!even )(?:#?jk|j/k|#?just\s*kidding|#?kidding|#?lol\s+jk|"
    r"#?(?<!no )(?<!no es )(?:es|era|es\s+una|de)\s+broma|es\s+cona|#?je\s+rigole|je\s+blague|"
    r"je\s+plaisante|c'est\s+(?:une\s+blague|pour\s+rire)|"
    r"(?:nur|war\s+nur\s+(?:ein|'n)|kleiner)\s+(?:spass|spaß|scherz|witz)|"
    r"(?<!viel )(?<!kein )(?<!mit )(?<!zum )(?:spass|spaß)(?=[ \t]*(?:[,!)…]|$))|"
    r"(?<!kein )(?<!ohne )scherz|quatsch|"
    # a label taken back: "Paid partnership 🙃 lol not really", "Publicité... enfin, pas vraiment"
    r"(?:lol\s+|haha\s+|jaja\s+|mdr\s+)?(?:not\s+really|no\s+realmente|no\s+del\s+todo|"
    r"pas\s+vraiment|nicht\s+wirklich|eigentlich\s+nicht)(?=[ \t]*(?:[,.!)…]|$)))" + _E
)

# A pointer sends the reader elsewhere (the bio, the profile, a link) for what the creator's
# brand relationships are (PROFILE_ONLY, LINK_ONLY). _TIES is what it points to: the
# relationships named as such ("partnerships", "Kooperationen", "transparencia") or by who
# they are with ("the brands I work with", "mit wem ich zusammenarbeite"). Hashtags are not
# pointers (_B): "#collab" is a D4 term.
_TIES = (
    r"(?:partnerships?|disclosures?|sponsors?|sponsorships?|collabs?|collaborations?|affiliations?|"
    r"(?:brand|affiliate|advertising|ad)\s+(?:deals?|partners?|partnerships?|relationships?|collabs?)|"
    r"paid\s+(?:collabs?|collaborations?|partnerships?|posts?)|relationships?|ad\s+policy|transparency|"
    r"(?:brands?|companies|people|who)\s+(?:that\s+)?(?:i|we)\s+(?:work|partner|collaborate|team\s+up)\s+"
    r"with|(?:brands?|companies)\s+(?:that\s+|who\s+)?(?:sponsor|pay|support)\s+(?:me|us)|"
    r"colaboracion(?:es)?|colabos?|patrocinios?|patrocinadores?|transparencia|"
    r"(?:marcas|empresas)\s+(?:con\s+las\s+que|que)\s+(?:trabajo|colaboro|me\s+patrocinan|me\s+pagan)|"
    r"(?:con\s+)?que\s+marcas\s+(?:trabajo|colaboro|me\s+patrocinan|me\s+pagan)|"
    r"partenariats?|partenaires|transparence|"
    r"(?:marques|entreprises)\s+(?:avec\s+(?:qui|lesquelles)|pour\s+qui)\s+je\s+(?:travaille|collabore)|"
    r"avec\s+qui\s+je\s+(?:travaille|collabore)|"
    # German compounds: "Markenkooperationen", "Werbepartnerschaften", "Kooperationsdetails"
    r"\w*kooperation\w*|\w*werbepartner\w*|\w*partnerschaft\w*|transparenz\w*|werbekennzeichnung\w*|"
    r"werbehinweis\w*|mit\s+wem\s+ich\s+(?:zusammen)?arbeite|"
    r"(?:marken|firmen)\s*,?\s+mit\s+denen\s+ich\s+(?:zusammen)?arbeite)"
)
# "my sponsors ...", "todas mis colaboraciones ...": the possessive is part of the pointer.
_OWN = (
    r"(?:(?:all\s+)?(?:my|our)\s+|(?:todas\s+|todos\s+)?(?:mis|nuestras|nuestros)\s+|"
    r"(?:toutes\s+|tous\s+)?(?:mes|nos)\s+|(?:alle\s+)?(?:meine|unsere)\s+)?"
)
# The bio or profile, with a word that points to it ("see bio", "dans ma bio", "siehe Profil",
# "on my channel profile", ": bio"): "flavour profile" is not a pointer.
_TO_PROFILE = (
    r"(?:(?<![\w])(?:(?:see|check|siehe|voir|mira|ver|consulta|schaut|schau|my|the|our|mi|el|la|ma|"
    r"mon|le|meiner|meinem|meinen|mein|der|dem|im|en|in|on|at|dans|sur|auf)\s+){1,3}"
    r"(?:channel\s+|canal\s+|kanal\s+)?|[:>→👉☝👆][ \t]*)(?:bio|profile|profil|perfil)" + _E
)
_URLISH = (
    r"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.(?:com|ly|me|to|co|io|ee|net|org|de|es|fr|ca|uk|"
    r"app|link|bio|page|style|blog|site|info|gg|tv)(?:/\S*)?(?![\w.])"
)
# A link, a web page or a URL ("the link below", "mi web", "sur mon site", "hinter dem Link").
# "profile page" is the profile, not a link.
_TO_LINK = (
    r"(?:(?<![\w])(?:links?|enlaces?|liens?|website|site|web|blog|pagina|(?<!profile )(?<!bio )page|"
    r"seite|webseite|url|linktree)" + _E + r"|" + _URLISH + r")"
)
# Every web address, for labels that only look like one ("mia-online.de/werbung").
URLS = _c(_URLISH)

PROFILE_REFS = tuple(
    _c(p)
    for p in (
        # "brand partners are all in my bio", "Kooperationen? Stehen alle in meiner Bio",
        # "Partenariats : voir ma bio", "mit wem ich zusammenarbeite, steht in meiner Bio"
        _B + _OWN + _TIES + r"[^.!\n]{0,40}?" + _TO_PROFILE,
        # "bio has my sponsors", "mira mi perfil para saber qué marcas me patrocinan"
        _TO_PROFILE + r"[^.!\n]{0,30}?" + _B + _TIES + _E,
    )
)
LINK_REFS = tuple(
    _c(p)
    for p in (
        # "Disclosures: linktr.ee/x", "sponsor details at the link below", "Infos zur
        # Kooperation auf meinem Blog", "Werbehinweis: Link in der Bio"
        _B + _OWN + _TIES + r"[^.!\n]{0,40}?" + _TO_LINK,
        # "tap the link in bio for disclosures", "el enlace con la info de mis patrocinios"
        r"(?<![\w])(?:links?|enlaces?|liens?)" + _E + r"[^.!\n]{0,30}?" + _B + _TIES + _E,
        # "see my disclosure page", "about me page"
        _B + r"(?:see|read|visit)\s+(?:my\s+)?(?:disclosures?|about(?:\s+me)?)\s+page" + _E,
        # a web address whose page is the disclosures: "jess.gg/disclosures"
        r"(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+/\S*?(?:disclos|sponsor|transparen|partnership|"
        r"partenariat|kooperation|colaboracion|collab|werbung|werbepartner|publicidad|affiliat)\S*",
    )
)

COMMERCIAL = tuple(
    _c(p)
    for p in (
        _B
        + r"(?:use|using|with|enter)\s+(?:my\s+|our\s+|the\s+)?(?:discount\s+|promo\s+)?code\s+[\w-]+",
        _B + r"(?:discount|promo|coupon)\s+code\s*:?\s*[\w-]+",
        _B + r"(?:usa|usad|con|utiliza)\s+(?:mi\s+|el\s+)?(?:codigo|cupon)\s+[\w-]+",
        _B + r"codigo\s+(?:de\s+descuento\s+)?[\w-]*\d[\w-]*",
        _B + r"code\s+promo\s*:?\s*[\w-]+",
        _B + r"avec\s+(?:mon|le)\s+code\s+[\w-]+",
        _B + r"(?:rabattcode|gutscheincode)\s*:?\s*[\w-]+",
        _B + r"mit\s+(?:meinem|dem)\s+code\s+[\w-]+",
        r"amzn\.to/\S*",
        r"[?&](?:tag|ref)=[\w.-]+",
        r"/aff/\S*",
        r"\bltk\.app\S*",
        r"\bliketk\.it\S*",
        r"\bshopmy\S*",
        r"\brstyle\.me\S*",
        r"\bgo\.skimresources\S*",
        r"\bshareasale\.com\S*",
        _B + r"link\s+in\s+(?:my\s+)?bio\s+to\s+(?:shop|buy)" + _E,
        _B
        + r"shop\s+(?:it\s+|them\s+)?(?:via|through|using|with)\s+(?:the\s+|my\s+)?link\s+in\s+(?:my\s+)?bio",
        _B + r"shop\s+my\s+(?:links|storefront|ltk)" + _E,
        _B + r"enlace\s+en\s+(?:mi\s+)?bio\s+para\s+comprar" + _E,
        _B + r"lien\s+(?:dans|en)\s+(?:ma\s+)?bio\s+pour\s+(?:acheter|commander)" + _E,
        _B + r"link\s+in\s+(?:meiner\s+)?bio\s+zum\s+(?:shoppen|kaufen)" + _E,
    )
)
# Upper-case codes ("code SAM20") only count in their original case.
COMMERCIAL_CASED = re.compile(
    r"(?<![\w#@])(?:[Cc]ode|CODE|[Cc]ódigo|[Rr]abattcode|[Gg]utscheincode)\s*:?\s+[A-Z][A-Z0-9]{3,}\b"
)

PROMO_CUES = _c(
    _B
    + r"(?:use\s+(?:my\s+)?code|discount|promo\s+code|link\s+(?:in\s+(?:the\s+)?(?:description|bio)|below)|"
    r"check\s+(?:them|it)\s+out|sponsor\w*|brought\s+to\s+you\s+by|partnered\s+with|\d+\s*%\s*off|"
    r"get\s+yours|head\s+(?:over\s+)?to|codigo|enlace|descuento|code\s+promo|lien|rabattcode|"
    r"gutschein|rabatt)"
)

CLAIMS = tuple(
    _c(p)
    for p in (
        _B
        + r"cures?\s+(?:\w+\s+){0,2}?(?:anxiety|depression|cancer|diabetes|acne|eczema|arthritis|"
        r"insomnia|adhd|autism|covid|migraines?|psoriasis|disease|illness|infertility|hair\s+loss)"
        + _E,
        _B + r"cured\s+my\s+(?:\w+\s+)?(?:anxiety|depression|cancer|diabetes|acne|eczema|arthritis|"
        r"insomnia|adhd|migraines?|psoriasis|ibs)" + _E,
        _B
        + r"(?:melts?|melting|burns?|burning|blasts?)\s+(?:away\s+)?(?:belly\s+|body\s+|the\s+)?fat"
        + _E,
        _B + r"reverses?\s+(?:\w+\s+)?(?:diabetes|aging|ageing|hair\s+loss|disease|arthritis)" + _E,
        _B + r"guaranteed\s+(?:to\s+)?(?:lose|weight\s+loss|results|\d+\s*(?:lbs?|pounds|kg))" + _E,
        _B
        + r"lose\s+\d+\s*(?:lbs?|pounds|kg|kilos)\s+in\s+(?:a|one|\d+)\s+(?:week|weeks|days?)"
        + _E,
        _B + r"100\s*%\s+(?:effective|guaranteed|cure)" + _E,
        _B + r"miracle\s+(?:cure|pill|weight\s+loss|fat\s+burner)" + _E,
        _B
        + r"(?:prevents?|treats?)\s+(?:cancer|covid|alzheimer'?s?|diabetes|depression|anxiety|adhd)"
        + _E,
        _B + r"cura\s+(?:la\s+|el\s+)?(?:ansiedad|depresion|cancer|diabetes|acne)" + _E,
        _B + r"quema\s+(?:la\s+)?grasa" + _E,
        _B + r"pierde\s+\d+\s*(?:kg|kilos)\s+en\s+(?:una|\d+)\s+(?:semanas?|dias)" + _E,
        _B + r"guerit\s+(?:l'|la\s+|le\s+)?(?:anxiete|depression|cancer|diabete|acne)" + _E,
        _B + r"(?:brule|fait\s+fondre)\s+(?:les\s+|la\s+)?graisses?" + _E,
        _B + r"perdre\s+\d+\s*(?:kg|kilos)\s+en\s+(?:une|\d+)\s+semaines?" + _E,
        _B
        + r"heilt\s+(?:\w+\s+)?(?:angst|angstzustande|depressionen|depression|krebs|diabetes|akne)"
        + _E,
        _B + r"verbrennt\s+(?:\w+\s+)?fett" + _E,
        _B + r"\d+\s*kg\s+in\s+(?:einer|\d+)\s+wochen?" + _E,
    )
)

BONA_FIDE_ADMISSION = tuple(
    _c(p)
    for p in (
        _B
        + r"(?:haven't|havent|have\s+not|hasn't|not)\s+(?:actually\s+|even\s+)?(?:tried|used|opened|"
        r"tested|worn|tasted|applied)" + _E,
        _B + r"(?:will|i'll|gonna|going\s+to)\s+(?:try|test|use|open)\s+(?:it|this|them|these)\s+"
        r"(?:out\s+)?(?:next\s+(?:week|month)|tomorrow|later|soon|eventually)" + _E,
        _B
        + r"(?:haven't|havent|not)\s+(?:had\s+a\s+chance\s+to|gotten\s+around\s+to)\s+(?:try|use|open|test)"
        + _E,
        _B
        + r"still\s+(?:sealed|unopened|in\s+the\s+(?:box|package|packaging|wrapper|plastic))"
        + _E,
        _B + r"(?:todavia|aun|sigue)\s+(?:precintad[oa]s?|sin\s+(?:abrir|estrenar))" + _E,
        _B
        + r"(?:encore|toujours)\s+(?:sous\s+blister|emballee?s?|dans\s+(?:sa|son)\s+(?:boite|emballage))"
        + _E,
        _B + r"noch\s+(?:originalverpackt|versiegelt|ungeoffnet|eingeschweisst)" + _E,
        _B + r"can'?t\s+wait\s+to\s+(?:try|test|use)" + _E,
        _B + r"(?:aun|todavia)\s+no\s+(?:lo|la|los|las)\s+(?:he\s+)?(?:probado|usado|abierto)" + _E,
        _B + r"no\s+(?:lo|la|los|las)\s+he\s+(?:probado|usado|abierto)" + _E,
        _B + r"(?:pas\s+encore|jamais)\s+(?:teste|essaye|utilise|ouvert)" + _E,
        _B + r"je\s+ne\s+l'ai\s+pas\s+(?:encore\s+)?(?:teste|essaye|utilise|ouvert)" + _E,
        _B + r"noch\s+nicht\s+(?:ausprobiert|getestet|benutzt|geoffnet|probiert)" + _E,
    )
)
BONA_FIDE_ENDORSEMENT = _c(
    _B + r"(?:"
    # English: recommending, superlatives, calls to buy, results
    r"recommend\w*|must[- ]have|holy\s+grail|game[- ]?changer|life[- ]?changing|changed\s+my|"
    r"works?\s+(?:so\s+)?(?:great|wonders|amazing|perfectly|like\s+(?:a\s+charm|magic))|"
    r"(?:the|hands\s+down\s+the|easily\s+the|by\s+far\s+the)\s+best|best\s+\w+\s+(?:ever|out\s+there)|"
    r"(?:the\s+)?most\s+\w+\s+\w+\s+(?:you\s+can\s+(?:buy|get)|on\s+the\s+market|out\s+there|ever)|"
    r"(?:go|run|just)\s+(?:get|buy|grab|order)\s+(?:it|one|this|these|them|yours)|"
    r"grab\s+(?:it|one|yours|this|these)|buy\s+(?:it|this|now|one|them|these)|get\s+yours|"
    r"(?:you|u)(?:\s+(?:guys|all|lot|people))?\s+(?:really\s+|absolutely\s+|seriously\s+)?"
    r"(?:need|want|have\s+to\s+(?:get|try|buy))\s+(?:this|it|these|one|them)|"
    r"trust\s+me|obsessed|love\s+(?:it|this|these|them)|10/10|worth\s+every\s+(?:penny|cent)|"
    r"don'?t\s+sleep\s+on|never\s+going\s+back|results|(?:it|this)\s+(?:gives|gave)\s+you|"
    r"amazing|life[- ]?saver|(?:you|u)\s+(?:have|need|got)\s+to\s+(?:try|get|buy|have)|"
    r"you'?ll\s+(?:love|thank\s+me|never\s+go\s+back)|won'?t\s+regret|worth\s+it|"
    r"(?:it|this)\s+(?:really\s+|actually\s+)?works|does\s+wonders|use\s+(?:my\s+)?code|"
    r"add\s+(?:it\s+)?to\s+(?:your\s+)?cart|shop\s+(?:it|now)|order\s+(?:yours|now|one)|"
    r"five\s+stars|5\s+stars|number\s+one|hands\s+down|"
    # what others swear by, a must, and results promised to the reader: "makes you run faster"
    r"swear\s+by|a\s+must\b|"
    r"makes?\s+(?:you|your)\s+\w+\s+(?:faster|better|longer|younger|stronger|slimmer)|"
    # a superlative verdict: "the comfiest boots ever made", "the softest towel of all time"
    r"(?:the|its|it's)\s+\w+est\s+(?:\w+\s+){0,2}(?:ever|of\s+all\s+time|on\s+the\s+market|you\s+can\s+(?:buy|get))|"
    # Spanish
    r"recomiend\w*|recomendad\w*|imprescindible|(?:el|la|los|las)\s+mejor(?:es)?|"
    r"compr(?:adlo|adla|adlos|adlas|alo|ala|alos|alas|ad)\b|corred?\s+a\s+por|hazte\s+con|"
    r"resultados|me\s+encanta|increible|(?:lo|la|los|las)\s+necesitas|necesitais|te\s+cambia|"
    r"funciona\s+(?:genial|de\s+maravilla)|vale\s+cada\s+euro|confia\s+en\s+mi|fiaos|"
    r"(?:teneis|tienes)\s+que\s+(?:probarl|comprarl|tenerl)\w*|no\s+os\s+arrepentireis|"
    r"(?:merece|vale)\s+la\s+pena|os\s+(?:lo|la)\s+(?:recomiendo|aconsejo)|funciona|"
    r"(?:te|os)\s+hacen?\s+\w+\s+(?:mas|mejor)\b|juran?\s+por|"
    r"usa(?:d)?\s+mi\s+codigo|hace(?:d)?me\s+caso|(?:os|te)\s+va\s+a\s+encantar|"
    r"no\s+(?:os\s+lo|te\s+lo)\s+(?:perdais|pierdas|podeis\s+perder)|una\s+maravilla|"
    # French
    r"recommand\w*|indispensable|(?:le|la|les)\s+meilleure?s?|fonce[zs]?\b|achetez|"
    r"resultats|j'adore|incroyable|il\s+vous\s+(?:le\s+|la\s+|les\s+)?faut|"
    r"vous\s+en\s+avez\s+besoin|ca\s+marche|croyez-moi|faites-moi\s+confiance|coup\s+de\s+coeur|"
    r"je\s+vous\s+(?:le|la|les)\s+conseille|ca\s+vaut\s+le\s+coup|vous\s+allez\s+adorer|"
    r"(?:vous|te)\s+fait\s+\w+\s+(?:plus|mieux)\b|ne\s+jurent?\s+que\s+par|"
    r"c'est\s+le\s+top|ca\s+fonctionne|(?:avec\s+)?mon\s+code|un\s+must|une\s+pepite|"
    r"(?:un\s+)?incontournable|il\s+faut\s+absolument|courez|"
    # German
    r"empfehl\w*|(?:der|die|das|den|dem)\s+beste[nrs]?|kauft|kauf\s+(?:es|ihn|sie|dir)|"
    r"holt\s+euch|hol\s+dir|ergebnisse|liebe\s+(?:es|ihn|sie)|unglaublich|genial|"
    r"ihr\s+braucht|du\s+brauchst|wirkt\s+(?:wunder|super|sofort)|lohnt\s+sich|vertraut\s+mir|"
    r"glaubt\s+mir|holt\s+(?:es|ihn|sie)\s+euch|(?:kann\s+(?:es|ihn|sie)\s+)?nur\s+empfehlen|"
    r"macht\s+(?:dich|euch)\s+\w+er\b|schwor(?:en|t)\s+auf|"
    r"funktioniert|ihr\s+werdet\s+(?:es|ihn|sie)\s+lieben|absolute\s+empfehlung|mit\s+meinem\s+code|"
    # "ihr müsst sie euch unbedingt holen", "ein Muss für jede Küche", "der Wahnsinn"
    r"(?:ihr\s+musst|du\s+musst|musst\s+du|musst\s+ihr)\s+(?:\w+\s+){0,3}?(?:holen|kaufen|haben|"
    r"probieren|testen|besorgen)|unbedingt\s+(?:holen|kaufen|probieren|besorgen)|zuschlagen|"
    r"ein\s+(?:absolutes\s+)?(?:muss|must-have)|(?:der|ein)\s+(?:absolute\s+)?(?:hammer|wahnsinn)"
    r")"
)
# Anticipation is not a verdict: "looks amazing", "sieht genial aus", "tiene una pinta increible".
ANTICIPATION = _c(
    _B + r"(?:looks?|looking|sounds?|seems?)\s+(?:so\s+|really\s+|absolutely\s+)?\w+"
    r"|(?:pinta|parece)\s+(?:\w+\s+)?\w+|a\s+l'air\s+\w+|sieht\s+\w+\s+\w+"
)
_FIELD_WORD = re.compile(r"[^\W\d_]+")


def _stems(text: str) -> tuple[str, ...]:
    """Whitespace-separated stems (a long list reads better as running text)."""
    return tuple(text.split())


class Field:
    """A field of meaning as word stems: fast to test on a clause, easy to read per kind.

    A folded text is in the field when one of its words is in ``words`` or starts with one of
    ``prefixes``, or when ``pattern`` (phrases, numbers, stems inside German compounds)
    matches it.
    """

    def __init__(
        self, prefixes: Iterable[str], words: Iterable[str] = (), pattern: str | None = None
    ) -> None:
        self.words = frozenset(words)
        by_length: dict[int, set[str]] = {}
        for stem in prefixes:
            by_length.setdefault(len(stem), set()).add(stem)
        self._prefixes = tuple(sorted((n, frozenset(s)) for n, s in by_length.items()))
        self.pattern = _c(pattern) if pattern else None

    def matches(self, folded: str) -> bool:
        """Whether the (folded) text touches the field."""
        for word in _FIELD_WORD.findall(folded):
            if word in self.words:
                return True
            size = len(word)
            for n, stems in self._prefixes:
                if n > size:
                    break
                if word[:n] in stems:
                    return True
        return self.pattern is not None and self.pattern.search(folded) is not None


# The fields a health claim speaks of (rules: disease, cure, weight loss, absolute efficacy),
# EN/ES/FR/DE. A clause the statement classifier reads as a claim must touch one of them.
HEALTH_FIELD = Field(
    prefixes=_stems(
        # diseases, symptoms, conditions
        "anxi depress cancer diabet eczema eccema acne psoria rosacea arthr migra "
        "headache pain insomn cholesterol thyroid bloat adhd autis allerg asthm infect "
        "virus covid inflam symptom chronic joint pcos menopaus fertil hormon panic "
        "disease illness sick flu immun blood apnea apnee hypertens fatigue ansiedad "
        "depresi dolor insomnio enferm resfri gripe colesterol tiroides intestin hinchaz "
        "panico alergi asma tension angoiss douleur insomnie maladi rhume grippe ballonn "
        "panique angst krebs neurodermitis ekzem akne schuppenflechte kopfschmerz "
        "schlaflos erkalt blutdruck cholesterin schilddruse reizdarm haarausfall panik "
        "heuschnupfen depression migrane colon "
        "cramp calambr crampe kramp varic krampfader glucem glycem blutzucker reflux sodbrenn "
        "tinnitus acufen "
        # medication given up, told as a result ("ya no tomo pastillas")
        "pill pastill comprim tablett "
        # cure and healing
        "cure cura heal guer soign sana heil remed medic doctor detox regrew regrow "
        # weight and fat
        "weight pound calori belly peso grasa poids graisse gewicht fett kilogram talla "
        "taille kleidergro dress "
        # certain efficacy
        "guarant garantiz garanti miracle milagro wunder excep ausnahme siempre toujours "
        # bodies and outcomes told as results
        "fibroid toxin higado adelgaz poliquist celulit cellulit maigri repouss digesti "
        "entgift kalori abnehm nachgewachs verdauung fatiga schlafstor mudigkeit chronisch "
        "bauchfett thyro regrow nachwachs crecer "
    ),
    words=("lb", "lbs", "kg", "kilo", "kilos", "fat", "gut", "ibs", "cold", "colds", "sleep"),
    pattern=(
        r"\d\s*(?:kg|lbs?|kilos?|pounds?)\b|100\s*%|every\s+(?:single\s+)?time|never\s+again|"
        r"hair\s*loss|caida\s+del\s+pelo|chute\s+de\s+cheveux|nie\s+wieder|nunca\s+mas|"
        r"plus\s+jamais|schmerz|druck|krank|entzund|darm|presion\s+arterial|mal\s+de\s+dos|"
        r"nimmst\s+ab|chaque\s+fois|jedes\s+mal|everyone|todo\s+el\s+mundo|tout\s+le\s+monde|"
        r"\bfett\b"
    ),
)
# An admission of non-use says "not (yet)", "never", "still sealed", "will try".
NON_USE_FIELD = Field(
    prefixes=_stems(
        "box wrapp unopen unworn untouched precint caja blister emballage boite verpack "
        "verschweiss ungeoffnet sealed "
    ),
    words=_stems(
        "not no never yet still nunca todavia aun pas jamais encore nie nicht noch kein "
        "keine keinen werde gonna ni "
    ),
    pattern=(
        r"n't|\bwill\b|'ll\b|going\s+to|gonna|planning|tomorrow|next\s+(?:week|month|time|run)|"
        r"\bsoon\b|once\s+i|when\s+i|can'?t\s+wait|\bstart\s+using|proxim|manana|"
        r"semana\s+que\s+viene|\bganas\b|\bire\b|empiezo|cuando|me\s+queda|estrenar|sin\s+abrir|"
        r"probare|prochain|demain|\bhate\b|\bvais\b|commence|reste\s+a|\bquand\b|essaierai|"
        r"testerai|finde|week-end|wochenende|weekend|naechst|nachst|morgen|erwarten|fange|wenn\s+ich|probiere\s+ich|mach\s+ich|"
        r"muss\s+ich|teste\s+ich|sag\s+euch|"
        # not owning what the product is for: "if I had a dog", "si tuviera perro"
        r"\bif\s+i\s+(?:had|owned)\b|\bsi\s+tuviera\b|\bsi\s+j'(?:en\s+)?avais\b|"
        r"\bwenn\s+ich\s+(?:\w+\s+){0,2}hatte\b"
    ),
)
# Use that a negation only seems to deny: "haven't used anything else since", "can't stop
# wearing them", "every day". An admission that says this is heavy use, not non-use.
HEAVY_USE = _c(
    r"(?:any|anything|nothing|no)\s+(?:other|else)\b|(?:stop|stopped|stopping)\s+(?:using|wearing|"
    r"drinking|eating)|every\s+(?:single\s+)?(?:day|morning|night)|\bdaily\b|"
    r"ningun\s+otr|nada\s+mas\b|otra\s+cosa|dejado\s+de|todos\s+los\s+dias|cada\s+dia|"
    r"aucune?\s+autre|rien\s+d'autre|tous\s+les\s+jours|chaque\s+jour|nichts\s+anderes|"
    r"kein(?:e|en)?\s+andere|jeden\s+tag|taglich"
)
# The fields a connection statement speaks of: the eight kinds of rules note 10, as word
# stems in EN/ES/FR/DE. A clause the statement classifier reads as a connection must touch
# one of them: product talk that only names the brand ("the X stove is brilliant") is not a
# statement of a tie.
CONNECTION_FIELD = Field(
    prefixes=_stems(
        # payment
        "paid paying compensat sponsor commission hired contract contrat remuner honorar "
        "bezahl zahl vergut cachet financ fund werbung anzeige publicidad patrocin collab "
        "kooperation partner partenariat colaboraci auftrag beauftrag encarg command "
        "engag advert cobr discount descuento rabatt remise berechnet geld dinero argent "
        "money "
        # free product and gift
        "free gratis gratuit kostenlos umsonst sent sending mailed shipped envi envoy "
        "geschickt zugeschickt schick zukommen uberlass loan lent lend prest pret "
        "geliehen leih provid fourni proporcion gestellt prototyp equip ausgestattet "
        "cedid cedi courtesy cortesia parvenir gave given give gegeben donn keep receiv "
        "recib recu erhalt bekomm gift regal cadeau offert offr geschenk schenk present "
        "surpri sorpres uberrasch sample muestra echantillon muster "
        # trip or event
        "trip travel flew flight hosted host invit stay hotel press event launch festival "
        "ticket backstage comped covered viaj vuelo aloja lanzamiento voyage sejour "
        "heberg lancement reise flug eingeladen einladung aufenthalt ubernomm organis "
        "organiz accueilli beherberg eingeflogen emmen guest "
        # employment
        "work employ team colleague staff salar paycheck payroll engineer marketing "
        "barista trabaj emplead empresa equipo travaill equipe arbeit angestellt "
        "mitarbeit gehalt camarer kellner serveu designer disenador dependient verkaufer "
        "vendeu plantilla bosse vertrieb "
        # family or friendship
        "mother father parent sister brother sibling aunt uncle cousin niece nephew grand "
        "husband girlfriend boyfriend fianc daughter friend bestie roommate famil madre "
        "padre herman prim sobrin abuel espos marido novi amig maman soeur frere tante "
        "oncle neveu copain copine mutter vater schwester bruder onkel cousine nichte "
        "neffe freund tochter schwager schwieger compan colocat mitbewohn cunad suegr "
        "buddy kumpel colega "
        # ownership or investment
        "own founder found cofond cofund mitgegr invest share stake equity action aktie "
        "accion propi duen soci inver particip propriet associe gehort inhaber grund "
        "teilhab anteil aktionar beteilig nuestr unser appartien gamme copropi mitgrund "
        "mitinhab adgift pagad beschenk detien sœur mandad loaned lend hooked supplied "
        "handed dedommag entlohn footing "
        # affiliate commission
        "affiliat earn referral percentage kickback link associate storefront comisi "
        "afiliad porcentaje enlace affili touche gagne pourcentage lien provision verdien "
        "partnerprogramm qualifying benefice "
    ),
    words=_stems(
        "pay pays fee fees gage pub publi ad job paye payee payes paie paga pago pagan "
        "pagar pagado pagada pagaron pagando hire send dio dado mando mande manda "
        "mandaron dejo dejaron vol vols intern chef boss jefe patron mom mum moms mums "
        "dad dads wife son sons kid kids mama papa tia tio tias tios mere pere femme mari "
        "fils fille ami amie amis oma opa frau mann mannes manns sohn notre mia mio mien "
        "mate mates pal pals bff pote potes "
        "cree parts cut ltk gano gana ganamos verse versee verser versent "
    ),
    pattern=(
        r"\bno\s+(?:cost|charge)|sin\s+cost|sans\s+frais|zur\s+verfugung|early\s+access|"
        r"review\s+unit|test\s+unit|\bkit(?:ted)?\s+(?:me|us)\b|dropped\s+off|"
        r"let\s+(?:me|us)\s+(?:test|try|keep)|\bpr\s+(?:package|box|paquete|paket)|paquete\s+pr|"
        r"\bc/o\b|pris\s+en\s+charge|a\s+cargo|helped\s+build|ayudado\s+a\s+crear|"
        r"\bmy\s+(?:own\s+)?(?:brand|business|company|shop|store|restaurant|bar|cafe|label|bakery)|"
        r"\bmeine?n?\s+(?:eigene|marke|firma|laden|restaurant|bar|cafe)|"
        r"\bma\s+(?:marque|boutique|societe)|\bmi\s+(?:marca|tienda|empresa|restaurante|bar)\b|"
        r"propre\s+(?:marque|gamme)|put\s+money|tengo\s+una\s+parte|j'ai\s+cree|"
        r"sponsert|bezahl|beau-|freund|employ|partner|ambassador|gift|let\s+(?:me|us)\s+have|"
        r"put\s+(?:me|us)\s+up|\b(?:me|nos)\s+llev(?:o|aron)\s+(?:a|de|hasta)\b|mitgenommen"
    ),
)


class Fields:
    """Several fields: a text is in them when it touches all of ``all_of`` and, if any are
    given, one of ``any_of`` (a denial negates *and* speaks of a tie or of an ad)."""

    def __init__(self, all_of: Iterable[Field] = (), any_of: Iterable[Field] = ()) -> None:
        self.all_of = tuple(all_of)
        self.any_of = tuple(any_of)

    def matches(self, folded: str) -> bool:
        """Whether the (folded) text touches the fields."""
        if not all(f.matches(folded) for f in self.all_of):
            return False
        return not self.any_of or any(f.matches(folded) for f in self.any_of)


# A denial says "no", "not", "nobody", "never" (EN/ES/FR/DE) about a tie (CONNECTION_FIELD)
# or about the post being an ad ("no es un anuncio", "pas un placement de produit").
NEGATION_FIELD = Field(
    prefixes=_stems("unpaid unsponsor unbezahl nonsponsor non-sponsor "),
    words=_stems(
        "not no never nobody noone none nothing zero nadie nunca ningun ninguna ninguno nada ni "
        "sin pas personne jamais aucun aucune rien sans nul nulle nicht kein keine keinen keiner "
        "keinem keins keines "
        "niemand nie nichts ohne "
    ),
    pattern=r"n't|\bno\s+one\b",
)
AD_FIELD = Field(
    prefixes=_stems("anunci publicit promo advert placement reklam werb sponsor cobr centim "),
    words=_stems("ad ads pub publi cent penny dime "),
)
DENIAL_FIELD = Fields(all_of=(NEGATION_FIELD,), any_of=(CONNECTION_FIELD, AD_FIELD))
