"""A stand-in for ``Brief.niche_text``: the part of a brief that says what the content is about.

The product will use ``matcher.brief.Brief.niche_text`` (another change adds it: the brief
without countries, ages, budgets, dates, numbers, objective and filler words). Until it lands,
the retrieval experiments use this small function so the idea can be measured. It was written
from general knowledge of how briefs are laid out and checked only on the training briefs
(``eval/data/briefs_train.jsonl``) and the ``current`` set; no rule or word was added for an
evaluation brief.

What it does, clause by clause (a clause ends at a line break, a bullet dash, ``;`` or the end
of a sentence):

* a clause labelled as logistics (``Budget:``, ``Audience:``, ``Market:``, ``Obj:``, ``KPI:``...)
  or opening with such a word ("Audience is 25-45 ...", "The objective is ...") is dropped;
* a clause that says what is *not* wanted ("No ...", "Not: ...", "Avoid ...", "Please skip
  ...", "We won't ...") is dropped when ``drop_negative`` is set;
* a label that introduces content (``Want:``, ``Content:``, ``Product:``...) is removed, its
  text kept;
* in what is left, numbers, amounts, currencies, countries and regions, age and gender words
  and recruiting filler ("we are looking for creators who ...") are removed.

When nothing is left the brief is returned unchanged (an empty query finds nothing).
"""

from __future__ import annotations

import re

__all__ = ["niche_text"]


def _words(text: str) -> list[str]:
    return text.split()


_LOGISTICS = frozenset(
    _words(
        """audience audiences tgt target targets targeting market markets country countries region
    regions geo budget budgets obj objective objectives kpi kpis goal goals timeline timing dates
    deadline deadlines age ages gender demographics demo fee fees compensation payment rate
    rates deliverables term terms contract requirements requirement must brand-safety
    disclosure disclosures"""
    )
)
_CONTENT_LABELS = frozenset(
    _words(
        """want wanted wants content contents product products client brand niche topics topic
    ideal ideally looking formats format themes theme focus fits fit good great"""
    )
)
_NEGATIVE_OPENERS = re.compile(
    r"^(?:please\s+)?(?:no|not|none|never|avoid|avoiding|exclude|excluding|excluded|skip|without"
    r"|nothing|hard\s+no|don'?t|do\s+not|we\s+don'?t|we\s+do\s+not|we\s+won'?t|we\s+will\s+not"
    r"|we\s+avoid|we\s+can'?t|won'?t|cannot|can'?t)\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*([A-Za-z][\w' -]{0,24}?)\s*:\s*")
_CLAUSES = re.compile(r"\n+|(?:^|\s)[-•*]\s+|;\s*|(?<=[.!?])\s+(?=[A-Z\"'(])")

_PLACES = frozenset(
    _words(
        """us usa u.s. uk u.k. eu emea apac latam nordics dach benelux america american americans
    canada canadian canadians mexico mexican brazil brazilian argentina chile colombia peru
    britain british england english scotland scottish wales welsh ireland irish france french
    germany german spain spanish portugal portuguese italy italian netherlands dutch belgium
    belgian switzerland swiss austria austrian sweden swedish norway norwegian denmark danish
    finland finnish poland polish greece greek turkey turkish russia russian ukraine india
    indian pakistan china chinese japan japanese korea korean singapore malaysia indonesia
    philippines thailand vietnam australia australian australians zealand nz africa african
    nigeria kenya egypt uae saudi israel europe european asia asian global worldwide
    international north south east west london paris berlin madrid new york toronto vancouver
    sydney melbourne birmingham glasgow manchester"""
    )
)
_PEOPLE = frozenset(
    _words(
        """men women male males female females boys girls mums moms dads parents adults teens
    teenagers aged age ages years year old olds yo genders all mostly"""
    )
)
_FILLER = frozenset(
    _words(
        """we we're were our us i i'm you your they them their looking look searching seeking want
    wants wanted need needs needed would like love please ideal ideally creators creator
    influencers influencer channels channel youtubers youtuber people accounts who that which
    whose do does post posts make makes share shares run runs cover covers
    content campaign campaigns brand brands company startup launch launching
    launches new our also plus etc e.g. i.e. about around mix wide range kind kinds some any
    more most especially particularly preferably prefer preferred priority bonus mention"""
    )
)
_CURRENCY = re.compile(r"[$€£¥]|\b(?:usd|eur|gbp|cad|aud|chf|inr|jpy|k|m)\b", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|[$€£¥]", re.UNICODE)


def _label(clause: str) -> tuple[str, str]:
    match = _LABEL.match(clause)
    if not match:
        return "", clause
    return match.group(1).strip().lower(), clause[match.end() :]


def _is_logistics(clause: str) -> bool:
    words = re.findall(r"[a-z][a-z'-]*", clause.lower())[:3]
    return any(w in _LOGISTICS for w in words)


def niche_text(text: str, *, drop_negative: bool = True) -> str:
    """The niche words of a brief (see the module docstring); ``text`` when none is left."""
    kept: list[str] = []
    for raw in _CLAUSES.split(text):
        clause = raw.strip(" .,:;-\t")
        if not clause:
            continue
        label, body = _label(clause)
        label_words = set(label.replace("-", " ").split())
        if label_words & _LOGISTICS:
            continue
        if drop_negative and (
            _NEGATIVE_OPENERS.match(label) or _NEGATIVE_OPENERS.match(body.strip())
        ):
            continue
        if not label and _is_logistics(body):
            continue
        if label and not label_words & _CONTENT_LABELS:
            body = clause  # "Nail polish brand: ..." is not a label we know: keep it whole
        words = []
        for token in _TOKEN.findall(body):
            low = token.lower().replace("’", "'")
            if (
                _HAS_DIGIT.search(low)
                or _CURRENCY.fullmatch(low)
                or low in _PLACES
                or low in _PEOPLE
                or low in _FILLER
            ):
                continue
            words.append(token)
        if words:
            kept.append(" ".join(words))
    return ", ".join(kept) if kept else text
