"""One pure function per rule code of docs/compliance-rules.md, and the registry of them.

A rule reads a :class:`~compliance.scan.Context` and returns a :class:`Finding` or None.
The registry records each rule's code, one-line summary, default severity, jurisdictions
and source; the checker runs the rules whose jurisdictions match the post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from compliance.scan import AV_MEDIA, FOLD, STATIC_MEDIA, Context, Label, Span
from compliance.types import ConnectionType, Finding, Jurisdiction, Media, Severity

__all__ = ["RULES", "Rule", "applicable_rules", "has_no_disclosure"]

RuleFn = Callable[[Context], Finding | None]

ALL = ("US", "UK", "CA", "EU")
H, R = Severity.HARD, Severity.REVIEW


@dataclass(frozen=True)
class Rule:
    """A registered rule: metadata plus the pure check function."""

    code: str
    summary: str
    severity: Severity
    jurisdictions: tuple[str, ...]  # "US" "UK" "CA" "EU", or "EU-FR" (EU read as France)
    source: str
    check: RuleFn
    severity_note: str = ""

    def applies_to(self, jurisdiction: Jurisdiction, country: str | None) -> bool:
        """Whether the rule runs for a post of this jurisdiction (and EU country)."""
        if jurisdiction.value in self.jurisdictions:
            return True
        return country is not None and f"{jurisdiction.value}-{country}" in self.jurisdictions


RULES: dict[str, Rule] = {}


def _rule(
    code: str,
    summary: str,
    severity: Severity,
    jurisdictions: tuple[str, ...],
    source: str,
    severity_note: str = "",
) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if code in RULES:
            raise RuntimeError(f"duplicate rule code {code}")
        RULES[code] = Rule(code, summary, severity, jurisdictions, source, fn, severity_note)
        return fn

    return register


def applicable_rules(jurisdiction: Jurisdiction, country: str | None) -> list[Rule]:
    """The rules that run for a jurisdiction, in registry order."""
    return [r for r in RULES.values() if r.applies_to(jurisdiction, country)]


def _finding(
    ctx: Context,
    code: str,
    message: str,
    spans: Iterable[Span] = (),
    severity: Severity | None = None,
) -> Finding:
    rule = RULES[code]
    return Finding(
        code=code,
        severity=severity or rule.severity,
        message=message,
        evidence=tuple(ctx.evidence(s) for s in spans),
        source=rule.source,
    )


def _label_spans(labels: Iterable[Label]) -> list[Span]:
    return [lb.span for lb in labels]


def _quote(ctx: Context, labels: Iterable[Label]) -> str:
    texts = []
    for lb in labels:
        t = ctx.evidence(lb.span).text
        if t not in texts:
            texts.append(t)
    return ", ".join(f'"{t}"' for t in texts[:4])


def has_no_disclosure(ctx: Context) -> bool:
    """NO_DISCLOSURE's condition: a declared connection and nothing that tries to disclose it.

    One finding per fault (rules note 9): a post whose only attempt is a vague term gets
    AMBIGUOUS_TERM, one that points to its bio or a link gets PROFILE_ONLY or LINK_ONLY, one
    with the platform's label gets PLATFORM_LABEL_ONLY; a bare brand tag is no attempt.
    """
    return (
        ctx.declared
        and not ctx.labels
        and not ctx.post.platform_label
        and not ctx.ambiguous
        and not ctx.profile_refs
        and not ctx.link_refs
    )


# --------------------------------------------------------------------------- disclosure


@_rule(
    "NO_DISCLOSURE",
    "A material connection must be disclosed.",
    H,
    ALL,
    "FTC 16 CFR 255.5 and 255.0, "
    "https://www.ecfr.gov/current/title-16/chapter-I/subchapter-B/part-255 "
    "(88 FR 48092); FTC Disclosures 101, https://www.ftc.gov/business-guidance/resources/"
    "disclosures-101-social-media-influencers; ASA/CAP+CMA Influencers' guide (2023), "
    "https://www.asa.org.uk/resource/influencers-guide.html; CAP Code 2.1/2.4; Ad Standards "
    "Canada Disclosure Guidelines (Code cl. 2 and 7); EU UCPD 2005/29/EC Art. 7(2), Annex I pt 11",
)
def no_disclosure(ctx: Context) -> Finding | None:
    """A connection (paid, gift, affiliate, employee, family) and no D2/D3/D5 label."""
    if not has_no_disclosure(ctx):
        return None
    kind = ctx.post.material_connection.type.value.replace("_", " ")
    msg = f"The post has a material connection ({kind}) but no disclosure label."
    tags = _label_spans(ctx.brand_tags)
    if tags:
        msg += (
            " Tagging the brand ("
            + ", ".join(f'"{ctx.evidence(s).text}"' for s in tags[:3])
            + ") does not disclose the connection."
        )
    if ctx.near_misses:
        msg += (
            " Hashtags such as "
            + ", ".join(f'"{ctx.evidence(s).text}"' for s in ctx.near_misses[:3])
            + ' are not "#ad".'
        )
    spans = sorted([*tags, *ctx.near_misses], key=lambda s: (s.source, s.start))
    return _finding(ctx, "NO_DISCLOSURE", msg, spans)


@_rule(
    "AMBIGUOUS_TERM",
    "Only vague or abbreviated disclosure terms are used.",
    H,
    ALL,
    "FTC Disclosures 101 (How to disclose); FTC Endorsement Guides FAQ, https://www.ftc.gov/"
    "business-guidance/resources/ftcs-endorsement-guides-what-people-are-asking; ASA guide 2023 "
    "(labels advised against); Ad Standards Canada (unclear hashtags)",
)
def ambiguous_term(ctx: Context) -> Finding | None:
    """The only disclosure-like tokens are D4 ones (#sp, #collab, thanks @brand, ...).

    A bare brand tag is not one of them (note 9): alone it is NO_DISCLOSURE, and with the
    platform's label on it is PLATFORM_LABEL_ONLY.
    """
    if not ctx.connected or ctx.labels or not ctx.ambiguous:
        return None
    return _finding(
        ctx,
        "AMBIGUOUS_TERM",
        f"Only unclear terms are used to disclose ({_quote(ctx, ctx.ambiguous)}); use a clear "
        'label such as "Ad".',
        _label_spans(ctx.ambiguous),
    )


def _buried(ctx: Context, label: Label) -> bool:
    if label.span.source != "caption" or not label.hashtag:
        return False
    caption = ctx.post.caption
    for run in ctx.hashtag_runs:
        for i, tag in enumerate(run):
            if tag.start <= label.span.start < tag.end:
                if len(run) >= 4 and i > 0:
                    return True
                trailing = not caption[run[-1].end :].strip(" \t\n.!,;")
                return trailing and len(run) >= 5
    return False


@_rule(
    "BURIED_IN_HASHTAGS",
    "The disclosure must not sit inside a block of hashtags.",
    H,
    ALL,
    "FTC Disclosures 101 (don't mix it into a group of hashtags); ASA guide 2023 (not hidden "
    "among hashtags); Ad Standards Canada",
)
def buried_in_hashtags(ctx: Context) -> Finding | None:
    """Every label is a hashtag inside a run of >= 4 (not first) or a trailing block of >= 5."""
    if not ctx.connected or not ctx.labels:
        return None
    if not all(_buried(ctx, lb) for lb in ctx.labels):
        return None
    return _finding(
        ctx,
        "BURIED_IN_HASHTAGS",
        f"The disclosure {_quote(ctx, ctx.labels)} is hidden in a block of hashtags; put it "
        "first, on its own.",
        _label_spans(ctx.labels),
    )


@_rule(
    "NOT_UPFRONT",
    "The disclosure must be seen without clicking more, before or with the endorsement.",
    H,
    ALL,
    "16 CFR 255.0 (clearly and conspicuously); FTC Disclosures 101 (don't make people click "
    "'more'); ASA guide 2023 (upfront); Ad Standards Canada (upfront is best)",
)
def not_upfront(ctx: Context) -> Finding | None:
    """Caption label only past the fold (static posts), or a late spoken/on-screen label."""
    if not ctx.connected or not ctx.labels:
        return None
    post = ctx.post
    if post.media in STATIC_MEDIA:
        if ctx.transcript_labels or any(lb.visible for lb in ctx.caption_labels):
            return None
        first = ctx.caption_labels[0]
        return _finding(
            ctx,
            "NOT_UPFRONT",
            f"The first disclosure starts at character {first.span.start}, after the first {FOLD} "
            'characters shown before "more".',
            [first.span],
        )
    # video / audio: the spoken or on-screen label comes late
    info = ctx.transcript_info
    in_medium = ctx.spoken_labels if post.media is Media.AUDIO else ctx.transcript_labels
    if info is None or not in_medium:
        return None
    if post.media is not Media.AUDIO and (
        ctx.caption_visual_labels or any(lb.region == "persistent" for lb in in_medium)
    ):
        return None
    first = in_medium[0]
    late = False
    if ctx.promo_start is not None:
        late = first.span.start > ctx.sentence_end(ctx.promo_start)
    else:
        n_segments = len(info.timestamps)
        late = n_segments >= 2 and all(
            info.segment_index(lb.span.start) >= n_segments for lb in in_medium
        )
    if not late:
        return None
    where = f" at {_mmss(first.seconds)}" if first.seconds is not None else ""
    return _finding(
        ctx,
        "NOT_UPFRONT",
        f"The first spoken or on-screen disclosure comes{where}, after the promotion has "
        "started; say and show it at the start.",
        [first.span],
    )


def _mmss(seconds: float | None) -> str:
    s = int(seconds or 0)
    return (
        f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
        if s >= 3600
        else f"{s // 60:02d}:{s % 60:02d}"
    )


@_rule(
    "PROFILE_ONLY",
    "Disclosure only in the profile or bio is not enough.",
    H,
    ALL,
    "FTC Disclosures 101 (not only in your bio); CMA hidden-ads guidance; Ad Standards Canada",
)
def profile_only(ctx: Context) -> Finding | None:
    """The post points to the bio/profile for its partnerships and has no label itself."""
    if not ctx.connected or ctx.labels or not ctx.profile_refs:
        return None
    return _finding(
        ctx,
        "PROFILE_ONLY",
        "The post points to the bio or profile for its partnerships instead of disclosing in "
        "the post.",
        ctx.profile_refs,
    )


@_rule(
    "LINK_ONLY",
    "Disclosure only behind a link is not enough.",
    H,
    ALL,
    "FTC Disclosures 101 (not just on a link); 16 CFR 255.0 (unavoidable); ASA guide 2023",
)
def link_only(ctx: Context) -> Finding | None:
    """The only disclosure reference is a URL or 'tap the link for disclosures'."""
    if not ctx.connected or ctx.labels or not ctx.link_refs:
        return None
    return _finding(
        ctx,
        "LINK_ONLY",
        "The disclosure is only behind a link; people must not have to click to learn about "
        "the connection.",
        ctx.link_refs,
    )


@_rule(
    "NOT_IN_MEDIUM",
    "A video, audio or live endorsement must be disclosed in the content itself.",
    H,
    ALL,
    "16 CFR 255.0 (same means as the claim); FTC Disclosures 101 (in the video, not just the "
    "description); ASA guide 2023 (in the video or title); Loi FR 2023-451 art. 5",
)
def not_in_medium(ctx: Context) -> Finding | None:
    """AV post whose labels are only in text not seen or heard during playback."""
    post = ctx.post
    if post.media not in AV_MEDIA or not ctx.connected or not ctx.labels:
        return None
    if post.media is Media.AUDIO:
        in_medium: tuple[Label, ...] = ctx.spoken_labels
    else:
        in_medium = ctx.transcript_labels + ctx.caption_visual_labels
    if in_medium:
        return None
    places = sorted({_place_name(ctx, lb) for lb in ctx.caption_labels})
    return _finding(
        ctx,
        "NOT_IN_MEDIUM",
        "The disclosure is only in "
        + (", ".join(places) or "text outside the content")
        + ", which is not seen or heard during playback; say it (and show it) in the content.",
        _label_spans(ctx.caption_labels),
    )


def _place_name(ctx: Context, label: Label) -> str:
    platform = ctx.post.platform.value
    if label.region == "description":
        return "the YouTube description" if not label.visible else "the description"
    if platform == "podcast":
        return "the show notes"
    if platform == "twitch":
        return "the stream title or panels"
    if not label.visible:
        return "the caption below the fold"
    return "the caption"


def _video_with_sound(ctx: Context) -> bool:
    info = ctx.transcript_info
    return ctx.is_video and info is not None and info.spoken_words >= 3


@_rule(
    "VIDEO_NOT_SPOKEN",
    "A video with sound needs the disclosure said as well as shown.",
    H,
    ("US",),
    "16 CFR 255.0 (visual and audible portions); FTC Disclosures 101 (say it and show it)",
)
def video_not_spoken(ctx: Context) -> Finding | None:
    """US video with a visual label but no spoken label in the transcript."""
    if not ctx.connected or not _video_with_sound(ctx) or ctx.spoken_labels:
        return None
    visual = ctx.on_screen_labels + ctx.caption_visual_labels
    if not visual:
        return None
    return _finding(
        ctx,
        "VIDEO_NOT_SPOKEN",
        "The disclosure is shown but never said; say it in the audio too.",
        _label_spans(visual),
    )


@_rule(
    "VIDEO_NOT_SHOWN",
    "A video disclosure that is spoken should also be shown on screen.",
    R,
    ("US",),
    "16 CFR 255.0 (visual and audible portions); FTC Disclosures 101",
)
def video_not_shown(ctx: Context) -> Finding | None:
    """US video with a spoken label, no on-screen label and no overlaid caption label."""
    if not ctx.connected or not _video_with_sound(ctx) or not ctx.spoken_labels:
        return None
    if ctx.on_screen_labels or ctx.caption_visual_labels:
        return None
    return _finding(
        ctx,
        "VIDEO_NOT_SHOWN",
        "The disclosure is said but not shown on screen or in an overlaid caption.",
        _label_spans(ctx.spoken_labels),
    )


LIVE_MIN_SECONDS = 15 * 60
LIVE_MAX_GAP_SECONDS = 30 * 60


@_rule(
    "LIVE_NOT_REPEATED",
    "A live stream must repeat the disclosure for people who join late.",
    H,
    ALL,
    "FTC Disclosures 101 (repeat it periodically in live streams); FTC Endorsement Guides FAQ; "
    "ASA guide 2023 (labelled throughout); Loi FR 2023-451 (whole duration)",
)
def live_not_repeated(ctx: Context) -> Finding | None:
    """Live > 15 min with a single label or a gap > 30 min and no persistent on-screen label."""
    info = ctx.transcript_info
    if ctx.post.media is not Media.LIVE or info is None or not ctx.connected:
        return None
    duration = info.duration
    if duration is None or duration <= LIVE_MIN_SECONDS:
        return None
    labels = ctx.transcript_labels
    if not labels or ctx.caption_visual_labels or any(lb.region == "persistent" for lb in labels):
        return None
    times = sorted(lb.seconds or 0.0 for lb in labels)
    points = [0.0, *times, duration]
    gap = max(b - a for a, b in pairwise(points))
    if len(labels) > 1 and gap <= LIVE_MAX_GAP_SECONDS:
        return None
    detail = "once" if len(labels) == 1 else f"with a gap of {int(gap // 60)} minutes"
    return _finding(
        ctx,
        "LIVE_NOT_REPEATED",
        f"In a {int(duration // 60)}-minute stream the disclosure appears {detail}; repeat it "
        "at least every 30 minutes or keep it on screen.",
        _label_spans(labels),
    )


@_rule(
    "PLATFORM_LABEL_ONLY",
    "The platform's paid-partnership tool is used with no label of the creator's own.",
    R,
    ("US", "UK", "CA"),
    "FTC Endorsement Guides FAQ (built-in tools may or may not be enough); FTC Disclosures 101; "
    "ASA guide 2023 (tool and an 'Ad' label); Ad Standards Canada (use in addition)",
)
def platform_label_only(ctx: Context) -> Finding | None:
    """platform_label is set and there is no D2/D3 label in the caption or transcript."""
    if not ctx.post.platform_label or not ctx.connected or ctx.clear_labels:
        return None
    return _finding(
        ctx,
        "PLATFORM_LABEL_ONLY",
        "Only the platform's paid-partnership label is used; add your own clear label.",
    )


_LANG_NAME = {"en": "English", "es": "Spanish", "fr": "French", "de": "German"}


@_rule(
    "LANGUAGE_MISMATCH",
    "The disclosure must be in the language of the endorsement.",
    H,
    ("US", "CA", "EU"),
    "16 CFR 255.0 (in each language of the representation); Ad Standards Canada (language of "
    "the post); Medienanstalten Leitfaden (DE prefers Werbung/Anzeige)",
    severity_note="hard in US and CA, review in EU",
)
def language_mismatch(ctx: Context) -> Finding | None:
    """The post language (D6) differs from the language of every label."""
    if not ctx.connected or not ctx.labels or ctx.language not in _LANG_NAME:
        return None
    if any(lb.lang == ctx.language for lb in ctx.labels):
        return None
    label_langs = sorted({_LANG_NAME[lb.lang] for lb in ctx.labels})
    severity = R if ctx.post.jurisdiction is Jurisdiction.EU else H
    return _finding(
        ctx,
        "LANGUAGE_MISMATCH",
        f"The post is in {_LANG_NAME[ctx.language]} but the disclosure is only in "
        f"{' and '.join(label_langs)}.",
        _label_spans(ctx.labels),
        severity,
    )


@_rule(
    "GIFTED_MISLABEL",
    "'Gifted' as the only label understates a paid or affiliate relationship.",
    H,
    ALL,
    "ASA guide 2023 (payment plus control = 'Ad'); CMA hidden-ads guidance; FTC 255.5; Ad "
    "Standards Canada 2025 (#gifted only without an obligation to post)",
)
def gifted_mislabel(ctx: Context) -> Finding | None:
    """Paid or affiliate connection and every label is a gift label (D5) or says "free"."""
    mc = ctx.post.material_connection.type
    if mc not in (ConnectionType.PAID, ConnectionType.AFFILIATE) or not ctx.labels:
        return None
    if not all(lb.gift_like for lb in ctx.labels):
        return None
    return _finding(
        ctx,
        "GIFTED_MISLABEL",
        f"The post is {mc.value} but is only labelled as a gift ({_quote(ctx, ctx.labels)}).",
        _label_spans(ctx.labels),
    )


@_rule(
    "UK_GIFTED_NEEDS_AD",
    "UK: gifted content should also carry 'Ad'.",
    R,
    ("UK",),
    "ASA/CAP+CMA Influencers' guide 3rd ed. (23 Mar 2023); CMA 'Hidden ads: being clear with "
    "your audience' (2022)",
)
def uk_gifted_needs_ad(ctx: Context) -> Finding | None:
    """UK free product labelled only as a gift (#gifted, 'gifted by', 'sent me this'), no 'Ad'."""
    if ctx.post.material_connection.type is not ConnectionType.FREE_PRODUCT or not ctx.labels:
        return None
    if not all(lb.gift_like and not lb.has_ad for lb in ctx.labels):
        return None
    return _finding(
        ctx,
        "UK_GIFTED_NEEDS_AD",
        'In the UK a gift should be labelled "Ad" too, e.g. "Ad – gifted by the brand".',
        _label_spans(ctx.labels),
    )


@_rule(
    "UK_NON_AD_LABEL",
    "UK: an advertisement should be labelled 'Ad', not 'Sponsored' or 'partnership'.",
    R,
    ("UK",),
    "ASA guide 2023 (How to make it clear: labels to use and to avoid)",
)
def uk_non_ad_label(ctx: Context) -> Finding | None:
    """UK paid/affiliate post with a clear label but no ad/advert/advertisement token."""
    mc = ctx.post.material_connection.type
    # a gift or "free" label on a paid post is GIFTED_MISLABEL's fault, not this one
    clear = [lb for lb in ctx.clear_labels if not lb.gift_like]
    if mc not in (ConnectionType.PAID, ConnectionType.AFFILIATE) or not clear:
        return None
    if any(lb.has_ad for lb in ctx.labels):
        return None
    return _finding(
        ctx,
        "UK_NON_AD_LABEL",
        f'The label {_quote(ctx, clear)} is clear but the ASA advises "Ad".',
        _label_spans(clear),
    )


@_rule(
    "FR_MANDATORY_LABEL",
    "France: commercial influence must say 'Publicité' or 'Collaboration commerciale'.",
    H,
    ("EU-FR",),
    "Loi n° 2023-451 du 9 juin 2023, art. 5, https://www.legifrance.gouv.fr/jorf/id/"
    "JORFTEXT000047663185; DGCCRF guidance",
)
def fr_mandatory_label(ctx: Context) -> Finding | None:
    """EU + French post with a connection and no exact 'publicité' / 'collaboration commerciale'."""
    if not ctx.declared:
        return None
    exact = [lb for lb in ctx.labels if lb.fr_exact]
    media = ctx.post.media
    info = ctx.transcript_info
    if media is Media.AUDIO:
        ok = any(lb.span.source == "caption" or lb.region == "spoken" for lb in exact)
    elif ctx.is_video and info is not None:
        in_video = [lb for lb in exact if lb.region in ("on_screen", "persistent", "spoken")]
        overlaid = [lb for lb in exact if lb.span.source == "caption" and lb.visual]
        ok = any(lb.region == "persistent" for lb in exact) or len(in_video) + len(overlaid) >= 2
    else:
        ok = any(lb.span.source == "caption" or lb.region != "spoken" for lb in exact)
    if ok:
        return None
    if exact:
        msg = (
            'The video says "Publicité" only once and not as a persistent on-screen mention; '
            "the law asks for it for the whole promotion."
        )
    else:
        msg = (
            'France requires "Publicité" or "Collaboration commerciale"; other labels '
            "(#ad, #sponso, #partenariat, the platform's tag) are not enough."
        )
    return _finding(ctx, "FR_MANDATORY_LABEL", msg, _label_spans(exact or ctx.labels))


_GIFT_HONEST = ("sponsored", "paid", "sponsorship", "patrocinado", "sponsorise", "gesponsert")


@_rule(
    "DISCLOSURE_CONTRADICTED",
    "The disclosure must not be contradicted or watered down.",
    H,
    ALL,
    "16 CFR 255.0 (disclosure must not be contradicted); UCPD Art. 6/7; CMA guidance",
)
def disclosure_contradicted(ctx: Context) -> Finding | None:
    """A negation ('not sponsored', 'not an ad', '#ad jk') while a connection is declared."""
    if not ctx.declared:
        return None
    negations = list(ctx.negations)
    if ctx.post.material_connection.type is ConnectionType.FREE_PRODUCT and any(
        lb.gift_like for lb in ctx.labels
    ):
        # "#gifted, not sponsored" is accurate for a gift: keep only stronger denials.
        negations = [
            n for n in negations if not any(w in ctx.evidence(n).text.lower() for w in _GIFT_HONEST)
        ]
    spans = sorted([*negations, *ctx.jokes], key=lambda s: (s.source, s.start))
    if not spans:
        return None
    quoted = ", ".join(f'"{ctx.evidence(s).text}"' for s in spans[:3])
    return _finding(
        ctx,
        "DISCLOSURE_CONTRADICTED",
        f"The post denies or jokes about the connection ({quoted}) although one is declared.",
        spans,
    )


# --------------------------------------------------------------------------- content


@_rule(
    "NOT_BONA_FIDE_USER",
    "Endorsers must have used the product they recommend.",
    H,
    ALL,
    "16 CFR 255.1(a) and (c); FTC Disclosures 101 (don't talk about a product you haven't "
    "tried); CMA 2019 undertakings; Ad Standards Canada Code cl. 7",
)
def not_bona_fide_user(ctx: Context) -> Finding | None:
    """The text admits not using the product while recommending it or stating results.

    A health or efficacy claim states a result, so it counts as well as a recommendation.
    """
    support = [*ctx.endorsements, *ctx.claims]
    if not ctx.admissions or not support:
        return None
    spans = [ctx.admissions[0], min(support, key=lambda s: (s.source != "caption", s.start))]
    return _finding(
        ctx,
        "NOT_BONA_FIDE_USER",
        "The post recommends the product or states results but says it has not been used yet.",
        sorted(spans, key=lambda s: (s.source, s.start)),
    )


@_rule(
    "UNSUBSTANTIATED_CLAIM",
    "Health, cure or weight-loss claims need substantiation, even with a disclosure.",
    R,
    ALL,
    "16 CFR 255.1(b)/(d) and 255.2(a); FTC Disclosures 101 (no made-up health claims); CAP "
    "Code 3.7 and 12.1; Competition Act s.74.01(1)(b) (CA); UCPD Annex I pt 17",
    severity_note="review; hard when NO_DISCLOSURE also fires",
)
def unsubstantiated_claim(ctx: Context) -> Finding | None:
    """A disease, cure or weight-loss claim from the lexicon (hard when undisclosed)."""
    if not ctx.claims:
        return None
    severity = H if has_no_disclosure(ctx) else R
    quoted = ", ".join(f'"{ctx.evidence(s).text}"' for s in ctx.claims[:3])
    return _finding(
        ctx,
        "UNSUBSTANTIATED_CLAIM",
        f"The post makes health or efficacy claims ({quoted}) that need substantiation.",
        ctx.claims,
        severity,
    )


@_rule(
    "POSSIBLE_UNDISCLOSED_CONNECTION",
    "No connection is declared but the post shows commercial signals.",
    R,
    ALL,
    "FTC Disclosures 101 (affiliate commissions are material); ASA affiliate guidance; CMA "
    "guidance",
)
def possible_undisclosed_connection(ctx: Context) -> Finding | None:
    """Connection 'none' with a D7 signal (code, affiliate link) and no label."""
    if ctx.declared or not ctx.commercial or ctx.labels:
        return None
    quoted = ", ".join(f'"{ctx.evidence(s).text}"' for s in ctx.commercial[:3])
    return _finding(
        ctx,
        "POSSIBLE_UNDISCLOSED_CONNECTION",
        f"No connection is declared but the post has commercial signals ({quoted}); check "
        "whether the creator earns from it.",
        ctx.commercial,
    )
