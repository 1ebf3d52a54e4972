"""Suggested fix: the caption rewritten with a proper disclosure up front.

The label follows the jurisdiction's preferred wording in the post's language (UK "Ad",
US/CA English "#ad", CA French "#pub", France "Publicité", Germany "Werbung", Spain
"Publicidad"). Ambiguous tokens and contradictions are removed; the rest of the caption is
kept as written. The fix only touches the caption: spoken and on-screen problems (video
rules) still need the creator to re-record or re-edit.
"""

from __future__ import annotations

import re

from compliance.language import UNDETERMINED
from compliance.scan import Context, Span
from compliance.types import ConnectionType, Jurisdiction, Platform

__all__ = ["CONTENT_ONLY_CODES", "preferred_label", "suggest_fix"]

# Codes a caption rewrite cannot address: no fix is offered when only these fire.
CONTENT_ONLY_CODES = frozenset({"NOT_BONA_FIDE_USER", "UNSUBSTANTIATED_CLAIM"})

_LABEL_BY_LANGUAGE = {"en": "#ad", "es": "Publicidad", "fr": "Publicité", "de": "Werbung"}
_GIFT_BY_LANGUAGE = {
    "en": "gifted by {brand}",
    "es": "regalo de {brand}",
    "fr": "offert par {brand}",
    "de": "Geschenk von {brand}",
}


_DETAIL = {
    ConnectionType.EMPLOYEE: "I work for {brand}",
    ConnectionType.FAMILY: "{brand} is my family's business",
    ConnectionType.AFFILIATE: "I earn a commission from {brand} links in this post",
}


def preferred_label(jurisdiction: Jurisdiction, language: str) -> str:
    """The label this jurisdiction prefers for a post in ``language``."""
    lang = language if language in _LABEL_BY_LANGUAGE else "en"
    if jurisdiction is Jurisdiction.UK:
        return "Ad" if lang == "en" else f"Ad · {_LABEL_BY_LANGUAGE[lang]}"
    if jurisdiction is Jurisdiction.CA and lang == "fr":
        return "#pub"
    if jurisdiction is Jurisdiction.EU and lang == "en":
        return "Ad"
    return _LABEL_BY_LANGUAGE[lang]


def _default_language(ctx: Context) -> str:
    if ctx.language != UNDETERMINED:
        return ctx.language
    labelled = [lb.lang for lb in ctx.labels]
    return labelled[0] if labelled else "en"


def _full_label(ctx: Context) -> str:
    lang = _default_language(ctx)
    label = preferred_label(ctx.post.jurisdiction, lang)
    mc = ctx.post.material_connection
    if ctx.post.jurisdiction is Jurisdiction.UK and mc.type is ConnectionType.FREE_PRODUCT:
        brand = mc.brand or "the brand"
        gift = _GIFT_BY_LANGUAGE.get(lang, _GIFT_BY_LANGUAGE["en"]).format(brand=brand)
        return f"{label} – {gift}"
    if lang == "en" and mc.brand and mc.type in _DETAIL:
        return f"{label} – {_DETAIL[mc.type].format(brand=mc.brand)}"
    return label


def suggest_fix(ctx: Context, reasons: tuple[str, ...]) -> str | None:
    """The caption with a disclosure first, or None when there is nothing a rewrite can fix."""
    if not reasons or all(code in CONTENT_ONLY_CODES for code in reasons):
        return None
    caption = ctx.post.caption
    remove: list[Span] = []
    remove += [_widen(caption, s) for s in ctx.negations if s.source == "caption"]
    remove += [s for s in ctx.jokes if s.source == "caption"]
    remove += [s for s in ctx.profile_refs if s.source == "caption"]
    remove += [s for s in ctx.link_refs if s.source == "caption"]
    remove += [
        lb.span
        for lb in ctx.ambiguous
        if lb.span.source == "caption" and caption[lb.span.start] == "#"
    ]
    # existing labels are replaced by the one up front (they may be buried or late)
    remove += [lb.span for lb in ctx.caption_labels if lb.hashtag]
    text = _cut(caption, remove)
    label = _full_label(ctx)
    if ctx.post.platform is Platform.YOUTUBE:
        marker = re.search(r"\[title\]", text, re.IGNORECASE)
        if marker:
            at = marker.end()
            rest = text[at:].lstrip(" \t")
            return f"{text[:at]} {label} | {rest}"
        return f"[title] {label}\n{text}" if text else f"[title] {label}"
    return f"{label} | {text}" if text else label


def _widen(text: str, span: Span) -> Span:
    """Take a short lead-in ("This is") and the trailing comma along with a denial."""
    start, end = span.start, span.end
    sentence_start = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    if start - sentence_start <= 25:
        start = sentence_start
    while end < len(text) and text[end] in ",;: \t":
        end += 1
    return Span(span.source, start, end)


def _cut(text: str, spans: list[Span]) -> str:
    if not spans:
        return text.strip()
    spans = sorted(spans, key=lambda s: s.start)
    out: list[str] = []
    pos = 0
    for s in spans:
        if s.start < pos:
            pos = max(pos, s.end)
            continue
        out.append(text[pos : s.start])
        pos = s.end
    out.append(text[pos:])
    cleaned = "".join(out)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    cleaned = re.sub(r"[ \t]+([,.!?;:])", r"\1", cleaned)
    cleaned = re.sub(r"^[\s,.;:|–—-]+", "", cleaned)
    cleaned = re.sub(r"\(\s*\)|\[\s*\]", "", cleaned)
    return re.sub(r"[ \t]+\n", "\n", cleaned).strip()
