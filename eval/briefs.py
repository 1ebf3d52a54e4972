"""Brand briefs used as queries: the built-in set and the JSON Lines sets of eval/data.

Each :class:`Brief` is what a recruiter would type when looking for creators of one niche: a
short keyword-style line and a natural sentence about a campaign. They were written from
the category names and common sense about each niche, before looking at any ranking, and
must not be tuned to the results (that would measure the briefs, not the matcher). The
category name itself is the ground-truth key and is never part of a query's text on
purpose; a word such as "gaming" may still appear because a recruiter would write it.

``CORE`` categories make up the headline macro-average. ``CATCH_ALL`` categories
(Entertainment, People & Blogs) are what uploaders pick when nothing else fits; their labels
are too noisy for a headline number, so they are reported separately.

:data:`BRIEFS` is the ``current`` set (two phrasings per category, written with the first
harness; earlier ranker work was tuned on it). :func:`load_brief_set` also reads the sets of
``eval/data`` (see its README): ``long`` and ``short`` are held out, ``train`` is the only set
anything may be tuned on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BRIEFS",
    "BRIEF_SETS",
    "CATCH_ALL",
    "CORE",
    "DATA_DIR",
    "HELD_OUT_SETS",
    "PHRASINGS",
    "TRAINING_SET",
    "Brief",
    "briefs_for",
    "load_brief_set",
]

PHRASINGS: tuple[str, ...] = ("keywords", "natural")

DATA_DIR = Path(__file__).resolve().parent / "data"
# Set name -> file in DATA_DIR; "current" is BRIEFS, in this module.
_SET_FILES = {
    "long": "briefs_long.jsonl",
    "short": "briefs_short.jsonl",
    "train": "briefs_train.jsonl",
}
BRIEF_SETS: tuple[str, ...] = ("current", "long", "short", "train")
HELD_OUT_SETS: tuple[str, ...] = ("long", "short")
TRAINING_SET = "train"


@dataclass(frozen=True)
class Brief:
    """One query: the category it targets, the phrasing style, the text, and an id that is
    unique within its set (``""`` when built by hand)."""

    category: str
    phrasing: str
    text: str
    id: str = ""


_TEXTS: dict[str, tuple[str, str]] = {
    "Howto & Style": (
        "beauty makeup tutorials, fashion hauls, hair and skincare, DIY and recipes",
        "Creators who film makeup tutorials, skincare routines and outfit hauls, or easy"
        " recipes and DIY projects, for the launch of our new beauty and lifestyle range.",
    ),
    "Science & Technology": (
        "smartphone and gadget reviews, unboxings, tech explainers",
        "We need tech reviewers who do smartphone and gadget reviews, unboxings and"
        " explainers about computers and science, for a new laptop launch.",
    ),
    "Gaming": (
        "video game let's plays, gameplay walkthroughs, game reviews, esports",
        "Looking for gamers who stream let's plays and walkthroughs of console and PC video"
        " games and react to new game trailers, to promote our new controller.",
    ),
    "Sports": (
        "football, basketball, NFL and NBA highlights, athletes, match analysis",
        "A sportswear brand wants channels about football, basketball and other sports:"
        " match highlights, athlete interviews, training and game analysis.",
    ),
    "Music": (
        "music videos, singers, new songs and albums, live performances",
        "A streaming service is looking for musicians and artists who release official"
        " music videos, new singles and live performances of their songs.",
    ),
    "Comedy": (
        "comedy sketches, stand-up, funny parodies and pranks",
        "Our snack brand wants funny creators: sketch comedy, stand-up comedians, parody"
        " videos and jokes that make people laugh.",
    ),
    "Education": (
        "educational explainers, history, science lessons, learning",
        "An online learning platform is looking for educational channels that explain"
        " history, science and how the world works in lessons people learn from.",
    ),
    "News & Politics": (
        "news, politics, current affairs, political commentary, interviews",
        "A news app wants channels covering the latest news, politics, elections and"
        " current affairs, with commentary and interviews with politicians.",
    ),
    "Autos & Vehicles": (
        "car reviews, test drives, supercars, motorcycles, auto repair",
        "A car brand wants automotive creators who review new cars, do test drives, compare"
        " supercars and motorcycles, or show engine and repair work.",
    ),
    "Pets & Animals": (
        "pets, cute dogs and cats, animal rescue, wildlife",
        "A pet food brand is looking for channels about dogs, cats and other pets, animal"
        " rescue stories and wildlife videos.",
    ),
    "Travel & Events": (
        "travel vlogs, destinations, city guides, festivals and events",
        "A travel booking site wants travel vloggers who film trips, destinations, hotels,"
        " city guides and festivals around the world.",
    ),
    "Film & Animation": (
        "movie trailers, film reviews, animation, short films, cartoons",
        "A film studio wants channels about movies: official trailers, film reviews and"
        " breakdowns, animated shorts and cartoons.",
    ),
    "Entertainment": (
        "celebrity news, TV shows, talk shows, late night, reality TV",
        "A beverage brand wants entertainment channels: TV and talk shows, celebrity"
        " interviews, reality TV moments and viral challenges.",
    ),
    "People & Blogs": (
        "daily vlogs, lifestyle vlogger, family vlog, storytime",
        "We want personal vloggers who share their daily life, family moments, storytimes"
        " and challenges with a loyal audience.",
    ),
}

CATCH_ALL: tuple[str, ...] = ("Entertainment", "People & Blogs")
CORE: tuple[str, ...] = tuple(c for c in _TEXTS if c not in CATCH_ALL)


def _slug(category: str) -> str:
    return re.sub(r"[^a-z]+", "-", category.lower()).strip("-")


BRIEFS: tuple[Brief, ...] = tuple(
    Brief(category=category, phrasing=phrasing, text=text, id=f"C-{_slug(category)}-{phrasing}")
    for category, texts in _TEXTS.items()
    for phrasing, text in zip(PHRASINGS, texts, strict=True)
)


def briefs_for(categories: tuple[str, ...]) -> list[Brief]:
    """The briefs of ``categories``, in the order of :data:`BRIEFS`."""
    wanted = set(categories)
    unknown = wanted - set(_TEXTS)
    if unknown:
        raise ValueError(f"no briefs for categories {sorted(unknown)}")
    return [b for b in BRIEFS if b.category in wanted]


def load_brief_set(name: str, *, data_dir: Path | None = None) -> list[Brief]:
    """The briefs of set ``name`` (one of :data:`BRIEF_SETS`), in file order.

    Raises:
        ValueError: an unknown set name, or a line that is not a brief object with string
            ``id``, ``category``, ``phrasing`` and ``text`` (the message names file and line).
    """
    if name == "current":
        return list(BRIEFS)
    if name not in _SET_FILES:
        raise ValueError(f"unknown brief set {name!r}; known: {', '.join(BRIEF_SETS)}")
    path = (data_dir or DATA_DIR) / _SET_FILES[name]
    briefs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{number}: not JSON ({exc})") from exc
        if not isinstance(row, dict) or not all(
            isinstance(row.get(key), str) and row[key].strip()
            for key in ("id", "category", "phrasing", "text")
        ):
            raise ValueError(
                f"{path.name}:{number}: want an object with string id, category, phrasing and text"
            )
        briefs.append(
            Brief(
                category=row["category"], phrasing=row["phrasing"], text=row["text"], id=row["id"]
            )
        )
    return briefs
