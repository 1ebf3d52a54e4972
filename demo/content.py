"""The words of the demo roster: niches, bios, captions, names, places and brands in English,
Spanish, French and German, read from ``demo/data/words.json`` and ``demo/data/niches.json``
once per process.

Pure data for :mod:`demo.roster`. Templates use ``str.format`` slots; every slot a template
may use is listed in :data:`SLOTS`. Grammar notes for writers: French and Spanish topics carry
their article and follow prepositions that do not contract with it (``sur``, ``avec``,
``sobre``, ``con``); German topics carry no article and follow ``Thema`` or a colon, so no case
ending depends on them. Every name and brand is invented; emails use reserved domains.

A creator's self-description that depends on their gender is written ``<<female|male>>``
(``"<<Yogalehrerin|Yogalehrer>> mit ..."``); :mod:`demo.roster` picks the form.

The JSON files hold lists where this module has tuples (the roster adds and slices them and
they must not change): :func:`demo.files.frozen` turns every list into a tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demo.files import frozen, read_json

__all__ = [
    "CATEGORIES",
    "CITIES",
    "CTAS",
    "EMAIL_DOMAINS",
    "EPISODE_PREFIX",
    "FIRST_NAMES",
    "FRAUD_BIOS",
    "FRAUD_CAPTIONS",
    "FRAUD_HASHTAGS",
    "GENERIC_CAPTIONS",
    "HANDLE_ADJECTIVES",
    "HANDLE_MODS",
    "HANDLE_WITH",
    "LANGUAGES",
    "LAST_NAMES",
    "NICHE_TEXT",
    "NICHE_VOCAB",
    "PARENT_WORDS",
    "PET_NAMES",
    "PODCAST_PATTERNS",
    "SHOW_PATTERNS",
    "SLOTS",
    "SPONSORED_CAPTIONS",
    "SPONSOR_LABELS",
    "SPONSOR_LABELS_GB",
    "VIRTUAL_BIOS",
    "VIRTUAL_NAMES",
    "VIRTUAL_STUDIOS",
    "NicheText",
    "NicheVocab",
    "brands_for",
]


@dataclass(frozen=True)
class NicheText:
    """One niche in one language.

    ``taglines`` are short phrases a bio can add for a secondary niche; ``bios`` open a bio;
    ``topics`` fill ``{topic}`` (see the module docstring for grammar); ``items`` fill
    ``{item}`` (products, dishes, places, games, books); ``products`` fill ``{product}`` in
    sponsored posts and default to ``items``; ``show_titles`` name channels, blogs and podcasts.
    """

    taglines: tuple[str, ...]
    bios: tuple[str, ...]
    topics: tuple[str, ...]
    items: tuple[str, ...]
    captions: tuple[str, ...]
    hashtags: tuple[str, ...]
    show_titles: tuple[str, ...]
    products: tuple[str, ...] = ()


@dataclass(frozen=True)
class NicheVocab:
    """The language-neutral words of a niche: emojis, handle words, audience interests and
    the roots and suffixes its fictional brands are made of."""

    emojis: tuple[str, ...]
    handle_words: tuple[str, ...]
    interests: tuple[str, ...]
    brand_roots: tuple[str, ...]
    brand_suffixes: tuple[str, ...]


_WORDS: dict[str, Any] = frozen(read_json("words.json"))
_NICHES: dict[str, Any] = frozen(read_json("niches.json"))

LANGUAGES: tuple[str, ...] = _WORDS["languages"]
# Slots a template may use. Capitalised variants start a sentence.
SLOTS: tuple[str, ...] = _WORDS["slots"]

# --- people and places ----------------------------------------------------------------------

FIRST_NAMES: dict[str, dict[str, tuple[str, ...]]] = _WORDS["first_names"]
LAST_NAMES: dict[str, tuple[str, ...]] = _WORDS["last_names"]
# Cities by country; a key "CC-ll" overrides the country for one language (French Canada).
CITIES: dict[str, tuple[str, ...]] = _WORDS["cities"]
PET_NAMES: tuple[str, ...] = _WORDS["pet_names"]
# (female, male) word for a parent; British spelling where it differs.
PARENT_WORDS: dict[str, tuple[str, str]] = _WORDS["parent_words"]
EMAIL_DOMAINS: tuple[str, ...] = _WORDS["email_domains"]

# --- handles and names ---------------------------------------------------------------------

HANDLE_ADJECTIVES: tuple[str, ...] = _WORDS["handle_adjectives"]
HANDLE_MODS: dict[str, tuple[str, ...]] = _WORDS["handle_mods"]
HANDLE_WITH: dict[str, str] = _WORDS["handle_with"]
# Channel, blog and show names: {title} is a niche show title, {first} the creator.
SHOW_PATTERNS: dict[str, tuple[str, ...]] = _WORDS["show_patterns"]
PODCAST_PATTERNS: dict[str, tuple[str, ...]] = _WORDS["podcast_patterns"]
EPISODE_PREFIX: dict[str, str] = _WORDS["episode_prefix"]
CTAS: dict[str, tuple[str, ...]] = _WORDS["ctas"]

# --- virtual influencers and bought-follower profiles ---------------------------------------

VIRTUAL_NAMES: tuple[str, ...] = _WORDS["virtual_names"]
VIRTUAL_STUDIOS: tuple[str, ...] = _WORDS["virtual_studios"]
VIRTUAL_BIOS: dict[str, tuple[str, ...]] = _WORDS["virtual_bios"]
FRAUD_BIOS: dict[str, tuple[str, ...]] = _WORDS["fraud_bios"]
FRAUD_CAPTIONS: dict[str, tuple[str, ...]] = _WORDS["fraud_captions"]
FRAUD_HASHTAGS: tuple[str, ...] = _WORDS["fraud_hashtags"]

# --- captions shared by every niche ---------------------------------------------------------

GENERIC_CAPTIONS: dict[str, tuple[str, ...]] = _WORDS["generic_captions"]
# Sponsored posts open with {label}: a clear disclosure in the post's language, before the
# fold (see docs/compliance-rules.md, D2/D3 and NOT_UPFRONT).
SPONSORED_CAPTIONS: dict[str, tuple[str, ...]] = _WORDS["sponsored_captions"]
# Disclosure labels (docs/compliance-rules.md D2/D3): the UK wants "Ad"; France "Publicité"
# or "Collaboration commerciale"; Germany "Anzeige" or "Werbung"; Spain "Publicidad" or #publi.
SPONSOR_LABELS: dict[str, tuple[str, ...]] = _WORDS["sponsor_labels"]
SPONSOR_LABELS_GB: tuple[str, ...] = _WORDS["sponsor_labels_gb"]

# --- niches ---------------------------------------------------------------------------------

NICHE_TEXT: dict[str, dict[str, NicheText]] = {
    niche: {language: NicheText(**text) for language, text in data["text"].items()}
    for niche, data in _NICHES.items()
}
CATEGORIES: tuple[str, ...] = tuple(NICHE_TEXT)
NICHE_VOCAB: dict[str, NicheVocab] = {
    niche: NicheVocab(**data["vocab"]) for niche, data in _NICHES.items()
}


def brands_for(niche: str) -> tuple[str, ...]:
    """The 60 fictional brands of a niche: every root with every suffix."""
    vocab = NICHE_VOCAB[niche]
    return tuple(root + suffix for root in vocab.brand_roots for suffix in vocab.brand_suffixes)
