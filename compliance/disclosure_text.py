"""The canonical disclosure-duty text for briefs and contracts (one source for outreach too).

Outreach templates render :func:`disclosure_section`; :func:`compliance.documents.check_document`
checks that a brief or contract contains the heading and every required phrase from here, so
the two cannot drift apart.

Convention: the section is a Markdown heading containing ``Disclosure`` (e.g.
``## Disclosure obligations``) followed by paragraphs, up to the next heading of the same or
a higher level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compliance.types import Jurisdiction, Platform

__all__ = [
    "DISCLOSURE_HEADING",
    "RequiredPhrase",
    "disclosure_section",
    "label_for",
    "required_phrases",
]

DISCLOSURE_HEADING = "## Disclosure obligations"

_LABELS = {
    Jurisdiction.US: '"#ad" or "Sponsored"',
    Jurisdiction.UK: '"Ad"',
    Jurisdiction.CA: '"#ad" (English) or "#pub" (French)',
    Jurisdiction.EU: (
        '"Publicité" or "Collaboration commerciale" in France, "Werbung" or "Anzeige" in '
        'Germany, "Publicidad" in Spain, "Ad" in English'
    ),
}
_LAW = {
    Jurisdiction.US: "the FTC Endorsement Guides (16 CFR Part 255)",
    Jurisdiction.UK: "the CAP Code and the ASA/CMA Influencers' guide",
    Jurisdiction.CA: "the Ad Standards Canada Influencer Marketing Disclosure Guidelines",
    Jurisdiction.EU: (
        "the Unfair Commercial Practices Directive and national law (in France, Loi n° 2023-451)"
    ),
}


@dataclass(frozen=True)
class RequiredPhrase:
    """A phrase the disclosure section must contain (matched ignoring case and spacing)."""

    id: str
    text: str


def label_for(jurisdiction: Jurisdiction) -> str:
    """The label wording this jurisdiction's section asks for."""
    return _LABELS[jurisdiction]


def required_phrases(
    jurisdiction: Jurisdiction, platforms: Iterable[Platform | str] = ()
) -> list[RequiredPhrase]:
    """The phrases a brief or contract must contain for this jurisdiction and platforms."""
    names = {Platform(p) if not isinstance(p, Platform) else p for p in platforms}
    phrases = [
        RequiredPhrase("material-connection", "must disclose the material connection"),
        RequiredPhrase("every-post", "in every post"),
        RequiredPhrase("upfront", 'at the start of the caption, before the "more" cut-off'),
        RequiredPhrase("label", f"use the label {label_for(jurisdiction)}"),
        RequiredPhrase("no-ambiguous", 'not #sp, #spon, #collab or "thanks" alone'),
    ]
    video = names & {Platform.YOUTUBE, Platform.TIKTOK, Platform.INSTAGRAM, Platform.TWITCH}
    if video:
        phrases.append(
            RequiredPhrase("in-video", "in the video itself, not only in the description")
        )
    if jurisdiction is Jurisdiction.US and video:
        phrases.append(RequiredPhrase("say-and-show", "say it and show it"))
    if Platform.TWITCH in names or Platform.YOUTUBE in names:
        phrases.append(
            RequiredPhrase("live-repeat", "repeat the disclosure at least every 30 minutes")
        )
    if Platform.PODCAST in names:
        phrases.append(RequiredPhrase("podcast-spoken", "say the disclosure before the ad read"))
    return phrases


def disclosure_section(jurisdiction: Jurisdiction, platforms: Iterable[Platform | str] = ()) -> str:
    """The canonical Markdown disclosure-duty section for a brief or contract."""
    parts = [
        DISCLOSURE_HEADING,
        "",
        f"Under {_LAW[jurisdiction]}, the creator must disclose the material connection "
        "with the brand (payment, free products, affiliate commission) in every post.",
        "",
        'The disclosure appears at the start of the caption, before the "more" cut-off; '
        f"use the label {label_for(jurisdiction)}. Do not hide it among hashtags, and use "
        'clear words, not #sp, #spon, #collab or "thanks" alone.',
    ]
    for phrase in required_phrases(jurisdiction, platforms)[5:]:
        if phrase.id == "in-video":
            parts += [
                "",
                "For video, place the disclosure in the video itself, not only in the description.",
            ]
        elif phrase.id == "say-and-show":
            parts += ["", "In the US, say it and show it: spoken and on screen."]
        elif phrase.id == "live-repeat":
            parts += ["", "In live streams, repeat the disclosure at least every 30 minutes."]
        elif phrase.id == "podcast-spoken":
            parts += ["", "In podcasts, say the disclosure before the ad read."]
    return "\n".join(parts) + "\n"
