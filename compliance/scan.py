"""Reads one post into a :class:`Context`: labels, placements, transcript timing, signals.

Everything the rules need is computed here once, so each rule is a few lines of logic over
plain data. Offsets are always offsets into the original caption or transcript.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from compliance.language import UNDETERMINED, detect_language
from compliance.lexicon import (
    ANTICIPATION,
    BONA_FIDE_ADMISSION,
    BONA_FIDE_ENDORSEMENT,
    BRAND_QUALIFIED,
    CLAIMS,
    COMMERCIAL,
    COMMERCIAL_CASED,
    GENERIC_QUALIFIERS,
    HEAVY_USE,
    JOKES,
    LABELS,
    LINK_REFS,
    NEGATIONS,
    PROFILE_REFS,
    PROMO_CUES,
    URLS,
    Kind,
    fold,
    required_text,
)
from compliance.statements import DENIAL, Statement, find_statements
from compliance.types import ConnectionType, Evidence, Jurisdiction, Media, Platform, Post

__all__ = [
    "AV_MEDIA",
    "FOLD",
    "STATIC_MEDIA",
    "Context",
    "Label",
    "Span",
    "build_context",
]

FOLD = 125
STATIC_MEDIA = frozenset({Media.IMAGE, Media.CAROUSEL, Media.TEXT, Media.STORY})
AV_MEDIA = frozenset({Media.VIDEO, Media.REEL, Media.LIVE, Media.AUDIO})
VIDEO_MEDIA = frozenset({Media.VIDEO, Media.REEL, Media.LIVE})
_FOLD_PLATFORMS = frozenset(
    {Platform.INSTAGRAM, Platform.TIKTOK, Platform.FACEBOOK, Platform.LINKEDIN}
)
_OVERLAID_PLATFORMS = frozenset(
    {
        Platform.TIKTOK,
        Platform.INSTAGRAM,
        Platform.FACEBOOK,
        Platform.X,
        Platform.LINKEDIN,
        Platform.THREADS,
        Platform.SNAPCHAT,
    }
)
_COUNTRY_BY_LANGUAGE = {"fr": "FR", "de": "DE", "es": "ES"}
_COUNTRY_LAW = {
    "FR": "France (Loi 2023-451)",
    "DE": "Germany (Medienanstalten guidance)",
    "ES": "Spain",
}
_LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish"}
_GIFT_CONNECTIONS = frozenset({"free_product", "gift"})
# A plain statement counts as upfront when this much of it is shown before "more".
PLAIN_VISIBLE_CHARS = 40

_YT_MARKER = re.compile(r"\[(title|description)\]", re.IGNORECASE)
_BRACKET = re.compile(r"\[[^\]\n]*\]")
_TIMESTAMP = re.compile(r"\[(\d{1,2}):([0-5]\d)(?::([0-5]\d))?\]")
_ANNOTATION = re.compile(r"\[\s*on[- ]?screen(\s+persistent)?\s*:\s*([^\]]*)\]", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@([\w][\w.]*\w|\w)")
_BRAND_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
_RUN_GAP = re.compile(r"[\s,.;·|/]*")
_SENTENCE_END = re.compile(r"[.!?\n]|\[\d{1,2}:\d{2}")
_NEAR_MISS = re.compile(r"(?<![\w#])#ad\w+", re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Span:
    """A stretch of the caption or the transcript."""

    source: str  # "caption" | "transcript"
    start: int
    end: int


@dataclass(frozen=True)
class Label:
    """A disclosure-like token and where it sits."""

    kind: Kind
    lang: str
    span: Span
    has_ad: bool
    fr_exact: bool
    hashtag: bool
    # where it sits: caption regions "title" / "description" / "body"; transcript regions
    # "spoken" / "on_screen" / "persistent"
    region: str
    visible: bool  # seen without clicking "more" (transcript labels: always)
    visual: bool  # a visual label for a video (on-screen, overlaid caption, YouTube title)
    seconds: float | None  # transcript time of the label (last timestamp before it)
    plain: bool = False  # a plain-language statement of the connection (note 10)
    connection: str | None = None  # the kind of connection a plain statement names

    @property
    def gift_like(self) -> bool:
        """A gift label (D5) or a statement that the product was a gift or free (no "ad")."""
        return self.kind is Kind.GIFT or self.connection in _GIFT_CONNECTIONS


@dataclass(frozen=True)
class _Region:
    kind: str
    start: int  # first character of the region's content
    end: int


@dataclass(frozen=True)
class _Transcript:
    text: str
    brackets: tuple[tuple[int, int, str, bool], ...]  # start, end, kind, persistent
    bracket_starts: tuple[int, ...]
    timestamps: tuple[tuple[int, float], ...]  # offset, seconds
    spoken_words: int

    def locate(self, pos: int) -> tuple[str, float | None]:
        """Region ("spoken", "on_screen", "persistent", "other") and time at ``pos``."""
        region = "spoken"
        i = bisect.bisect_right(self.bracket_starts, pos) - 1
        if i >= 0:
            start, end, kind, persistent = self.brackets[i]
            if start <= pos < end:
                if kind == "annotation":
                    region = "persistent" if persistent else "on_screen"
                else:
                    region = "other"
        seconds: float | None = None
        for offset, secs in self.timestamps:
            if offset > pos:
                break
            seconds = secs
        return region, seconds

    @property
    def duration(self) -> float | None:
        return max((s for _, s in self.timestamps), default=None)

    def segment_index(self, pos: int) -> int:
        return bisect.bisect_right([o for o, _ in self.timestamps], pos)


def _parse_transcript(text: str) -> _Transcript:
    brackets: list[tuple[int, int, str, bool]] = []
    timestamps: list[tuple[int, float]] = []
    for m in _BRACKET.finditer(text):
        ts = _TIMESTAMP.fullmatch(m.group(0))
        if ts:
            a, b, c = ts.group(1), ts.group(2), ts.group(3)
            secs = int(a) * 3600 + int(b) * 60 + int(c) if c is not None else int(a) * 60 + int(b)
            timestamps.append((m.start(), float(secs)))
            brackets.append((m.start(), m.end(), "timestamp", False))
            continue
        ann = _ANNOTATION.fullmatch(m.group(0))
        if ann:
            brackets.append((m.start(), m.end(), "annotation", ann.group(1) is not None))
        else:
            brackets.append((m.start(), m.end(), "other", False))
    spoken = _BRACKET.sub(" ", text)
    return _Transcript(
        text=text,
        brackets=tuple(brackets),
        bracket_starts=tuple(b[0] for b in brackets),
        timestamps=tuple(timestamps),
        spoken_words=len(_WORDS.findall(spoken)),
    )


def _caption_regions(post: Post) -> tuple[list[_Region], bool]:
    """Regions of the caption and whether YouTube markers were missing."""
    caption = post.caption
    if post.platform is not Platform.YOUTUBE:
        return [_Region("body", 0, len(caption))], False
    markers = list(_YT_MARKER.finditer(caption))
    if not markers:
        return [_Region("description", 0, len(caption))], True
    regions: list[_Region] = []
    if markers[0].start() > 0 and caption[: markers[0].start()].strip():
        regions.append(_Region("title", 0, markers[0].start()))
    for i, m in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(caption)
        start = m.end()
        while start < end and caption[start].isspace():
            start += 1
        regions.append(_Region(m.group(1).lower(), start, end))
    return regions, False


@lru_cache(maxsize=1024)
def _brand_regex(folded_brand: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.findall(r"[\w'&.-]+", folded_brand)] or [
        re.escape(folded_brand)
    ]
    return re.compile(r"(?<![\w])@?(?:" + r"\s*".join(words) + r")(?![\w])")


def _norm_brand(value: str) -> str:
    return re.sub(r"[\W_]+", "", fold(value))


@dataclass(frozen=True)
class Context:
    """Everything the rules read about one post."""

    post: Post
    language: str
    country: str | None  # FR / DE / ES when an EU post is read as that country
    assumptions: tuple[str, ...]
    labels: tuple[Label, ...]  # clear and gift labels that are not negated
    ambiguous: tuple[Label, ...]  # D4 terms ("#sp", "thanks @brand")
    brand_tags: tuple[Label, ...]  # bare brand @-tags and hashtags (note 9: not a label)
    negations: tuple[Span, ...]
    jokes: tuple[Span, ...]  # "jk" / "just kidding" next to a label
    commercial: tuple[Span, ...]  # D7
    profile_refs: tuple[Span, ...]
    link_refs: tuple[Span, ...]
    claims: tuple[Span, ...]
    admissions: tuple[Span, ...]
    endorsements: tuple[Span, ...]
    near_misses: tuple[Span, ...]  # "#adidas", "#adventure": look like #ad but are not
    promo_start: int | None  # first promotional mention in the transcript
    hashtag_runs: tuple[tuple[Span, ...], ...]
    transcript_info: _Transcript | None

    # ----- derived views used by several rules
    @cached_property
    def connected(self) -> bool:
        """A declared connection, or commercial signals that suggest one."""
        return self.post.material_connection.type is not ConnectionType.NONE or bool(
            self.commercial
        )

    @property
    def declared(self) -> bool:
        return self.post.material_connection.type is not ConnectionType.NONE

    @cached_property
    def clear_labels(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.labels if lb.kind is Kind.CLEAR)

    @cached_property
    def caption_labels(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.labels if lb.span.source == "caption")

    @cached_property
    def transcript_labels(self) -> tuple[Label, ...]:
        return tuple(
            lb for lb in self.labels if lb.span.source == "transcript" and lb.region != "other"
        )

    @cached_property
    def spoken_labels(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.transcript_labels if lb.region == "spoken")

    @cached_property
    def on_screen_labels(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.transcript_labels if lb.region != "spoken")

    @cached_property
    def caption_visual_labels(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.caption_labels if lb.visual)

    @property
    def is_video(self) -> bool:
        return self.post.media in VIDEO_MEDIA

    @property
    def is_av(self) -> bool:
        return self.post.media in AV_MEDIA

    def text_of(self, source: str) -> str:
        """The original text of ``source``."""
        if source == "caption":
            return self.post.caption
        return self.post.transcript or ""

    def evidence(self, span: Span) -> Evidence:
        """Evidence for a span, with the exact original text."""
        text = self.text_of(span.source)
        return Evidence(span.source, span.start, span.end, text[span.start : span.end])

    def sentence_end(self, pos: int) -> int:
        """End of the transcript sentence (or timestamped segment) containing ``pos``."""
        text = self.post.transcript or ""
        m = _SENTENCE_END.search(text, pos)
        return m.start() if m else len(text)


def _hashtag_runs(caption: str) -> tuple[tuple[Span, ...], ...]:
    tags = list(_HASHTAG.finditer(caption))
    runs: list[list[Span]] = []
    prev_end = -1
    for m in tags:
        gap = caption[prev_end : m.start()] if prev_end >= 0 else None
        if gap is not None and _RUN_GAP.fullmatch(gap) and "\n\n" not in gap:
            runs[-1].append(Span("caption", m.start(), m.end()))
        else:
            runs.append([Span("caption", m.start(), m.end())])
        prev_end = m.end()
    return tuple(tuple(r) for r in runs)


def _find_labels(
    post: Post,
    source: str,
    text: str,
    folded: str,
    brand_norm: str | None,
) -> tuple[list[Label], list[Label]]:
    """Raw (clear + gift) and ambiguous labels of one text, before placement."""
    found: list[tuple[int, int, Label]] = []
    for pat in LABELS:
        if pat.ca_only and post.jurisdiction is not Jurisdiction.CA:
            continue
        if pat.needs and not _has_any(folded, pat.needs):
            continue
        for m in pat.regex.finditer(folded):
            s, e = m.span("t") if "t" in pat.regex.groupindex else m.span()
            if s == e:
                continue
            found.append(
                (
                    s,
                    e,
                    Label(
                        kind=pat.kind,
                        lang=pat.lang,
                        span=Span(source, s, e),
                        has_ad=pat.has_ad,
                        fr_exact=pat.fr_exact,
                        hashtag=text[s] == "#",
                        region="",
                        visible=True,
                        visual=False,
                        seconds=None,
                        connection=pat.connection,
                    ),
                )
            )
    for m in BRAND_QUALIFIED.finditer(folded):
        prefix = _norm_brand(m.group("prefix"))
        role = m.group("role")
        if prefix in GENERIC_QUALIFIERS:
            ok = False
        elif brand_norm:
            ok = prefix == brand_norm or (
                len(prefix) >= 3
                and (brand_norm.startswith(prefix) or prefix.startswith(brand_norm))
            )
        else:
            ok = True
        found.append(
            (
                m.start(),
                m.end(),
                Label(
                    kind=Kind.CLEAR if ok else Kind.AMBIGUOUS,
                    lang="fr" if role == "partenaire" else "en",
                    span=Span(source, m.start(), m.end()),
                    has_ad=False,
                    fr_exact=False,
                    hashtag=True,
                    region="",
                    visible=True,
                    visual=False,
                    seconds=None,
                ),
            )
        )
    if brand_norm:
        # Bare brand tags (note 9): "@trailhound", "#trailhound", "#TrailhoundBoots".
        tags = [(m, _norm_brand(m.group(1)) == brand_norm) for m in _MENTION.finditer(folded)]
        tags += [
            (m, len(brand_norm) >= 3 and _norm_brand(m.group(1)).startswith(brand_norm))
            for m in _BRAND_HASHTAG.finditer(folded)
        ]
        for m, is_brand in tags:
            if is_brand:
                found.append(
                    (
                        m.start(),
                        m.end(),
                        Label(
                            Kind.TAG,
                            "en",
                            Span(source, m.start(), m.end()),
                            False,
                            False,
                            text[m.start()] == "#",
                            "",
                            True,
                            False,
                            None,
                        ),
                    )
                )
    # Gift and clear tokens win over ambiguous ones at the same place, and those over bare
    # tags ("@nike" in "sponsored by @nike" or "thanks @nike"); earlier patterns (gift
    # combinations such as "Ad – gifted") win over the plain tokens inside them.
    rank = {Kind.GIFT: 0, Kind.CLEAR: 1, Kind.AMBIGUOUS: 2, Kind.TAG: 3}
    found.sort(key=lambda t: (rank[t[2].kind], t[0], -(t[1] - t[0])))
    kept: list[Label] = []
    taken: list[tuple[int, int]] = []
    for s, e, label in found:
        if any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        kept.append(label)
    kept.sort(key=lambda lb: lb.span.start)
    clear = [lb for lb in kept if lb.kind in (Kind.CLEAR, Kind.GIFT)]
    ambiguous = [lb for lb in kept if lb.kind in (Kind.AMBIGUOUS, Kind.TAG)]
    return clear, ambiguous


def _has_any(text: str, needles: tuple[str, ...]) -> bool:
    # a plain loop: a generator in any() costs more than the substring tests here
    for needle in needles:  # noqa: SIM110
        if needle in text:
            return True
    return False


_FAMILY_NEEDS: dict[int, tuple[tuple[str, ...], ...]] = {}


def _spans(patterns: tuple[re.Pattern[str], ...], source: str, folded: str) -> list[Span]:
    """Matches of a family of patterns, overlaps merged (earliest, then longest, wins).

    A pattern whose required words (see ``required_text``) are all absent is not run: most
    patterns of a family need a word that most texts do not contain.
    """
    family = id(patterns)
    needs = _FAMILY_NEEDS.get(family)
    if needs is None:
        needs = tuple(required_text(p.pattern) for p in patterns)
        _FAMILY_NEEDS[family] = needs
    spans = [
        Span(source, m.start(), m.end())
        for pattern, need in zip(patterns, needs, strict=True)
        if not need or _has_any(folded, need)
        for m in pattern.finditer(folded)
    ]
    return _dedupe(spans)


def _place_caption(label: Label, post: Post, regions: list[_Region]) -> Label:
    s = label.span.start
    region = regions[0]
    for r in regions:
        if r.start <= s < r.end or (s < r.start and r is regions[0]):
            region = r
            break
        if s >= r.end:
            region = r
    kind = region.kind
    folded_region = (
        kind == "body" and post.platform in _FOLD_PLATFORMS and post.media is not Media.STORY
    ) or (kind == "description")
    visible = True
    if folded_region:
        end = label.span.end
        if label.plain:
            # a sentence is read from its start: enough of it must be shown before "more"
            end = min(end, label.span.start + PLAIN_VISIBLE_CHARS)
        visible = end - region.start <= FOLD
    if kind == "title":
        visual = True
    elif kind == "body":
        visual = visible and (post.platform in _OVERLAID_PLATFORMS or post.media is Media.STORY)
    else:
        visual = False
    return replace(label, region=kind, visible=visible, visual=visual, seconds=None)


def _place_transcript(label: Label, info: _Transcript) -> Label:
    region, seconds = info.locate(label.span.start)
    return replace(
        label,
        region=region,
        visible=True,
        visual=region in ("on_screen", "persistent"),
        seconds=seconds,
    )


def _plain_labels(
    statements: list[Statement],
    post: Post,
    language: str,
    taken: list[Label],
) -> tuple[list[Label], list[Label]]:
    """Labels for the connection statements that no D1-D5 label already covers."""
    caption: list[Label] = []
    transcript: list[Label] = []
    for st in statements:
        if st.meaning != "connection":
            continue
        if any(
            lb.span.source == st.source and lb.span.start < st.end and st.start < lb.span.end
            for lb in taken
        ):
            continue
        text = post.caption if st.source == "caption" else post.transcript or ""
        guess = detect_language(text[st.start : st.end]).language
        label = Label(
            kind=Kind.GIFT if st.kind == "gift" else Kind.CLEAR,
            lang=guess if guess != UNDETERMINED else language,
            span=Span(st.source, st.start, st.end),
            has_ad=False,
            fr_exact=False,
            hashtag=False,
            region="",
            visible=True,
            visual=False,
            seconds=None,
            plain=True,
            connection=st.kind,
        )
        (caption if st.source == "caption" else transcript).append(label)
    return caption, transcript


def build_context(post: Post) -> Context:
    """Read the post once into everything the rules need."""
    caption = post.caption
    transcript = post.transcript
    folded_caption = fold(caption)
    folded_transcript = fold(transcript) if transcript else ""
    brand = post.material_connection.brand
    brand_norm = _norm_brand(brand) if brand else None
    assumptions: list[str] = []

    guess = detect_language(caption, transcript)
    language = guess.language
    country: str | None = None
    if post.jurisdiction is Jurisdiction.EU and language in _COUNTRY_BY_LANGUAGE:
        country = _COUNTRY_BY_LANGUAGE[language]
        assumptions.append(f"EU + {_LANGUAGE_NAMES[language]} treated as {_COUNTRY_LAW[country]}")
    if language == UNDETERMINED:
        assumptions.append("post language could not be determined; language rules skipped")

    regions, missing_markers = _caption_regions(post)
    if missing_markers:
        assumptions.append(
            "YouTube caption without [title]/[description] markers read as description only"
        )
    if (post.platform in _FOLD_PLATFORMS and post.media is not Media.STORY) or any(
        r.kind == "description" for r in regions
    ):
        assumptions.append(f"fold taken as the first {FOLD} characters")

    negations = _spans(NEGATIONS, "caption", folded_caption)
    cap_labels, cap_amb = _find_labels(post, "caption", caption, folded_caption, brand_norm)
    info: _Transcript | None = None
    tr_labels: list[Label] = []
    tr_amb: list[Label] = []
    if transcript:
        info = _parse_transcript(transcript)
        negations += _spans(NEGATIONS, "transcript", folded_transcript)
        tr_labels, tr_amb = _find_labels(
            post, "transcript", transcript, folded_transcript, brand_norm
        )

    # Pointers to the bio, the profile or a link (PROFILE_ONLY, LINK_ONLY). "Tap the link in
    # bio for disclosures" is a link, not a profile reference.
    folded_texts = {"caption": folded_caption, "transcript": folded_transcript}
    link_refs: list[Span] = []
    profile_refs: list[Span] = []
    for source, folded in folded_texts.items():
        if folded:
            link_refs += _spans(LINK_REFS, source, folded)
            profile_refs += _spans(PROFILE_REFS, source, folded)
    profile_refs = [p for p in profile_refs if not _overlaps(p, link_refs)]
    pointers = [*profile_refs, *link_refs]

    # The statement classifier reads what is left once denials, pointers and the labels
    # already found are blanked out (offsets stay): "This isn't a paid post" denies a tie and
    # "every brand I work with is on my profile" points elsewhere, so neither states one
    # (PROFILE_ONLY, LINK_ONLY, DISCLOSURE_CONTRADICTED); "#ad I'm not kidding" is a label and
    # an intensifier, not "not an ad". A negation reaches to the end of its phrase: "not a
    # paid collaboration, I love it" denies the collaboration, and "isn't sponsored by
    # anyone" unsays "sponsored by ...".
    texts = (
        [("caption", caption), ("transcript", transcript)] if transcript else [("caption", caption)]
    )
    scopes = [_scope(folded_texts[n.source], n) for n in negations]
    blanked = [*scopes, *pointers, *(lb.span for lb in cap_labels + tr_labels)]
    statements = find_statements(
        [(source, _blank(text, blanked, source)) for source, text in texts]
    )
    # A clause that denies a tie in other words ("they didn't pay me a cent") is a denial. It
    # contradicts the labels; it does not unsay them ("#ad, they didn't pay me much lol").
    denials = [Span(st.source, st.start, st.end) for st in statements if st.meaning == DENIAL]
    plain_cap, plain_tr = _plain_labels(
        statements, post, language if language != UNDETERMINED else "en", cap_labels + tr_labels
    )
    plain_cap = [lb for lb in plain_cap if not _touches(lb.span, denials)]
    plain_tr = [lb for lb in plain_tr if not _touches(lb.span, denials)]
    cap_labels = sorted(cap_labels + plain_cap, key=lambda lb: lb.span.start)
    tr_labels = sorted(tr_labels + plain_tr, key=lambda lb: lb.span.start)

    # Not labels: a word inside a web address ("mia-online.de/werbung") and the tie a pointer
    # names ("My sponsors are listed on my profile").
    urls = [
        Span(source, m.start(), m.end())
        for source, folded in folded_texts.items()
        for m in URLS.finditer(folded)
    ]

    def negated(lb: Label) -> bool:
        return _inside(lb.span, scopes) or _inside(lb.span, urls) or _inside(lb.span, pointers)

    negations = _dedupe([*negations, *denials])

    labels = [_place_caption(lb, post, regions) for lb in cap_labels if not negated(lb)]
    vague = [_place_caption(lb, post, regions) for lb in cap_amb if not negated(lb)]
    if info is not None:
        labels += [_place_transcript(lb, info) for lb in tr_labels if not negated(lb)]
        vague += [_place_transcript(lb, info) for lb in tr_amb if not negated(lb)]
        labels = [lb for lb in labels if lb.region != "other"]
    ambiguous = [lb for lb in vague if lb.kind is Kind.AMBIGUOUS]
    brand_tags = [lb for lb in vague if lb.kind is Kind.TAG]

    jokes: list[Span] = []
    for source, folded in (("caption", folded_caption), ("transcript", folded_transcript)):
        for m in JOKES.finditer(folded):
            near = any(
                lb.span.source == source
                and (abs(m.start() - lb.span.end) <= 40 or abs(lb.span.start - m.end()) <= 40)
                for lb in labels
            )
            if near:
                jokes.append(Span(source, m.start(), m.end()))

    commercial = _spans(COMMERCIAL, "caption", folded_caption)
    commercial += [Span("caption", m.start(), m.end()) for m in COMMERCIAL_CASED.finditer(caption)]
    claims = _spans(CLAIMS, "caption", folded_caption)
    admissions = _spans(BONA_FIDE_ADMISSION, "caption", folded_caption)
    endorsements = [
        Span("caption", m.start(), m.end()) for m in BONA_FIDE_ENDORSEMENT.finditer(folded_caption)
    ]
    if transcript:
        commercial += _spans(COMMERCIAL, "transcript", folded_transcript)
        commercial += [
            Span("transcript", m.start(), m.end()) for m in COMMERCIAL_CASED.finditer(transcript)
        ]
        claims += _spans(CLAIMS, "transcript", folded_transcript)
        admissions += _spans(BONA_FIDE_ADMISSION, "transcript", folded_transcript)
        endorsements += [
            Span("transcript", m.start(), m.end())
            for m in BONA_FIDE_ENDORSEMENT.finditer(folded_transcript)
        ]
    commercial = _dedupe(commercial)

    def denial(st: Statement) -> bool:
        # "not sponsored, I'd buy it anyway" denies a label; it admits nothing about use
        return any(n.source == st.source and st.start <= n.start < st.end for n in negations)

    # "haven't used anything else since" is heavy use, whether the lexicon or the model read
    # it; so is "haven't tried the mint one, but the chocolate one I've had every morning":
    # the sentence speaks of use, so its verdict is not an untried product's.
    def heavy(span: Span | Statement) -> bool:
        return HEAVY_USE.search(_sentence(folded_texts[span.source], span)) is not None

    admissions = [a for a in admissions if not heavy(a)]
    admissions = _merge(
        admissions,
        [st for st in statements if st.meaning == "non_use" and not heavy(st) and not denial(st)],
    )
    claims = _merge(
        claims,
        [st for st in statements if st.meaning == "health_claim"],
    )
    # "looks amazing" is anticipation, not a verdict on the product
    hopes = [
        Span(source, m.start(), m.end())
        for source, folded in folded_texts.items()
        for m in ANTICIPATION.finditer(folded)
    ]
    endorsements = [
        e
        for e in endorsements
        if not any(h.source == e.source and h.start <= e.start and e.end <= h.end for h in hopes)
    ]

    near_misses = [
        Span("caption", m.start(), m.end())
        for m in _NEAR_MISS.finditer(folded_caption)
        if not any(lb.span.start <= m.start() < lb.span.end for lb in labels)
    ]

    promo_start: int | None = None
    if info is not None:
        candidates: list[int] = [m.start() for m in PROMO_CUES.finditer(folded_transcript)]
        if brand:
            found = _brand_regex(fold(brand)).search(folded_transcript)
            if found:
                candidates.append(found.start())
        candidates = [
            c for c in candidates if info.locate(c)[0] in ("spoken", "on_screen", "persistent")
        ]
        promo_start = min(candidates) if candidates else None

    return Context(
        post=post,
        language=language,
        country=country,
        assumptions=tuple(assumptions),
        labels=tuple(labels),
        ambiguous=tuple(ambiguous),
        brand_tags=tuple(brand_tags),
        negations=tuple(negations),
        jokes=tuple(jokes),
        commercial=tuple(commercial),
        profile_refs=tuple(profile_refs),
        link_refs=tuple(link_refs),
        claims=tuple(claims),
        admissions=tuple(admissions),
        endorsements=tuple(endorsements),
        near_misses=tuple(near_misses),
        promo_start=promo_start,
        hashtag_runs=_hashtag_runs(caption),
        transcript_info=info,
    )


def _dedupe(spans: list[Span]) -> list[Span]:
    spans = sorted(spans, key=lambda s: (s.source, s.start, -s.end))
    out: list[Span] = []
    for s in spans:
        if out and out[-1].source == s.source and s.start < out[-1].end:
            continue
        out.append(s)
    return out


def _inside(span: Span, spans: list[Span]) -> bool:
    """Whether ``span`` lies within one of ``spans``."""
    return any(
        s.source == span.source and s.start <= span.start and span.end <= s.end for s in spans
    )


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(s.source == span.source and s.start < span.end and span.start < s.end for s in spans)


def _touches(span: Span, spans: list[Span]) -> bool:
    """Whether one of ``spans`` contains ``span`` or lies within it."""
    return any(
        s.source == span.source
        and (
            (s.start <= span.start and span.end <= s.end)
            or (span.start <= s.start and s.end <= span.end)
        )
        for s in spans
    )


_SCOPE_END = re.compile(
    r"[,;:.!?\n|()\[\]]|\s(?:but|so|because|though|although|aber|denn|weil|pero|porque|mais|"
    r"donc|car)\s"
)


def _scope(folded: str, span: Span) -> Span:
    """A negation and the rest of its phrase (to the next comma, sentence end or "but")."""
    m = _SCOPE_END.search(folded, span.end)
    return Span(span.source, span.start, max(span.end, m.start() if m else len(folded)))


def _blank(text: str, spans: list[Span], source: str) -> str:
    """``text`` with the characters of ``spans`` (of this source) turned into spaces."""
    chars = list(text)
    for s in spans:
        if s.source == source:
            chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


def _merge(spans: list[Span], statements: list[Statement]) -> list[Span]:
    """Lexicon spans plus the statements' clauses that do not overlap one of them."""
    out = list(spans)
    for st in statements:
        if not any(s.source == st.source and s.start < st.end and st.start < s.end for s in spans):
            out.append(Span(st.source, st.start, st.end))
    return sorted(out, key=lambda s: (s.source != "caption", s.start))


def _sentence(text: str, span: Span | Statement) -> str:
    """The sentence (or timestamped segment) around a span."""
    start = max(text.rfind(c, 0, span.start) for c in ".!?\n]") + 1
    m = _SENTENCE_END.search(text, span.end)
    return text[start : m.start() if m else len(text)]
