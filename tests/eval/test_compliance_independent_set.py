"""Checks of the independent compliance evaluation set (eval/data/compliance_independent.jsonl).

The set was labelled from the shared rules document (compliance-rules.md) alone, see
eval/data/compliance_independent.md. These tests check its format, its coverage and that every
expected verdict follows from the expected reasons under the verdict rule of section 2 of the
rules. They never run the checker: the set is an evaluation set, not a fixture.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SET_PATH = ROOT / "eval" / "data" / "compliance_independent.jsonl"
DOC_PATH = ROOT / "eval" / "data" / "compliance_independent.md"

KEYS = {
    "id",
    "caption",
    "transcript",
    "platform",
    "media",
    "material_connection",
    "platform_label",
    "jurisdiction",
    "language",
    "note",
    "expected_verdict",
    "expected_reasons",
}
PLATFORMS = {
    "instagram",
    "tiktok",
    "youtube",
    "facebook",
    "x",
    "linkedin",
    "twitch",
    "podcast",
    "pinterest",
    "snapchat",
}
MEDIA = {"image", "carousel", "video", "reel", "story", "live", "audio", "text"}
CONNECTIONS = {"paid", "free_product", "affiliate", "employee", "family", "other", "none"}
JURISDICTIONS = {"US", "UK", "CA", "EU"}
LANGUAGES = {"en", "es", "fr", "de"}
VERDICTS = {"compliant", "needs_review", "non_compliant"}
# Plausible jurisdictions per language (the brief: fr with France or Canada, de and es with the
# EU, es also US).
LANGUAGE_JURISDICTIONS = {
    "en": JURISDICTIONS,
    "fr": {"EU", "CA"},
    "de": {"EU"},
    "es": {"EU", "US"},
}

ALL = {"US": "H", "UK": "H", "CA": "H", "EU": "H"}
# Severity of each rule code per jurisdiction, from the "juris. / sev." column of section 2 of
# the rules. A jurisdiction missing from a row means the code does not apply there.
# FR_MANDATORY_LABEL applies to EU + French (France); PLATFORM_LABEL_ONLY is US/UK/CA only
# (France goes to FR_MANDATORY_LABEL instead); UNSUBSTANTIATED_CLAIM is R, but H together with
# NO_DISCLOSURE (handled in expected_verdict below).
SEVERITY: dict[str, dict[str, str]] = {
    "NO_DISCLOSURE": ALL,
    "AMBIGUOUS_TERM": ALL,
    "BURIED_IN_HASHTAGS": ALL,
    "NOT_UPFRONT": ALL,
    "PROFILE_ONLY": ALL,
    "LINK_ONLY": ALL,
    "NOT_IN_MEDIUM": ALL,
    "VIDEO_NOT_SPOKEN": {"US": "H"},
    "VIDEO_NOT_SHOWN": {"US": "R"},
    "LIVE_NOT_REPEATED": ALL,
    "PLATFORM_LABEL_ONLY": {"US": "R", "UK": "R", "CA": "R"},
    "LANGUAGE_MISMATCH": {"US": "H", "CA": "H", "EU": "R"},
    "GIFTED_MISLABEL": ALL,
    "UK_GIFTED_NEEDS_AD": {"UK": "R"},
    "UK_NON_AD_LABEL": {"UK": "R"},
    "FR_MANDATORY_LABEL": {"EU": "H"},
    "DISCLOSURE_CONTRADICTED": ALL,
    "NOT_BONA_FIDE_USER": ALL,
    "UNSUBSTANTIATED_CLAIM": {"US": "R", "UK": "R", "CA": "R", "EU": "R"},
    "POSSIBLE_UNDISCLOSED_CONNECTION": {"US": "R", "UK": "R", "CA": "R", "EU": "R"},
}
CODES = set(SEVERITY)
VIDEO_MEDIA = {"video", "reel", "live"}
PLAYBACK_MEDIA = {"video", "reel", "live", "audio"}
# Codes that may fire on a post whose connection is declared "none" (section 2: such a post is
# compliant unless a D7 signal or a content rule fires).
NONE_CODES = {"POSSIBLE_UNDISCLOSED_CONNECTION", "UNSUBSTANTIATED_CLAIM", "NOT_BONA_FIDE_USER"}
# The kinds of connection of note 10; compliant plain-sentence posts carry "note 10 (<kind>)".
NOTE10_KINDS = {
    "payment",
    "free product",
    "gift",
    "trip or event",
    "employment",
    "family or friendship",
    "ownership or investment",
    "affiliate commission",
}
NOTE10 = re.compile(r"^note 10 \(([a-z ]+)\)")
TIMESTAMP = re.compile(r"\[(?:(\d{1,2}):)?(\d{2}):(\d{2})\]")

MIN_POSTS = 300
MIN_PER_CODE = 8
MIN_PER_JURISDICTION = 50
MIN_PER_LANGUAGE = 40
MIN_COMPLIANT = 90
MIN_WITH_TRANSCRIPT = 60


def load() -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(SET_PATH.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {number} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not a JSON object"
        rows.append(row)
    return rows


ROWS = load()


def expected_verdict(reasons: list[str], jurisdiction: str) -> str:
    """The verdict rule of section 2: any H -> non_compliant, else any R -> needs_review."""
    severities = set()
    for code in reasons:
        severity = SEVERITY[code][jurisdiction]
        if code == "UNSUBSTANTIATED_CLAIM" and "NO_DISCLOSURE" in reasons:
            severity = "H"
        severities.add(severity)
    if "H" in severities:
        return "non_compliant"
    if "R" in severities:
        return "needs_review"
    return "compliant"


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def last_timestamp_seconds(transcript: str) -> int:
    seconds = [
        int(h or 0) * 3600 + int(m) * 60 + int(s) for h, m, s in TIMESTAMP.findall(transcript)
    ]
    assert seconds, "no timestamps"
    return max(seconds)


def test_every_line_has_exactly_the_required_keys() -> None:
    for row in ROWS:
        assert set(row) == KEYS, (row.get("id"), set(row) ^ KEYS)


def test_ids_are_unique_and_well_formed() -> None:
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids))
    for post_id in ids:
        assert re.fullmatch(r"ind-\d{3}", post_id), post_id


def test_field_types_and_allowed_values() -> None:
    for row in ROWS:
        post_id = row["id"]
        assert isinstance(row["caption"], str) and row["caption"].strip(), post_id
        assert row["transcript"] is None or (
            isinstance(row["transcript"], str) and row["transcript"].strip()
        ), post_id
        assert row["platform"] in PLATFORMS, post_id
        assert row["media"] in MEDIA, post_id
        assert isinstance(row["platform_label"], bool), post_id
        assert row["jurisdiction"] in JURISDICTIONS, post_id
        assert row["language"] in LANGUAGES, post_id
        assert isinstance(row["note"], str) and row["note"].strip(), post_id
        assert row["expected_verdict"] in VERDICTS, post_id
        connection = row["material_connection"]
        assert set(connection) == {"type", "brand"}, post_id
        assert connection["type"] in CONNECTIONS, post_id
        if connection["type"] == "none":
            assert connection["brand"] is None or isinstance(connection["brand"], str), post_id
        else:
            assert isinstance(connection["brand"], str) and connection["brand"], post_id
        reasons = row["expected_reasons"]
        assert isinstance(reasons, list), post_id
        assert len(reasons) == len(set(reasons)), post_id
        assert set(reasons) <= CODES, (post_id, set(reasons) - CODES)


def test_no_post_is_repeated() -> None:
    texts = Counter((row["caption"], row["transcript"]) for row in ROWS)
    assert [text for text, count in texts.items() if count > 1] == []


def test_language_goes_with_a_plausible_jurisdiction() -> None:
    for row in ROWS:
        assert row["jurisdiction"] in LANGUAGE_JURISDICTIONS[row["language"]], row["id"]


def test_platform_and_media_fit_the_input_conventions() -> None:
    for row in ROWS:
        post_id, platform, media = row["id"], row["platform"], row["media"]
        if platform == "youtube":
            caption = row["caption"]
            assert caption.startswith("[title]"), post_id
            assert "[description]" in caption, post_id
            assert media in {"video", "live"}, post_id
        if platform == "podcast" or media == "audio":
            assert platform == "podcast" and media == "audio", post_id
        if platform == "twitch":
            assert media == "live", post_id
        if row["transcript"] is not None:
            assert media in PLAYBACK_MEDIA, post_id
        if media == "live":
            assert row["transcript"] is not None, post_id
            last_timestamp_seconds(row["transcript"])


def test_expected_verdict_follows_the_reasons() -> None:
    for row in ROWS:
        reasons, jurisdiction = row["expected_reasons"], row["jurisdiction"]
        for code in reasons:
            assert jurisdiction in SEVERITY[code], (row["id"], code, jurisdiction)
        assert row["expected_verdict"] == expected_verdict(reasons, jurisdiction), row["id"]


def test_codes_fit_the_post_they_are_given_to() -> None:
    """Preconditions written into the "how a program checks it" column of section 2."""
    for row in ROWS:
        post_id, reasons = row["id"], set(row["expected_reasons"])
        kind = row["material_connection"]["type"]
        media, jurisdiction = row["media"], row["jurisdiction"]
        if kind == "none":
            assert reasons <= NONE_CODES, post_id
        else:
            assert "POSSIBLE_UNDISCLOSED_CONNECTION" not in reasons, post_id
        if reasons & {"VIDEO_NOT_SPOKEN", "VIDEO_NOT_SHOWN"}:
            assert jurisdiction == "US" and media in VIDEO_MEDIA, post_id
            assert row["transcript"] is not None, post_id
        if "NOT_IN_MEDIUM" in reasons:
            assert media in PLAYBACK_MEDIA and row["transcript"] is not None, post_id
        if "LIVE_NOT_REPEATED" in reasons:
            assert media == "live", post_id
            assert last_timestamp_seconds(row["transcript"]) > 15 * 60, post_id
            assert "[on-screen persistent:" not in row["transcript"], post_id
        if "PLATFORM_LABEL_ONLY" in reasons:
            assert row["platform_label"] is True, post_id
        if "GIFTED_MISLABEL" in reasons:
            assert kind in {"paid", "affiliate"}, post_id
        if "UK_GIFTED_NEEDS_AD" in reasons:
            assert kind == "free_product", post_id
        if "UK_NON_AD_LABEL" in reasons:
            assert kind in {"paid", "affiliate"}, post_id
        if "FR_MANDATORY_LABEL" in reasons:
            assert row["language"] == "fr" and kind != "none", post_id


def test_compliant_french_posts_in_france_carry_a_mandatory_word() -> None:
    """Loi 2023-451: a compliant EU + French post with a connection says "Publicité" or
    "Collaboration commerciale" (accents and case ignored, hashtag form allowed)."""
    for row in ROWS:
        if (row["jurisdiction"], row["language"]) != ("EU", "fr"):
            continue
        if row["material_connection"]["type"] == "none" or row["expected_reasons"]:
            continue
        text = fold_accents(row["caption"] + " " + (row["transcript"] or ""))
        compact = text.replace(" ", "")
        assert "publicite" in text or "collaborationcommerciale" in compact, row["id"]


def test_coverage_of_codes() -> None:
    counts = Counter(code for row in ROWS for code in row["expected_reasons"])
    missing = {code: counts[code] for code in CODES if counts[code] < MIN_PER_CODE}
    assert missing == {}


def test_coverage_of_jurisdictions_languages_and_verdicts() -> None:
    assert len(ROWS) >= MIN_POSTS
    jurisdictions = Counter(row["jurisdiction"] for row in ROWS)
    assert all(jurisdictions[j] >= MIN_PER_JURISDICTION for j in JURISDICTIONS), jurisdictions
    languages = Counter(row["language"] for row in ROWS)
    assert all(languages[lang] >= MIN_PER_LANGUAGE for lang in LANGUAGES), languages
    verdicts = Counter(row["expected_verdict"] for row in ROWS)
    assert verdicts["compliant"] >= MIN_COMPLIANT, verdicts
    assert verdicts["needs_review"] > 0 and verdicts["non_compliant"] > 0, verdicts
    with_transcript = sum(1 for row in ROWS if row["transcript"] is not None)
    assert with_transcript >= MIN_WITH_TRANSCRIPT


def test_note_10_plain_sentences_cover_every_kind_in_every_language() -> None:
    seen: dict[str, set[str]] = {kind: set() for kind in NOTE10_KINDS}
    for row in ROWS:
        match = NOTE10.match(row["note"])
        if match is None:
            continue
        assert match.group(1) in NOTE10_KINDS, row["id"]
        assert row["expected_reasons"] == [], row["id"]
        assert row["material_connection"]["type"] != "none", row["id"]
        seen[match.group(1)].add(row["language"])
    assert {kind: LANGUAGES - langs for kind, langs in seen.items() if langs != LANGUAGES} == {}
    per_kind = Counter(
        match.group(1) for row in ROWS if (match := NOTE10.match(row["note"])) is not None
    )
    assert all(per_kind[kind] >= 4 for kind in NOTE10_KINDS), per_kind


def test_content_rules_span_languages_captions_and_transcripts() -> None:
    for code in ("NOT_BONA_FIDE_USER", "UNSUBSTANTIATED_CLAIM"):
        rows = [row for row in ROWS if code in row["expected_reasons"]]
        assert len({row["language"] for row in rows}) >= 3, code
        assert any(row["transcript"] is None for row in rows), code
        assert any(row["transcript"] is not None for row in rows), code


def test_the_set_has_its_description() -> None:
    doc = DOC_PATH.read_text(encoding="utf-8")
    assert "never used for training" in doc
    assert str(len(ROWS)) in doc
