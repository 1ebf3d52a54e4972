"""The disclosure-duty text of briefs and contracts, taken from the compliance package.

Nothing here words a legal duty itself. The paragraphs come from
:func:`compliance.disclosure_text.disclosure_section`; the label and placement for each
platform come from :func:`compliance.disclosure_text.required_phrases` and
:func:`compliance.fix.preferred_label`. The document check reads the same functions, so the
templates and the check cannot drift apart.

Shape of :func:`disclosure_body` (Markdown): for one jurisdiction, the canonical paragraphs;
for several, one ``### United States (US)`` subsection each. Then, when platforms are known,
a ``### How to disclose on each platform`` table (platform, jurisdiction, label, placement).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from compliance.disclosure_text import DISCLOSURE_HEADING, disclosure_section, required_phrases
from compliance.fix import preferred_label
from compliance.types import Jurisdiction, Platform

__all__ = [
    "JURISDICTION_NAMES",
    "PLATFORM_NAMES",
    "disclosure_body",
    "disclosure_markdown",
    "disclosure_rows",
    "label_suggestion",
    "placement_for",
]

PLATFORM_NAMES: dict[Platform, str] = {
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.YOUTUBE: "YouTube",
    Platform.FACEBOOK: "Facebook",
    Platform.LINKEDIN: "LinkedIn",
    Platform.X: "X",
    Platform.TWITCH: "Twitch",
    Platform.PODCAST: "Podcast",
    Platform.THREADS: "Threads",
    Platform.PINTEREST: "Pinterest",
    Platform.SNAPCHAT: "Snapchat",
    Platform.BLOG: "Blog",
}

JURISDICTION_NAMES: dict[Jurisdiction, str] = {
    Jurisdiction.US: "United States",
    Jurisdiction.UK: "United Kingdom",
    Jurisdiction.CA: "Canada",
    Jurisdiction.EU: "European Union",
}

# The languages a post in each jurisdiction is usually written in, for the label suggestion.
_LANGUAGES: dict[Jurisdiction, tuple[str, ...]] = {
    Jurisdiction.US: ("en",),
    Jurisdiction.UK: ("en",),
    Jurisdiction.CA: ("en", "fr"),
    Jurisdiction.EU: ("en", "fr", "de", "es"),
}
_LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}
# The phrases every section has; the others depend on the platform.
_COMMON_PHRASES = frozenset(
    {"material-connection", "every-post", "upfront", "label", "no-ambiguous"}
)


def _body_of(jurisdiction: Jurisdiction, platforms: Sequence[Platform]) -> str:
    section = disclosure_section(jurisdiction, platforms)
    if not section.startswith(DISCLOSURE_HEADING):
        raise AssertionError("compliance.disclosure_section no longer opens with its heading")
    return section[len(DISCLOSURE_HEADING) :].strip("\n")


def label_suggestion(jurisdiction: Jurisdiction) -> str:
    """The preferred label per language: ``"#ad" (English), "#pub" (French)``."""
    languages = _LANGUAGES[jurisdiction]
    labels = [(preferred_label(jurisdiction, lang), lang) for lang in languages]
    if len(labels) == 1:
        return f'"{labels[0][0]}"'
    return ", ".join(f'"{label}" ({_LANGUAGE_NAMES[lang]})' for label, lang in labels)


def placement_for(jurisdiction: Jurisdiction, platform: Platform) -> str:
    """Where the disclosure goes on ``platform``: the required phrases, joined with "; "."""
    phrases = required_phrases(jurisdiction, [platform])
    texts = [p.text for p in phrases if p.id == "upfront"]
    texts += [p.text for p in phrases if p.id not in _COMMON_PHRASES]
    joined = "; ".join(texts)
    return joined[:1].upper() + joined[1:]


def disclosure_rows(
    jurisdictions: Iterable[Jurisdiction], platforms: Iterable[Platform]
) -> list[tuple[str, str, str, str]]:
    """(platform, jurisdiction, label, placement) for every platform and jurisdiction."""
    plats = list(dict.fromkeys(platforms))
    return [
        (PLATFORM_NAMES[p], j.value, label_suggestion(j), placement_for(j, p))
        for p in plats
        for j in dict.fromkeys(jurisdictions)
    ]


def disclosure_body(jurisdictions: Sequence[Jurisdiction], platforms: Sequence[Platform]) -> str:
    """The disclosure section without its heading (see the module docstring for its shape)."""
    juris = list(dict.fromkeys(jurisdictions))
    if not juris:
        raise ValueError("at least one jurisdiction is needed")
    plats = list(dict.fromkeys(platforms))
    parts: list[str] = []
    if len(juris) == 1:
        parts += [_body_of(juris[0], plats), ""]
    else:
        for j in juris:
            parts += [f"### {JURISDICTION_NAMES[j]} ({j.value})", "", _body_of(j, plats), ""]
    if plats:
        parts += [
            "### How to disclose on each platform",
            "",
            "| Platform | Jurisdiction | Label to use | Where and how |",
            "|---|---|---|---|",
        ]
        parts += [
            f"| {p} | {j} | {label} | {where} |"
            for p, j, label, where in disclosure_rows(juris, plats)
        ]
        parts.append("")
    return "\n".join(parts)


def disclosure_markdown(
    jurisdictions: Sequence[Jurisdiction],
    platforms: Sequence[Platform],
    *,
    heading: str = DISCLOSURE_HEADING,
) -> str:
    """The whole section: ``heading`` (``## Disclosure obligations``), then the body."""
    return f"{heading}\n\n{disclosure_body(jurisdictions, platforms)}"
